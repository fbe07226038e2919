//! Definitions of every runtime shim listed in `abi::shim_list`, one file per object kind.
//! Each shim body runs inside [`guard`], which turns a panic into a parked RT0001 so nothing
//! unwinds across the `extern "C"` boundary.

use crate::context::Context;
use crate::error::RuntimeError;

mod scaffold;
pub use scaffold::*;

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
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".to_string());
            context.raise(RuntimeError::internal(&detail))
        }
    }
}
