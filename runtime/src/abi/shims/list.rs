//! List shims: literals, spread, and the `push` / `pop` / `set` builtins. Updates are in
//! place when the list is uniquely owned and path-copying (`cow`) when shared.

use crate::context::Context;
use crate::objects::{list, list_update};
use crate::value::Value;

/// A List from `count` owned words at `ptr` (all consumed, also on failure).
///
/// # Safety
/// `ctx` must satisfy the contract of [`guard`](super::guard); when `count > 0`, `ptr` must
/// point to `count` initialised `u64` words.
#[unsafe(no_mangle)] // C hosts link shims by name (include/aivi_value_abi.h)
pub unsafe extern "C" fn rt_list_from(ctx: *mut Context, ptr: u64, count: u64) -> u64 {
    // SAFETY: `ctx` and the word array per this function's `# Safety`.
    unsafe {
        super::guard(ctx, |context| {
            let items = super::read_words(ptr, count)?;
            Ok(list::list_from_values(&mut context.heap, items)?.bits())
        })
    }
}

define_shim! {
    /// `[...other]` appended to `list`: `list` owned, `other` borrowed (RT0303 when either
    /// is not a List).
    fn rt_list_extend(context, list, other) {
        Ok(list_update::extend(&mut context.heap, Value(list), Value(other))?.bits())
    }
}

define_shim! {
    /// `push(list, value)`: both owned. RT0303 `push expects a List, got X`.
    fn rt_push(context, list, value) {
        Ok(list_update::push(&mut context.heap, Value(list), Value(value))?.bits())
    }
}

define_shim! {
    /// `pop(list)`: owned. `pop([])` is RT0107 `pop from an empty list`.
    fn rt_pop(context, list) {
        Ok(list_update::pop(&mut context.heap, Value(list))?.bits())
    }
}

define_shim! {
    /// `set(list, index, value)`: list owned, index borrowed, value owned (RT0101/RT0103).
    fn rt_set(context, list, index, value) {
        Ok(list_update::set(&mut context.heap, Value(list), Value(index), Value(value))?.bits())
    }
}
