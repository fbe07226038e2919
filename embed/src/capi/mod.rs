//! The C API (`include/cairn.h`): engines, host functions, compilation, runtimes with limits,
//! calls by name with value handles, cancellation, and the value readers the Value ABI header
//! (`include/aivi_value_abi.h`) lacks. Every function is `extern "C"`, null-safe, and runs its
//! body under `catch_unwind`; a NULL, released, forged or wrong-kind handle is an error
//! result (RT0404 / RT0303), never undefined behaviour or an abort of the host.
//!
//! **One runtime pointer.** A C runtime is a [`crate::Runtime`] whose context is *lent* to the
//! Value ABI's handle API (`cairn_runtime::abi::handles::runtime_lifecycle::lend_runtime`):
//! `cairn_runtime_new` returns that context as an `AiviRuntime *`, so the same pointer builds
//! argument values (`aivi_value_*`), calls (`cairn_call`), reads results, takes parked errors
//! (`aivi_runtime_take_error`) and is what host functions receive. `aivi_runtime_free`
//! refuses it; `cairn_runtime_free` withdraws and frees it.
//!
//! **Error model.** Functions that take a runtime report failures the Value ABI way: a NULL /
//! 0 / `SIZE_MAX` result with the error parked in the runtime (the first parked error is kept
//! until taken). Functions without a runtime (engines, compilation, runtime creation) write an
//! owned `AiviErrorHandle` to an optional `error_out`. A failed call's error carries its
//! source line and column (`aivi_error_line` / `aivi_error_column`), as does a compile error,
//! whose code is the compiler's `E` code; a compile error holds every diagnostic of the
//! compilation (`compile_error.rs`).
//!
//! **Threading.** Engines, modules and cancel handles are thread-safe (every use checks the pointer
//! against a registry under its lock). A runtime is used by one thread at a time (docs/ABI.md,
//! "Threading"); a call and its host functions run on the calling thread (the engines switch to a
//! stack segment sized for the call-depth limit when the thread's own is too small).
//!
//! Files: `engine.rs` (engines, registration, compilation), `compile_error.rs` (each
//! diagnostic of a compile error), `host.rs` (the C host-function
//! body, closure callbacks, `cairn_effect_fail`), `host_object.rs` (host types, methods and
//! objects), `module.rs`, `runtime.rs` (runtimes, calls,
//! cancellation, output), `values.rs` (readers and the Map constructor).

use std::ffi::{CStr, c_char};

use cairn_runtime::abi::handles::AiviErrorHandle;
use cairn_runtime::abi::handles::error::{diagnostic_handle, error_handle_from};
use cairn_runtime::abi::handles::live_registry::LiveRegistry;
use cairn_runtime::{ErrorCode, ErrorLocation, RuntimeError};

pub mod compile_error;
pub mod engine;
pub mod host;
pub mod host_object;
pub mod module;
pub mod runtime;
pub mod values;

pub use engine::{CairnEngine, CairnFreeFn, CairnHostFn};
pub use module::CairnModule;
pub use runtime::{CairnCancel, CairnLimits};

/// `CAIRN_ENGINE_INTERPRETER`: the engine kind of `cairn_engine_new(0)`.
pub const CAIRN_ENGINE_INTERPRETER: u32 = 0;
/// `CAIRN_ENGINE_JIT`: the engine kind of `cairn_engine_new(1)`.
pub const CAIRN_ENGINE_JIT: u32 = 1;

/// An API misuse that is not a bad handle: RT0001 with `message` as it is (the facade's
/// `RunError::api` convention: no "internal runtime error" prefix).
pub(crate) fn misuse(message: impl Into<String>) -> RuntimeError {
    RuntimeError::new(ErrorCode::RT0001, message)
}

/// Reads a NUL-terminated UTF-8 C string argument named `what` of `function`: RT0404 for
/// NULL, RT0303 for invalid UTF-8.
///
/// # Safety
/// `text` is NULL or points to a NUL-terminated string valid for the call.
pub(crate) unsafe fn c_str_arg<'a>(
    function: &str,
    what: &str,
    text: *const c_char,
) -> Result<&'a str, RuntimeError> {
    if text.is_null() {
        return Err(RuntimeError::invalid_reference(&format!(
            "{function}: {what} is NULL"
        )));
    }
    // SAFETY: non-NULL and NUL-terminated per this function's contract.
    let bytes = unsafe { CStr::from_ptr(text) };
    bytes
        .to_str()
        .map_err(|_| RuntimeError::type_mismatch(function, "UTF-8 text", "invalid UTF-8"))
}

