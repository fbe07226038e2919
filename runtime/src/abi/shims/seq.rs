//! Sequences: lazy, stateful cursors (docs/MEMORY.md, "Sequence cursors") and the consumers that
//! pull them. Producers build cursor objects; consumers (and lazy stages with callbacks) pull
//! items, calling closures back through `abi::invoke::call_closure`. Layouts and pulling are in
//! `objects::seq*`; these shims check arguments and keep the ownership rules of the shim list:
//! producers consume their source and callbacks (also on failure), consumers borrow the Seq. Any
//! List, Map or Text is accepted where a Seq is.

use crate::abi::invoke::expect_closure;
use crate::context::Context;
use crate::error::RuntimeError;
use crate::objects::seq::{
    MapMode, Tag, expect_iterable, iter_owned, map_cursor, new_cursor, range_cursor,
};
use crate::objects::seq_pull::Reentrant;
use crate::objects::{kind_name_of, seq_clone, seq_consume};
use crate::value::Value;

use super::release_recording;

fn release_words(context: &mut Context, words: &[Value]) {
    for &word in words {
        release_recording(context, word);
    }
}

/// A thunk argument of the generator kinds: a Closure, or Unit for "nothing more".
fn expect_thunk(context: &Context, value: Value, op: &str) -> Result<(), RuntimeError> {
    if value.is_unit() {
        return Ok(());
    }
    expect_closure(context, value, op)
}

/// Builds the cursor `tag(iter(source), rest...)`. `source` and `rest` are owned and
/// consumed also on failure; `check` validates `rest` after the source was found iterable.
fn stage(
    context: &mut Context,
    op: &str,
    tag: Tag,
    source: Value,
    rest: &[Value],
    check: impl FnOnce(&Context) -> Result<(), RuntimeError>,
) -> Result<Value, RuntimeError> {
    let valid = expect_iterable(&context.heap, source, op).and_then(|()| check(context));
    if let Err(error) = valid {
        release_recording(context, source);
        release_words(context, rest);
        return Err(error);
    }
    let cursor = match iter_owned(context, source, op) {
        Ok(cursor) => cursor,
        Err(error) => {
            release_words(context, rest);
            return Err(error);
        }
    };
    let mut state = vec![cursor];
    state.extend_from_slice(rest);
    new_cursor(&mut context.heap, tag, &state)
}

/// `take`/`drop`: `source` owned, `n` (a non-negative Int) borrowed.
fn counted(
    context: &mut Context,
    op: &str,
    tag: Tag,
    source: Value,
    n: Value,
) -> Result<Value, RuntimeError> {
    let valid = expect_iterable(&context.heap, source, op).and_then(|()| match n.as_int() {
        Some(count) if count >= 0 => Ok(()),
        Some(count) => Err(RuntimeError::type_mismatch(
            op,
            "a non-negative Int",
            &count.to_string(),
        )),
        None => Err(RuntimeError::type_mismatch(
            op,
            "a non-negative Int",
            kind_name_of(n)?.as_str(),
        )),
    });
    if let Err(error) = valid {
        release_recording(context, source);
        return Err(error);
    }
    // `n` is an Int now: the cursor holds a copy of the word, nothing to retain.
    stage(context, op, tag, source, &[n], |_| Ok(()))
}

define_shim! {
    /// `keys(m owned)`: a Seq of the keys in ascending order.
    fn rt_keys(context, map) {
        Ok(map_cursor(context, Value(map), MapMode::Keys, "keys")?.bits())
    }
}

define_shim! {
    /// `values(m owned)`: a Seq of the values in ascending key order.
    fn rt_values(context, map) {
        Ok(map_cursor(context, Value(map), MapMode::Values, "values")?.bits())
    }
}

define_shim! {
    /// `range(a, b)` (Ints, borrowed): a Seq of `a, a+1, ..` below `b`.
    fn rt_range(context, start, end) {
        let step = Value::int(1).unwrap_or(Value::UNIT);
        Ok(range_cursor(&mut context.heap, Value(start), Value(end), step)?.bits())
    }
}

define_shim! {
    /// `range(a, b, step)` (borrowed): counts down for a negative step; step 0 is RT0303.
    fn rt_range_step(context, start, end, step) {
        Ok(range_cursor(&mut context.heap, Value(start), Value(end), Value(step))?.bits())
    }
}

define_shim! {
    /// `iter(x owned)`: a Seq over a List, Map (`(k, v)` tuples), Text (one-character Texts) or Seq
    /// (itself).
    fn rt_iter(context, source) {
        Ok(iter_owned(context, Value(source), "iter")?.bits())
    }
}

define_shim! {
    /// `map(s owned, f owned)`: lazy.
    fn rt_seq_map(context, source, f) {
        let f = Value(f);
        let check = |context: &Context| expect_closure(context, f, "map");
        Ok(stage(context, "map", Tag::Map, Value(source), &[f], check)?.bits())
    }
}

define_shim! {
    /// `filter(s owned, f owned)`: lazy.
    fn rt_seq_filter(context, source, f) {
        let f = Value(f);
        let check = |context: &Context| expect_closure(context, f, "filter");
        Ok(stage(context, "filter", Tag::Filter, Value(source), &[f], check)?.bits())
    }
}

define_shim! {
    /// `take(s owned, n borrowed)`: pulls exactly `min(n, available)` items.
    fn rt_seq_take(context, source, n) {
        Ok(counted(context, "take", Tag::Take, Value(source), Value(n))?.bits())
    }
}

