//! The minimal C-callable runtime lifecycle: `AiviRuntime` is the C name of a
//! [`Context`] (so the same pointer is the `ctx` argument of every `rt_*` shim), plus
//! creation, destruction, the parked-error bridge and heap occupancy for hosts and tests.
//!
//! A context owned by an embedder (the `cairn` crate's C API wraps one in its `Runtime`) can
//! be *lent* to the handle API with [`lend_runtime`]: every `aivi_*` function then accepts
//! it as `AiviRuntime *`, but `aivi_runtime_free` refuses it (its owner frees it, after
//! [`withdraw_runtime`]).

use super::boundary::{catch_abi_panic, catch_abi_panic_or};
use super::effect::forget_effects_of_context;
use super::error::{AiviErrorHandle, error_handle_at};
use super::live_registry::LiveRegistry;
use crate::context::{Context, Limits};
use crate::error::{ErrorLocation, RuntimeError};

/// `typedef struct AiviRuntime AiviRuntime;` in C: the run context itself.
pub type AiviRuntime = Context;

static LIVE_RUNTIMES: LiveRegistry = LiveRegistry::new();

/// Contexts lent to the handle API by their owner ([`lend_runtime`]); never freed here.
static LENT_RUNTIMES: LiveRegistry = LiveRegistry::new();

/// Lends `context` to the handle API: from now on every `aivi_*` function (and every effect
/// bound to it) accepts it as `AiviRuntime *`, until [`withdraw_runtime`].
/// `aivi_runtime_free` refuses a lent context (it returns 0 and touches nothing).
///
/// # Safety
/// `context` points to a valid [`Context`] that stays at that address, and is not destroyed
/// before [`withdraw_runtime`] is called for it. While lent it is used by one thread at a
/// time: through the handle API, or by its owner when no handle-API call is running.
pub unsafe fn lend_runtime(context: *mut Context) {
    LENT_RUNTIMES.insert(context as usize);
}

/// Ends a lend: the handle API no longer accepts `context`, and effect handles bound to it
/// are detached (a later `aivi_effect_raise` reports instead of reaching it). `false` when
/// `context` was not lent.
pub fn withdraw_runtime(context: *mut Context) -> bool {
    let withdrawn = LENT_RUNTIMES.remove(context as usize);
    if withdrawn {
        forget_effects_of_context(context);
    }
    withdrawn
}

/// The context behind `rt`, or RT0404 when `rt` is NULL or not a runtime created by
/// [`aivi_runtime_new`] and not yet freed.
///
/// # Safety
/// The caller must not hold another reference to the same runtime while using the result
/// (one runtime is used by one thread at a time, docs/ABI.md, "Threading").
pub unsafe fn live_runtime<'a>(rt: *mut AiviRuntime) -> Result<&'a mut Context, RuntimeError> {
    if rt.is_null() {
        return Err(RuntimeError::invalid_reference("runtime pointer is NULL"));
    }
    if !LIVE_RUNTIMES.contains(rt as usize) && !LENT_RUNTIMES.contains(rt as usize) {
        return Err(RuntimeError::invalid_reference(&format!(
            "runtime {rt:p} is not live (never created or already freed)"
        )));
    }
    // SAFETY: the address is registered, so it came from `Box::into_raw` in
    // `aivi_runtime_new` and has not been freed, or it was lent by its owner, who keeps it
    // valid until it withdraws it (`lend_runtime`'s contract); exclusivity is the caller's
    // contract.
    Ok(unsafe { &mut *rt })
}

/// Parks `error` in `rt` when it is a live runtime (keeping an earlier parked error).
/// With no live runtime there is nowhere to park it; the caller's return value (NULL / 0)
/// is then the only report, as documented for each function.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
pub unsafe fn park_in_runtime(rt: *mut AiviRuntime, error: RuntimeError) {
    // SAFETY: the handle API is called by the runtime's own thread with no Rust borrow of
    // the context outstanding (the C host holds only the raw pointer).
    if let Ok(context) = unsafe { live_runtime(rt) } {
        context.raise(error);
    }
}

/// `AiviRuntime *aivi_runtime_new(uint32_t heap_blocks)`: a runtime with a heap of `heap_blocks`
/// blocks (1..=`MAX_HEAP_BLOCKS`, 67,107,840 = 4 GiB) and default limits. NULL when the heap cannot
/// be made.
#[unsafe(no_mangle)]
pub extern "C" fn aivi_runtime_new(heap_blocks: u32) -> *mut AiviRuntime {
    catch_abi_panic_or(std::ptr::null_mut(), || {
        let limits = Limits {
            heap_blocks,
            ..Limits::default()
        };
        match Context::new(limits) {
            Ok(context) => {
                let pointer = Box::into_raw(Box::new(context));
                LIVE_RUNTIMES.insert(pointer as usize);
                pointer
            }
            Err(_) => std::ptr::null_mut(),
        }
    })
}

