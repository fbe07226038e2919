//! Pulling a cursor: one step of every Seq kind (layouts in `seq`). Pulls may call closures
//! back (map/filter/scan callbacks, generator thunks), so they work from the raw context
//! pointer through [`Reentrant`], which never lends a `&mut Context` across a closure call.
//!
//! Ownership: `pull` borrows the cursor and returns an owned item. A nested pull (a cursor
//! pulling its source) counts one unit of `call_depth`: past `limits.max_call_depth` it is
//! RT0501, so a chain of a million `map` stages fails cleanly instead of overflowing the
//! Rust stack. A failing callback leaves the cursor consistent (its source advanced); only
//! `scan` (whose accumulator went to the failed call) and `Defer` (whose thunk was spent)
//! become `Empty`.

use std::cell::Cell;

use crate::abi::invoke::call_closure;
use crate::abi::shims::release_recording;
use crate::context::Context;
use crate::error::RuntimeError;
use crate::value::Value;

use super::header::{add_object_flags, object_flags};
use super::retain;
use super::seq::{
    State, Tag, become_empty, expect_iterable, leaf_over, read_cursor, small_int, state_int,
    state_of, state_slot, step_leaf, store_state, write_cursor,
};
use super::tuple::tuple_from_values;

/// The run's context pointer for code that calls closures: lends `&mut Context` only for
/// the duration of a [`Reentrant::with`] body, and refuses a closure call (or a nested
/// borrow) while one is lent.
pub struct Reentrant {
    ptr: *mut Context,
    lent: Cell<bool>,
}

impl Reentrant {
    /// # Safety
    /// `ptr` is the run's context pointer, valid while this value is used, and no `&mut
    /// Context` derived from it is live outside this value's own borrows.
    pub unsafe fn new(ptr: *mut Context) -> Reentrant {
        Reentrant {
            ptr,
            lent: Cell::new(false),
        }
    }

    /// Runs `body` with the context. `body` must not pull or call closures (it cannot reach
    /// this value's other methods without panicking).
    pub fn with<R>(&self, body: impl FnOnce(&mut Context) -> R) -> R {
        assert!(
            !self.lent.replace(true),
            "nested context borrow in a Seq pull"
        );
        // SAFETY: `new`'s contract makes `ptr` valid with no other live `&mut Context`; the
        // flag rules out a second borrow through this value, and this one ends when `body`
        // returns (`R` cannot borrow from it).
        let out = body(unsafe { &mut *self.ptr });
        self.lent.set(false);
        out
    }

    /// Calls `closure` (borrowed) with `args` (owned, consumed also on failure).
    pub fn call(&self, closure: Value, args: &[Value]) -> Result<Value, RuntimeError> {
        assert!(!self.lent.get(), "closure call while the context is lent");
        // SAFETY: no borrow made through `with` is live (checked above) and `new`'s contract
        // rules out any other.
        unsafe { call_closure(self.ptr, closure, args) }
    }

    pub fn release(&self, word: Value) {
        self.with(|context| release_recording(context, word));
    }
}

/// What one step of a cursor did.
enum Flow {
    Yield(Value),
    End,
    /// The cursor changed kind (or took over its delegate): step it again.
    Again,
}

/// The next item of the Seq `seq` (borrowed), owned; `None` once it is exhausted.
pub fn pull(rt: &Reentrant, seq: Value) -> Result<Option<Value>, RuntimeError> {
    rt.with(|context| {
        context.call_depth += 1;
        if context.call_depth > context.limits.max_call_depth {
            context.call_depth -= 1;
            return Err(RuntimeError::stack_overflow(context.limits.max_call_depth));
        }
        Ok(())
    })?;
    let outcome = pull_cursor(rt, seq);
    rt.with(|context| context.call_depth = context.call_depth.saturating_sub(1));
    outcome
}

