//! Seq consumers: `collect`, `fold`, `sum`, `count`, `next`. Each borrows its source: a
//! Seq is pulled (and so advanced); a List, Map or Text is walked by a local cursor that
//! borrows it (nothing is allocated for the walk). On failure everything the consumer owns
//! (items pulled so far, the fold accumulator) is released; the source keeps its advanced
//! state.

use crate::abi::invoke::expect_closure;
use crate::abi::shims::release_recording;
use crate::context::Context;
use crate::error::RuntimeError;
use crate::value::Value;

use super::kind_name_of;
use super::list::list_from_values;
use super::seq::{State, Tag, expect_iterable, leaf_over, step_leaf};
use super::seq_pull::{Reentrant, pull};
use super::tuple::tuple_from_values;

/// Items a runtime loop (one that calls no closure) takes per fuel point.
pub const RUNTIME_LOOP_ITEMS_PER_FUEL: usize = 1024;

/// Every [`RUNTIME_LOOP_ITEMS_PER_FUEL`] steps of a runtime loop: one fuel unit (RT0502
/// when none is left) and the cancellation check (RT0503), so that a long runtime loop
/// (counting a huge range) is bounded by fuel and stays cancellable. Both engines run the
/// same shim, so they run out at the same item.
pub fn charge_runtime_loop(context: &mut Context, step: usize) -> Result<(), RuntimeError> {
    if step.is_multiple_of(RUNTIME_LOOP_ITEMS_PER_FUEL) {
        crate::abi::shims::control::charge_fuel_and_check_cancel(context)?;
    }
    Ok(())
}

/// What a consumer walks: a borrowed Seq, or a local cursor over a borrowed container.
pub(crate) enum Source {
    Seq(Value),
    Leaf {
        head: u32,
        tag: Tag,
        state: State,
        done: bool,
    },
}

impl Source {
    pub(crate) fn open(context: &Context, value: Value, op: &str) -> Result<Source, RuntimeError> {
        expect_iterable(&context.heap, value, op)?;
        Ok(match (leaf_over(value), value.heap_address()) {
            (Some((tag, state)), Some(address)) => Source::Leaf {
                head: address.bits(),
                tag,
                state,
                done: false,
            },
            _ => Source::Seq(value),
        })
    }

    /// The next item (owned), or `None` at the end.
    pub(crate) fn next(&mut self, rt: &Reentrant) -> Result<Option<Value>, RuntimeError> {
        match self {
            Source::Seq(seq) => pull(rt, *seq),
            Source::Leaf { done: true, .. } => Ok(None),
            Source::Leaf {
                head,
                tag,
                state,
                done,
            } => {
                let item = rt.with(|context| step_leaf(&mut context.heap, *head, *tag, state))?;
                *done = item.is_none();
                Ok(item)
            }
        }
    }
}

/// Every [`RUNTIME_LOOP_ITEMS_PER_FUEL`] items, fails (as building the List at the end would: RT0401
/// or RT0402) when a List of the items collected so far no longer fits in the heap. The items
/// wait in host memory until the end, and Ints or Floats take no heap block, so without this
/// `collect(range(0, 10^14))` would grow host memory until the process died, whatever the
/// heap limits (found by the hostile-script suite, `conformance/hostile`).
fn ensure_room_for_collected(context: &mut Context, collected: usize) -> Result<(), RuntimeError> {
    if !collected.is_multiple_of(RUNTIME_LOOP_ITEMS_PER_FUEL) {
        return Ok(());
    }
    let blocks = super::list::blocks_for_length(collected);
    super::header::ensure_blocks_available(&mut context.heap, blocks)
}

