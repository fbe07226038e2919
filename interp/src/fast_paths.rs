//! The interpreter's inline fast paths (the JIT has these and more: see
//! `jit/src/inline_fast_paths.rs` and `kind_specialized.rs`). Each touches no block and gives
//! bit-identical results, so whether an engine takes one never shows in the output, the
//! errors or the refcount trace; every other case
//! (text, overflow, Int division by zero, Float `%`, any error) goes to the shim, which raises the error:
//!
//! - `+ - * / %` when both words are Ints and the result fits in i48 (overflow, a zero
//!   divisor -> the shim, which raises RT0301 / RT0302);
//! - `+ - * /` and `== != < <= > >=` of two numbers that are not both Ints (an Int and a
//!   Float, two Floats): the shims' Float arithmetic and IEEE order, which cannot fail;
//! - `== != < <= > >=` when both words are Ints;
//! - `Retain`/`Release` of a non-heap word (immediates have no count: the shims are no-ops);
//! - a `Branch` whose condition is already a Bool (`rt_expect_bool` only otherwise).

use cairn_runtime::value::{
    FALSE_WORD, FLOAT_OFFSET, INT_MAX, INT_MIN, MAX_FLOAT_WORD, PAYLOAD_MASK, TAG_HEAP, TAG_INT,
    TAG_SHIFT, TRUE_WORD, Value,
};

use crate::code::IntComparison;

/// An Int word's tag bits (the payload is a 48-bit two's complement number below them).
const INT_TAG_WORD: u64 = TAG_INT << TAG_SHIFT;

/// True when both words are Ints: neither differs from the Int tag above the payload.
#[inline(always)]
fn both_ints(lhs: u64, rhs: u64) -> bool {
    ((lhs ^ INT_TAG_WORD) | (rhs ^ INT_TAG_WORD)) >> TAG_SHIFT == 0
}

#[inline(always)]
fn unbox_int(word: u64) -> i64 {
    ((word << 16) as i64) >> 16
}

/// An Int's value times 2^16: its payload in the top 48 bits, so that i64 overflow of a
/// sum, difference or product (by an unshifted factor) is exactly i48 overflow.
#[inline(always)]
fn shifted(word: u64) -> i64 {
    (word << 16) as i64
}

/// The Int word of a value times 2^16 (see [`shifted`]).
#[inline(always)]
fn from_shifted(value: i64) -> u64 {
    ((value as u64) >> 16) | INT_TAG_WORD
}

/// The Int word of `n`, which is known to be in i48.
#[inline(always)]
fn box_in_range(n: i64) -> u64 {
    (n as u64 & PAYLOAD_MASK) | INT_TAG_WORD
}

#[inline(always)]
fn box_int(n: i64) -> Option<u64> {
    if (INT_MIN..=INT_MAX).contains(&n) {
        Some(box_in_range(n))
    } else {
        None
    }
}

/// Int + Int without overflow; `None` means "call `rt_add`".
#[inline(always)]
pub(crate) fn add(lhs: u64, rhs: u64) -> Option<u64> {
    if !both_ints(lhs, rhs) {
        return float_arithmetic(lhs, rhs, |a, b| a + b);
    }
    Some(from_shifted(shifted(lhs).checked_add(shifted(rhs))?))
}

/// Int - Int without overflow; `None` means "call `rt_sub`".
#[inline(always)]
pub(crate) fn sub(lhs: u64, rhs: u64) -> Option<u64> {
    if !both_ints(lhs, rhs) {
        return float_arithmetic(lhs, rhs, |a, b| a - b);
    }
    Some(from_shifted(shifted(lhs).checked_sub(shifted(rhs))?))
}

/// Int * Int without overflow; `None` means "call `rt_mul`".
#[inline(always)]
pub(crate) fn mul(lhs: u64, rhs: u64) -> Option<u64> {
    if !both_ints(lhs, rhs) {
        return float_arithmetic(lhs, rhs, |a, b| a * b);
    }
    Some(from_shifted(shifted(lhs).checked_mul(unbox_int(rhs))?))
}

