//! Tuple shims: tuple literals.

use crate::context::Context;
use crate::objects::tuple::tuple_from_values;
use crate::value::Value;

/// A Tuple from `count` owned words at `ptr` (all consumed, also on failure). A 0-tuple is
/// the Unit value `()` (the language has no separate empty tuple), with nothing allocated.
///
/// # Safety
/// `ctx` must satisfy the contract of [`guard`](super::guard); when `count > 0`, `ptr` must
/// point to `count` initialised `u64` words.
#[unsafe(no_mangle)] // C hosts link shims by name (include/aivi_value_abi.h)
pub unsafe extern "C" fn rt_tuple_from(ctx: *mut Context, ptr: u64, count: u64) -> u64 {
    // SAFETY: `ctx` and the word array per this function's `# Safety`.
    unsafe {
        super::guard(ctx, |context| {
            if count == 0 {
                return Ok(Value::UNIT.bits());
            }
            let items = super::read_words(ptr, count)?;
            Ok(tuple_from_values(&mut context.heap, items)?.bits())
        })
    }
}
