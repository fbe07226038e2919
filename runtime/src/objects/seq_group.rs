//! Pulls of the grouping stages of docs/LANGUAGE.md, "Lists and sequences": `chunks(s, n)`
//! (Chunks cursor), `windows(s, n)` (Windows) and `unique(s)` (Unique); layouts in `seq`.
//!
//! - Chunks pulls up to `n` items into a new List; a shorter List ends the cursor (its source
//!   released at once), an empty one is not yielded.
//! - Windows keeps the List it yielded last: the next window is its last `n - 1` items and one
//!   more item; the first pull fills `n` items (fewer end the cursor with nothing yielded).
//! - Unique keeps the items seen so far: those that are valid Map keys in a Map (lookup and
//!   insert O(log n), Map keys compare as `==` does), the others (Lists, Maps, Seqs, closures,
//!   Refs, Tuples holding one of them) in a List scanned with `==`, O(k) for the k such items
//!   seen. A NaN equals nothing, so every NaN is a first occurrence and is not kept.
//!
//! Loops that call no closure (filling a chunk or the first window, skipping duplicates,
//! scanning the List) charge fuel as `drop` does (one unit per 1,024 items). A failing pull of
//! the source releases the items taken so far and leaves the cursor as it was; a failure while
//! updating what Unique has seen ends the cursor (`Empty`), since its memory is gone.

use crate::abi::shims::release_recording;
use crate::context::Context;
use crate::error::{ErrorCode, RuntimeError};
use crate::value::Value;

use super::equality::values_equal;
use super::keys::normalize_key;
use super::list::{elements, list_from_values};
use super::seq::{State, become_empty, state_int, state_slot, store_state};
use super::seq_consume::charge_runtime_loop;
use super::seq_pull::{Reentrant, pull};
use super::{list_update, map, map_update, retain};

/// What one pull of a grouping cursor gives.
pub enum Grouped {
    Yield(Value),
    End,
}

/// Pulls up to `n` items of `source`; on a failure releases them. Fuel as `drop`.
fn fill(rt: &Reentrant, source: Value, n: usize) -> Result<Vec<Value>, RuntimeError> {
    let mut items = Vec::new();
    while items.len() < n {
        let pulled = pull(rt, source).and_then(|item| {
            let Some(item) = item else { return Ok(None) };
            items.push(item);
            rt.with(|context| charge_runtime_loop(context, items.len()))
                .map(|()| Some(()))
        });
        match pulled {
            Ok(Some(())) => {}
            Ok(None) => break,
            Err(error) => {
                rt.with(|context| release_words(context, &items));
                return Err(error);
            }
        }
    }
    Ok(items)
}

fn release_words(context: &mut Context, words: &[Value]) {
    for &word in words {
        release_recording(context, word);
    }
}

fn size(head: u32, word: Value) -> Result<usize, RuntimeError> {
    usize::try_from(state_int(head, word)?).map_err(|_| RuntimeError::internal("a group size"))
}

/// One pull of the Chunks cursor at `head`.
pub fn chunks(rt: &Reentrant, head: u32, [source, n, ..]: State) -> Result<Grouped, RuntimeError> {
    let n = size(head, n)?;
    let items = fill(rt, source, n)?;
    rt.with(|context| {
        if items.is_empty() {
            become_empty(context, head);
            return Ok(Grouped::End);
        }
        let short = items.len() < n;
        let chunk = list_from_values(&mut context.heap, items)?;
        if short {
            become_empty(context, head);
        }
        Ok(Grouped::Yield(chunk))
    })
}

/// One pull of the Windows cursor at `head`.
pub fn windows(
    rt: &Reentrant,
    head: u32,
    [source, n, previous, ..]: State,
) -> Result<Grouped, RuntimeError> {
    let n = size(head, n)?;
    if previous.is_unit() {
        let items = fill(rt, source, n)?;
        return rt.with(|context| {
            if items.len() < n {
                release_words(context, &items);
                become_empty(context, head);
                return Ok(Grouped::End);
            }
            let window = list_from_values(&mut context.heap, items)?;
            keep_and_yield(context, head, window)
        });
    }
    let Some(item) = pull(rt, source)? else {
        rt.with(|context| become_empty(context, head));
        return Ok(Grouped::End);
    };
    rt.with(|context| {
        let window = next_window(context, previous, item).inspect_err(|_| {
            become_empty(context, head);
        })?;
        state_slot(head, 2).write(&mut context.heap, Value::UNIT);
        release_recording(context, previous);
        keep_and_yield(context, head, window)
    })
}

