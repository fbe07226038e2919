//! The serde `Deserializer` over an owned [`Value`] (the table of `cairn::from_value`). Each
//! container level wraps its items' errors in their path segment (`[3]`, `.count`,
//! `["key"]`, `.Variant`) on the way out, so an error names where it happened.

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use crate::convert_containers::key_label;
use crate::error::RunError;
use crate::value::Value;

use super::MAX_SERDE_DEPTH;

pub(super) struct ValueDeserializer {
    value: Value,
    depth: usize,
}

impl ValueDeserializer {
    pub(super) fn new(value: Value, depth: usize) -> ValueDeserializer {
        ValueDeserializer { value, depth }
    }
    fn child(&self, value: Value) -> Result<ValueDeserializer, RunError> {
        if self.depth >= MAX_SERDE_DEPTH {
            return Err(RunError::api(
                "RT0303",
                format!("nested deeper than {MAX_SERDE_DEPTH} levels"),
            ));
        }
        Ok(ValueDeserializer::new(value, self.depth + 1))
    }
    fn mismatch(&self, expected: &str) -> RunError {
        RunError::api(
            "RT0303",
            format!("expected {expected}, found {}", self.value.kind_name()),
        )
    }
    fn int(&self) -> Result<i64, RunError> {
        match self.value {
            Value::Int(n) => Ok(n),
            _ => Err(self.mismatch("Int")),
        }
    }
    fn items(mut self, expected: &str) -> Result<(Vec<Value>, usize), RunError> {
        match &mut self.value {
            Value::List(items) | Value::Tuple(items) => Ok((std::mem::take(items), self.depth)),
            _ => Err(self.mismatch(expected)),
        }
    }
    fn entries(mut self) -> Result<(Vec<(Value, Value)>, usize), RunError> {
        match &mut self.value {
            Value::Map(entries) => Ok((std::mem::take(entries), self.depth)),
            _ => Err(self.mismatch("Map")),
        }
    }
    fn text(mut self) -> Result<String, RunError> {
        match &mut self.value {
            Value::Text(text) => Ok(std::mem::take(text)),
            _ => Err(self.mismatch("Text")),
        }
    }
}

