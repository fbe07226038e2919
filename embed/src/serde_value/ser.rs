//! The serde `Serializer` that builds a [`Value`] (the table of `cairn::to_value`). A part
//! that cannot be a script value (an integer outside 48 bits) fails with its path.

use serde::ser::{self, Serialize};

use crate::convert_containers::key_label;
use crate::error::RunError;
use crate::value::Value;

pub(super) struct ValueSerializer;

fn int(n: i128) -> Result<Value, RunError> {
    match i64::try_from(n) {
        Ok(n) if (crate::INT_MIN..=crate::INT_MAX).contains(&n) => Ok(Value::Int(n)),
        _ => Err(RunError::out_of_range(n, "a script Int (48 bits)")),
    }
}

fn text_entry(name: &str, value: Value) -> Value {
    Value::Map(vec![(Value::Text(name.to_string()), value)])
}

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = RunError;
    type SerializeSeq = Items;
    type SerializeTuple = Items;
    type SerializeTupleStruct = Items;
    type SerializeTupleVariant = Items;
    type SerializeMap = Entries;
    type SerializeStruct = Entries;
    type SerializeStructVariant = Entries;

    fn serialize_bool(self, v: bool) -> Result<Value, RunError> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, RunError> {
        int(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<Value, RunError> {
        int(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<Value, RunError> {
        int(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<Value, RunError> {
        int(v.into())
    }
    fn serialize_i128(self, v: i128) -> Result<Value, RunError> {
        int(v)
    }
    fn serialize_u8(self, v: u8) -> Result<Value, RunError> {
        int(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<Value, RunError> {
        int(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<Value, RunError> {
        int(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<Value, RunError> {
        int(v.into())
    }
    fn serialize_u128(self, v: u128) -> Result<Value, RunError> {
        match i128::try_from(v) {
            Ok(v) => int(v),
            Err(_) => Err(RunError::out_of_range(v, "a script Int (48 bits)")),
        }
    }
    fn serialize_f32(self, v: f32) -> Result<Value, RunError> {
        Ok(Value::Float(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, RunError> {
        Ok(Value::Float(v))
    }
    fn serialize_char(self, v: char) -> Result<Value, RunError> {
        Ok(Value::Text(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, RunError> {
        Ok(Value::Text(v.to_string()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, RunError> {
        Ok(Value::List(
            v.iter().map(|&b| Value::Int(b.into())).collect(),
        ))
    }
    fn serialize_none(self) -> Result<Value, RunError> {
        Ok(Value::Unit)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, RunError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, RunError> {
        Ok(Value::Unit)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, RunError> {
        Ok(Value::Unit)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, RunError> {
        Ok(Value::Text(variant.to_string()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value, RunError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, RunError> {
        let payload = value
            .serialize(ValueSerializer)
            .map_err(|e| e.at(&format!(".{variant}")))?;
        Ok(text_entry(variant, payload))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Items, RunError> {
        Ok(Items::new(Shape::List, len.unwrap_or(0)))
    }
    fn serialize_tuple(self, len: usize) -> Result<Items, RunError> {
        Ok(Items::new(Shape::Tuple, len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Items, RunError> {
        Ok(Items::new(Shape::Tuple, len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Items, RunError> {
        Ok(Items::new(Shape::Variant(variant), len))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Entries, RunError> {
        Ok(Entries::new(None, len.unwrap_or(0)))
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Entries, RunError> {
        Ok(Entries::new(None, len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Entries, RunError> {
        Ok(Entries::new(Some(variant), len))
    }
}

enum Shape {
    List,
    Tuple,
    Variant(&'static str),
}

/// A List, a Tuple, or a tuple variant's Tuple, item by item.
pub(super) struct Items {
    shape: Shape,
    items: Vec<Value>,
}

impl Items {
    fn new(shape: Shape, len: usize) -> Items {
        Items {
            shape,
            items: Vec::with_capacity(len.min(4096)),
        }
    }
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), RunError> {
        let index = self.items.len();
        let item = value
            .serialize(ValueSerializer)
            .map_err(|e| match self.shape {
                Shape::Variant(variant) => e.at(&format!("[{index}]")).at(&format!(".{variant}")),
                _ => e.at(&format!("[{index}]")),
            })?;
        self.items.push(item);
        Ok(())
    }
    fn finish(self) -> Value {
        let tuple = |items: Vec<Value>| {
            if items.is_empty() {
                Value::Unit
            } else {
                Value::Tuple(items)
            }
        };
        match self.shape {
            Shape::List => Value::List(self.items),
            Shape::Tuple => tuple(self.items),
            Shape::Variant(variant) => text_entry(variant, tuple(self.items)),
        }
    }
}

impl ser::SerializeSeq for Items {
    type Ok = Value;
    type Error = RunError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), RunError> {
        self.push(value)
    }
    fn end(self) -> Result<Value, RunError> {
        Ok(self.finish())
    }
}

impl ser::SerializeTuple for Items {
    type Ok = Value;
    type Error = RunError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), RunError> {
        self.push(value)
    }
    fn end(self) -> Result<Value, RunError> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleStruct for Items {
    type Ok = Value;
    type Error = RunError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), RunError> {
        self.push(value)
    }
    fn end(self) -> Result<Value, RunError> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleVariant for Items {
    type Ok = Value;
    type Error = RunError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), RunError> {
        self.push(value)
    }
    fn end(self) -> Result<Value, RunError> {
        Ok(self.finish())
    }
}

/// A Map, a struct's Map, or a struct variant's Map, entry by entry.
pub(super) struct Entries {
    variant: Option<&'static str>,
    entries: Vec<(Value, Value)>,
    key: Option<Value>,
}

impl Entries {
    fn new(variant: Option<&'static str>, len: usize) -> Entries {
        Entries {
            variant,
            entries: Vec::with_capacity(len.min(4096)),
            key: None,
        }
    }
    fn in_variant(&self, error: RunError) -> RunError {
        match self.variant {
            Some(variant) => error.at(&format!(".{variant}")),
            None => error,
        }
    }
    fn field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), RunError> {
        let value = value
            .serialize(ValueSerializer)
            .map_err(|e| self.in_variant(e.at(&format!(".{key}"))))?;
        self.entries.push((Value::Text(key.to_string()), value));
        Ok(())
    }
    fn finish(self) -> Value {
        let map = Value::Map(self.entries);
        match self.variant {
            Some(variant) => text_entry(variant, map),
            None => map,
        }
    }
}

impl ser::SerializeMap for Entries {
    type Ok = Value;
    type Error = RunError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), RunError> {
        let index = self.entries.len();
        self.key = Some(
            key.serialize(ValueSerializer)
                .map_err(|e| e.at(&format!("(key {index})")))?,
        );
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), RunError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| RunError::invalid_value("a map value without its key"))?;
        let value = value
            .serialize(ValueSerializer)
            .map_err(|e| e.at(&format!("[{}]", key_label(&key))))?;
        self.entries.push((key, value));
        Ok(())
    }
    fn end(self) -> Result<Value, RunError> {
        Ok(self.finish())
    }
}

impl ser::SerializeStruct for Entries {
    type Ok = Value;
    type Error = RunError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), RunError> {
        self.field(key, value)
    }
    fn end(self) -> Result<Value, RunError> {
        Ok(self.finish())
    }
}

impl ser::SerializeStructVariant for Entries {
    type Ok = Value;
    type Error = RunError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), RunError> {
        self.field(key, value)
    }
    fn end(self) -> Result<Value, RunError> {
        Ok(self.finish())
    }
}
