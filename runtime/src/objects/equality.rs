//! Structural equality (`==`): Int and Float compare numerically (`1 == 1.0`), NaN is never
//! equal, values of different kinds are unequal, containers compare element-wise (maps:
//! same entries in key order). Seq, Closure and Ref compare by identity. Iterative (an
//! explicit worklist), so deeply nested values compare without recursion.

use std::cmp::Ordering;

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::value::{KindName, Value};

use super::header::{checked_head, kind_name_of};
use super::keys::compare_numbers;
use super::{list, map, text, tuple};

pub fn values_equal(heap: &Heap, left: Value, right: Value) -> Result<bool, RuntimeError> {
    let mut work = vec![(left, right)];
    while let Some((a, b)) = work.pop() {
        let (kind_a, kind_b) = (kind_name_of(a)?, kind_name_of(b)?);
        let numeric = |k| matches!(k, KindName::Int | KindName::Float);
        if numeric(kind_a) && numeric(kind_b) {
            if compare_numbers(a, b) != Some(Ordering::Equal) {
                return Ok(false);
            }
            continue;
        }
        if kind_a != kind_b {
            return Ok(false);
        }
        let same = match kind_a {
            KindName::Unit | KindName::Bool => a == b,
            KindName::Text => {
                a == b || text::text_to_string(heap, a)? == text::text_to_string(heap, b)?
            }
            KindName::List => {
                let (xs, ys) = (list::elements(heap, a)?, list::elements(heap, b)?);
                let same_length = xs.len() == ys.len();
                work.extend(xs.into_iter().zip(ys));
                same_length
            }
            KindName::Tuple => {
                let (xs, ys) = (tuple::elements(heap, a)?, tuple::elements(heap, b)?);
                let same_length = xs.len() == ys.len();
                work.extend(xs.into_iter().zip(ys));
                same_length
            }
            KindName::Map => {
                let (xs, ys) = (map::entries(heap, a)?, map::entries(heap, b)?);
                let same_length = xs.len() == ys.len();
                for ((ka, va), (kb, vb)) in xs.into_iter().zip(ys) {
                    work.push((ka, kb));
                    work.push((va, vb));
                }
                same_length
            }
            KindName::Seq | KindName::Closure | KindName::Ref => {
                checked_head(heap, a, None)?;
                checked_head(heap, b, None)?;
                a == b
            }
            KindName::Int | KindName::Float => unreachable!("numbers handled above"),
        };
        if !same {
            return Ok(false);
        }
    }
    Ok(true)
}
