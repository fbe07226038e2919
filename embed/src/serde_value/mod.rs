//! serde for script values (docs/EMBEDDING.md, "serde"): [`to_value`] serializes any
//! `T: Serialize` into a [`Value`], [`from_value`] deserializes any `T: DeserializeOwned`
//! out of one. Structs are Maps with Text keys, enums are externally tagged (serde's
//! default), sequences Lists, tuples Tuples, `None` and unit Unit. Errors are [`RunError`]s
//! whose message starts with the path of the offending part (`.items[3].count: expected
//! Int, found Text`).

mod de;
mod ser;

use crate::error::RunError;
use crate::value::Value;

/// How deeply [`from_value`] descends into a value (a deeper one is an RT0303 error rather
/// than a stack overflow of the host).
pub const MAX_SERDE_DEPTH: usize = 256;

/// Serializes `value` into a script [`Value`] through serde.
///
/// | serde | script value |
/// |---|---|
/// | `bool` | Bool |
/// | integers of any width | Int (outside [`crate::INT_MIN`]`..=`[`crate::INT_MAX`]: RT0301) |
/// | `f32`, `f64` | Float |
/// | `char`, `str`, `String` | Text |
/// | bytes | List of Ints |
/// | `None`, `()`, unit struct | Unit |
/// | `Some(x)`, newtype struct | `x` |
/// | sequence (`Vec`, slice, set) | List |
/// | tuple, tuple struct, array `[T; N]` (serde treats arrays as tuples) | Tuple (a 0-tuple is Unit) |
/// | map | Map |
/// | struct | Map with Text keys (the field names) |
/// | enum (externally tagged) | unit variant: Text `"Name"`; others: a Map of one entry, `"Name"` to the payload (newtype: the value; tuple: a Tuple; struct: a Map) |
///
/// ```
/// use serde::Serialize;
/// use cairn::Value;
///
/// #[derive(Serialize)]
/// enum Shape { Dot, Circle { r: f64 } }
/// #[derive(Serialize)]
/// struct Scene { name: String, shapes: Vec<Shape>, origin: (i32, i32) }
///
/// let scene = Scene { name: "s".into(), shapes: vec![Shape::Dot, Shape::Circle { r: 1.5 }], origin: (0, 1) };
/// let value = cairn::to_value(&scene).unwrap();
/// assert_eq!(
///     value.to_string(),
///     r#"#{"name": "s", "shapes": ["Dot", #{"Circle": #{"r": 1.5}}], "origin": (0, 1)}"#
/// );
/// let error = cairn::to_value(&vec![1u64 << 50]).unwrap_err();
/// assert_eq!((error.code(), error.message()),
///     ("RT0301", "[0]: integer overflow: 1125899906842624 does not fit in a script Int (48 bits)"));
/// # let _ = Value::Unit;
/// ```
pub fn to_value<T: serde::Serialize + ?Sized>(value: &T) -> Result<Value, RunError> {
    value.serialize(ser::ValueSerializer)
}

/// Deserializes a `T` out of a script [`Value`] through serde: the inverse of
/// [`to_value`]'s table. It also accepts an Int for a float, a Tuple or a List for a
/// sequence or a tuple (of the right length), and a Text of one character for a `char`.
/// A value of the wrong kind fails with RT0303 `{path}: expected {kind}, found {kind}`, an
/// Int out of the target's range with RT0301, serde's own complaints (a missing field, an
/// unknown variant) with RT0303, each naming the path (`.items[3].count`; `["key"]` for a
/// map's value, `.Name` for an enum's payload). A [`Value::Opaque`] cannot be deserialized.
///
/// ```
/// use serde::Deserialize;
/// use cairn::{Engine, EngineKind, Limits, Value};
///
/// #[derive(Deserialize, Debug, PartialEq)]
/// struct Item { name: String, count: u32 }
/// #[derive(Deserialize, Debug, PartialEq)]
/// struct Order { items: Vec<Item>, note: Option<String> }
///
/// let engine = Engine::new(EngineKind::Interpreter);
/// let module = engine.compile("order.cairn", r#"fn main() = 0
/// fn order(n) = #{"items": [#{"name": "tea", "count": n}], "note": ()}"#).unwrap();
/// let mut rt = engine.runtime(Limits::default()).unwrap();
/// let order: Order = cairn::from_value(rt.call(&module, "order", (2,)).unwrap()).unwrap();
/// assert_eq!(order, Order { items: vec![Item { name: "tea".into(), count: 2 }], note: None });
///
/// let bad: Value = rt.call(&module, "order", ("two",)).unwrap();
/// let error = cairn::from_value::<Order>(bad).unwrap_err();
/// assert_eq!((error.code(), error.message()), ("RT0303", ".items[0].count: expected Int, found Text"));
/// ```
pub fn from_value<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, RunError> {
    T::deserialize(de::ValueDeserializer::new(value, 0))
}

impl serde::ser::Error for RunError {
    fn custom<T: std::fmt::Display>(message: T) -> RunError {
        RunError::invalid_value(message)
    }
}

impl serde::de::Error for RunError {
    fn custom<T: std::fmt::Display>(message: T) -> RunError {
        RunError::api("RT0303", message.to_string())
    }
}
