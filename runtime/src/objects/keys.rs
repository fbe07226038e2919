//! Map keys (docs/LANGUAGE.md, "Values and operators"): which values may be keys, the Float-to-Int
//! coercion, and the total key order `Unit < Bool < numbers < Text < Tuple`.
//!
//! Valid keys: Unit, Bool, Int, Float (an integral Float in the Int range becomes that Int;
//! NaN is rejected), Text, and Tuples whose elements are valid keys. Anything else is
//! RT0104 `map key is not a valid key type: {kind}` (for a NaN: `map key is NaN, which is
//! not a valid key ...`).

use std::cmp::Ordering;
use std::collections::HashSet;

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::value::{INT_MAX, INT_MIN, Kind, KindName, Value};

use super::header::kind_name_of;
use super::tuple;
use super::walk_meter::is_shared;

/// Validates `key` and returns the word to store/look up (integral floats become Ints).
/// Ownership is unchanged: a coerced key is an immediate.
pub fn normalize_key(heap: &Heap, key: Value) -> Result<Value, RuntimeError> {
    // An Int (the common key) is valid as it is.
    if key.is_int() {
        return Ok(key);
    }
    // Only Tuple keys need a worklist; a scalar key allocates nothing. A shared Tuple is
    // checked once (a key sharing one Tuple many times is checked in linear time).
    let mut pending = Vec::new();
    let mut checked: HashSet<u64> = HashSet::new();
    let mut next = Some(key);
    while let Some(part) = next {
        match kind_name_of(part)? {
            KindName::Unit | KindName::Bool | KindName::Int | KindName::Text => {
                if part.heap_kind() == Some(Kind::Text) {
                    super::header::checked_head(heap, part, Some(Kind::Text))?;
                }
            }
            KindName::Float => {
                if part.as_float().is_some_and(f64::is_nan) {
                    return Err(RuntimeError::nan_map_key());
                }
            }
            KindName::Tuple => {
                let elements = tuple::elements(heap, part)?;
                if !is_shared(heap, part) || checked.insert(part.bits()) {
                    pending.extend(elements);
                }
            }
            other => return Err(RuntimeError::invalid_map_key(other)),
        }
        next = pending.pop();
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

/// One pending step of the (iterative) key comparison.
enum KeyStep {
    Pair(Value, Value),
    Lengths(usize, usize),
}

/// The total order on valid (normalized) keys. Iterative, so deeply nested tuple keys
/// compare without recursion; a pair of Tuples of which either is shared is compared once
/// (memoised as in `equality`: a pair seen again compared equal, since the walk is depth
/// first, stops at the first difference, and a pair cannot be its own descendant).
#[inline]
pub fn compare_keys(heap: &Heap, left: Value, right: Value) -> Result<Ordering, RuntimeError> {
    // Two Ints (the common map key) compare as integers: what `compare_numbers` gives them,
    // without the rank dispatch and the work list.
    if let (Some(a), Some(b)) = (left.as_int(), right.as_int()) {
        return Ok(a.cmp(&b));
    }
    compare_keys_in_general(heap, left, right)
}

/// [`compare_keys`] for every pair of keys.
#[inline(never)]
fn compare_keys_in_general(
    heap: &Heap,
    left: Value,
    right: Value,
) -> Result<Ordering, RuntimeError> {
    // The first pair is compared before anything is pushed: comparing scalar keys (every
    // step of a map walk, usually) allocates nothing.
    let mut steps = Vec::new();
    let mut seen = HashSet::new();
    let first = compare_key_heads(heap, left, right, &mut steps, &mut seen)?;
    if first != Ordering::Equal {
        return Ok(first);
    }
    while let Some(step) = steps.pop() {
        let order = match step {
            KeyStep::Lengths(a, b) => a.cmp(&b),
            KeyStep::Pair(a, b) => compare_key_heads(heap, a, b, &mut steps, &mut seen)?,
        };
        if order != Ordering::Equal {
            return Ok(order);
        }
    }
    Ok(Ordering::Equal)
}

/// Compares two keys up to their elements: tuples of equal rank push their element pairs
/// (first pair on top) after their length comparison and report `Equal` for now.
fn compare_key_heads(
    heap: &Heap,
    left: Value,
    right: Value,
    steps: &mut Vec<KeyStep>,
    seen: &mut HashSet<(u64, u64)>,
) -> Result<Ordering, RuntimeError> {
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
                super::text_compare::compare_texts(heap, left, right)?
            }
        }
        _ => {
            let (a, b) = (tuple::elements(heap, left)?, tuple::elements(heap, right)?);
            let shared = is_shared(heap, left) || is_shared(heap, right);
            if shared && !seen.insert((left.bits(), right.bits())) {
                return Ok(Ordering::Equal);
            }
            steps.push(KeyStep::Lengths(a.len(), b.len()));
            steps.extend(a.into_iter().zip(b).rev().map(|(x, y)| KeyStep::Pair(x, y)));
            Ordering::Equal
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::release;
    use crate::objects::text::text_from_str;
    use crate::objects::tuple::tuple_from_values;

    fn int(n: i64) -> Value {
        Value::int(n).unwrap()
    }

    #[test]
    fn integral_floats_coerce_to_ints_and_others_do_not() {
        assert_eq!(coerce_integral_float(Value::float(3.0)), int(3));
        assert_eq!(coerce_integral_float(Value::float(-0.0)), int(0));
        assert_eq!(coerce_integral_float(Value::float(2.5)), Value::float(2.5));
        assert_eq!(
            coerce_integral_float(Value::float(1e300)),
            Value::float(1e300)
        );
        assert_eq!(coerce_integral_float(Value::TRUE), Value::TRUE);
    }

    #[test]
    fn the_key_order_ranks_kinds_then_compares_within_a_kind() {
        let mut heap = Heap::new(16).unwrap();
        let a = text_from_str(&mut heap, "a").unwrap();
        let b = text_from_str(&mut heap, "b").unwrap();
        let t1 = tuple_from_values(&mut heap, vec![int(1)]).unwrap();
        let t12 = tuple_from_values(&mut heap, vec![int(1), int(2)]).unwrap();
        let ascending = [
            Value::UNIT,
            Value::FALSE,
            Value::TRUE,
            int(-5),
            Value::float(-4.5),
            int(0),
            Value::float(0.5),
            a,
            b,
            t1,
            t12,
        ];
        for (i, &x) in ascending.iter().enumerate() {
            for (j, &y) in ascending.iter().enumerate() {
                assert_eq!(
                    compare_keys(&heap, x, y).unwrap(),
                    i.cmp(&j),
                    "{x:?} vs {y:?}"
                );
            }
        }
        assert_eq!(
            compare_keys(&heap, int(1), Value::float(1.0)).unwrap(),
            Ordering::Equal
        );
        for v in [a, b, t1, t12] {
            release(&mut heap, v).unwrap();
        }
        assert_eq!(heap.blocks_in_use(), 0);
    }

    #[test]
    fn normalize_rejects_nan_and_containers_even_inside_tuples() {
        let mut heap = Heap::new(16).unwrap();
        let nan = Value::float(f64::NAN);
        assert_eq!(
            normalize_key(&heap, nan).unwrap_err().message,
            "map key is NaN, which is not a valid key (NaN equals nothing, not even itself)"
        );
        let list = crate::objects::list::list_from_values(&mut heap, vec![]).unwrap();
        let nested = tuple_from_values(&mut heap, vec![int(1), list]).unwrap();
        assert_eq!(
            normalize_key(&heap, nested).unwrap_err().message,
            "map key is not a valid key type: List"
        );
        let fine = tuple_from_values(&mut heap, vec![Value::float(2.0), Value::UNIT]).unwrap();
        assert_eq!(normalize_key(&heap, fine).unwrap(), fine);
        assert_eq!(normalize_key(&heap, Value::float(2.0)).unwrap(), int(2));
        release(&mut heap, nested).unwrap();
        release(&mut heap, fine).unwrap();
        assert_eq!(heap.blocks_in_use(), 0);
    }
}
