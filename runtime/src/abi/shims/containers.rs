//! Container builtins beyond indexing and update: `keys`, `values`, `merge`, `slice`,
//! `reverse`, and `fail`.

use crate::error::RuntimeError;

define_shim! {
    /// `merge(a owned, b borrowed)`: a Map with `b`'s entries over `a`'s.
    fn rt_merge(context, a, b) {
        let _ = (&context, a, b);
        Err(RuntimeError::internal("merge: not implemented yet"))
    }
}

define_shim! {
    /// `slice(xs, start, end)`: all borrowed; the List of elements `start..end` (RT0103).
    fn rt_slice(context, list, start, end) {
        let _ = (&context, list, start, end);
        Err(RuntimeError::internal("slice: not implemented yet"))
    }
}

define_shim! {
    /// `reverse(xs owned)`: the List reversed.
    fn rt_reverse(context, list) {
        let _ = (&context, list);
        Err(RuntimeError::internal("reverse: not implemented yet"))
    }
}

define_shim! {
    /// `fail(msg borrowed)`: raises RT0900 with the canonical form of `msg` (a Text raw).
    fn rt_fail(context, message) {
        let _ = (&context, message);
        Err(RuntimeError::internal("fail: not implemented yet"))
    }
}
