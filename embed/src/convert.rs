//! Conversions between host types and [`Value`]: [`IntoValue`] (arguments, host-function
//! results) and [`FromValue`] (call results, host-function arguments), for `()`, `bool`,
//! `f64`, `String`, `&str`, tuples up to 6, `Option<T>` and `Value` itself here; every integer
//! width and `f32` in `convert_numbers.rs`; `Vec`, arrays, `BTreeMap` and `HashMap` in
//! `convert_containers.rs`. A wrong kind is a [`RunError`] naming the expected and the actual
//! kinds; an integer outside the script's 48-bit Int range (or the target's) is an error,
//! never truncated.

use crate::error::RunError;
use crate::value::Value;

/// Converts a host value into a script [`Value`]: call arguments and host-function results.
///
/// | Rust | script value |
/// |---|---|
/// | `()` | Unit |
/// | `bool` | Bool |
/// | `i8` ... `i128`, `u8` ... `u128`, `isize`, `usize` | Int (outside [`INT_MIN`]`..=`[`INT_MAX`] it fails with RT0301 when it reaches a runtime; beyond `i64` the Int holds the nearest `i64` bound) |
/// | `f64`, `f32` | Float |
/// | `String`, `&str` | Text |
/// | `Vec<T>`, `[T; N]` | List |
/// | `(A,)` ... `(A, B, C, D, E, F)` | Tuple |
/// | `BTreeMap<K, V>`, `HashMap<K, V>` | Map |
/// | `Option<T>` | `None` is Unit, `Some(x)` is `x` |
/// | [`Value`] | itself |
///
/// Implement it for your own types by building a [`Value`]:
///
/// ```
/// use cairn::{IntoValue, Value};
///
/// struct Point { x: i64, y: i64 }
/// impl IntoValue for Point {
///     fn into_value(self) -> Value {
///         (self.x, self.y).into_value()
///     }
/// }
/// assert_eq!(Point { x: 1, y: 2 }.into_value(), Value::Tuple(vec![Value::Int(1), Value::Int(2)]));
/// ```
pub trait IntoValue {
    /// The script value for `self`.
    fn into_value(self) -> Value;
}

/// Converts a script [`Value`] into a host value: call results and host-function arguments.
///
/// Covers the types of [`IntoValue`]'s table. A value of another kind is an RT0303
/// [`RunError`] naming both kinds (`type mismatch: the host expects Text, got Int`); an
/// `f64` or `f32` also accepts an Int (converted), an `Option<T>` takes Unit as `None`, an
/// integer type refuses an Int outside its range (RT0301 `integer overflow: 300 does not fit
/// in a u8`), an array `[T; N]` wants a List of exactly `N` items, and a tuple type wants a
/// Tuple of exactly its length. An item of a container that does not convert names where
/// it is: `[2]: type mismatch: ...` for a List item, `["key"]: ...` for a Map value.
///
/// A custom implementation builds its errors with [`RunError::type_mismatch`],
/// [`RunError::out_of_range`] and [`RunError::invalid_value`]:
///
/// ```
/// use cairn::{FromValue, RunError, Value};
///
/// #[derive(Debug)]
/// struct Percent(u8);
/// impl FromValue for Percent {
///     fn from_value(value: Value) -> Result<Percent, RunError> {
///         let Value::Int(n) = value else { return Err(RunError::type_mismatch("Int", &value)) };
///         match u8::try_from(n) {
///             Ok(p) if p <= 100 => Ok(Percent(p)),
///             _ => Err(RunError::invalid_value(format!("{n} is not a percentage"))),
///         }
///     }
/// }
/// assert_eq!(Percent::from_value(Value::Int(42)).unwrap().0, 42);
/// let error = Percent::from_value(Value::Int(420)).unwrap_err();
/// assert_eq!((error.code(), error.message()), ("RT0303", "invalid value: 420 is not a percentage"));
/// ```
///
/// ```
/// use std::collections::BTreeMap;
/// use cairn::{FromValue, Value};
///
/// let value = Value::Map(vec![(Value::Text("a".into()), Value::List(vec![Value::Int(1)]))]);
/// let map = BTreeMap::<String, Vec<i64>>::from_value(value).unwrap();
/// assert_eq!(map["a"], [1]);
///
/// let error = String::from_value(Value::Int(3)).unwrap_err();
/// assert_eq!(error.code(), "RT0303");
/// assert_eq!(error.message(), "type mismatch: the host expects Text, got Int");
/// assert_eq!(f64::from_value(Value::Int(3)).unwrap(), 3.0);
/// assert_eq!(Option::<i64>::from_value(Value::Unit).unwrap(), None);
/// ```
pub trait FromValue: Sized {
    /// Converts `value`, or fails with a [`RunError`] naming the expected and actual kinds.
    fn from_value(value: Value) -> Result<Self, RunError>;
}

/// The smallest script Int: -2^47 (Ints are 48-bit signed).
pub const INT_MIN: i64 = cairn_runtime::value::INT_MIN;
/// The largest script Int: 2^47 - 1 (Ints are 48-bit signed).
///
/// ```
/// use cairn::{Engine, EngineKind, Limits, INT_MAX};
///
/// let engine = Engine::new(EngineKind::Interpreter);
/// let module = engine.compile("id.cairn", "fn main() = 0\nfn id(x) = x").unwrap();
/// let mut rt = engine.runtime(Limits::default()).unwrap();
/// assert_eq!(rt.call::<i64>(&module, "id", (INT_MAX,)).unwrap(), INT_MAX);
/// let error = rt.call::<i64>(&module, "id", (INT_MAX + 1,)).unwrap_err();
/// assert_eq!(error.code(), "RT0301"); // refused, never truncated
/// ```
pub const INT_MAX: i64 = cairn_runtime::value::INT_MAX;

pub(crate) fn wrong(expected: &str, value: &Value) -> RunError {
    RunError::type_mismatch(expected, value)
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
        let mut value = value;
        match &mut value {
            Value::Text(s) => Ok(std::mem::take(s)),
            other => Err(wrong("Text", other)),
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

/// The arguments of a call: `()`, a tuple of up to six [`IntoValue`]s, or a `Vec<Value>`
/// (any number, built at run time).
///
/// A single argument is a one-element tuple: `(x,)`, not `(x)`.
///
/// ```
/// use cairn::{IntoArgs, Value};
///
/// assert_eq!(().into_args(), vec![]);
/// assert_eq!((1, "two").into_args(), vec![Value::Int(1), Value::Text("two".into())]);
/// assert_eq!((vec![1, 2],).into_args(), vec![Value::List(vec![Value::Int(1), Value::Int(2)])]);
/// ```
pub trait IntoArgs {
    /// The argument values, in order.
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
                let mut value = value;
                match &mut value {
                    Value::Tuple(items) if items.len() == $len => {
                        let mut items = std::mem::take(items).into_iter();
                        Ok(($($name::from_value(items.next().expect("length checked"))?,)+))
                    }
                    other => Err(wrong(concat!("a Tuple of ", $len), other)),
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
