//! `sort`, `sort_by`, `sort_with` (docs/LANGUAGE.md, "Lists and sequences"): one stable,
//! bottom-up merge sort computes a permutation of the List's element words (borrowed, never
//! moved while callbacks run), then the words are written back permuted into the List made
//! unique node by node (`list_update::unique_element_slots`): in place, with no refcount
//! event, when the List is uniquely owned; path-copied (`cow`) when shared. A failure
//! (a wrong kind, a failing key or comparator) releases the List untouched.
//!
//! The merge order is documented, because a comparator may print or fail: widths 1, 2, 4, …;
//! at each width the runs `[lo, lo+w)` and `[lo+w, lo+2w)` are merged left to right, and a
//! merge takes the right run's head only when `before(right, left)` is true.

use std::cmp::Ordering;

use crate::abi::invoke::expect_closure;
use crate::abi::shims::release_recording;
use crate::context::Context;
use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::value::{KindName, Value};

use super::header::kind_name_of;
use super::keys::compare_numbers;
use super::list::elements;
use super::list_update::{expect_list, unique_element_slots};
use super::release::release_on_cleanup;
use super::retain;
use super::seq_consume::charge_runtime_loop;
use super::seq_pull::Reentrant;
use super::text::text_to_string;

/// How elements are ordered.
#[derive(Clone, Copy)]
pub enum SortOrder {
    /// `sort`: the elements themselves.
    Natural,
    /// `sort_by(xs, key)`: `key(x)` called once per element, in order.
    Key(Value),
    /// `sort_with(xs, before)`: `before(a, b)` true when `a` must come first.
    Before(Value),
}

/// A number or a Text, in the sort order: numbers numerically (Int and Float exactly), NaN
/// after every other number; Texts by Unicode scalar values.
pub enum SortKey {
    Number(Value),
    Text(String),
}

impl SortKey {
    pub fn compare(&self, other: &SortKey) -> Ordering {
        match (self, other) {
            (SortKey::Number(a), SortKey::Number(b)) => {
                let nan = |v: &Value| v.as_float().is_some_and(f64::is_nan);
                match (nan(a), nan(b)) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    (false, false) => compare_numbers(*a, *b).unwrap_or(Ordering::Equal),
                }
            }
            (SortKey::Text(a), SortKey::Text(b)) => a.cmp(b),
            // `sort_keys` never mixes the two.
            (SortKey::Number(_), SortKey::Text(_)) => Ordering::Less,
            (SortKey::Text(_), SortKey::Number(_)) => Ordering::Greater,
        }
    }
}

fn class(kind: KindName) -> Option<bool> {
    match kind {
        KindName::Int | KindName::Float => Some(true),
        KindName::Text => Some(false),
        _ => None,
    }
}

/// The sort keys of `words` (borrowed). `<` must accept every pair: the first pair it
/// refuses, `(words[0], words[i])` for the least such `i`, is RT0303 `type mismatch: {op}
/// expects {expected}, got A and B`. A single word is never compared, so it may be anything
/// (its key is then unused: `None`).
pub fn sort_keys(
    heap: &Heap,
    words: &[Value],
    op: &str,
    expected: &str,
) -> Result<Vec<Option<SortKey>>, RuntimeError> {
    if words.len() < 2 {
        return Ok(words.iter().map(|_| None).collect());
    }
    let first = kind_name_of(words[0])?;
    let mut keys = Vec::with_capacity(words.len());
    for &word in words {
        let kind = kind_name_of(word)?;
        if class(first).is_none() || class(kind) != class(first) {
            let got = format!("{first} and {kind}");
            return Err(RuntimeError::type_mismatch(op, expected, &got));
        }
        keys.push(Some(match kind {
            KindName::Text => SortKey::Text(text_to_string(heap, word)?),
            _ => SortKey::Number(word),
        }));
    }
    Ok(keys)
}

/// The stable bottom-up merge sort of `0..n` (the order in the module docs). `before(a, b)`
/// says whether item `a` must come before item `b`. Returns the sorted item indices.
pub fn merge_sort<F>(n: usize, mut before: F) -> Result<Vec<usize>, RuntimeError>
where
    F: FnMut(usize, usize) -> Result<bool, RuntimeError>,
{
    let mut order: Vec<usize> = (0..n).collect();
    let mut scratch = Vec::with_capacity(n);
    let mut width = 1;
    while width < n {
        scratch.clear();
        let mut low = 0;
        while low < n {
            let middle = (low + width).min(n);
            let high = (low + 2 * width).min(n);
            let (mut i, mut j) = (low, middle);
            while i < middle && j < high {
                if before(order[j], order[i])? {
                    scratch.push(order[j]);
                    j += 1;
                } else {
                    scratch.push(order[i]);
                    i += 1;
                }
            }
            scratch.extend_from_slice(&order[i..middle]);
            scratch.extend_from_slice(&order[j..high]);
            low = high;
        }
        std::mem::swap(&mut order, &mut scratch);
        width *= 2;
    }
    Ok(order)
}

