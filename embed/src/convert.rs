//! Conversions between host types and [`Value`]: [`IntoValue`] (arguments, host-function
//! results) and [`FromValue`] (call results, host-function arguments), for `()`, `bool`,
//! `i64`, `i32`, `f64`, `String`, `&str`, `Vec<T>`, tuples up to 6, `BTreeMap<K, V>`,
//! `Option<T>` and `Value` itself. A wrong kind is a [`RunError`] naming the expected and the
//! actual kinds; an `i64` outside the script's 48-bit Int range is an error, never truncated.

use std::collections::BTreeMap;

use crate::error::RunError;
use crate::value::Value;

/// Converts a host value into a script [`Value`].
pub trait IntoValue {
    fn into_value(self) -> Value;
}

/// Converts a script [`Value`] into a host value.
pub trait FromValue: Sized {
    fn from_value(value: Value) -> Result<Self, RunError>;
}

/// The smallest and largest script Int (48-bit signed).
pub const INT_MIN: i64 = cairn_runtime::value::INT_MIN;
pub const INT_MAX: i64 = cairn_runtime::value::INT_MAX;

fn wrong(expected: &str, value: &Value) -> RunError {
    RunError::wrong_kind("the host", expected, value.kind_name())
}

impl IntoValue for Value {
    fn into_value(self) -> Value {
        self
    }
}
impl FromValue for Value {
    fn from_value(value: Value) -> Result<Value, RunError> {
        Ok(value)
    }
}

impl IntoValue for () {
    fn into_value(self) -> Value {
        Value::Unit
    }
}
impl FromValue for () {
    fn from_value(value: Value) -> Result<(), RunError> {
        match value {
            Value::Unit => Ok(()),
            other => Err(wrong("Unit", &other)),
        }
    }
}

impl IntoValue for bool {
    fn into_value(self) -> Value {
        Value::Bool(self)
    }
}
impl FromValue for bool {
    fn from_value(value: Value) -> Result<bool, RunError> {
        match value {
            Value::Bool(b) => Ok(b),
            other => Err(wrong("Bool", &other)),
        }
    }
}

impl IntoValue for i64 {
    /// An `i64` outside the 48-bit range is still converted; building it in a runtime fails
    /// with RT0301 (it is never truncated).
    fn into_value(self) -> Value {
        Value::Int(self)
    }
}
impl FromValue for i64 {
    fn from_value(value: Value) -> Result<i64, RunError> {
        match value {
            Value::Int(n) => Ok(n),
            other => Err(wrong("Int", &other)),
        }
    }
}

impl IntoValue for i32 {
    fn into_value(self) -> Value {
        Value::Int(i64::from(self))
    }
}
impl FromValue for i32 {
    fn from_value(value: Value) -> Result<i32, RunError> {
        let n = i64::from_value(value)?;
        i32::try_from(n).map_err(|_| {
            RunError::api(
                "RT0301",
                format!("integer overflow: {n} does not fit in an i32"),
            )
        })
    }
}

impl IntoValue for f64 {
    fn into_value(self) -> Value {
        Value::Float(self)
    }
}
impl FromValue for f64 {
    /// A Float, or an Int converted exactly (scripts mix them freely).
    fn from_value(value: Value) -> Result<f64, RunError> {
        match value {
            Value::Float(x) => Ok(x),
            Value::Int(n) => Ok(n as f64),
            other => Err(wrong("Float", &other)),
        }
    }
}

impl IntoValue for String {
    fn into_value(self) -> Value {
        Value::Text(self)
    }
}
impl IntoValue for &str {
    fn into_value(self) -> Value {
        Value::Text(self.to_string())
    }
}
impl FromValue for String {
    fn from_value(value: Value) -> Result<String, RunError> {
        match value {
            Value::Text(s) => Ok(s),
            other => Err(wrong("Text", &other)),
        }
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self) -> Value {
        Value::List(self.into_iter().map(IntoValue::into_value).collect())
    }
}
impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(value: Value) -> Result<Vec<T>, RunError> {
        match value {
            Value::List(items) => items.into_iter().map(T::from_value).collect(),
            other => Err(wrong("List", &other)),
        }
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
        match value {
            Value::Map(entries) => entries
                .into_iter()
                .map(|(k, v)| Ok((K::from_value(k)?, V::from_value(v)?)))
                .collect(),
            other => Err(wrong("Map", &other)),
        }
    }
}

impl<T: IntoValue> IntoValue for Option<T> {
    /// `None` is Unit.
    fn into_value(self) -> Value {
        self.map_or(Value::Unit, IntoValue::into_value)
    }
}
impl<T: FromValue> FromValue for Option<T> {
    /// Unit is `None`; anything else must convert to `T`.
    fn from_value(value: Value) -> Result<Option<T>, RunError> {
        match value {
            Value::Unit => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// The arguments of a call: `()` or a tuple of up to six [`IntoValue`]s.
pub trait IntoArgs {
    fn into_args(self) -> Vec<Value>;
}

impl IntoArgs for () {
    fn into_args(self) -> Vec<Value> {
        Vec::new()
    }
}

impl IntoArgs for Vec<Value> {
    fn into_args(self) -> Vec<Value> {
        self
    }
}

macro_rules! tuple_conversions {
    ($len:literal: $($name:ident $index:tt),+) => {
        impl<$($name: IntoValue),+> IntoValue for ($($name,)+) {
            fn into_value(self) -> Value {
                Value::Tuple(vec![$(self.$index.into_value()),+])
            }
        }
        impl<$($name: FromValue),+> FromValue for ($($name,)+) {
            fn from_value(value: Value) -> Result<Self, RunError> {
                match value {
                    Value::Tuple(items) if items.len() == $len => {
                        let mut items = items.into_iter();
                        Ok(($($name::from_value(items.next().expect("length checked"))?,)+))
                    }
                    other => Err(wrong(concat!("a Tuple of ", $len), &other)),
                }
            }
        }
        impl<$($name: IntoValue),+> IntoArgs for ($($name,)+) {
            fn into_args(self) -> Vec<Value> {
                vec![$(self.$index.into_value()),+]
            }
        }
    };
}

tuple_conversions!(1: A 0);
tuple_conversions!(2: A 0, B 1);
tuple_conversions!(3: A 0, B 1, C 2);
tuple_conversions!(4: A 0, B 1, C 2, D 3);
tuple_conversions!(5: A 0, B 1, C 2, D 3, E 4);
tuple_conversions!(6: A 0, B 1, C 2, D 3, E 4, F 5);