/// `collect(source)`: a List of everything left.
pub fn collect(rt: &Reentrant, source: Value) -> Result<Value, RuntimeError> {
    let mut source = rt.with(|context| Source::open(context, source, "collect"))?;
    let mut items = Vec::new();
    loop {
        let step = match source.next(rt) {
            Ok(Some(item)) => {
                items.push(item);
                rt.with(|context| {
                    charge_runtime_loop(context, items.len())?;
                    ensure_room_for_collected(context, items.len())
                })
            }
            Ok(None) => break,
            Err(error) => Err(error),
        };
        if let Err(error) = step {
            rt.with(|context| release_all(context, &items));
            return Err(error);
        }
    }
    rt.with(|context| list_from_values(&mut context.heap, items))
}

/// `fold(source, init, f)`: `init` owned (consumed also on failure), `f` borrowed.
pub fn fold(rt: &Reentrant, source: Value, init: Value, f: Value) -> Result<Value, RuntimeError> {
    let opened = rt.with(|context| {
        let opened = Source::open(context, source, "fold")
            .and_then(|source| expect_closure(context, f, "fold").map(|()| source));
        if opened.is_err() {
            release_recording(context, init);
        }
        opened
    });
    let mut source = opened?;
    let mut accumulator = init;
    loop {
        let item = match source.next(rt) {
            Ok(Some(item)) => item,
            Ok(None) => return Ok(accumulator),
            Err(error) => {
                rt.release(accumulator);
                return Err(error);
            }
        };
        accumulator = rt.call(f, &[accumulator, item])?;
    }
}

/// `sum(source)`: Int sum (RT0301 past the Int range), Float from the first Float item on;
/// the Int `0` when empty. Any other item is RT0303.
pub fn sum(rt: &Reentrant, source: Value) -> Result<Value, RuntimeError> {
    enum Total {
        Int(i64),
        Float(f64),
    }
    let mut source = rt.with(|context| Source::open(context, source, "sum"))?;
    let mut total = Total::Int(0);
    let mut steps = 0usize;
    while let Some(item) = source.next(rt)? {
        steps += 1;
        total = match (total, item.as_int(), item.as_float()) {
            (Total::Int(sum), Some(n), _) => Total::Int(
                Value::int(sum + n)
                    .map(|_| sum + n)
                    .ok_or_else(RuntimeError::integer_overflow)?,
            ),
            (Total::Int(sum), None, Some(x)) => Total::Float(sum as f64 + x),
            (Total::Float(sum), Some(n), _) => Total::Float(sum + n as f64),
            (Total::Float(sum), None, Some(x)) => Total::Float(sum + x),
            (_, None, None) => {
                return Err(rt.with(|context| {
                    let error = match kind_name_of(item) {
                        Ok(kind) => {
                            RuntimeError::type_mismatch("sum", "Int or Float", kind.as_str())
                        }
                        Err(error) => error,
                    };
                    release_recording(context, item);
                    error
                }));
            }
        };
        rt.with(|context| charge_runtime_loop(context, steps))?;
    }
    Ok(match total {
        Total::Int(sum) => Value::int(sum).ok_or_else(RuntimeError::integer_overflow)?,
        Total::Float(sum) => Value::float(sum),
    })
}

/// `count(source)`: the number of items left (each pulled and released).
pub fn count(rt: &Reentrant, source: Value) -> Result<Value, RuntimeError> {
    let mut source = rt.with(|context| Source::open(context, source, "count"))?;
    let mut count = 0usize;
    while let Some(item) = source.next(rt)? {
        count += 1;
        rt.with(|context| {
            release_recording(context, item);
            charge_runtime_loop(context, count)
        })?;
    }
    Value::int(count as i64).ok_or_else(RuntimeError::integer_overflow)
}

/// `next(source)`: `(true, item)` or `(false, ())`.
pub fn next(rt: &Reentrant, source: Value) -> Result<Value, RuntimeError> {
    let mut source = rt.with(|context| Source::open(context, source, "next"))?;
    let pair = match source.next(rt)? {
        Some(item) => vec![Value::TRUE, item],
        None => vec![Value::FALSE, Value::UNIT],
    };
    rt.with(|context| tuple_from_values(&mut context.heap, pair))
}

fn release_all(context: &mut Context, words: &[Value]) {
    for &word in words {
        release_recording(context, word);
    }
}
