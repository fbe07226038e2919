//! Ordering for `<`, `<=`, `>`, `>=`: numbers (Int and Float mixed, numerically; any
//! comparison with NaN is false) and Text (by Unicode scalar values, i.e. UTF-8 bytes, compared on the blocks:
//! `text_compare.rs`).
//! Any other pair is RT0303 `type mismatch: {op} expects numbers or Text, got A and B`.
//! (The total order on map keys is `keys::compare_keys`.)

use std::cmp::Ordering;

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::value::{KindName, Value};

use super::header::kind_name_of;
use super::keys::compare_numbers;
use super::text_compare::compare_texts;

/// `Some(order)`, or `None` when the operands are unordered (NaN involved).
pub fn compare_for_operator(
    heap: &Heap,
    op: &str,
    left: Value,
    right: Value,
) -> Result<Option<Ordering>, RuntimeError> {
    let (kind_left, kind_right) = (kind_name_of(left)?, kind_name_of(right)?);
    let numeric = |k| matches!(k, KindName::Int | KindName::Float);
    if numeric(kind_left) && numeric(kind_right) {
        return Ok(compare_numbers(left, right));
    }
    if kind_left == KindName::Text && kind_right == KindName::Text {
        return Ok(Some(compare_texts(heap, left, right)?));
    }
    Err(RuntimeError::type_mismatch(
        op,
        "numbers or Text",
        &format!("{kind_left} and {kind_right}"),
    ))
}
