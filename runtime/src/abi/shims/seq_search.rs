//! Shims of the sequence builtins of docs/LANGUAGE.md, "Lists and sequences": the
//! consumers `index_of`, `any`, `all`, `find_first`, `min_of`, `max_of` (source and
//! callback borrowed; work in `objects::seq_search`) and the lazy stages `enumerate` and
//! `flat_map` (source and callback owned, consumed also on failure), which are cursors of
//! the existing kinds: `enumerate(s)` is `zip(range(0, 2^47 - 1), s)`, `flat_map` the
//! generator's FlatMap cursor with its builtin's name for diagnostics.

use crate::abi::invoke::expect_closure;
use crate::context::Context;
use crate::objects::seq::{Tag, expect_iterable, iter_owned, new_cursor, range_cursor};
use crate::objects::seq_pull::Reentrant;
use crate::objects::seq_search::{Search, extreme, index_of, search};
use crate::value::Value;

use super::release_recording;

define_reentrant_shim! {
    /// `index_of(s borrowed, v borrowed)`: the position of the first item `== v`, or -1.
    fn rt_index_of(context, source, target) {
        // The shim's contract makes `context` the run's pointer with no live borrow.
        let rt = Reentrant::new(context);
        Ok(index_of(&rt, Value(source), Value(target))?.bits())
    }
}

define_reentrant_shim! {
    /// `any(s borrowed, p borrowed)`: whether `p(x)` is true for some item (stops there).
    fn rt_any(context, source, predicate) {
        // The shim's contract makes `context` the run's pointer with no live borrow.
        let rt = Reentrant::new(context);
        Ok(search(&rt, "any", Value(source), Value(predicate), Search::Any)?.bits())
    }
}

define_reentrant_shim! {
    /// `all(s borrowed, p borrowed)`: whether `p(x)` is true for every item (stops at a false).
    fn rt_all(context, source, predicate) {
        // The shim's contract makes `context` the run's pointer with no live borrow.
        let rt = Reentrant::new(context);
        Ok(search(&rt, "all", Value(source), Value(predicate), Search::All)?.bits())
    }
}

define_reentrant_shim! {
    /// `find_first(s borrowed, p borrowed)`: `(true, x)` for the first `x` with `p(x)`, or `(false, ())`.
    fn rt_find_first(context, source, predicate) {
        // The shim's contract makes `context` the run's pointer with no live borrow.
        let rt = Reentrant::new(context);
        let found = search(&rt, "find_first", Value(source), Value(predicate), Search::FindFirst)?;
        Ok(found.bits())
    }
}

define_reentrant_shim! {
    /// `min_of(s borrowed)`: the first least item (RT0306 when empty).
    fn rt_min_of(context, source) {
        // The shim's contract makes `context` the run's pointer with no live borrow.
        let rt = Reentrant::new(context);
        Ok(extreme(&rt, "min_of", Value(source), false)?.bits())
    }
}

define_reentrant_shim! {
    /// `max_of(s borrowed)`: the last greatest item (RT0306 when empty).
    fn rt_max_of(context, source) {
        // The shim's contract makes `context` the run's pointer with no live borrow.
        let rt = Reentrant::new(context);
        Ok(extreme(&rt, "max_of", Value(source), true)?.bits())
    }
}

define_shim! {
    /// `enumerate(s owned)`: the Seq of `(index, item)`, lazily.
    fn rt_enumerate(context, source) {
        Ok(enumerate(context, Value(source))?.bits())
    }
}

fn enumerate(context: &mut Context, source: Value) -> Result<Value, crate::error::RuntimeError> {
    let source = iter_owned(context, source, "enumerate")?;
    let bounds = (
        Value::int(0),
        Value::int(crate::value::INT_MAX),
        Value::int(1),
    );
    let counter = match bounds {
        (Some(start), Some(end), Some(step)) => range_cursor(&mut context.heap, start, end, step),
        _ => Err(crate::error::RuntimeError::internal(
            "enumerate: Int bounds",
        )),
    };
    match counter {
        Ok(counter) => new_cursor(&mut context.heap, Tag::Zip, &[counter, source]),
        Err(error) => {
            release_recording(context, source);
            Err(error)
        }
    }
}

define_shim! {
    /// `flat_map(s owned, f owned)`: lazily, everything each `f(x)` returns.
    fn rt_flat_map(context, source, f) {
        let (source, f) = (Value(source), Value(f));
        let valid = expect_iterable(&context.heap, source, "flat_map")
            .and_then(|()| expect_closure(context, f, "flat_map"));
        if let Err(error) = valid {
            release_recording(context, source);
            release_recording(context, f);
            return Err(error);
        }
        let source = match iter_owned(context, source, "flat_map") {
            Ok(source) => source,
            Err(error) => {
                release_recording(context, f);
                return Err(error);
            }
        };
        let marker = Value::int(1).unwrap_or(Value::UNIT);
        Ok(new_cursor(&mut context.heap, Tag::FlatMap, &[source, f, Value::UNIT, marker])?.bits())
    }
}
