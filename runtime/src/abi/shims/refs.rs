//! Refs: `ref(v)`, `!r`, `r := v`. A Ref never holds a value that contains a Ref (RT0403,
//! checked in O(1) with the object header's "contains a Ref" flag).

use crate::error::RuntimeError;

define_shim! {
    /// `ref(v owned)`: a new Ref cell holding `v`; RT0403 when `v` contains a Ref.
    fn rt_ref_new(context, value) {
        let _ = (&context, value);
        Err(RuntimeError::internal("ref: not implemented yet"))
    }
}

define_shim! {
    /// `!r` (borrowed): the cell's value, retained.
    fn rt_ref_get(context, reference) {
        let _ = (&context, reference);
        Err(RuntimeError::internal("deref: not implemented yet"))
    }
}

define_shim! {
    /// `r := v`: `r` borrowed, `v` owned; releases the old value; returns Unit. RT0403 when
    /// `v` contains a Ref.
    fn rt_ref_set(context, reference, value) {
        let _ = (&context, reference, value);
        Err(RuntimeError::internal("assign: not implemented yet"))
    }
}
