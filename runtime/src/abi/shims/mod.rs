//! Definitions of every runtime shim listed in `abi::shim_list`, one file per object kind.
//! Each shim body runs inside [`guard`], which turns a panic into a parked RT0001 so nothing
//! unwinds across the `extern "C"` boundary.
//!
//! Ownership follows `shim_list` and lang's `Builtin::param_modes`: owned arguments are
//! consumed whether the shim succeeds or fails; borrowed ones are untouched.

use crate::abi::handles::boundary::panic_detail;
use crate::context::Context;
use crate::error::RuntimeError;
use crate::value::Value;

/// Defines one `unsafe extern "C"` shim whose body runs inside [`guard`] with the context
/// bound to `$context` and every argument as a `u64`.
macro_rules! define_shim {
    ($(#[$doc:meta])* fn $name:ident($context:ident $(, $arg:ident)*) $body:block) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// `ctx` must satisfy the contract of [`guard`](crate::abi::shims::guard).
        #[unsafe(no_mangle)] // C hosts link shims by name (include/aivi_value_abi.h)
        pub unsafe extern "C" fn $name(ctx: *mut crate::context::Context $(, $arg: u64)*) -> u64 {
            // SAFETY: the caller upholds `guard`'s contract (this function's `# Safety`).
            unsafe {
                crate::abi::shims::guard(
                    ctx,
                    |$context: &mut crate::context::Context| -> Result<u64, crate::error::RuntimeError> { $body },
                )
            }
        }
    };
}

/// Defines one `unsafe extern "C"` shim that may call closures back (sequence pulls): its
/// body gets the raw context pointer, runs inside [`guard_reentrant`], and must not hold a
/// `&mut Context` across [`crate::abi::invoke::call_closure`].
macro_rules! define_reentrant_shim {
    ($(#[$doc:meta])* fn $name:ident($context:ident $(, $arg:ident)*) $body:block) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// `ctx` must satisfy the contract of [`guard`](crate::abi::shims::guard).
        #[unsafe(no_mangle)] // C hosts link shims by name (include/aivi_value_abi.h)
        pub unsafe extern "C" fn $name(ctx: *mut crate::context::Context $(, $arg: u64)*) -> u64 {
            // SAFETY: the caller upholds `guard`'s contract (this function's `# Safety`).
            unsafe {
                crate::abi::shims::guard_reentrant(
                    ctx,
                    |$context: *mut crate::context::Context| -> Result<u64, crate::error::RuntimeError> { $body },
                )
            }
        }
    };
}

mod arith;
mod bits;
mod builtins;
mod closure;
mod compare;
mod containers;
pub(crate) mod control;
mod gathered_literal;
mod index;
mod list;
mod list_sort;
mod map;
mod math;
mod math_float;
mod random;
mod rc;
pub(crate) mod refs;
mod seq;
mod seq_fused;
mod seq_group;
mod seq_search;
mod text;
mod text_format;
mod text_parse;
mod text_search;
mod tuple;
#[cfg(test)]
mod tuple_tests;

pub use arith::*;
pub use bits::*;
pub use builtins::*;
pub use closure::*;
pub use compare::*;
pub use containers::*;
pub use control::*;
pub use gathered_literal::*;
pub use index::*;
pub use list::*;
pub use list_sort::*;
pub use map::*;
pub use math::*;
pub use math_float::*;
pub use random::*;
pub use rc::*;
pub use refs::*;
pub use seq::*;
pub use seq_fused::*;
pub use seq_group::*;
pub use seq_search::*;
pub use text::*;
pub use text_format::*;
pub use text_parse::*;
pub use text_search::*;
pub use tuple::*;

/// Runs a shim body with the context, catching panics. Returns the body's word, or 0 with
/// an error parked.
///
/// # Safety
/// `ctx` must be the pointer an engine obtained from [`Context::as_ptr`] for the current
/// run, valid and not aliased by another `&mut` for the duration of the call.
#[inline]
pub unsafe fn guard(
    ctx: *mut Context,
    body: impl FnOnce(&mut Context) -> Result<u64, RuntimeError>,
) -> u64 {
    // SAFETY: the caller guarantees `ctx` is valid and unaliased for this call (see # Safety).
    let context = unsafe { &mut *ctx };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(&mut *context))) {
        Ok(Ok(word)) => word,
        Ok(Err(error)) => context.raise(error),
        Err(panic) => context.raise(RuntimeError::internal(&panic_detail(panic.as_ref()))),
    }
}

/// [`guard`] for shims that may re-enter the engine (through the closure invoker): the body
/// receives the raw context pointer and borrows the context only for short stretches that
/// never span a closure call.
///
/// # Safety
/// As for [`guard`].
#[inline]
pub unsafe fn guard_reentrant(
    ctx: *mut Context,
    body: impl FnOnce(*mut Context) -> Result<u64, RuntimeError>,
) -> u64 {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(ctx)));
    // SAFETY: the body has returned, so no borrow of the context it made is live; the
    // caller guarantees `ctx` is valid and unaliased for this call.
    let context = unsafe { &mut *ctx };
    match outcome {
        Ok(Ok(word)) => word,
        Ok(Err(error)) => context.raise(error),
        Err(panic) => context.raise(RuntimeError::internal(&panic_detail(panic.as_ref()))),
    }
}

/// Releases an owned word on a path that cannot report errors; an integrity violation is
/// recorded in `ctx.heap.integrity_violations` (never ignored).
#[inline]
pub fn release_recording(context: &mut Context, word: Value) {
    if let Err(error) = crate::objects::release(&mut context.heap, word) {
        context.heap.integrity_violations.push(error.to_string());
    }
}

/// The `count` words starting at `ptr`, read in place (no host allocation).
///
/// # Safety
/// When `count > 0`, `ptr` must point to `count` readable, initialised `u64` words that stay
/// valid and unchanged for `'a` (the engines' argument arrays, alive for the shim call).
pub unsafe fn words_in_place<'a>(ptr: u64, count: u64) -> Result<&'a [Value], RuntimeError> {
    if count == 0 {
        return Ok(&[]);
    }
    if ptr == 0 {
        return Err(RuntimeError::internal(
            "null word array with a non-zero count",
        ));
    }
    // SAFETY: the caller guarantees `ptr` points to `count` initialised u64 words alive for
    // `'a`; `Value` is `#[repr(transparent)]` over `u64`, so the slices have one layout.
    Ok(unsafe { std::slice::from_raw_parts(ptr as *const Value, count as usize) })
}

/// Reads `count` words starting at `ptr`.
///
/// # Safety
/// When `count > 0`, `ptr` must point to `count` readable, initialised `u64` words.
pub unsafe fn read_words(ptr: u64, count: u64) -> Result<Vec<Value>, RuntimeError> {
    if count == 0 {
        return Ok(Vec::new());
    }
    if ptr == 0 {
        return Err(RuntimeError::internal(
            "null word array with a non-zero count",
        ));
    }
    // SAFETY: the caller guarantees `ptr` points to `count` initialised u64 words.
    let words = unsafe { std::slice::from_raw_parts(ptr as *const u64, count as usize) };
    Ok(words.iter().map(|&w| Value(w)).collect())
}