fn pull_cursor(rt: &Reentrant, seq: Value) -> Result<Option<Value>, RuntimeError> {
    loop {
        let (head, tag, state) = rt.with(|context| read_cursor(&context.heap, seq))?;
        let flow = match tag {
            Tag::Empty => Flow::End,
            Tag::Range | Tag::ListIter | Tag::MapIter | Tag::TextIter | Tag::Random => {
                rt.with(|context| step(context, head, tag, state))?
            }
            Tag::Map => map(rt, head, state)?,
            Tag::Filter => filter(rt, head, state)?,
            Tag::Take => take(rt, head, state)?,
            Tag::Drop => drop_items(rt, head, state)?,
            Tag::Scan => scan(rt, head, state)?,
            Tag::Zip => zip(rt, head, state)?,
            Tag::Cons => cons(rt, head, state),
            Tag::FlatMap => flat_map(rt, head, state)?,
            Tag::Defer => defer(rt, head, state)?,
            Tag::Append => append(rt, head, state)?,
            Tag::Chunks => grouped(super::seq_group::chunks(rt, head, state)?),
            Tag::Windows => grouped(super::seq_group::windows(rt, head, state)?),
            Tag::Unique => grouped(super::seq_group::unique(rt, head, state)?),
        };
        match flow {
            Flow::Yield(item) => return Ok(Some(item)),
            Flow::End => return Ok(None),
            Flow::Again => {}
        }
    }
}

fn grouped(outcome: super::seq_group::Grouped) -> Flow {
    match outcome {
        super::seq_group::Grouped::Yield(item) => Flow::Yield(item),
        super::seq_group::Grouped::End => Flow::End,
    }
}

fn finish(rt: &Reentrant, head: u32) -> Flow {
    rt.with(|context| become_empty(context, head));
    Flow::End
}

fn step(
    context: &mut Context,
    head: u32,
    tag: Tag,
    mut state: State,
) -> Result<Flow, RuntimeError> {
    match step_leaf(&mut context.heap, head, tag, &mut state)? {
        Some(item) => {
            write_cursor(&mut context.heap, head, tag, state);
            Ok(Flow::Yield(item))
        }
        None => {
            become_empty(context, head);
            Ok(Flow::End)
        }
    }
}

fn map(rt: &Reentrant, head: u32, [source, f, ..]: State) -> Result<Flow, RuntimeError> {
    match pull(rt, source)? {
        Some(item) => Ok(Flow::Yield(rt.call(f, &[item])?)),
        None => Ok(finish(rt, head)),
    }
}

/// `predicate(item)` with `item` retained for the call and still owned by the caller
/// afterwards: on a failure (the retain or the call) `item` is released and the error
/// returned. `filter` and the searching consumers (`objects/seq_search.rs`) ask this way.
pub(crate) fn call_predicate(
    rt: &Reentrant,
    predicate: Value,
    item: Value,
) -> Result<Value, RuntimeError> {
    let argument = match rt.with(|context| retain(&mut context.heap, item)) {
        Ok(argument) => argument,
        Err(error) => {
            rt.release(item);
            return Err(error);
        }
    };
    rt.call(predicate, &[argument])
        .inspect_err(|_| rt.release(item))
}

fn filter(rt: &Reentrant, head: u32, [source, predicate, ..]: State) -> Result<Flow, RuntimeError> {
    loop {
        let Some(item) = pull(rt, source)? else {
            return Ok(finish(rt, head));
        };
        let verdict = call_predicate(rt, predicate, item)?;
        match verdict.as_bool() {
            Some(true) => return Ok(Flow::Yield(item)),
            Some(false) => rt.release(item),
            None => {
                return Err(rt.with(|context| {
                    let error = match super::kind_name_of(verdict) {
                        Ok(kind) => RuntimeError::type_mismatch("filter", "Bool", kind.as_str()),
                        Err(error) => error,
                    };
                    release_recording(context, verdict);
                    release_recording(context, item);
                    error
                }));
            }
        }
    }
}

fn take(rt: &Reentrant, head: u32, [source, remaining, ..]: State) -> Result<Flow, RuntimeError> {
    let remaining = state_int(head, remaining)?;
    if remaining <= 0 {
        return Ok(finish(rt, head));
    }
    let Some(item) = pull(rt, source)? else {
        return Ok(finish(rt, head));
    };
    rt.with(|context| {
        if remaining == 1 {
            // Never pull the source again: release it now.
            become_empty(context, head);
        } else {
            state_slot(head, 1).write(&mut context.heap, small_int(remaining as usize - 1));
        }
    });
    Ok(Flow::Yield(item))
}

