//! `parse_int(t)` and `parse_float(t)` (docs/LANGUAGE.md, "Text"): `(true, v)` for a Text
//! that is exactly a number of the documented grammar, else `(false, ())`, the shape of
//! `next`, so a script handles bad input without failing. Only a non-Text argument (RT0303)
//! or the heap (RT0401/RT0402 for the Tuple) fails.

use crate::error::RuntimeError;
use crate::objects::tuple::tuple_from_values;
use crate::value::{INT_MAX, INT_MIN, Value};

use super::text::text_argument;

/// `[+-]?[0-9]+`, nothing else (no spaces, `_`, `0x`), within the 48-bit Int range.
pub fn parse_int_text(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut magnitude: i64 = 0;
    for digit in digits.bytes() {
        magnitude = magnitude
            .checked_mul(10)?
            .checked_add(i64::from(digit - b'0'))?;
        if magnitude > INT_MAX + 1 {
            return None;
        }
    }
    let value = if negative { -magnitude } else { magnitude };
    (INT_MIN..=INT_MAX).contains(&value).then_some(value)
}

/// Rust's `f64::from_str` grammar, keeping only finite results: the `inf`, `infinity` and
/// `nan` spellings and decimal overflow (`1e400`) are refused.
pub fn parse_float_text(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|x| x.is_finite())
}

fn outcome(
    context: &mut crate::context::Context,
    parsed: Option<Value>,
) -> Result<u64, RuntimeError> {
    let pair = match parsed {
        Some(value) => vec![Value::TRUE, value],
        None => vec![Value::FALSE, Value::UNIT],
    };
    Ok(tuple_from_values(&mut context.heap, pair)?.bits())
}

define_shim! {
    /// `parse_int(t)`: `(true, n)` or `(false, ())`.
    fn rt_text_parse_int(context, text) {
        let text = text_argument(&context.heap, Value(text), "parse_int")?;
        let parsed = parse_int_text(&text).and_then(Value::int);
        outcome(context, parsed)
    }
}

define_shim! {
    /// `parse_float(t)`: `(true, x)` or `(false, ())`.
    fn rt_text_parse_float(context, text) {
        let text = text_argument(&context.heap, Value(text), "parse_float")?;
        let parsed = parse_float_text(&text).map(Value::float);
        outcome(context, parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_are_an_optional_sign_and_decimal_digits_in_range() {
        assert_eq!(parse_int_text("42"), Some(42));
        assert_eq!(parse_int_text("-0"), Some(0));
        assert_eq!(parse_int_text("+007"), Some(7));
        assert_eq!(parse_int_text("140737488355327"), Some(INT_MAX));
        assert_eq!(parse_int_text("-140737488355328"), Some(INT_MIN));
        for bad in [
            "",
            "-",
            "+",
            " 1",
            "1 ",
            "1_000",
            "0x10",
            "140737488355328",
            "-140737488355329",
            "99999999999999999999999999",
            "١٢",
            "--1",
            "1.0",
        ] {
            assert_eq!(parse_int_text(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn floats_are_rust_grammar_and_finite() {
        assert_eq!(parse_float_text("1.5"), Some(1.5));
        assert_eq!(parse_float_text("-.5e1"), Some(-5.0));
        assert_eq!(parse_float_text("7"), Some(7.0));
        assert!(parse_float_text("-0").is_some_and(|x| x == 0.0 && x.is_sign_negative()));
        for bad in [
            "",
            "inf",
            "-Infinity",
            "NaN",
            "1e400",
            " 1",
            "1,5",
            "0x1p3",
            "1e",
        ] {
            assert_eq!(parse_float_text(bad), None, "{bad:?}");
        }
    }
}