/// Sorts `keys` (every one `Some`) stably; one fuel unit per 1,024 comparisons (with the
/// cancellation check), so a huge sort stays bounded by fuel.
fn sort_by_keys(rt: &Reentrant, keys: &[Option<SortKey>]) -> Result<Vec<usize>, RuntimeError> {
    let mut comparisons = 0usize;
    merge_sort(keys.len(), |a, b| {
        comparisons += 1;
        rt.with(|context| charge_runtime_loop(context, comparisons))?;
        Ok(match (&keys[a], &keys[b]) {
            (Some(a), Some(b)) => a.compare(b) == Ordering::Less,
            _ => false,
        })
    })
}

/// `sort*(list owned, …)`: validates, computes the permutation, writes it back.
pub fn sort(
    rt: &Reentrant,
    op: &str,
    list: Value,
    order: SortOrder,
) -> Result<Value, RuntimeError> {
    let words = rt.with(|context| {
        let checked = expect_list(&context.heap, list, op).and_then(|_| match order {
            SortOrder::Natural => Ok(()),
            SortOrder::Key(f) | SortOrder::Before(f) => expect_closure(context, f, op),
        });
        let words = checked.and_then(|()| elements(&context.heap, list));
        if words.is_err() {
            release_recording(context, list);
        }
        words
    })?;
    match permutation(rt, op, &words, order) {
        Ok(permutation) => rt.with(|context| write_permuted(context, list, &permutation)),
        Err(error) => {
            rt.release(list);
            Err(error)
        }
    }
}

fn permutation(
    rt: &Reentrant,
    op: &str,
    words: &[Value],
    order: SortOrder,
) -> Result<Vec<usize>, RuntimeError> {
    match order {
        SortOrder::Natural => {
            let keys = rt.with(|context| sort_keys(&context.heap, words, op, "numbers or Text"))?;
            sort_by_keys(rt, &keys)
        }
        SortOrder::Key(f) => {
            let mut produced = Vec::with_capacity(words.len());
            let outcome = key_permutation(rt, op, words, f, &mut produced);
            rt.with(|context| {
                for &key in &produced {
                    release_recording(context, key);
                }
            });
            outcome
        }
        SortOrder::Before(f) => {
            merge_sort(words.len(), |a, b| before(rt, op, f, words[a], words[b]))
        }
    }
}

/// `sort_by`: the keys (pushed on `produced`, which the caller releases), then their order.
fn key_permutation(
    rt: &Reentrant,
    op: &str,
    words: &[Value],
    f: Value,
    produced: &mut Vec<Value>,
) -> Result<Vec<usize>, RuntimeError> {
    for &word in words {
        let argument = rt.with(|context| retain(&mut context.heap, word))?;
        produced.push(rt.call(f, &[argument])?);
    }
    let keys = rt.with(|context| sort_keys(&context.heap, produced, op, "number or Text keys"))?;
    sort_by_keys(rt, &keys)
}

/// `before(a, b)` for `sort_with`: both retained for the call; RT0303 `type mismatch:
/// sort_with expects Bool, got X` unless it returns a Bool.
fn before(rt: &Reentrant, op: &str, f: Value, a: Value, b: Value) -> Result<bool, RuntimeError> {
    let arguments = rt.with(|context| {
        let a = retain(&mut context.heap, a)?;
        match retain(&mut context.heap, b) {
            Ok(b) => Ok([a, b]),
            Err(error) => {
                release_recording(context, a);
                Err(error)
            }
        }
    })?;
    let verdict = rt.call(f, &arguments)?;
    match verdict.as_bool() {
        Some(verdict) => Ok(verdict),
        None => Err(rt.with(|context| {
            let error = match kind_name_of(verdict) {
                Ok(kind) => RuntimeError::type_mismatch(op, "Bool", kind.as_str()),
                Err(error) => error,
            };
            release_recording(context, verdict);
            error
        })),
    }
}

/// Writes the elements of `list` (owned) back in `permutation` order. An identity
/// permutation returns `list` itself (nothing to copy, even when shared).
fn write_permuted(
    context: &mut Context,
    list: Value,
    permutation: &[usize],
) -> Result<Value, RuntimeError> {
    if permutation.iter().enumerate().all(|(i, &p)| i == p) {
        return Ok(list);
    }
    let heap = &mut context.heap;
    heap.invalidate_list_tail_caches(); // rewrites leaves in place
    let mut current = list;
    let slots = match unique_element_slots(heap, &mut current) {
        Ok(slots) => slots,
        Err(error) => {
            release_on_cleanup(heap, current);
            return Err(error);
        }
    };
    // Read after unsharing: a copied leaf holds the words its copy retained.
    let words: Vec<Value> = slots.iter().map(|slot| slot.read(heap)).collect();
    for (slot, &from) in slots.iter().zip(permutation) {
        slot.write(heap, words[from]);
    }
    Ok(current)
}