fn drop_items(
    rt: &Reentrant,
    head: u32,
    [source, to_skip, ..]: State,
) -> Result<Flow, RuntimeError> {
    let mut to_skip = state_int(head, to_skip)?;
    if to_skip > 0
        && let Some(left) = rt.with(|context| skip_range(context, source, to_skip))?
    {
        // `left > 0`: the range ran out first; the pull below ends it as pulling one item
        // at a time would have.
        to_skip = left;
        rt.with(|context| {
            state_slot(head, 1).write(&mut context.heap, small_int(to_skip as usize));
        });
    }
    while to_skip > 0 {
        let Some(item) = pull(rt, source)? else {
            return Ok(finish(rt, head));
        };
        to_skip -= 1;
        rt.with(|context| {
            release_recording(context, item);
            state_slot(head, 1).write(&mut context.heap, small_int(to_skip as usize));
            super::seq_consume::charge_runtime_loop(context, to_skip as usize)
        })?;
    }
    // Everything left is `source`.
    rt.with(|context| {
        write_cursor(
            &mut context.heap,
            head,
            Tag::Defer,
            state_of(&[Value::UNIT, source]),
        )
    });
    Ok(Flow::Again)
}

/// `drop` over a Range cursor: advances it by `to_skip` items (or to its end) at once, in
/// O(1) — pulling a range's Ints records no refcount event, so the trace is the one pulling
/// them one by one records. Returns the items still to skip (0, or more when the range ran
/// out first); `None` when `source` is not a Range (it is then pulled item by item). The
/// skip checks the call depth as one pull does and charges one fuel unit (docs/LANGUAGE.md,
/// *limits of pulls*).
fn skip_range(
    context: &mut Context,
    source: Value,
    to_skip: i64,
) -> Result<Option<i64>, RuntimeError> {
    let (range, tag, mut state) = read_cursor(&context.heap, source)?;
    if tag != Tag::Range {
        return Ok(None);
    }
    if context.call_depth >= context.limits.max_call_depth {
        return Err(RuntimeError::stack_overflow(context.limits.max_call_depth));
    }
    crate::abi::shims::control::charge_fuel_and_check_cancel(context)?;
    let int = |index: usize| state_int(range, state[index]).map(i128::from);
    let (current, end, step) = (int(0)?, int(1)?, int(2)?);
    let left = if step > 0 && current < end {
        (end - current + step - 1) / step
    } else if step < 0 && current > end {
        (current - end - step - 1) / -step
    } else {
        0
    };
    let skipped = i128::from(to_skip).min(left);
    state[0] = if skipped == left {
        state[1]
    } else {
        // Strictly between `current` and `end`: an Int.
        Value::int((current + skipped * step) as i64).ok_or_else(|| corrupt_range(range))?
    };
    write_cursor(&mut context.heap, range, Tag::Range, state);
    Ok(Some(to_skip - skipped as i64))
}

fn corrupt_range(head: u32) -> RuntimeError {
    RuntimeError::invalid_reference(&format!("block {head}: a Range cursor out of its bounds"))
}

fn scan(rt: &Reentrant, head: u32, [source, _, f, ..]: State) -> Result<Flow, RuntimeError> {
    let Some(item) = pull(rt, source)? else {
        return Ok(finish(rt, head));
    };
    // The accumulator moves into the call (so `f` may update it in place).
    let accumulator = rt.with(|context| {
        let accumulator = state_slot(head, 1).read(&context.heap);
        state_slot(head, 1).write(&mut context.heap, Value::UNIT);
        accumulator
    });
    match rt.call(f, &[accumulator, item]) {
        Ok(next) => rt.with(|context| {
            let out = retain(&mut context.heap, next);
            store_state(&mut context.heap, head, 1, next);
            out.map(Flow::Yield)
        }),
        Err(error) => {
            finish(rt, head);
            Err(error)
        }
    }
}

fn zip(rt: &Reentrant, head: u32, [left, right, ..]: State) -> Result<Flow, RuntimeError> {
    let Some(first) = pull(rt, left)? else {
        return Ok(finish(rt, head));
    };
    let second = match pull(rt, right) {
        Ok(Some(second)) => second,
        Ok(None) => {
            rt.release(first);
            return Ok(finish(rt, head));
        }
        Err(error) => {
            rt.release(first);
            return Err(error);
        }
    };
    rt.with(|context| tuple_from_values(&mut context.heap, vec![first, second]))
        .map(Flow::Yield)
}

