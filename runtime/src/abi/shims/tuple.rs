//! Tuple shims: tuple literals and the shape check of tuple destructuring.

use crate::context::Context;
use crate::error::RuntimeError;
use crate::objects::kind_name_of;
use crate::objects::tuple::{length_of, slots_from_slice};
use crate::value::{Kind, UNIT_WORD, Value};

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
            let items = super::words_in_place(ptr, count)?;
            Ok(slots_from_slice(&mut context.heap, Kind::Tuple, items)?.bits())
        })
    }
}

/// `n element(s)`, singular for one.
fn element_count(n: usize) -> String {
    if n == 1 {
        "1 element".to_string()
    } else {
        format!("{n} elements")
    }
}

define_shim! {
    /// The check of a tuple pattern `(a, b) = value`: `value` and `arity` (an Int) are both
    /// borrowed. Returns Unit when `value` is a Tuple of exactly `arity` elements; otherwise
    /// RT0303 `type mismatch: tuple pattern expects a Tuple of N elements, got X`, where X
    /// is `Tuple of M elements` for a Tuple of another length and the kind name otherwise.
    /// An `arity` that is not a non-negative Int is malformed IR (RT0001).
    fn rt_expect_tuple_arity(context, value, arity) {
        let Some(expected) = Value(arity).as_int().and_then(|n| usize::try_from(n).ok()) else {
            return Err(RuntimeError::internal(&format!(
                "rt_expect_tuple_arity: arity word {arity:#018x} is not a non-negative Int"
            )));
        };
        let word = Value(value);
        let got = if word.heap_kind() == Some(Kind::Tuple) {
            let length = length_of(&context.heap, word)?;
            if length == expected {
                return Ok(UNIT_WORD);
            }
            format!("Tuple of {}", element_count(length))
        } else {
            kind_name_of(word)?.as_str().to_string()
        };
        Err(RuntimeError::type_mismatch(
            "tuple pattern",
            &format!("a Tuple of {}", element_count(expected)),
            &got,
        ))
    }
}