/// The last `n - 1` items of `previous` (borrowed, retained) and `item` (owned, consumed
/// also on failure) as a new List.
fn next_window(context: &mut Context, previous: Value, item: Value) -> Result<Value, RuntimeError> {
    let words = match elements(&context.heap, previous) {
        Ok(words) => words,
        Err(error) => {
            release_recording(context, item);
            return Err(error);
        }
    };
    let mut kept = Vec::with_capacity(words.len());
    for &word in &words[1..] {
        match retain(&mut context.heap, word) {
            Ok(word) => kept.push(word),
            Err(error) => {
                kept.push(item);
                release_words(context, &kept);
                return Err(error);
            }
        }
    }
    kept.push(item);
    list_from_values(&mut context.heap, kept)
}

/// Stores `window` (owned) as the last window and yields it (retained).
fn keep_and_yield(
    context: &mut Context,
    head: u32,
    window: Value,
) -> Result<Grouped, RuntimeError> {
    match retain(&mut context.heap, window) {
        Ok(out) => {
            store_state(&mut context.heap, head, 2, window);
            Ok(Grouped::Yield(out))
        }
        Err(error) => {
            release_recording(context, window);
            Err(error)
        }
    }
}

/// One pull of the Unique cursor at `head`: slot 2 is the Map of key items seen (or Unit),
/// slot 3 the List of the other items seen (or Unit).
pub fn unique(rt: &Reentrant, head: u32, [source, ..]: State) -> Result<Grouped, RuntimeError> {
    let mut skipped = 0usize;
    loop {
        let Some(item) = pull(rt, source)? else {
            rt.with(|context| become_empty(context, head));
            return Ok(Grouped::End);
        };
        let seen = rt.with(|context| {
            let seen = seen_before(context, head, item);
            if seen.is_err() {
                release_recording(context, item);
                become_empty(context, head);
            }
            seen
        })?;
        if !seen {
            return Ok(Grouped::Yield(item));
        }
        skipped += 1;
        rt.with(|context| {
            release_recording(context, item);
            charge_runtime_loop(context, skipped)
        })?;
    }
}

/// Whether `item` (borrowed) equals an item seen before; if not, remembers it (retained).
fn seen_before(context: &mut Context, head: u32, item: Value) -> Result<bool, RuntimeError> {
    if item.as_float().is_some_and(f64::is_nan) {
        return Ok(false);
    }
    match normalize_key(&context.heap, item) {
        Ok(key) => {
            let keys = state_slot(head, 1).read(&context.heap);
            if !keys.is_unit() && map::lookup(&context.heap, keys, key)?.is_some() {
                return Ok(true);
            }
            let keys = if keys.is_unit() {
                map::empty_map(&mut context.heap)?
            } else {
                state_slot(head, 1).write(&mut context.heap, Value::UNIT);
                keys
            };
            let key = match retain(&mut context.heap, item) {
                Ok(key) => key,
                Err(error) => {
                    release_recording(context, keys);
                    return Err(error);
                }
            };
            let keys = map_update::insert(&mut context.heap, keys, key, Value::UNIT)?;
            store_state(&mut context.heap, head, 1, keys);
            Ok(false)
        }
        Err(error) if error.code == ErrorCode::RT0104 => {
            let others = state_slot(head, 2).read(&context.heap);
            if !others.is_unit() {
                for (index, other) in elements(&context.heap, others)?.into_iter().enumerate() {
                    let equal = values_equal(context, other, item)?;
                    charge_runtime_loop(context, index + 1)?;
                    if equal {
                        return Ok(true);
                    }
                }
            }
            let others = if others.is_unit() {
                list_from_values(&mut context.heap, Vec::new())?
            } else {
                state_slot(head, 2).write(&mut context.heap, Value::UNIT);
                others
            };
            let kept = match retain(&mut context.heap, item) {
                Ok(kept) => kept,
                Err(error) => {
                    release_recording(context, others);
                    return Err(error);
                }
            };
            let others = list_update::push(&mut context.heap, others, kept)?;
            store_state(&mut context.heap, head, 2, others);
            Ok(false)
        }
        Err(error) => Err(error),
    }
}
