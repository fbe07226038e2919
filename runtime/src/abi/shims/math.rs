//! Math shims of docs/LANGUAGE.md, "Standard library" / "Math": `abs`, `min`, `max`,
//! `clamp`, `floor`, `ceil`, `round`, `trunc`, `is_nan`, `int` and `float`, and the number
//! checks every math shim shares (`math_float.rs` has the Float functions, `bits.rs` the Int
//! bit operations). Arguments are borrowed immediates; nothing here touches the heap, so
//! no error path has anything to release.

use std::cmp::Ordering;

use crate::error::RuntimeError;
use crate::objects::kind_name_of;
use crate::value::{INT_MAX, INT_MIN, Value};

/// A number argument: an Int or a Float.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    pub(crate) fn of(value: Value) -> Option<Number> {
        if let Some(n) = value.as_int() {
            return Some(Number::Int(n));
        }
        value.as_float().map(Number::Float)
    }

    /// The value as a Float: exact for every Int (48 bits fit in a double's 53).
    pub(crate) fn float(self) -> f64 {
        match self {
            Number::Int(n) => n as f64,
            Number::Float(x) => x,
        }
    }

    fn is_nan(self) -> bool {
        matches!(self, Number::Float(x) if x.is_nan())
    }

    /// Whether the sign bit is set: only a negative Float (`-0.0` included) or Int.
    fn is_negative_signed(self) -> bool {
        match self {
            Number::Int(n) => n < 0,
            Number::Float(x) => x.is_sign_negative(),
        }
    }

    fn word(self) -> Result<Value, RuntimeError> {
        match self {
            Number::Int(n) => Value::int(n).ok_or_else(RuntimeError::integer_overflow),
            Number::Float(x) => Ok(Value::float(x)),
        }
    }
}

/// One number argument of builtin `op`: RT0303 `{op} expects a number, got {kind}`.
pub(crate) fn expect_number(op: &str, value: Value) -> Result<Number, RuntimeError> {
    match Number::of(value) {
        Some(number) => Ok(number),
        None => Err(RuntimeError::type_mismatch(
            op,
            "a number",
            kind_name_of(value)?.as_str(),
        )),
    }
}

/// The arguments of an `n`-ary number builtin `op`: RT0303 `{op} expects numbers, got A
/// and B` (`A, B and C` for three) when any is not a number.
pub(crate) fn expect_numbers<const N: usize>(
    op: &str,
    values: [Value; N],
) -> Result<[Number; N], RuntimeError> {
    let numbers = values.map(Number::of);
    if numbers.iter().all(Option::is_some) {
        return Ok(numbers.map(|n| n.unwrap_or(Number::Int(0))));
    }
    let mut kinds = Vec::with_capacity(N);
    for value in values {
        kinds.push(kind_name_of(value)?.as_str());
    }
    Err(RuntimeError::type_mismatch(
        op,
        "numbers",
        &kind_list(&kinds),
    ))
}

/// `A and B`, `A, B and C`.
fn kind_list(kinds: &[&str]) -> String {
    match kinds.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_string(),
        None => String::new(),
    }
}

/// Numeric order, exact across kinds (as `<` orders); `None` when either is NaN.
fn compare(a: Number, b: Number) -> Option<Ordering> {
    a.float().partial_cmp(&b.float())
}

/// `min(a, b)` (`is_min`) or `max(a, b)`: a NaN argument is the result; otherwise the
/// smaller (larger) argument unchanged, kind included; of two equal ones, the one with the
/// sign bit (`min`) or without it (`max`) when exactly one has it (`-0.0` and `0`/`0.0`),
/// else `a`.
fn pick(is_min: bool, a: Number, b: Number) -> Number {
    if a.is_nan() {
        return a;
    }
    if b.is_nan() {
        return b;
    }
    match compare(a, b) {
        Some(Ordering::Less) => {
            if is_min {
                a
            } else {
                b
            }
        }
        Some(Ordering::Greater) => {
            if is_min {
                b
            } else {
                a
            }
        }
        _ if a.is_negative_signed() != b.is_negative_signed() => {
            if is_min == a.is_negative_signed() {
                a
            } else {
                b
            }
        }
        _ => a,
    }
}

define_shim! {
    /// `abs(x)`: an Int stays an Int (`abs(-2^47)` is RT0301), a Float's sign is cleared.
    fn rt_abs(context, x) {
        let _ = context;
        match expect_number("abs", Value(x))? {
            Number::Int(n) => Ok(Number::Int(n.abs()).word()?.bits()),
            Number::Float(f) => Ok(Value::float(f.abs()).bits()),
        }
    }
}

define_shim! {
    /// `min(a, b)`: see [`pick`].
    fn rt_min(context, a, b) {
        let _ = context;
        let [a, b] = expect_numbers("min", [Value(a), Value(b)])?;
        Ok(pick(true, a, b).word()?.bits())
    }
}

define_shim! {
    /// `max(a, b)`: see [`pick`].
    fn rt_max(context, a, b) {
        let _ = context;
        let [a, b] = expect_numbers("max", [Value(a), Value(b)])?;
        Ok(pick(false, a, b).word()?.bits())
    }
}

