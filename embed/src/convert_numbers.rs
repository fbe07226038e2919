//! [`IntoValue`] and [`FromValue`] for every integer width and `f32` (docs/EMBEDDING.md,
//! "Values and conversions"): out of the script, an Int is range-checked against the target
//! type (RT0301 `integer overflow: 300 does not fit in a u8`); into the script, a value
//! outside the 48-bit Int range fails with RT0301 when it reaches a runtime.

use crate::convert::{FromValue, IntoValue, wrong};
use crate::error::RunError;
use crate::value::Value;

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

/// Types every value of which is an `i64`.
macro_rules! narrow_integers {
    ($($ty:ty, $article:literal);* $(;)?) => {$(
        impl IntoValue for $ty {
            fn into_value(self) -> Value {
                Value::Int(i64::from(self))
            }
        }
        impl FromValue for $ty {
            fn from_value(value: Value) -> Result<$ty, RunError> {
                let n = i64::from_value(value)?;
                <$ty>::try_from(n).map_err(|_| RunError::out_of_range(n, $article))
            }
        }
    )*};
}

narrow_integers!(
    i8, "an i8"; i16, "an i16"; i32, "an i32"; u8, "a u8"; u16, "a u16"; u32, "a u32";
);

/// Types with values beyond `i64`: into the script they become the nearest `i64` (outside
/// the 48-bit range either way, so RT0301 when it reaches a runtime, never a wrong Int).
macro_rules! wide_integers {
    ($($ty:ty, $article:literal);* $(;)?) => {$(
        impl IntoValue for $ty {
            fn into_value(self) -> Value {
                Value::Int(i64::try_from(self).unwrap_or(if self > 0 as $ty { i64::MAX } else { i64::MIN }))
            }
        }
        impl FromValue for $ty {
            fn from_value(value: Value) -> Result<$ty, RunError> {
                let n = i64::from_value(value)?;
                <$ty>::try_from(n).map_err(|_| RunError::out_of_range(n, $article))
            }
        }
    )*};
}

wide_integers!(
    i128, "an i128"; isize, "an isize"; u64, "a u64"; u128, "a u128"; usize, "a usize";
);

impl IntoValue for f32 {
    fn into_value(self) -> Value {
        Value::Float(f64::from(self))
    }
}
impl FromValue for f32 {
    /// A Float (rounded to the nearest `f32`), or an Int converted.
    fn from_value(value: Value) -> Result<f32, RunError> {
        match value {
            Value::Float(x) => Ok(x as f32),
            Value::Int(n) => Ok(n as f32),
            other => Err(wrong("Float", &other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_width_is_range_checked_out_of_the_script() {
        assert_eq!(u8::from_value(Value::Int(255)).unwrap(), 255);
        let error = u8::from_value(Value::Int(256)).unwrap_err();
        assert_eq!(
            (error.code(), error.message()),
            ("RT0301", "integer overflow: 256 does not fit in a u8")
        );
        let error = u64::from_value(Value::Int(-1)).unwrap_err();
        assert_eq!(
            error.message(),
            "integer overflow: -1 does not fit in a u64"
        );
        assert_eq!(i16::from_value(Value::Int(-32768)).unwrap(), -32768);
        assert!(i16::from_value(Value::Int(32768)).is_err());
        assert_eq!(usize::from_value(Value::Int(7)).unwrap(), 7);
        assert_eq!(i128::from_value(Value::Int(-7)).unwrap(), -7);
        assert_eq!(
            u32::from_value(Value::Text("1".into())).unwrap_err().code(),
            "RT0303"
        );
    }

    #[test]
    fn wide_values_stay_outside_the_int_range_into_the_script() {
        assert_eq!(u64::MAX.into_value(), Value::Int(i64::MAX));
        assert_eq!(i128::MIN.into_value(), Value::Int(i64::MIN));
        assert_eq!(u128::from(3u8).into_value(), Value::Int(3));
        assert_eq!(1.5f32.into_value(), Value::Float(1.5));
        assert_eq!(f32::from_value(Value::Int(2)).unwrap(), 2.0);
    }
}