/// Int / Int (truncating) with a non-zero divisor and an i48 result; `None` means "call
/// `rt_div`" (division by zero RT0302, `INT_MIN / -1` RT0301, Floats, type errors).
#[inline(always)]
pub(crate) fn div(lhs: u64, rhs: u64) -> Option<u64> {
    if !both_ints(lhs, rhs) {
        return float_arithmetic(lhs, rhs, |a, b| a / b);
    }
    let (a, b) = (unbox_int(lhs), unbox_int(rhs));
    if b == 0 {
        return None;
    }
    // i48 operands: the i64 division cannot overflow; only `INT_MIN / -1` leaves i48.
    box_int(a.wrapping_div(b))
}

/// Int % Int (the dividend's sign) with a non-zero divisor; `None` means "call `rt_rem`".
#[inline(always)]
pub(crate) fn rem(lhs: u64, rhs: u64) -> Option<u64> {
    if !both_ints(lhs, rhs) {
        return None;
    }
    let (a, b) = (unbox_int(lhs), unbox_int(rhs));
    if b == 0 {
        return None;
    }
    // |a % b| < |b|, so the remainder of two i48 values is in i48.
    Some(box_in_range(a.wrapping_rem(b)))
}

/// True when the word is an Int.
#[inline(always)]
fn is_int(word: u64) -> bool {
    word >> TAG_SHIFT == TAG_INT
}

/// Int + the Int constant `constant` without overflow; `None` means "call `rt_add`" (on the
/// same words: `lhs` and the constant's word).
#[inline(always)]
pub(crate) fn add_constant(lhs: u64, constant: i32) -> Option<u64> {
    if !is_int(lhs) {
        return float_arithmetic(lhs, int_word(constant), |a, b| a + b);
    }
    Some(from_shifted(
        shifted(lhs).checked_add(i64::from(constant) << 16)?,
    ))
}

/// Int - the Int constant `constant` without overflow; `None` means "call `rt_sub`".
#[inline(always)]
pub(crate) fn sub_constant(lhs: u64, constant: i32) -> Option<u64> {
    if !is_int(lhs) {
        return float_arithmetic(lhs, int_word(constant), |a, b| a - b);
    }
    Some(from_shifted(
        shifted(lhs).checked_sub(i64::from(constant) << 16)?,
    ))
}

/// Int * the Int constant `constant` without overflow; `None` means "call `rt_mul`".
#[inline(always)]
pub(crate) fn mul_constant(lhs: u64, constant: i32) -> Option<u64> {
    if !is_int(lhs) {
        return float_arithmetic(lhs, int_word(constant), |a, b| a * b);
    }
    Some(from_shifted(shifted(lhs).checked_mul(i64::from(constant))?))
}

/// Int / the Int constant `constant`, which the superinstruction pass only fuses when it is
/// not 0; `None` means "call `rt_div`" (`INT_MIN / -1`, non-Ints).
#[inline(always)]
pub(crate) fn div_by_nonzero_constant(lhs: u64, constant: i32) -> Option<u64> {
    if !is_int(lhs) {
        return float_arithmetic(lhs, int_word(constant), |a, b| a / b);
    }
    if constant == 0 {
        return None;
    }
    box_int(unbox_int(lhs).wrapping_div(i64::from(constant)))
}

/// Int % the Int constant `constant`, which the superinstruction pass only fuses when it is
/// not 0; `None` means "call `rt_rem`" (non-Ints).
#[inline(always)]
pub(crate) fn rem_by_nonzero_constant(lhs: u64, constant: i32) -> Option<u64> {
    if !is_int(lhs) || constant == 0 {
        return None;
    }
    Some(box_in_range(
        unbox_int(lhs).wrapping_rem(i64::from(constant)),
    ))
}

/// An Int comparison as a Bool word; `None` means "call the comparison's shim". Branch-free:
/// the comparison's discriminant is the set of orderings it accepts (`code.rs`).
#[inline(always)]
pub(crate) fn compare(comparison: IntComparison, lhs: u64, rhs: u64) -> Option<u64> {
    if !both_ints(lhs, rhs) {
        return float_comparison(comparison, lhs, rhs);
    }
    // Shifting both payloads up by 16 keeps their order.
    let (a, b) = (shifted(lhs), shifted(rhs));
    let ordering = ((a < b) as u8) << 2 | ((a == b) as u8) << 1 | (a > b) as u8;
    Some(if comparison as u8 & ordering != 0 {
        TRUE_WORD
    } else {
        FALSE_WORD
    })
}

