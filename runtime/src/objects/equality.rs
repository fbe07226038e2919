//! Structural equality (`==`): Int and Float compare numerically (`1 == 1.0`), NaN is never
//! equal, values of different kinds are unequal, containers compare element-wise (maps:
//! same entries in key order). Seq, Closure and Ref compare by identity.
//!
//! Two values that are not both containers of one kind (immediates, values of different
//! kinds, Texts, Seqs, Closures, Refs) compare without a worklist or any host allocation;
//! Texts are compared on their blocks (`text_compare.rs`).
//!
//! Iterative (an explicit worklist), so deeply nested values compare without recursion.
//! A pair of containers of which either is shared is compared once: the pair is memoised,
//! so comparing values that share objects (`[x, x]` nested 40 deep) costs time linear in
//! the distinct pairs, not in the expanded trees (docs/MEMORY.md, "Walks over values").
//! Identity is a shortcut only for a container that cannot hold a NaN (its header flag
//! `FLAG_MAY_HOLD_NAN`, set whenever a NaN or an object with the flag is stored in it): a List
//! holding NaN is not equal to itself. So `x == x` is one step for NaN-free containers. The
//! walk charges fuel and checks cancellation every 1,024 pairs, as the runtime loops of
//! `count` do.

use std::cmp::Ordering;
use std::collections::HashSet;

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::value::{KindName, Value};

use super::header::{checked_head, kind_name_of, may_hold_nan};
use super::keys::compare_numbers;
use super::text_compare::texts_equal;
use super::walk_meter::{WalkMeter, is_shared};
use super::{list, map, tuple};

/// `left == right`, with the walk's statistics.
pub fn values_equal<M: WalkMeter + ?Sized>(
    meter: &mut M,
    left: Value,
    right: Value,
) -> Result<bool, RuntimeError> {
    Ok(values_equal_counting(meter, left, right)?.0)
}

/// [`values_equal`] and the number of pairs it compared (for tests of the memo).
pub fn values_equal_counting<M: WalkMeter + ?Sized>(
    meter: &mut M,
    left: Value,
    right: Value,
) -> Result<(bool, usize), RuntimeError> {
    // Two immediates, two values of different kinds, two Texts, Refs, Seqs or Closures: no
    // work list (and no host allocation) at all.
    if let Some(same) = leaf_equal(meter.heap(), left, right)? {
        return Ok((same, 1));
    }
    let mut work = vec![(left, right)];
    let mut seen: HashSet<(u64, u64)> = HashSet::new();
    let mut step = 0usize;
    while let Some((a, b)) = work.pop() {
        step += 1;
        meter.charge(step)?;
        let heap = meter.heap();
        if let Some(same) = leaf_equal(heap, a, b)? {
            if !same {
                return Ok((false, step));
            }
            continue;
        }
        let kind_a = kind_name_of(a)?;
        let container = matches!(kind_a, KindName::List | KindName::Tuple | KindName::Map);
        if container && a == b {
            checked_head(heap, a, None)?;
            if !may_hold_nan(heap, a) {
                continue;
            }
        }
        let same = match kind_a {
            KindName::List => {
                let (xs, ys) = (list::elements(heap, a)?, list::elements(heap, b)?);
                if !first_visit(&mut seen, heap, a, b) {
                    continue;
                }
                let same_length = xs.len() == ys.len();
                work.extend(xs.into_iter().zip(ys));
                same_length
            }
            KindName::Tuple => {
                let (xs, ys) = (tuple::elements(heap, a)?, tuple::elements(heap, b)?);
                if !first_visit(&mut seen, heap, a, b) {
                    continue;
                }
                let same_length = xs.len() == ys.len();
                work.extend(xs.into_iter().zip(ys));
                same_length
            }
            KindName::Map => {
                let (xs, ys) = (map::entries(heap, a)?, map::entries(heap, b)?);
                if !first_visit(&mut seen, heap, a, b) {
                    continue;
                }
                let same_length = xs.len() == ys.len();
                for ((ka, va), (kb, vb)) in xs.into_iter().zip(ys) {
                    work.push((ka, kb));
                    work.push((va, vb));
                }
                same_length
            }
            _ => unreachable!("leaf_equal compares every other kind"),
        };
        if !same {
            return Ok((false, step));
        }
    }
    Ok((true, step))
}

/// `Some(a == b)` when the pair needs no walk: numbers (compared numerically), values of
/// different kinds (unequal), Unit and Bool, Texts (compared on the blocks,
/// `text_compare.rs`), and Seqs, Closures and Refs (identity, both validated). `None` for two
/// containers of one kind (List, Tuple, Map), which the walk compares element-wise.
#[inline]
fn leaf_equal(heap: &Heap, a: Value, b: Value) -> Result<Option<bool>, RuntimeError> {
    let (kind_a, kind_b) = (kind_name_of(a)?, kind_name_of(b)?);
    let numeric = |k| matches!(k, KindName::Int | KindName::Float);
    if numeric(kind_a) && numeric(kind_b) {
        return Ok(Some(compare_numbers(a, b) == Some(Ordering::Equal)));
    }
    if kind_a != kind_b {
        return Ok(Some(false));
    }
    Ok(Some(match kind_a {
        KindName::List | KindName::Tuple | KindName::Map => return Ok(None),
        KindName::Unit | KindName::Bool => a == b,
        KindName::Text => texts_equal(heap, a, b)?,
        KindName::Seq | KindName::Closure | KindName::Ref => {
            checked_head(heap, a, None)?;
            checked_head(heap, b, None)?;
            a == b
        }
        KindName::HostObject => super::host_object::same_object(heap, a, b)?,
        KindName::Int | KindName::Float => unreachable!("numbers handled above"),
    }))
}

/// False when the pair of (validated) containers `a`, `b` was compared before in this walk.
/// Only pairs with a shared side are recorded: a pair of unshared containers is reached once
/// per visit of the pair of their holders, so it cannot come back unless they do.
///
/// A pair seen again was compared equal: the walk stops at the first difference, and a pair
/// cannot be its own descendant (values are acyclic), so the first visit has finished.
fn first_visit(seen: &mut HashSet<(u64, u64)>, heap: &Heap, a: Value, b: Value) -> bool {
    if !is_shared(heap, a) && !is_shared(heap, b) {
        return true;
    }
    seen.insert((a.bits(), b.bits()))
}
