//! Container builtins beyond indexing and update: `merge`, `slice`, `reverse`, and `fail`
//! (`keys` and `values` build sequences and live with the Seq shims).

use crate::error::RuntimeError;
use crate::objects::list_update::{self, expect_list};
use crate::objects::{kind_name_of, list, map_update, print};
use crate::value::Value;

define_shim! {
    /// `merge(a owned, b borrowed)`: a Map with `b`'s entries over `a`'s, inserted into `a`
    /// in place when `a` is uniquely owned and path-copied when shared. RT0303 `type
    /// mismatch: merge expects Map and Map, got {kind} and {kind}` otherwise (`a` released).
    fn rt_merge(context, a, b) {
        Ok(map_update::merge(&mut context.heap, Value(a), Value(b))?.bits())
    }
}

/// Checks one `slice` bound: an Int (RT0101 `list index expects an Int, got {kind}`) in
/// `0..=length` (RT0103 `index out of bounds: index {i}, length {n}`; negative bounds are
/// out of bounds, never counted from the end).
fn slice_bound(bound: Value, length: usize) -> Result<usize, RuntimeError> {
    let Some(index) = bound.as_int() else {
        return Err(RuntimeError::list_index_type(kind_name_of(bound)?));
    };
    match usize::try_from(index) {
        Ok(position) if position <= length => Ok(position),
        _ => Err(RuntimeError::index_out_of_bounds(index, length)),
    }
}

define_shim! {
    /// `slice(xs, a, b)`, all borrowed: the List of elements `a..b` (end exclusive), sharing
    /// structure with `xs` (see `objects::list::slice_shared` for exactly what is shared;
    /// `slice(xs, 0, len(xs))` is `xs` itself, retained). Given a Text, the new Text of its
    /// scalars `a..b`, with the same bound rules (`objects::text_scalars::text_slice`).
    ///
    /// Errors, checked in argument order so the first offending argument is reported:
    /// - `xs` not a List or Text: RT0303 `type mismatch: slice expects a List or Text, got
    ///   {kind}`;
    /// - `a`, then `b`, not an Int: RT0101 `list index expects an Int, got {kind}`;
    /// - `a`, then `b`, outside `0..=len(xs)`: RT0103 `index out of bounds: index {i},
    ///   length {n}` (a bound may equal the length: `slice(xs, n, n)` is `[]`; negative
    ///   bounds are out of bounds, never counted from the end);
    /// - `a > b` (both in range): RT0103 on `a`, `index out of bounds: index {a}, length
    ///   {n}` — a reversed range is an error, never an empty list.
    fn rt_slice(context, list, start, end) {
        let heap = &mut context.heap;
        if Value(list).heap_kind() == Some(crate::value::Kind::Text) {
            return Ok(crate::objects::text_scalars::text_slice(heap, Value(list), Value(start), Value(end))?.bits());
        }
        if Value(list).heap_kind() != Some(crate::value::Kind::List) {
            return Err(RuntimeError::type_mismatch("slice", "a List or Text", kind_name_of(Value(list))?.as_str()));
        }
        let head = expect_list(heap, Value(list), "slice")?;
        let length = list::list_length(heap, head);
        let first = slice_bound(Value(start), length)?;
        let last = slice_bound(Value(end), length)?;
        if first > last {
            return Err(RuntimeError::index_out_of_bounds(first as i64, length));
        }
        Ok(list::slice_shared(heap, Value(list), first, last)?.bits())
    }
}

define_shim! {
    /// `reverse(xs owned)`: the List reversed, in place when `xs` is uniquely owned (no
    /// `cow`), node by node copied when shared. RT0303 `type mismatch: reverse expects a
    /// List, got {kind}` otherwise (`xs` released).
    fn rt_reverse(context, list) {
        Ok(list_update::reverse(&mut context.heap, Value(list))?.bits())
    }
}

define_shim! {
    /// `fail(msg borrowed)`: raises RT0900 whose message is the canonical form of `msg` (a
    /// Text raw, anything else as printed: `fail(42)` is `42`). Never returns a value.
    fn rt_fail(context, message) {
        let text = print::canonical_form_for_run(context, Value(message), true)?;
        Err(RuntimeError::failed(&text))
    }
}