/// The value of a number word as the arithmetic shim reads it: an Int as `f64`, a well-formed
/// Float (`FLOAT_OFFSET..=MAX_FLOAT_WORD`); `None` for any other word.
#[inline(always)]
fn number(word: u64) -> Option<f64> {
    if is_int(word) {
        return Some(unbox_int(word) as f64);
    }
    (FLOAT_OFFSET..=MAX_FLOAT_WORD)
        .contains(&word)
        .then(|| f64::from_bits(word.wrapping_sub(FLOAT_OFFSET)))
}

/// `op` on two numbers that are not both Ints (the caller checked): the shim's Float
/// arithmetic (`Value::float` of the IEEE result, NaN canonical); `None` when either word
/// is not a number.
#[inline(always)]
fn float_arithmetic(lhs: u64, rhs: u64, op: impl Fn(f64, f64) -> f64) -> Option<u64> {
    let (a, b) = (number(lhs)?, number(rhs)?);
    Some(Value::float(op(a, b)).bits())
}

/// A comparison of two numbers that are not both Ints: `compare_numbers`' IEEE order (a NaN
/// is unordered: only `!=` holds); `None` when either word is not a number.
#[inline(always)]
fn float_comparison(comparison: IntComparison, lhs: u64, rhs: u64) -> Option<u64> {
    let (a, b) = (number(lhs)?, number(rhs)?);
    let ordering = ((a < b) as u8) << 2 | ((a == b) as u8) << 1 | (a > b) as u8;
    let holds = if ordering == 0 {
        comparison == IntComparison::Ne
    } else {
        comparison as u8 & ordering != 0
    };
    Some(if holds { TRUE_WORD } else { FALSE_WORD })
}

