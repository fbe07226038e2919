//! The interpreter's inline fast paths (the JIT has these and more: see
//! `jit/src/inline_fast_paths.rs` and `kind_specialized.rs`). Each touches no block and gives
//! bit-identical results, so whether an engine takes one never shows in the output, the
//! errors or the refcount trace; every other case
//! (floats, text, overflow, division, any error) goes to the shim, which raises the error:
//!
//! - `+ - * / %` when both words are Ints and the result fits in i48 (overflow, a zero
//!   divisor -> the shim, which raises RT0301 / RT0302);
//! - `== != < <= > >=` when both words are Ints;
//! - `Retain`/`Release` of a non-heap word (immediates have no count: the shims are no-ops);
//! - a `Branch` whose condition is already a Bool (`rt_expect_bool` only otherwise).

use cairn_runtime::value::{
    FALSE_WORD, INT_MAX, INT_MIN, PAYLOAD_MASK, TAG_HEAP, TAG_INT, TAG_SHIFT, TRUE_WORD,
};

use crate::code::IntComparison;

#[inline(always)]
fn is_int(word: u64) -> bool {
    word >> TAG_SHIFT == TAG_INT
}

#[inline(always)]
fn unbox_int(word: u64) -> i64 {
    ((word << 16) as i64) >> 16
}

#[inline(always)]
fn box_int(n: i64) -> Option<u64> {
    if (INT_MIN..=INT_MAX).contains(&n) {
        Some((TAG_INT << TAG_SHIFT) | (n as u64 & PAYLOAD_MASK))
    } else {
        None
    }
}

/// Both operands unboxed when both are Ints.
#[inline(always)]
fn both_ints(lhs: u64, rhs: u64) -> Option<(i64, i64)> {
    if is_int(lhs) && is_int(rhs) {
        Some((unbox_int(lhs), unbox_int(rhs)))
    } else {
        None
    }
}

/// Int + Int without overflow; `None` means "call `rt_add`".
#[inline(always)]
pub(crate) fn add(lhs: u64, rhs: u64) -> Option<u64> {
    let (a, b) = both_ints(lhs, rhs)?;
    box_int(a + b)
}

/// Int - Int without overflow; `None` means "call `rt_sub`".
#[inline(always)]
pub(crate) fn sub(lhs: u64, rhs: u64) -> Option<u64> {
    let (a, b) = both_ints(lhs, rhs)?;
    box_int(a - b)
}

/// Int * Int without overflow; `None` means "call `rt_mul`".
#[inline(always)]
pub(crate) fn mul(lhs: u64, rhs: u64) -> Option<u64> {
    let (a, b) = both_ints(lhs, rhs)?;
    box_int(a.checked_mul(b)?)
}

/// Int / Int (truncating) with a non-zero divisor and an i48 result; `None` means "call
/// `rt_div`" (division by zero RT0302, `INT_MIN / -1` RT0301, Floats, type errors).
#[inline(always)]
pub(crate) fn div(lhs: u64, rhs: u64) -> Option<u64> {
    let (a, b) = both_ints(lhs, rhs)?;
    box_int(a.checked_div(b)?)
}

/// Int % Int (the dividend's sign) with a non-zero divisor; `None` means "call `rt_rem`".
#[inline(always)]
pub(crate) fn rem(lhs: u64, rhs: u64) -> Option<u64> {
    let (a, b) = both_ints(lhs, rhs)?;
    box_int(a.checked_rem(b)?)
}

/// An Int comparison as a Bool word; `None` means "call the comparison's shim".
#[inline(always)]
pub(crate) fn compare(comparison: IntComparison, lhs: u64, rhs: u64) -> Option<u64> {
    let (a, b) = both_ints(lhs, rhs)?;
    let result = match comparison {
        IntComparison::Eq => a == b,
        IntComparison::Ne => a != b,
        IntComparison::Lt => a < b,
        IntComparison::Le => a <= b,
        IntComparison::Gt => a > b,
        IntComparison::Ge => a >= b,
    };
    Some(if result { TRUE_WORD } else { FALSE_WORD })
}

/// True when the word refers to a heap object (only those need `rt_retain`/`rt_release`).
#[inline(always)]
pub(crate) fn is_heap(word: u64) -> bool {
    word >> TAG_SHIFT == TAG_HEAP
}

/// True when the word is already a Bool (`rt_expect_bool` would return it unchanged).
#[inline(always)]
pub(crate) fn is_bool(word: u64) -> bool {
    word == TRUE_WORD || word == FALSE_WORD
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_runtime::value::Value;

    fn int(n: i64) -> u64 {
        Value::int(n).unwrap().bits()
    }

    #[test]
    fn int_arithmetic_matches_value_encoding() {
        assert_eq!(add(int(2), int(-5)), Some(int(-3)));
        assert_eq!(sub(int(INT_MIN + 1), int(1)), Some(int(INT_MIN)));
        assert_eq!(mul(int(-4), int(6)), Some(int(-24)));
        assert_eq!(div(int(-7), int(2)), Some(int(-3)));
        assert_eq!(rem(int(-7), int(2)), Some(int(-1)));
        assert_eq!(rem(int(7), int(-3)), Some(int(1)));
    }

    #[test]
    fn zero_divisors_and_int_min_by_minus_one_fall_back_to_the_shim() {
        assert_eq!(div(int(1), int(0)), None);
        assert_eq!(rem(int(1), int(0)), None);
        assert_eq!(div(int(INT_MIN), int(-1)), None);
        assert_eq!(rem(int(INT_MIN), int(-1)), Some(int(0)));
        assert_eq!(div(Value::float(1.0).bits(), int(1)), None);
    }

    #[test]
    fn overflow_and_non_ints_fall_back_to_the_shim() {
        assert_eq!(add(int(INT_MAX), int(1)), None);
        assert_eq!(sub(int(INT_MIN), int(1)), None);
        assert_eq!(mul(int(INT_MAX), int(INT_MAX)), None);
        assert_eq!(add(Value::float(1.0).bits(), int(1)), None);
        assert_eq!(
            compare(IntComparison::Eq, int(1), Value::float(1.0).bits()),
            None
        );
    }

    #[test]
    fn comparisons_produce_bool_words() {
        assert_eq!(compare(IntComparison::Lt, int(-1), int(0)), Some(TRUE_WORD));
        assert_eq!(
            compare(IntComparison::Ge, int(-1), int(0)),
            Some(FALSE_WORD)
        );
        assert_eq!(compare(IntComparison::Ne, int(7), int(7)), Some(FALSE_WORD));
        assert!(is_bool(TRUE_WORD) && !is_bool(int(1)));
        assert!(!is_heap(int(1)) && !is_heap(Value::UNIT.bits()));
    }
}
