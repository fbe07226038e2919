//! The expanded size of a value, measured before anything is built from it: the bytes of
//! its canonical form (`print`, `str`, `fail`) or of a host's tree copy of it (the embedding
//! API's `Value`). A value can share one object many times (`[x, x]` nested 30 deep is 30
//! Lists and 2^30 leaves), so its expanded size can be exponential in its heap size: the
//! measure is memoised per shared container (its size is computed once), runs in time
//! linear in the distinct objects reached, and stops as soon as the total passes the
//! budget, with RT0405 before a byte of the output exists (docs/MEMORY.md, "Walks over
//! values").

use std::collections::HashMap;

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::value::{KindName, Value};

use super::header::kind_name_of;
use super::walk_meter::{WalkMeter, is_shared};
use super::{list, map, text, tuple};

/// What a measure counts: the cost of one leaf (a value with no children) and of one
/// container itself (without its children).
pub trait Cost {
    /// The size of a leaf; `top_level` is true only for the measured value itself.
    fn leaf(
        &self,
        heap: &Heap,
        value: Value,
        kind: KindName,
        top_level: bool,
    ) -> Result<usize, RuntimeError>;
    /// The size a container of `kind` with `children` child words adds by itself.
    fn container(&self, kind: KindName, children: usize) -> usize;
}

enum Task {
    Enter(Value, bool),
    /// A shared container's children are measured: memoise `total - start` for `word`.
    Exit {
        word: u64,
        start: usize,
    },
}

/// The expanded size of `value` under `cost`, or RT0405 (`too_large(limit)`) as soon as it
/// passes `limit`. Charges the meter one step per object entered.
pub fn expanded_size<M: WalkMeter + ?Sized>(
    meter: &mut M,
    value: Value,
    top_level: bool,
    cost: &dyn Cost,
    limit: usize,
    too_large: fn(usize) -> RuntimeError,
) -> Result<usize, RuntimeError> {
    let mut memo: HashMap<u64, usize> = HashMap::new();
    let mut tasks = vec![Task::Enter(value, top_level)];
    let mut total = 0usize;
    let mut step = 0usize;
    while let Some(task) = tasks.pop() {
        let (value, top_level) = match task {
            Task::Exit { word, start } => {
                memo.insert(word, total - start);
                continue;
            }
            Task::Enter(value, top_level) => (value, top_level),
        };
        step += 1;
        meter.charge(step)?;
        if let Some(&size) = memo.get(&value.bits()) {
            total = total.saturating_add(size);
        } else {
            let heap = meter.heap();
            let kind = kind_name_of(value)?;
            let children: Vec<Value> = match kind {
                KindName::List => list::elements(heap, value)?,
                KindName::Tuple => tuple::elements(heap, value)?,
                KindName::Map => map::entries(heap, value)?
                    .into_iter()
                    .flat_map(|(key, item)| [key, item])
                    .collect(),
                _ => {
                    total = total.saturating_add(cost.leaf(heap, value, kind, top_level)?);
                    if total > limit {
                        return Err(too_large(limit));
                    }
                    continue;
                }
            };
            let entries = if kind == KindName::Map {
                children.len() / 2
            } else {
                children.len()
            };
            if is_shared(heap, value) {
                tasks.push(Task::Exit {
                    word: value.bits(),
                    start: total,
                });
            }
            total = total.saturating_add(cost.container(kind, entries));
            tasks.extend(children.into_iter().rev().map(|c| Task::Enter(c, false)));
        }
        if total > limit {
            return Err(too_large(limit));
        }
    }
    Ok(total)
}

/// The bytes of the canonical form (docs/LANGUAGE.md; `print.rs` writes it).
pub struct CanonicalBytes;

impl Cost for CanonicalBytes {
    fn leaf(
        &self,
        heap: &Heap,
        value: Value,
        kind: KindName,
        top_level: bool,
    ) -> Result<usize, RuntimeError> {
        Ok(match kind {
            KindName::Text if top_level => text::text_to_string(heap, value)?.len(),
            KindName::Text => quoted_len(&text::text_to_string(heap, value)?),
            _ => super::print::leaf_form(heap, value, kind)?.len(),
        })
    }
    fn container(&self, kind: KindName, entries: usize) -> usize {
        let separators = 2 * entries.saturating_sub(1);
        match kind {
            KindName::List => 2 + separators,
            // `(1,)`: a one-element Tuple has its trailing comma.
            KindName::Tuple => 2 + separators + usize::from(entries == 1),
            // `#{` `}` and `: ` in every entry.
            KindName::Map => 3 + separators + 2 * entries,
            _ => 0,
        }
    }
}

/// The length of `text` as `print::push_quoted` writes it.
fn quoted_len(text: &str) -> usize {
    let mut out = String::new();
    super::print::push_quoted(&mut out, text);
    out.len()
}