/// The word of the Int constant `n` (a superinstruction's immediate operand).
#[inline(always)]
pub(crate) fn int_word(n: i32) -> u64 {
    (TAG_INT << TAG_SHIFT) | (i64::from(n) as u64 & PAYLOAD_MASK)
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
    fn constant_operand_paths_match_the_two_word_paths() {
        let operands = [
            int(0),
            int(5),
            int(-5),
            int(INT_MAX),
            int(INT_MIN),
            int(INT_MAX / 3),
            Value::float(1.5).bits(),
            Value::TRUE.bits(),
        ];
        for lhs in operands {
            for constant in [1, -1, 2, 3, 7, -7, 0, i32::MAX, i32::MIN] {
                let rhs = int_word(constant);
                assert_eq!(add_constant(lhs, constant), add(lhs, rhs));
                assert_eq!(sub_constant(lhs, constant), sub(lhs, rhs));
                assert_eq!(mul_constant(lhs, constant), mul(lhs, rhs));
                assert_eq!(div_by_nonzero_constant(lhs, constant), div(lhs, rhs));
                assert_eq!(rem_by_nonzero_constant(lhs, constant), rem(lhs, rhs));
            }
        }
    }

    #[test]
    fn constant_words_are_the_int_values() {
        for n in [0, 1, -1, 7, i32::MAX, i32::MIN] {
            assert_eq!(int_word(n), int(i64::from(n)));
        }
    }

    #[test]
    fn zero_divisors_and_int_min_by_minus_one_fall_back_to_the_shim() {
        assert_eq!(div(int(1), int(0)), None);
        assert_eq!(rem(int(1), int(0)), None);
        assert_eq!(div(int(INT_MIN), int(-1)), None);
        assert_eq!(rem(int(INT_MIN), int(-1)), Some(int(0)));
        assert_eq!(
            div(Value::float(1.0).bits(), int(1)),
            Some(Value::float(1.0).bits())
        );
        assert_eq!(div(int(1), int(0)), None, "an Int division by zero raises");
        assert_eq!(
            div(int(1), Value::float(0.0).bits()),
            Some(Value::float(f64::INFINITY).bits())
        );
    }

    #[test]
    fn overflow_and_non_ints_fall_back_to_the_shim() {
        assert_eq!(add(int(INT_MAX), int(1)), None);
        assert_eq!(sub(int(INT_MIN), int(1)), None);
        assert_eq!(mul(int(INT_MAX), int(INT_MAX)), None);
        assert_eq!(add(int(INT_MIN), int(-1)), None);
        assert_eq!(add(int(INT_MAX), int(INT_MIN)), Some(int(-1)));
        assert_eq!(sub(int(INT_MAX), int(-1)), None);
        assert_eq!(sub(int(0), int(INT_MIN)), None);
        assert_eq!(mul(int(1 << 46), int(2)), None);
        assert_eq!(mul(int(-(1 << 46)), int(2)), Some(int(INT_MIN)));
        assert_eq!(mul(int(INT_MIN), int(-1)), None);
        assert_eq!(mul(int(INT_MIN), int(1)), Some(int(INT_MIN)));
        assert_eq!(rem(int(INT_MIN), int(7)), Some(int(INT_MIN % 7)));
        assert_eq!(div(int(INT_MIN), int(2)), Some(int(INT_MIN / 2)));
        assert_eq!(add(Value::UNIT.bits(), int(1)), None);
        assert_eq!(mul(int(3), Value::TRUE.bits()), None);
        assert_eq!(
            add(Value::float(1.0).bits(), int(1)),
            Some(Value::float(2.0).bits())
        );
        assert_eq!(
            compare(IntComparison::Eq, int(1), Value::float(1.0).bits()),
            Some(TRUE_WORD)
        );
        assert_eq!(add(Value::float(1.0).bits(), Value::UNIT.bits()), None);
        assert_eq!(
            rem(Value::float(1.0).bits(), int(1)),
            None,
            "Float % is the shim's"
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
        for (comparison, expected) in [
            (IntComparison::Eq, [false, true, false]),
            (IntComparison::Ne, [true, false, true]),
            (IntComparison::Lt, [true, false, false]),
            (IntComparison::Le, [true, true, false]),
            (IntComparison::Gt, [false, false, true]),
            (IntComparison::Ge, [false, true, true]),
        ] {
            for (rhs, expected) in [1, 0, -1].into_iter().zip(expected) {
                let word = if expected { TRUE_WORD } else { FALSE_WORD };
                assert_eq!(compare(comparison, int(0), int(rhs)), Some(word));
            }
        }
        assert!(is_bool(TRUE_WORD) && !is_bool(int(1)));
        assert!(!is_heap(int(1)) && !is_heap(Value::UNIT.bits()));
    }

    /// Every fast path that answers gives the shim's word, over Ints, Floats (NaN, infinities,
    /// -0.0, a non-canonical-range word) and non-numbers.
    #[test]
    fn number_paths_agree_with_the_shims() {
        use cairn_runtime::abi::shims;
        use cairn_runtime::context::{Context, Limits};
        let mut context = Context::new(Limits::default()).unwrap();
        let ctx: *mut Context = &mut context;
        let words = [
            int(0),
            int(3),
            int(-7),
            int(INT_MAX),
            int(INT_MIN),
            Value::float(1.5).bits(),
            Value::float(-0.0).bits(),
            Value::float(0.0).bits(),
            Value::float(f64::NAN).bits(),
            Value::float(f64::INFINITY).bits(),
            Value::float(-2.5e300).bits(),
            Value::TRUE.bits(),
            Value::UNIT.bits(),
        ];
        type Shim = unsafe extern "C" fn(*mut Context, u64, u64) -> u64;
        type FastPath = fn(u64, u64) -> Option<u64>;
        let arithmetic: [(FastPath, Shim); 4] = [
            (add, shims::rt_add),
            (sub, shims::rt_sub),
            (mul, shims::rt_mul),
            (div, shims::rt_div),
        ];
        let comparisons: [(IntComparison, Shim); 6] = [
            (IntComparison::Eq, shims::rt_eq),
            (IntComparison::Ne, shims::rt_ne),
            (IntComparison::Lt, shims::rt_lt),
            (IntComparison::Le, shims::rt_le),
            (IntComparison::Gt, shims::rt_gt),
            (IntComparison::Ge, shims::rt_ge),
        ];
        for lhs in words {
            for rhs in words {
                for (fast, shim) in arithmetic {
                    if let Some(word) = fast(lhs, rhs) {
                        // SAFETY: `ctx` is a live context no other reference uses.
                        assert_eq!(word, unsafe { shim(ctx, lhs, rhs) }, "{lhs:#x} {rhs:#x}");
                    }
                }
                for (comparison, shim) in comparisons {
                    if let Some(word) = compare(comparison, lhs, rhs) {
                        // SAFETY: as above.
                        let expected = unsafe { shim(ctx, lhs, rhs) };
                        assert_eq!(word, expected, "{comparison:?} {lhs:#x} {rhs:#x}");
                    }
                }
            }
        }
        assert!(
            add(Value::float(1.5).bits(), int(3)).is_some(),
            "the Float path answers"
        );
    }
}
