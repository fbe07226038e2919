//! Int bit operations of docs/LANGUAGE.md, "Standard library" / "Math": `band`, `bor`,
//! `bxor`, `shl`, `shr` on 48-bit two's-complement Ints. And, or and xor of two Ints are
//! always Ints; `shl` is checked like `*` (RT0301), `shr` is arithmetic (the sign is kept,
//! `shr(-1, 1)` is `-1`); a shift count outside 0 ..= 47 is RT0306.

use crate::error::RuntimeError;
use crate::objects::kind_name_of;
use crate::value::Value;

/// Both Int arguments of bit operation `op`: RT0303 `{op} expects Ints, got A and B`.
fn ints(op: &str, a: u64, b: u64) -> Result<(i64, i64), RuntimeError> {
    let (a, b) = (Value(a), Value(b));
    match (a.as_int(), b.as_int()) {
        (Some(x), Some(y)) => Ok((x, y)),
        _ => Err(RuntimeError::type_mismatch(
            op,
            "Ints",
            &format!("{} and {}", kind_name_of(a)?, kind_name_of(b)?),
        )),
    }
}

/// A shift count of `op`: 0 ..= 47, else RT0306.
fn shift_count(op: &str, n: i64) -> Result<u32, RuntimeError> {
    if (0..=47).contains(&n) {
        return Ok(n as u32);
    }
    Err(RuntimeError::invalid_argument(
        op,
        &format!("shift count {n} is not between 0 and 47"),
    ))
}

fn int_word(n: i64) -> Result<u64, RuntimeError> {
    Value::int(n)
        .map(Value::bits)
        .ok_or_else(RuntimeError::integer_overflow)
}

/// `x << n` as an exact product `x * 2^n`: RT0301 outside the Int range.
pub(crate) fn shift_left(x: i64, n: u32) -> Result<i64, RuntimeError> {
    let product = i128::from(x) << n;
    i64::try_from(product)
        .ok()
        .filter(|p| Value::int(*p).is_some())
        .ok_or_else(RuntimeError::integer_overflow)
}

define_shim! {
    /// `band(a, b)`: bitwise and.
    fn rt_band(context, a, b) {
        let _ = context;
        let (x, y) = ints("band", a, b)?;
        int_word(x & y)
    }
}

define_shim! {
    /// `bor(a, b)`: bitwise or.
    fn rt_bor(context, a, b) {
        let _ = context;
        let (x, y) = ints("bor", a, b)?;
        int_word(x | y)
    }
}

define_shim! {
    /// `bxor(a, b)`: bitwise exclusive or.
    fn rt_bxor(context, a, b) {
        let _ = context;
        let (x, y) = ints("bxor", a, b)?;
        int_word(x ^ y)
    }
}

define_shim! {
    /// `shl(x, n)`: `x * 2^n`, checked.
    fn rt_shl(context, x, n) {
        let _ = context;
        let (x, n) = ints("shl", x, n)?;
        int_word(shift_left(x, shift_count("shl", n)?)?)
    }
}

define_shim! {
    /// `shr(x, n)`: `x` shifted right arithmetically (`floor(x / 2^n)`).
    fn rt_shr(context, x, n) {
        let _ = context;
        let (x, n) = ints("shr", x, n)?;
        int_word(x >> shift_count("shr", n)?)
    }
}

#[cfg(test)]
mod tests {
    use super::shift_left;

    #[test]
    fn left_shifts_are_checked_products() {
        assert_eq!(shift_left(1, 46).ok(), Some(1 << 46));
        assert!(shift_left(1, 47).is_err());
        assert_eq!(shift_left(-1, 47).ok(), Some(-(1 << 47)));
        assert!(shift_left(-2, 47).is_err());
        assert_eq!(shift_left(0, 47).ok(), Some(0));
        assert_eq!(shift_left(-3, 2).ok(), Some(-12));
    }
}