fn cons(rt: &Reentrant, head: u32, [value, rest, ..]: State) -> Flow {
    rt.with(|context| {
        let (tag, state) = if rest.is_unit() {
            (Tag::Empty, state_of(&[]))
        } else {
            (Tag::Defer, state_of(&[rest]))
        };
        write_cursor(&mut context.heap, head, tag, state);
    });
    Flow::Yield(value)
}

fn flat_map(
    rt: &Reentrant,
    head: u32,
    [source, f, current, user, ..]: State,
) -> Result<Flow, RuntimeError> {
    // Slot 4 is Int 1 for the `flat_map` builtin, Unit for a generator's `x <- e`.
    let op = if user.as_int() == Some(1) {
        "flat_map"
    } else {
        "iter"
    };
    if !current.is_unit() {
        if let Some(item) = pull(rt, current)? {
            return Ok(Flow::Yield(item));
        }
        rt.with(|context| {
            state_slot(head, 2).write(&mut context.heap, Value::UNIT);
            release_recording(context, current);
        });
    }
    let Some(item) = pull(rt, source)? else {
        return Ok(finish(rt, head));
    };
    let produced = rt.call(f, &[item])?;
    rt.with(|context| {
        let sub = super::seq::iter_owned(context, produced, op)?;
        store_state(&mut context.heap, head, 2, sub);
        Ok(Flow::Again)
    })
}

fn defer(rt: &Reentrant, head: u32, [thunk, delegate, ..]: State) -> Result<Flow, RuntimeError> {
    if !thunk.is_unit() {
        rt.with(|context| state_slot(head, 0).write(&mut context.heap, Value::UNIT));
        let produced = rt.call(thunk, &[]);
        rt.release(thunk);
        let produced = match produced {
            Ok(produced) => produced,
            Err(error) => {
                finish(rt, head);
                return Err(error);
            }
        };
        return rt.with(|context| delegate_to(context, head, delegate, produced));
    }
    if delegate.is_unit() {
        return Ok(finish(rt, head));
    }
    let shared = rt.with(|context| absorb_if_unique(context, head, delegate))?;
    if !shared {
        return Ok(Flow::Again);
    }
    match pull(rt, delegate)? {
        Some(item) => Ok(Flow::Yield(item)),
        None => Ok(finish(rt, head)),
    }
}

/// The cursor's thunk produced `produced` (owned): everything left is that.
fn delegate_to(
    context: &mut Context,
    head: u32,
    old_delegate: Value,
    produced: Value,
) -> Result<Flow, RuntimeError> {
    if let Err(error) = expect_iterable(&context.heap, produced, "iter") {
        release_recording(context, produced);
        become_empty(context, head);
        return Err(error);
    }
    let (tag, state) =
        leaf_over(produced).unwrap_or((Tag::Defer, state_of(&[Value::UNIT, produced])));
    write_cursor(&mut context.heap, head, tag, state);
    release_recording(context, old_delegate); // Unit by construction: a thunk comes first
    Ok(Flow::Again)
}

/// When `delegate` (held in slot 1 of the Defer at `head`) is uniquely owned, the cursor
/// takes over its tag and state and frees its shell, keeping chains flat; an exhausted
/// delegate ends the cursor. Returns whether the delegate is shared (must be pulled).
fn absorb_if_unique(
    context: &mut Context,
    head: u32,
    delegate: Value,
) -> Result<bool, RuntimeError> {
    let (inner, tag, state) = read_cursor(&context.heap, delegate)?;
    if tag == Tag::Empty {
        become_empty(context, head);
        return Ok(false);
    }
    if inner == head || context.heap.ref_count(inner) != 1 {
        return Ok(true);
    }
    write_cursor(&mut context.heap, inner, Tag::Empty, state_of(&[]));
    let flags = object_flags(&context.heap, inner);
    write_cursor(&mut context.heap, head, tag, state);
    add_object_flags(&mut context.heap, head, flags);
    release_recording(context, delegate); // frees the now-empty shell
    Ok(false)
}

fn append(rt: &Reentrant, head: u32, [source, rest, ..]: State) -> Result<Flow, RuntimeError> {
    if let Some(item) = pull(rt, source)? {
        return Ok(Flow::Yield(item));
    }
    rt.with(|context| {
        let (tag, state) = if rest.is_unit() {
            (Tag::Empty, state_of(&[]))
        } else {
            (Tag::Defer, state_of(&[rest]))
        };
        write_cursor(&mut context.heap, head, tag, state);
        release_recording(context, source);
    });
    Ok(Flow::Again)
}