define_shim! {
    /// `drop(s owned, n borrowed)`: skips `n` items on the first pull.
    fn rt_seq_drop(context, source, n) {
        Ok(counted(context, "drop", Tag::Drop, Value(source), Value(n))?.bits())
    }
}

define_shim! {
    /// `scan(s owned, init owned, f owned)`: yields each accumulated value.
    fn rt_seq_scan(context, source, init, f) {
        let f = Value(f);
        let check = |context: &Context| expect_closure(context, f, "scan");
        Ok(stage(context, "scan", Tag::Scan, Value(source), &[Value(init), f], check)?.bits())
    }
}

define_shim! {
    /// `zip(s owned, t owned)`: `(a, b)` tuples until either ends.
    fn rt_seq_zip(context, left, right) {
        let (left, right) = (Value(left), Value(right));
        let valid = expect_iterable(&context.heap, left, "zip")
            .and_then(|()| expect_iterable(&context.heap, right, "zip"));
        if let Err(error) = valid {
            release_words(context, &[left, right]);
            return Err(error);
        }
        let left = match iter_owned(context, left, "zip") {
            Ok(left) => left,
            Err(error) => {
                release_recording(context, right);
                return Err(error);
            }
        };
        let right = match iter_owned(context, right, "zip") {
            Ok(right) => right,
            Err(error) => {
                release_recording(context, left);
                return Err(error);
            }
        };
        Ok(new_cursor(&mut context.heap, Tag::Zip, &[left, right])?.bits())
    }
}

define_shim! {
    /// `clone(s borrowed)`: an independent cursor over the rest of `s` (the whole chain copied).
    fn rt_seq_clone(context, source) {
        Ok(seq_clone::clone_value(context, Value(source))?.bits())
    }
}

define_shim! {
    /// Generator desugaring: the empty Seq.
    fn rt_seq_empty(context) {
        Ok(new_cursor(&mut context.heap, Tag::Empty, &[])?.bits())
    }
}

define_shim! {
    /// Generator desugaring: `value` (owned), then everything `rest()` (owned closure or Unit)
    /// returns.
    fn rt_seq_cons(context, value, rest) {
        let (value, rest) = (Value(value), Value(rest));
        if let Err(error) = expect_thunk(context, rest, "seq_cons") {
            release_words(context, &[value, rest]);
            return Err(error);
        }
        Ok(new_cursor(&mut context.heap, Tag::Cons, &[value, rest])?.bits())
    }
}

define_shim! {
    /// Generator desugaring: for each `x` of `source` (owned), everything `f(x)` returns.
    fn rt_seq_flat_map(context, source, f) {
        let f = Value(f);
        let check = |context: &Context| expect_closure(context, f, "iter");
        Ok(stage(context, "iter", Tag::FlatMap, Value(source), &[f, Value::UNIT], check)?.bits())
    }
}

define_shim! {
    /// Generator desugaring: everything `thunk()` returns, called on the first pull.
    fn rt_seq_defer(context, thunk) {
        let thunk = Value(thunk);
        if let Err(error) = expect_thunk(context, thunk, "seq_defer") {
            release_recording(context, thunk);
            return Err(error);
        }
        Ok(new_cursor(&mut context.heap, Tag::Defer, &[thunk])?.bits())
    }
}

define_shim! {
    /// Generator desugaring: everything in `source`, then everything `rest()` returns.
    fn rt_seq_append(context, source, rest) {
        let rest = Value(rest);
        let check = |context: &Context| expect_thunk(context, rest, "seq_append");
        Ok(stage(context, "iter", Tag::Append, Value(source), &[rest], check)?.bits())
    }
}

define_reentrant_shim! {
    /// `collect(s borrowed)`: a List of everything left in `s`.
    fn rt_collect(context, source) {
        // The shim's contract makes `context` the run's pointer with no live borrow.
        let rt = Reentrant::new(context);
        Ok(seq_consume::collect(&rt, Value(source))?.bits())
    }
}

define_reentrant_shim! {
    /// `fold(s borrowed, init owned, f borrowed)`.
    fn rt_fold(context, source, init, f) {
        // The shim's contract makes `context` the run's pointer with no live borrow.
        let rt = Reentrant::new(context);
        Ok(seq_consume::fold(&rt, Value(source), Value(init), Value(f))?.bits())
    }
}

define_reentrant_shim! {
    /// `sum(s borrowed)`: Int sum (RT0301 on overflow), Float once any item is a Float; `0` when
    /// empty.
    fn rt_sum(context, source) {
        // The shim's contract makes `context` the run's pointer with no live borrow.
        let rt = Reentrant::new(context);
        Ok(seq_consume::sum(&rt, Value(source))?.bits())
    }
}

define_reentrant_shim! {
    /// `count(s borrowed)`: the number of items left.
    fn rt_count(context, source) {
        // The shim's contract makes `context` the run's pointer with no live borrow.
        let rt = Reentrant::new(context);
        Ok(seq_consume::count(&rt, Value(source))?.bits())
    }
}

define_reentrant_shim! {
    /// `next(s borrowed)`: `(true, v)` or `(false, ())`, advancing `s`.
    fn rt_next(context, source) {
        // The shim's contract makes `context` the run's pointer with no live borrow.
        let rt = Reentrant::new(context);
        Ok(seq_consume::next(&rt, Value(source))?.bits())
    }
}
