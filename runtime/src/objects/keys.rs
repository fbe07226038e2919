//! Map keys (SPEC §2): which values may be keys, the Float-to-Int coercion, and the total
//! key order `Unit < Bool < numbers < Text < Tuple`.
//!
//! Valid keys: Unit, Bool, Int, Float (an integral Float in the Int range becomes that Int;
//! NaN is rejected), Text, and Tuples whose elements are valid keys. Anything else is
//! RT0104 `map key is not a valid key type: {kind}`.

use std::cmp::Ordering;

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::value::{INT_MAX, INT_MIN, Kind, KindName, Value};

use super::header::kind_name_of;
use super::{text, tuple};

/// Validates `key` and returns the word to store/look up (integral floats become Ints).
/// Ownership is unchanged: a coerced key is an immediate.
pub fn normalize_key(heap: &Heap, key: Value) -> Result<Value, RuntimeError> {
    let mut pending = vec![key];
    while let Some(part) = pending.pop() {
        match kind_name_of(part)? {
            KindName::Unit | KindName::Bool | KindName::Int | KindName::Text => {
                if part.heap_kind() == Some(Kind::Text) {
                    super::header::checked_head(heap, part, Some(Kind::Text))?;
                }
            }
            KindName::Float => {
                if part.as_float().is_some_and(f64::is_nan) {
                    return Err(RuntimeError::invalid_map_key(KindName::Float));
                }
            }
            KindName::Tuple => pending.extend(tuple::elements(heap, part)?),
            other => return Err(RuntimeError::invalid_map_key(other)),
        }
    }
    Ok(coerce_integral_float(key))
}

/// `2.0` -> `2` (when within the Int range); every other word unchanged.
pub fn coerce_integral_float(key: Value) -> Value {
    match key.as_float() {
        Some(x) if x.fract() == 0.0 && x >= INT_MIN as f64 && x <= INT_MAX as f64 => {
            Value::int(x as i64).unwrap_or(key)
        }
        _ => key,
    }
}

fn rank(key: Value) -> u8 {
    if key.is_unit() {
        0
    } else if key.is_bool() {
        1
    } else if key.is_int() || key.is_float() {
        2
    } else if key.heap_kind() == Some(Kind::Text) {
        3
    } else {
        4
    }
}

/// Compares two numbers exactly (Int with Int as integers; otherwise as f64, exact for i48).
pub fn compare_numbers(left: Value, right: Value) -> Option<Ordering> {
    match (left.as_int(), right.as_int()) {
        (Some(a), Some(b)) => Some(a.cmp(&b)),
        _ => left.as_number()?.partial_cmp(&right.as_number()?),
    }
}

/// The total order on valid (normalized) keys.
pub fn compare_keys(heap: &Heap, left: Value, right: Value) -> Result<Ordering, RuntimeError> {
    let by_rank = rank(left).cmp(&rank(right));
    if by_rank != Ordering::Equal {
        return Ok(by_rank);
    }
    Ok(match rank(left) {
        0 => Ordering::Equal,
        1 => left.as_bool().cmp(&right.as_bool()),
        2 => compare_numbers(left, right).unwrap_or(Ordering::Equal),
        3 => {
            if left == right {
                Ordering::Equal
            } else {
                text::text_to_string(heap, left)?.cmp(&text::text_to_string(heap, right)?)
            }
        }
        _ => {
            let (a, b) = (tuple::elements(heap, left)?, tuple::elements(heap, right)?);
            for (&x, &y) in a.iter().zip(b.iter()) {
                let order = compare_keys(heap, x, y)?;
                if order != Ordering::Equal {
                    return Ok(order);
                }
            }
            a.len().cmp(&b.len())
        }
    })
}
