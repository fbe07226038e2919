//! Searching consumers of docs/LANGUAGE.md, "Lists and sequences": `index_of`, `any`, `all`,
//! `find_first`, `min_of`, `max_of`. Each borrows its source like `fold` (a Seq is pulled
//! and advanced, a container read in place) and stops at the first item that decides the
//! answer; callbacks are borrowed and called with the item (retained). Loops that call no
//! closure charge fuel as `count` does (one unit per 1,024 items).

use std::cmp::Ordering;

use crate::abi::invoke::expect_closure;
use crate::abi::shims::release_recording;
use crate::error::RuntimeError;
use crate::value::Value;

use super::equality::values_equal;
use super::kind_name_of;
use super::list_sort::sort_keys;
use super::seq_consume::{Source, charge_runtime_loop};
use super::seq_pull::{Reentrant, call_predicate};
use super::tuple::tuple_from_values;

/// `index_of(s, v)`: the position of the first item `== v`, or -1.
pub fn index_of(rt: &Reentrant, source: Value, target: Value) -> Result<Value, RuntimeError> {
    let mut source = rt.with(|context| Source::open(context, source, "index_of"))?;
    let mut index = 0usize;
    while let Some(item) = source.next(rt)? {
        let equal = rt.with(|context| {
            let equal = values_equal(context, item, target);
            release_recording(context, item);
            charge_runtime_loop(context, index + 1)?;
            equal
        })?;
        if equal {
            return Value::int(index as i64).ok_or_else(RuntimeError::integer_overflow);
        }
        index += 1;
    }
    Ok(Value::int(-1).unwrap_or(Value::UNIT))
}

/// What a predicate search does with the first item whose verdict is `stop_on`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Search {
    Any,
    All,
    FindFirst,
}

/// `any(s, p)`, `all(s, p)`, `find_first(s, p)`: short-circuiting.
pub fn search(
    rt: &Reentrant,
    op: &str,
    source: Value,
    predicate: Value,
    mode: Search,
) -> Result<Value, RuntimeError> {
    let mut source = rt.with(|context| {
        Source::open(context, source, op)
            .and_then(|source| expect_closure(context, predicate, op).map(|()| source))
    })?;
    let stop_on = mode != Search::All;
    while let Some(item) = source.next(rt)? {
        let verdict = call_predicate(rt, predicate, item)?;
        let Some(verdict) = verdict.as_bool() else {
            return Err(rt.with(|context| {
                let error = match kind_name_of(verdict) {
                    Ok(kind) => RuntimeError::type_mismatch(op, "Bool", kind.as_str()),
                    Err(error) => error,
                };
                release_recording(context, verdict);
                release_recording(context, item);
                error
            }));
        };
        if verdict == stop_on {
            return match mode {
                Search::FindFirst => {
                    rt.with(|context| tuple_from_values(&mut context.heap, vec![Value::TRUE, item]))
                }
                _ => {
                    rt.release(item);
                    Ok(Value::bool(stop_on))
                }
            };
        }
        rt.release(item);
    }
    Ok(match mode {
        Search::FindFirst => rt.with(|context| {
            tuple_from_values(&mut context.heap, vec![Value::FALSE, Value::UNIT])
        })?,
        _ => Value::bool(!stop_on),
    })
}

/// `min_of(s)` / `max_of(s)`: the first least item / the last greatest one (so `sort`'s
/// first and last element), in `sort`'s order; RT0306 `invalid argument to {op}: empty
/// sequence` when there is none.
pub fn extreme(rt: &Reentrant, op: &str, source: Value, max: bool) -> Result<Value, RuntimeError> {
    let mut source = rt.with(|context| Source::open(context, source, op))?;
    let Some(first) = source.next(rt)? else {
        return Err(RuntimeError::invalid_argument(op, "empty sequence"));
    };
    // `None` while the best item is `first` (both owned, possibly the same word).
    let mut best: Option<Value> = None;
    let mut steps = 1usize;
    while let Some(item) = source.next(rt)? {
        steps += 1;
        let current = best.unwrap_or(first);
        let step = rt.with(|context| {
            // `first` against the item: the pair `sort` would refuse, as `sort` reports it.
            let keys = sort_keys(
                &context.heap,
                &[first, item, current],
                op,
                "numbers or Text",
            )?;
            let better = match (&keys[1], &keys[2]) {
                (Some(item_key), Some(best_key)) => {
                    let order = item_key.compare(best_key);
                    if max {
                        order != Ordering::Less
                    } else {
                        order == Ordering::Less
                    }
                }
                _ => false,
            };
            charge_runtime_loop(context, steps)?;
            Ok(better)
        });
        match step {
            Ok(true) => {
                if let Some(previous) = best.replace(item) {
                    rt.release(previous);
                }
            }
            Ok(false) => rt.release(item),
            Err(error) => {
                rt.with(|context| {
                    release_recording(context, item);
                    if let Some(previous) = best {
                        release_recording(context, previous);
                    }
                    release_recording(context, first);
                });
                return Err(error);
            }
        }
    }
    match best {
        Some(best) => {
            rt.release(first);
            Ok(best)
        }
        None => Ok(first),
    }
}