define_shim! {
    /// `clamp(x, lo, hi)`: `lo` when `x < lo`, `hi` when `x > hi`, else `x` (a NaN `x`
    /// included), each unchanged. RT0306 when a bound is NaN or `lo > hi`.
    fn rt_clamp(context, x, lo, hi) {
        let _ = context;
        let [x, lo, hi] = expect_numbers("clamp", [Value(x), Value(lo), Value(hi)])?;
        if lo.is_nan() || hi.is_nan() {
            return Err(RuntimeError::invalid_argument("clamp", "a bound is NaN"));
        }
        if compare(lo, hi) == Some(Ordering::Greater) {
            return Err(RuntimeError::invalid_argument("clamp", "lo is greater than hi"));
        }
        let result = if compare(x, lo) == Some(Ordering::Less) {
            lo
        } else if compare(x, hi) == Some(Ordering::Greater) {
            hi
        } else {
            x
        };
        Ok(result.word()?.bits())
    }
}

/// `floor`/`ceil`/`round`/`trunc`: an Int unchanged, a Float through `float_op` (a Float).
fn rounding(op: &str, x: u64, float_op: fn(f64) -> f64) -> Result<u64, RuntimeError> {
    match expect_number(op, Value(x))? {
        Number::Int(_) => Ok(x),
        Number::Float(f) => Ok(Value::float(float_op(f)).bits()),
    }
}

define_shim! {
    /// `floor(x)`: an Int unchanged; a Float rounded down, a Float.
    fn rt_floor(context, x) {
        let _ = context;
        rounding("floor", x, f64::floor)
    }
}

define_shim! {
    /// `ceil(x)`: an Int unchanged; a Float rounded up, a Float.
    fn rt_ceil(context, x) {
        let _ = context;
        rounding("ceil", x, f64::ceil)
    }
}

define_shim! {
    /// `round(x)`: an Int unchanged; a Float to the nearest integer, half away from zero.
    fn rt_round(context, x) {
        let _ = context;
        rounding("round", x, f64::round)
    }
}

define_shim! {
    /// `trunc(x)`: an Int unchanged; a Float rounded toward zero, a Float.
    fn rt_trunc(context, x) {
        let _ = context;
        rounding("trunc", x, f64::trunc)
    }
}

define_shim! {
    /// `is_nan(x)`: whether `x` is a NaN Float (an Int never is).
    fn rt_is_nan(context, x) {
        let _ = context;
        Ok(Value::bool(expect_number("is_nan", Value(x))?.is_nan()).bits())
    }
}

/// The Int `x` truncates to, when there is one: RT0306 for NaN, ±inf and anything whose
/// truncation is outside −2^47 ..= 2^47 − 1.
pub(crate) fn float_to_int(x: f64) -> Result<i64, RuntimeError> {
    let truncated = x.trunc();
    // Both bounds are exact doubles; NaN fails both comparisons.
    if truncated >= INT_MIN as f64 && truncated <= INT_MAX as f64 {
        return Ok(truncated as i64);
    }
    Err(RuntimeError::invalid_argument(
        "int",
        &format!("{x:?} is outside the Int range"),
    ))
}

define_shim! {
    /// `int(x)`: an Int unchanged; a Float truncated toward zero (RT0306 when it has no Int).
    fn rt_int(context, x) {
        let _ = context;
        match expect_number("int", Value(x))? {
            Number::Int(_) => Ok(x),
            Number::Float(f) => Ok(Number::Int(float_to_int(f)?).word()?.bits()),
        }
    }
}

define_shim! {
    /// `float(x)`: the Float of a number (exact for every Int).
    fn rt_float(context, x) {
        let _ = context;
        Ok(Value::float(expect_number("float", Value(x))?.float()).bits())
    }
}

#[cfg(test)]
mod tests {
    use super::{Number, float_to_int, kind_list, pick};

    #[test]
    fn min_and_max_order_zeros_and_keep_kinds() {
        let (int, float) = (Number::Int, Number::Float);
        assert_eq!(pick(true, float(0.0), float(-0.0)), float(-0.0));
        assert!(
            matches!(pick(false, float(-0.0), float(0.0)), Number::Float(x) if x.to_bits() == 0)
        );
        assert_eq!(pick(true, int(0), float(-0.0)), float(-0.0));
        assert_eq!(pick(false, float(-0.0), int(0)), int(0));
        assert_eq!(pick(true, int(1), float(1.0)), int(1));
        assert_eq!(pick(true, float(1.0), int(1)), float(1.0));
        assert_eq!(pick(false, int(2), float(2.5)), float(2.5));
        assert!(pick(true, int(1), float(f64::NAN)).is_nan());
        assert!(pick(false, float(f64::NAN), int(1)).is_nan());
    }

    #[test]
    fn int_conversion_refuses_what_has_no_int() {
        assert_eq!(float_to_int(-0.0).ok(), Some(0));
        assert_eq!(float_to_int(-2.9).ok(), Some(-2));
        assert_eq!(float_to_int(140737488355327.9).ok(), Some(140737488355327));
        assert_eq!(
            float_to_int(-140737488355328.0).ok(),
            Some(-140737488355328)
        );
        assert_eq!(
            float_to_int(-140737488355328.9).ok(),
            Some(-140737488355328)
        );
        for x in [
            140737488355328.0,
            -140737488355329.0,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert!(float_to_int(x).is_err(), "{x}");
        }
        let error = float_to_int(f64::NEG_INFINITY).unwrap_err();
        assert_eq!(
            error.message,
            "invalid argument to int: -inf is outside the Int range"
        );
    }

    #[test]
    fn kind_lists_read_as_prose() {
        assert_eq!(kind_list(&["Int", "Text"]), "Int and Text");
        assert_eq!(kind_list(&["Int", "Text", "Unit"]), "Int, Text and Unit");
    }
}