/// The `len` bytes of argument `what` of `function` (NULL is fine for `len == 0`; else
/// RT0404).
///
/// # Safety
/// `bytes` is NULL with `len == 0` or points to `len` readable bytes valid for the call.
pub(crate) unsafe fn c_raw_bytes_arg<'a>(
    function: &str,
    what: &str,
    bytes: *const c_char,
    len: usize,
) -> Result<&'a [u8], RuntimeError> {
    Ok(if len == 0 {
        &[]
    } else if bytes.is_null() {
        return Err(RuntimeError::invalid_reference(&format!(
            "{function}: {what} is NULL but its length is {len}"
        )));
    } else {
        // SAFETY: non-NULL with `len` readable bytes per this function's contract.
        unsafe { std::slice::from_raw_parts(bytes.cast::<u8>(), len) }
    })
}

/// Writes the outcome of a runtime-less function to its optional `error_out`: NULL on
/// success, else an owned handle (released at once when the caller passed no `error_out`).
///
/// # Safety
/// `error_out` is NULL or points to a writable `AiviErrorHandle`.
pub(crate) unsafe fn report(error_out: *mut AiviErrorHandle, error: Option<AiviErrorHandle>) {
    let handle = error.unwrap_or(AiviErrorHandle::NULL);
    if error_out.is_null() {
        if !handle.is_null() {
            let _ = cairn_runtime::abi::handles::error::error_handle_release(handle);
        }
        return;
    }
    // SAFETY: non-NULL and writable per this function's contract.
    unsafe { *error_out = handle };
}

/// The `uint32_t` result of a registration-style function: 1 on success, else 0 with the
/// error reported to `error_out` as [`report`] does.
///
/// # Safety
/// As [`report`]: `error_out` is NULL or writable.
pub(crate) unsafe fn report_outcome<T>(
    error_out: *mut AiviErrorHandle,
    outcome: Result<T, cairn_runtime::RuntimeError>,
) -> u32 {
    let error = outcome.err().map(error_handle);
    let succeeded = u32::from(error.is_none());
    // SAFETY: forwarded from this function's contract.
    unsafe { report(error_out, error) };
    succeeded
}

/// An owned handle for a runtime error (no source position).
pub(crate) fn error_handle(error: RuntimeError) -> AiviErrorHandle {
    error_handle_from(error)
}

/// An owned handle for a diagnostic with any code and a source position.
pub(crate) fn located_error_handle(
    code: &str,
    message: &str,
    line: usize,
    column: usize,
) -> AiviErrorHandle {
    let location = ErrorLocation {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(column).unwrap_or(u32::MAX),
    };
    diagnostic_handle(code, message, location)
}

/// The box behind a registered pointer, with the registry locked for `action` (so a
/// concurrent free on another thread waits, and a freed pointer is never dereferenced).
/// RT0404 naming `what` when `pointer` is NULL or not live.
///
/// # Safety
/// Every address in `registry` came from `Box::<T>::into_raw` and is removed from it (under
/// its lock) before that box is freed.
pub(crate) unsafe fn with_registered<T, R>(
    registry: &LiveRegistry,
    what: &str,
    pointer: *const T,
    action: impl FnOnce(&T) -> R,
) -> Result<R, RuntimeError> {
    if pointer.is_null() {
        return Err(RuntimeError::invalid_reference(&format!("{what} is NULL")));
    }
    let live = registry.lock();
    if !live.contains(&(pointer as usize)) {
        return Err(RuntimeError::invalid_reference(&format!(
            "{what} {pointer:p} is not live (never created, forged or already freed)"
        )));
    }
    // SAFETY: registered, hence a live box (this function's contract), and the lock we hold
    // keeps it from being freed while `action` runs.
    Ok(action(unsafe { &*pointer }))
}

/// Registers a new box and returns its pointer.
pub(crate) fn register_box<T>(registry: &LiveRegistry, value: T) -> *mut T {
    let pointer = Box::into_raw(Box::new(value));
    registry.insert(pointer as usize);
    pointer
}

/// Unregisters and frees a box: 1, or 0 when `pointer` is not live (nothing is touched).
/// NULL is a no-op returning 1.
///
/// # Safety
/// As for [`with_registered`].
pub(crate) unsafe fn free_registered<T>(registry: &LiveRegistry, pointer: *mut T) -> u32 {
    if pointer.is_null() {
        return 1;
    }
    if !registry.remove(pointer as usize) {
        return 0;
    }
    // SAFETY: it was registered (a box from `register_box`) and is now unregistered, so this
    // is its only release.
    drop(unsafe { Box::from_raw(pointer) });
    1
}