/// `uint32_t aivi_runtime_free(AiviRuntime *rt)`: destroys the runtime and its heap (every
/// value handle into it becomes dead; effect handles bound to it stop reaching it).
/// 1 on success or for NULL, 0 when `rt` is not a live runtime made by `aivi_runtime_new`
/// (nothing is touched). A lent runtime, such as `cairn_runtime_new`'s, is freed by its owner:
/// for one, 0 with RT0001 `aivi_runtime_free: this runtime is lent by its owner (a
/// cairn_runtime_new runtime is freed with cairn_runtime_free)` parked in it.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_runtime_free(rt: *mut AiviRuntime) -> u32 {
    if rt.is_null() {
        return 1;
    }
    catch_abi_panic_or(0, || {
        if !LIVE_RUNTIMES.remove(rt as usize) {
            if LENT_RUNTIMES.contains(rt as usize) {
                // SAFETY: lent and so live; exclusivity is the caller's contract.
                if let Ok(context) = unsafe { live_runtime(rt) } {
                    context.raise(RuntimeError::new(
                        crate::error::ErrorCode::RT0001,
                        "aivi_runtime_free: this runtime is lent by its owner (a \
                         cairn_runtime_new runtime is freed with cairn_runtime_free)",
                    ));
                }
            }
            return 0;
        }
        forget_effects_of_context(rt);
        // SAFETY: `rt` was live (registered by `aivi_runtime_new` from `Box::into_raw`) and
        // is now unregistered, so this is the only release of that box.
        drop(unsafe { Box::from_raw(rt) });
        1
    })
}

/// `uint32_t aivi_runtime_blocks_in_use(AiviRuntime *rt)`: allocated heap blocks;
/// `UINT32_MAX` (never a block count: a heap has at most `MAX_HEAP_BLOCKS`) when `rt` is NULL
/// or not a live runtime (never created, freed, forged).
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_runtime_blocks_in_use(rt: *mut AiviRuntime) -> u32 {
    catch_abi_panic_or(u32::MAX, || {
        // SAFETY: called from the runtime's thread; no other borrow is live.
        match unsafe { live_runtime(rt) } {
            Ok(context) => context.heap.blocks_in_use(),
            Err(_) => u32::MAX,
        }
    })
}

/// `AiviErrorHandle aivi_runtime_take_error(AiviRuntime *rt)`: the parked error as an owned
/// handle (and clears it), NULL when none is parked. The handle carries the error's source
/// line and column when whoever parked it knew them (`Context::raise_at`). For a dead `rt`,
/// an RT0404 handle.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_runtime_take_error(rt: *mut AiviRuntime) -> AiviErrorHandle {
    let outcome = catch_abi_panic(|| {
        // SAFETY: called from the runtime's thread; no other borrow is live.
        let context = unsafe { live_runtime(rt) }?;
        let location = context.pending_location();
        Ok(context
            .take_error()
            .map(|(error, _frames)| (error, location)))
    });
    match outcome {
        Ok(Some((error, location))) => error_handle_at(error, location),
        Err(error) => error_handle_at(error, ErrorLocation::UNKNOWN),
        Ok(None) => AiviErrorHandle::NULL,
    }
}

/// `uint32_t aivi_runtime_cancel(AiviRuntime *rt)`: requests cancellation (RT0503 at the
/// next fuel point; visible to host functions through `aivi_effect_is_cancelled`).
/// 1 on success, 0 when `rt` is not a live runtime.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_runtime_cancel(rt: *mut AiviRuntime) -> u32 {
    catch_abi_panic_or(0, || {
        // SAFETY: called from the runtime's thread; no other borrow is live.
        match unsafe { live_runtime(rt) } {
            Ok(context) => {
                context.cancel.cancel();
                1
            }
            Err(_) => 0,
        }
    })
}

/// Runs `body` with the live context behind `rt` under the panic guard. On failure (dead
/// runtime, error, panic) parks the error in `rt` when possible and returns `failure`.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
pub unsafe fn with_live_runtime<T>(
    rt: *mut AiviRuntime,
    failure: T,
    body: impl FnOnce(&mut Context) -> Result<T, RuntimeError>,
) -> T {
    let outcome = catch_abi_panic(|| {
        // SAFETY: the handle API is called from the runtime's thread while no Rust borrow
        // of the context is outstanding (the C host holds only the raw pointer).
        let context = unsafe { live_runtime(rt) }?;
        body(context)
    });
    match outcome {
        Ok(result) => result,
        Err(error) => {
            // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
            unsafe { park_in_runtime(rt, error) };
            failure
        }
    }
}
