//! Sequences: lazy, stateful cursors (seed 004 §1.4) and the consumers that pull them.
//! Producers build cursor objects; consumers (and lazy stages with callbacks) pull items,
//! calling closures back through `abi::invoke::call_closure`.

use crate::error::RuntimeError;

define_shim! {
    /// `keys(m owned)`: a Seq of the keys in ascending order.
    fn rt_keys(context, map) {
        let _ = (&context, map);
        Err(RuntimeError::internal("rt_keys: not implemented yet"))
    }
}

define_shim! {
    /// `values(m owned)`: a Seq of the values in ascending key order.
    fn rt_values(context, map) {
        let _ = (&context, map);
        Err(RuntimeError::internal("rt_values: not implemented yet"))
    }
}

define_shim! {
    /// `range(a, b)` (Ints, borrowed): a Seq of `a, a+1, ..` below `b`.
    fn rt_range(context, start, end) {
        let _ = (&context, start, end);
        Err(RuntimeError::internal("rt_range: not implemented yet"))
    }
}

define_shim! {
    /// `range(a, b, step)` (borrowed): counts down for a negative step; step 0 is RT0303.
    fn rt_range_step(context, start, end, step) {
        let _ = (&context, start, end, step);
        Err(RuntimeError::internal("rt_range_step: not implemented yet"))
    }
}

define_shim! {
    /// `iter(x owned)`: a Seq over a List, Map (`(k, v)` tuples), Text (one-character Texts) or Seq (itself).
    fn rt_iter(context, source) {
        let _ = (&context, source);
        Err(RuntimeError::internal("rt_iter: not implemented yet"))
    }
}

define_shim! {
    /// `map(s owned, f owned)`: lazy.
    fn rt_seq_map(context, source, f) {
        let _ = (&context, source, f);
        Err(RuntimeError::internal("rt_seq_map: not implemented yet"))
    }
}

define_shim! {
    /// `filter(s owned, f owned)`: lazy.
    fn rt_seq_filter(context, source, f) {
        let _ = (&context, source, f);
        Err(RuntimeError::internal("rt_seq_filter: not implemented yet"))
    }
}

define_shim! {
    /// `take(s owned, n borrowed)`: pulls exactly `min(n, available)` items.
    fn rt_seq_take(context, source, n) {
        let _ = (&context, source, n);
        Err(RuntimeError::internal("rt_seq_take: not implemented yet"))
    }
}

define_shim! {
    /// `drop(s owned, n borrowed)`: skips `n` items on the first pull.
    fn rt_seq_drop(context, source, n) {
        let _ = (&context, source, n);
        Err(RuntimeError::internal("rt_seq_drop: not implemented yet"))
    }
}

define_shim! {
    /// `scan(s owned, init owned, f owned)`: yields each accumulated value.
    fn rt_seq_scan(context, source, init, f) {
        let _ = (&context, source, init, f);
        Err(RuntimeError::internal("rt_seq_scan: not implemented yet"))
    }
}

define_shim! {
    /// `zip(s owned, t owned)`: `(a, b)` tuples until either ends.
    fn rt_seq_zip(context, left, right) {
        let _ = (&context, left, right);
        Err(RuntimeError::internal("rt_seq_zip: not implemented yet"))
    }
}

define_shim! {
    /// `clone(s borrowed)`: an independent cursor over the rest of `s` (the whole chain copied).
    fn rt_seq_clone(context, source) {
        let _ = (&context, source);
        Err(RuntimeError::internal("rt_seq_clone: not implemented yet"))
    }
}

define_shim! {
    /// Generator desugaring: the empty Seq.
    fn rt_seq_empty(context) {
        let _ = &context;
        Err(RuntimeError::internal("rt_seq_empty: not implemented yet"))
    }
}

define_shim! {
    /// Generator desugaring: `value` (owned), then everything `rest()` (owned closure or Unit) returns.
    fn rt_seq_cons(context, value, rest) {
        let _ = (&context, value, rest);
        Err(RuntimeError::internal("rt_seq_cons: not implemented yet"))
    }
}

define_shim! {
    /// Generator desugaring: for each `x` of `source` (owned), everything `f(x)` returns.
    fn rt_seq_flat_map(context, source, f) {
        let _ = (&context, source, f);
        Err(RuntimeError::internal("rt_seq_flat_map: not implemented yet"))
    }
}

define_shim! {
    /// Generator desugaring: everything `thunk()` returns, called on the first pull.
    fn rt_seq_defer(context, thunk) {
        let _ = (&context, thunk);
        Err(RuntimeError::internal("rt_seq_defer: not implemented yet"))
    }
}

define_shim! {
    /// Generator desugaring: everything in `source`, then everything `rest()` returns.
    fn rt_seq_append(context, source, rest) {
        let _ = (&context, source, rest);
        Err(RuntimeError::internal("rt_seq_append: not implemented yet"))
    }
}

define_reentrant_shim! {
    /// `collect(s borrowed)`: a List of everything left in `s`.
    fn rt_collect(context, source) {
        let _ = (context, source);
        Err(RuntimeError::internal("rt_collect: not implemented yet"))
    }
}

define_reentrant_shim! {
    /// `fold(s borrowed, init owned, f borrowed)`.
    fn rt_fold(context, source, init, f) {
        let _ = (context, source, init, f);
        Err(RuntimeError::internal("rt_fold: not implemented yet"))
    }
}

define_reentrant_shim! {
    /// `sum(s borrowed)`: Int sum (RT0301 on overflow), Float once any item is a Float; `0` when empty.
    fn rt_sum(context, source) {
        let _ = (context, source);
        Err(RuntimeError::internal("rt_sum: not implemented yet"))
    }
}

define_reentrant_shim! {
    /// `count(s borrowed)`: the number of items left.
    fn rt_count(context, source) {
        let _ = (context, source);
        Err(RuntimeError::internal("rt_count: not implemented yet"))
    }
}

define_reentrant_shim! {
    /// `next(s borrowed)`: `(true, v)` or `(false, ())`, advancing `s`.
    fn rt_next(context, source) {
        let _ = (context, source);
        Err(RuntimeError::internal("rt_next: not implemented yet"))
    }
}