macro_rules! integers {
    ($($method:ident, $ty:ty, $visit:ident, $article:literal);* $(;)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RunError> {
            let n = self.int()?;
            let n = <$ty>::try_from(n).map_err(|_| RunError::out_of_range(n, $article))?;
            visitor.$visit(n)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for ValueDeserializer {
    type Error = RunError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RunError> {
        match &self.value {
            Value::Unit => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Int(n) => visitor.visit_i64(*n),
            Value::Float(x) => visitor.visit_f64(*x),
            Value::Text(_) => visitor.visit_string(self.text()?),
            Value::List(_) | Value::Tuple(_) => self.deserialize_seq(visitor),
            Value::Map(_) => self.deserialize_map(visitor),
            Value::Opaque(opaque) => Err(RunError::api(
                "RT0303",
                format!("a {} cannot be deserialized", opaque.kind()),
            )),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RunError> {
        match self.value {
            Value::Bool(b) => visitor.visit_bool(b),
            _ => Err(self.mismatch("Bool")),
        }
    }

    integers!(
        deserialize_i8, i8, visit_i8, "an i8";
        deserialize_i16, i16, visit_i16, "an i16";
        deserialize_i32, i32, visit_i32, "an i32";
        deserialize_i64, i64, visit_i64, "an i64";
        deserialize_i128, i128, visit_i128, "an i128";
        deserialize_u8, u8, visit_u8, "a u8";
        deserialize_u16, u16, visit_u16, "a u16";
        deserialize_u32, u32, visit_u32, "a u32";
        deserialize_u64, u64, visit_u64, "a u64";
        deserialize_u128, u128, visit_u128, "a u128";
    );

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RunError> {
        self.deserialize_f64(visitor)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RunError> {
        match self.value {
            Value::Float(x) => visitor.visit_f64(x),
            Value::Int(n) => visitor.visit_f64(n as f64),
            _ => Err(self.mismatch("Float")),
        }
    }
    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RunError> {
        visitor.visit_string(self.text()?)
    }
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RunError> {
        visitor.visit_string(self.text()?)
    }
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RunError> {
        visitor.visit_string(self.text()?)
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RunError> {
        match &self.value {
            Value::Text(_) => visitor.visit_string(self.text()?),
            _ => self.deserialize_seq(visitor),
        }
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RunError> {
        self.deserialize_bytes(visitor)
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RunError> {
        match self.value {
            Value::Unit => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }
    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RunError> {
        match self.value {
            Value::Unit => visitor.visit_unit(),
            _ => Err(self.mismatch("Unit")),
        }
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, RunError> {
        self.deserialize_unit(visitor)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, RunError> {
        visitor.visit_newtype_struct(self)
    }
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RunError> {
        let (items, depth) = self.items("List")?;
        visitor.visit_seq(Items {
            items: items.into_iter().enumerate(),
            depth,
        })
    }
    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, RunError> {
        if len == 0 && matches!(self.value, Value::Unit) {
            return visitor.visit_seq(Items {
                items: Vec::new().into_iter().enumerate(),
                depth: self.depth,
            });
        }
        let (items, depth) = self.items("Tuple")?;
        visitor.visit_seq(Items {
            items: items.into_iter().enumerate(),
            depth,
        })
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, RunError> {
        self.deserialize_tuple(len, visitor)
    }
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RunError> {
        let (entries, depth) = self.entries()?;
        visitor.visit_map(Entries {
            entries: entries.into_iter(),
            pending: None,
            depth,
            fields: false,
        })
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, RunError> {
        let (entries, depth) = self.entries()?;
        visitor.visit_map(Entries {
            entries: entries.into_iter(),
            pending: None,
            depth,
            fields: true,
        })
    }
    fn deserialize_enum<V: Visitor<'de>>(
        mut self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, RunError> {
        let depth = self.depth;
        match &mut self.value {
            Value::Text(name) => visitor.visit_enum(Enum {
                variant: std::mem::take(name),
                payload: None,
                depth,
            }),
            Value::Map(entries) if entries.len() == 1 && matches!(entries[0].0, Value::Text(_)) => {
                let (mut key, payload) = entries.pop().expect("one entry");
                let Value::Text(variant) = &mut key else {
                    unreachable!("checked a Text key")
                };
                visitor.visit_enum(Enum {
                    variant: std::mem::take(variant),
                    payload: Some(payload),
                    depth,
                })
            }
            _ => Err(self.mismatch("an enum (a Text, or a Map of one Text key)")),
        }
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RunError> {
        self.deserialize_string(visitor)
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RunError> {
        visitor.visit_unit()
    }
}

struct Items {
    items: std::iter::Enumerate<std::vec::IntoIter<Value>>,
    depth: usize,
}

impl<'de> de::SeqAccess<'de> for Items {
    type Error = RunError;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, RunError> {
        let Some((index, item)) = self.items.next() else {
            return Ok(None);
        };
        let at = |e: RunError| e.at(&format!("[{index}]"));
        let child = ValueDeserializer::new(Value::Unit, self.depth)
            .child(item)
            .map_err(at)?;
        seed.deserialize(child).map(Some).map_err(at)
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Entries {
    entries: std::vec::IntoIter<(Value, Value)>,
    /// The value of the key just handed out, and how its path segment reads.
    pending: Option<(Value, String)>,
    depth: usize,
    /// A struct's Map: Text keys are fields, named `.field` in paths.
    fields: bool,
}

impl<'de> de::MapAccess<'de> for Entries {
    type Error = RunError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, RunError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        let segment = match (&key, self.fields) {
            (Value::Text(name), true) => format!(".{name}"),
            _ => format!("[{}]", key_label(&key)),
        };
        let label = key_label(&key);
        let at = |e: RunError| e.at(&format!("(key {label})"));
        let child = ValueDeserializer::new(Value::Unit, self.depth)
            .child(key)
            .map_err(at)?;
        let key = seed.deserialize(child).map_err(at)?;
        self.pending = Some((value, segment));
        Ok(Some(key))
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, RunError> {
        let (value, segment) = self
            .pending
            .take()
            .ok_or_else(|| RunError::api("RT0303", "a map value asked for before its key"))?;
        let at = |e: RunError| e.at(&segment);
        let child = ValueDeserializer::new(Value::Unit, self.depth)
            .child(value)
            .map_err(at)?;
        seed.deserialize(child).map_err(at)
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

struct Enum {
    variant: String,
    payload: Option<Value>,
    depth: usize,
}

impl<'de> de::EnumAccess<'de> for Enum {
    type Error = RunError;
    type Variant = Payload;
    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Payload), RunError> {
        let name: de::value::StringDeserializer<RunError> =
            self.variant.clone().into_deserializer();
        let variant = seed.deserialize(name)?;
        Ok((
            variant,
            Payload {
                variant: self.variant,
                payload: self.payload,
                depth: self.depth,
            },
        ))
    }
}

struct Payload {
    variant: String,
    payload: Option<Value>,
    depth: usize,
}

impl Payload {
    fn at(&self, error: RunError) -> RunError {
        error.at(&format!(".{}", self.variant))
    }
    fn deserializer(mut self, expected: &str) -> Result<(ValueDeserializer, String), RunError> {
        let variant = std::mem::take(&mut self.variant);
        match self.payload.take() {
            Some(payload) => {
                let child = ValueDeserializer::new(Value::Unit, self.depth).child(payload)?;
                Ok((child, variant))
            }
            None => Err(RunError::api(
                "RT0303",
                format!("expected {expected} for variant {variant}, found only its name"),
            )),
        }
    }
}

impl<'de> de::VariantAccess<'de> for Payload {
    type Error = RunError;
    fn unit_variant(self) -> Result<(), RunError> {
        match &self.payload {
            None | Some(Value::Unit) => Ok(()),
            Some(other) => Err(self.at(RunError::api(
                "RT0303",
                format!("expected Unit, found {}", other.kind_name()),
            ))),
        }
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, RunError> {
        let (child, variant) = self.deserializer("a payload")?;
        seed.deserialize(child)
            .map_err(|e| e.at(&format!(".{variant}")))
    }
    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, RunError> {
        let (child, variant) = self.deserializer("a Tuple")?;
        de::Deserializer::deserialize_tuple(child, len, visitor)
            .map_err(|e| e.at(&format!(".{variant}")))
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, RunError> {
        let (child, variant) = self.deserializer("a Map")?;
        de::Deserializer::deserialize_struct(child, "", fields, visitor)
            .map_err(|e| e.at(&format!(".{variant}")))
    }
}
