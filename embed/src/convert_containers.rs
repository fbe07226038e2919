//! [`IntoValue`] and [`FromValue`] for the containers: `Vec<T>` and `[T; N]` (Lists),
//! `BTreeMap<K, V>` and `HashMap<K, V>` (Maps). An item that does not convert fails the
//! whole conversion, its error naming where it is: `[2]: ...` for the third item of a List,
//! `["count"]: ...` for the value of key `"count"`, `(key 1.5): ...` for a key.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash};

use crate::convert::{FromValue, IntoValue, wrong};
use crate::error::RunError;
use crate::value::Value;

/// The items of a List, each converted, errors naming the index.
fn list_items<T: FromValue>(value: Value, expected: &str) -> Result<Vec<T>, RunError> {
    let mut value = value;
    match &mut value {
        Value::List(items) => std::mem::take(items)
            .into_iter()
            .enumerate()
            .map(|(index, item)| T::from_value(item).map_err(|e| e.at(&format!("[{index}]"))))
            .collect(),
        other => Err(wrong(expected, other)),
    }
}

/// The entries of a Map, each converted, errors naming the key.
fn map_entries<K: FromValue, V: FromValue>(
    value: Value,
) -> Result<impl Iterator<Item = Result<(K, V), RunError>>, RunError> {
    let mut value = value;
    match &mut value {
        Value::Map(entries) => Ok(std::mem::take(entries).into_iter().map(|(k, v)| {
            let printed = key_label(&k);
            let key = K::from_value(k).map_err(|e| e.at(&format!("(key {printed})")))?;
            let value = V::from_value(v).map_err(|e| e.at(&format!("[{printed}]")))?;
            Ok((key, value))
        })),
        other => Err(wrong("Map", other)),
    }
}

/// How a key reads in a path: a Text quoted (`"count"`), anything else as it prints.
pub(crate) fn key_label(key: &Value) -> String {
    match key {
        Value::Text(text) => format!("{text:?}"),
        other => other.to_string(),
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self) -> Value {
        Value::List(self.into_iter().map(IntoValue::into_value).collect())
    }
}
impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(value: Value) -> Result<Vec<T>, RunError> {
        list_items(value, "List")
    }
}

impl<T: IntoValue, const N: usize> IntoValue for [T; N] {
    fn into_value(self) -> Value {
        Value::List(self.into_iter().map(IntoValue::into_value).collect())
    }
}
impl<T: FromValue, const N: usize> FromValue for [T; N] {
    /// A List of exactly `N` items.
    fn from_value(value: Value) -> Result<[T; N], RunError> {
        let expected = format!("a List of {N}");
        if let Value::List(items) = &value
            && items.len() != N
        {
            return Err(RunError::wrong_kind(
                "the host",
                &expected,
                &format!("a List of {}", items.len()),
            ));
        }
        let items = list_items::<T>(value, &expected)?;
        Ok(items
            .try_into()
            .unwrap_or_else(|_| unreachable!("length checked")))
    }
}

impl<K: IntoValue, V: IntoValue> IntoValue for BTreeMap<K, V> {
    fn into_value(self) -> Value {
        Value::Map(
            self.into_iter()
                .map(|(k, v)| (k.into_value(), v.into_value()))
                .collect(),
        )
    }
}
impl<K: FromValue + Ord, V: FromValue> FromValue for BTreeMap<K, V> {
    fn from_value(value: Value) -> Result<BTreeMap<K, V>, RunError> {
        map_entries(value)?.collect()
    }
}

impl<K: IntoValue, V: IntoValue, S> IntoValue for HashMap<K, V, S> {
    /// The entries in the map's iteration order; the script's Map sorts them by key.
    fn into_value(self) -> Value {
        Value::Map(
            self.into_iter()
                .map(|(k, v)| (k.into_value(), v.into_value()))
                .collect(),
        )
    }
}
impl<K: FromValue + Eq + Hash, V: FromValue, S: BuildHasher + Default> FromValue
    for HashMap<K, V, S>
{
    fn from_value(value: Value) -> Result<HashMap<K, V, S>, RunError> {
        map_entries(value)?.collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::Text(s.to_string())
    }

    #[test]
    fn items_that_do_not_convert_name_where_they_are() {
        let list = Value::List(vec![Value::Int(1), text("two")]);
        let error = Vec::<i64>::from_value(list).unwrap_err();
        assert_eq!(
            (error.code(), error.message()),
            (
                "RT0303",
                "[1]: type mismatch: the host expects Int, got Text"
            )
        );
        let map = Value::Map(vec![(text("a"), Value::List(vec![Value::Int(300)]))]);
        let error = HashMap::<String, Vec<u8>>::from_value(map).unwrap_err();
        assert_eq!(
            (error.code(), error.message()),
            (
                "RT0301",
                "[\"a\"][0]: integer overflow: 300 does not fit in a u8"
            )
        );
        let map = Value::Map(vec![(Value::Int(1), Value::Int(2))]);
        let error = BTreeMap::<String, i64>::from_value(map).unwrap_err();
        assert_eq!(
            error.message(),
            "(key 1): type mismatch: the host expects Text, got Int"
        );
    }

    #[test]
    fn arrays_want_their_exact_length() {
        let list = Value::List(vec![Value::Int(1), Value::Int(2)]);
        assert_eq!(<[i64; 2]>::from_value(list.clone()).unwrap(), [1, 2]);
        let error = <[i64; 3]>::from_value(list).unwrap_err();
        assert_eq!(
            error.message(),
            "type mismatch: the host expects a List of 3, got a List of 2"
        );
        assert_eq!(
            [1u8, 2].into_value(),
            Value::List(vec![Value::Int(1), Value::Int(2)])
        );
    }

    #[test]
    fn hash_maps_round_trip() {
        let map: HashMap<String, f32> = [("x".to_string(), 0.5)].into_iter().collect();
        let value = map.clone().into_value();
        assert_eq!(value, Value::Map(vec![(text("x"), Value::Float(0.5))]));
        assert_eq!(HashMap::<String, f32>::from_value(value).unwrap(), map);
    }
}
