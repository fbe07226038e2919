//! `AiviErrorHandle`: an owned, reference-counted, heap-allocated diagnostic (code, message
//! and, when known, source line, column and byte span; a compile error holds all its
//! diagnostics) crossing the C boundary. Live boxes are tracked
//! in a registry, so retain, release and the accessors diagnose a dangling or forged handle
//! instead of reading it.

use std::ffi::{CString, c_char};
use std::marker::{PhantomData, PhantomPinned};

use super::boundary::{catch_abi_panic, catch_abi_panic_or};
use super::effect::parse_error_code;
use super::live_registry::LiveRegistry;
use super::runtime_lifecycle::{AiviRuntime, park_in_runtime};
use crate::error::{ErrorLocation, RuntimeError};

/// The opaque C type `struct AiviError`; only ever seen behind a pointer.
#[repr(C)]
pub struct AiviError {
    _opaque: [u8; 0],
    _not_send_sync_or_unpin: PhantomData<(*mut u8, PhantomPinned)>,
}

/// `typedef struct AiviError *AiviErrorHandle;` NULL means "no error".
/// `repr(transparent)`: passed and returned exactly like the C pointer.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AiviErrorHandle(pub *mut AiviError);

impl AiviErrorHandle {
    pub const NULL: AiviErrorHandle = AiviErrorHandle(std::ptr::null_mut());

    pub fn is_null(self) -> bool {
        self.0.is_null()
    }
}

/// What an error box holds. The code is text: a runtime code (`RT0502`) or, for an
/// embedder's compile-time diagnostic, an `E` code (`E0101`).
#[derive(Clone)]
struct Diagnostic {
    code_c: CString,
    message_c: CString,
    location: ErrorLocation,
    /// The byte range of the source it points at, when known (compile errors).
    span: Option<(usize, usize)>,
}

struct ErrorBox {
    /// Strong count; only read or written while the registry lock is held.
    strong: u32,
    diagnostic: Diagnostic,
    /// The diagnostics after the first of an error that has several (a compile error):
    /// empty for every other error.
    more: Vec<Diagnostic>,
}

/// One diagnostic of a list boxed by [`diagnostic_list_handle`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedDiagnostic {
    pub code: String,
    pub message: String,
    pub location: ErrorLocation,
    /// The byte range of the source it points at, when known.
    pub span: Option<(usize, usize)>,
}

static LIVE_ERRORS: LiveRegistry = LiveRegistry::new();

/// Reported by the accessors for a handle that is not a live error box.
const DEAD_HANDLE_CODE: &std::ffi::CStr = c"RT0404";
const DEAD_HANDLE_MESSAGE: &std::ffi::CStr = c"invalid heap reference: not a live error handle";

fn c_string_lossy(text: &str) -> CString {
    // Interior NULs (possible in `fail` messages) cannot cross as C strings.
    CString::new(text.replace('\0', "\u{FFFD}")).unwrap_or_default()
}

fn boxed_handle(diagnostic: Diagnostic) -> AiviErrorHandle {
    boxed_list_handle(diagnostic, Vec::new())
}

fn boxed_list_handle(diagnostic: Diagnostic, more: Vec<Diagnostic>) -> AiviErrorHandle {
    let pointer = Box::into_raw(Box::new(ErrorBox {
        strong: 1,
        diagnostic,
        more,
    }));
    LIVE_ERRORS.insert(pointer as usize);
    AiviErrorHandle(pointer.cast())
}

/// Boxes `error` as a new owned handle (strong count 1) with no source position.
pub fn error_handle_from(error: RuntimeError) -> AiviErrorHandle {
    error_handle_at(error, ErrorLocation::UNKNOWN)
}

/// Boxes `error` as a new owned handle that points at `location` in the script.
pub fn error_handle_at(error: RuntimeError, location: ErrorLocation) -> AiviErrorHandle {
    diagnostic_handle(error.code.as_str(), &error.message, location)
}

/// A new owned handle for any diagnostic: `code` may be a runtime code or an embedder's
/// compile-time code (`E0101`); `location` is where it points (or [`ErrorLocation::UNKNOWN`]).
pub fn diagnostic_handle(code: &str, message: &str, location: ErrorLocation) -> AiviErrorHandle {
    boxed_handle(Diagnostic {
        code_c: c_string_lossy(code),
        message_c: c_string_lossy(message),
        location,
        span: None,
    })
}

/// A new owned handle for several diagnostics (a compile error): the accessors read the
/// first, [`error_diagnostic_count`] and [`error_diagnostic_at`] reach each. `None` for an
/// empty list.
pub fn diagnostic_list_handle(list: &[ListedDiagnostic]) -> Option<AiviErrorHandle> {
    let boxed = |d: &ListedDiagnostic| Diagnostic {
        code_c: c_string_lossy(&d.code),
        message_c: c_string_lossy(&d.message),
        location: d.location,
        span: d.span,
    };
    let (first, rest) = list.split_first()?;
    Some(boxed_list_handle(
        boxed(first),
        rest.iter().map(boxed).collect(),
    ))
}

/// How many diagnostics the error behind a live handle holds: 1 except for a handle from
/// [`diagnostic_list_handle`].
pub fn error_diagnostic_count(handle: AiviErrorHandle) -> Result<usize, RuntimeError> {
    with_live_error(handle, |boxed| 1 + boxed.more.len())
}

/// A new owned handle for diagnostic `index` (0 is the first) of the error behind a live
/// handle; RT0103 past the last.
pub fn error_diagnostic_at(
    handle: AiviErrorHandle,
    index: usize,
) -> Result<AiviErrorHandle, RuntimeError> {
    let found = with_live_error(handle, |boxed| match index {
        0 => Ok(boxed.diagnostic.clone()),
        _ => boxed
            .more
            .get(index - 1)
            .cloned()
            .ok_or(1 + boxed.more.len()),
    })?;
    match found {
        Ok(diagnostic) => Ok(boxed_handle(diagnostic)),
        Err(count) => Err(RuntimeError::index_out_of_bounds(
            i64::try_from(index).unwrap_or(i64::MAX),
            count,
        )),
    }
}

/// The byte range the first diagnostic of a live handle points at (`None` when unknown).
pub fn error_span_of(handle: AiviErrorHandle) -> Result<Option<(usize, usize)>, RuntimeError> {
    with_live_error(handle, |boxed| boxed.diagnostic.span)
}

fn dead_handle_error(handle: AiviErrorHandle) -> RuntimeError {
    RuntimeError::invalid_reference(&format!(
        "error handle {:p} is not live (dangling, forged or already released)",
        handle.0
    ))
}

/// Runs `action` on the live box behind `handle` with the registry locked.
fn with_live_error<R>(
    handle: AiviErrorHandle,
    action: impl FnOnce(&mut ErrorBox) -> R,
) -> Result<R, RuntimeError> {
    let live = LIVE_ERRORS.lock();
    if !live.contains(&(handle.0 as usize)) {
        return Err(dead_handle_error(handle));
    }
    // SAFETY: the address is in LIVE_ERRORS, so it came from `Box::into_raw` in
    // `boxed_handle` and has not been freed (removal happens under this same lock,
    // which we hold), so it points to a valid, exclusively accessed ErrorBox.
    let boxed = unsafe { &mut *handle.0.cast::<ErrorBox>() };
    Ok(action(boxed))
}

/// A copy of the runtime error behind a live handle (the handle keeps its ownership). A
/// handle whose code is not a runtime code (an embedder's compile-time `E` code) is RT0303.
pub fn runtime_error_of(handle: AiviErrorHandle) -> Result<RuntimeError, RuntimeError> {
    let (code, message) = with_live_error(handle, |boxed| {
        (
            boxed.diagnostic.code_c.to_string_lossy().into_owned(),
            boxed.diagnostic.message_c.to_string_lossy().into_owned(),
        )
    })?;
    let runtime_code = parse_error_code(&code).ok_or_else(|| {
        RuntimeError::type_mismatch("runtime_error_of", "a runtime error code", &code)
    })?;
    Ok(RuntimeError::new(runtime_code, message))
}

/// Where the error behind a live handle points ([`ErrorLocation::UNKNOWN`] when it has no
/// source position).
pub fn error_location_of(handle: AiviErrorHandle) -> Result<ErrorLocation, RuntimeError> {
    with_live_error(handle, |boxed| boxed.diagnostic.location)
}

/// Retain: the same handle with one more strong reference. A count at `u32::MAX` yields a
/// fresh copy instead of overflowing. NULL in, NULL out.
pub fn error_handle_retain(handle: AiviErrorHandle) -> Result<AiviErrorHandle, RuntimeError> {
    if handle.is_null() {
        return Ok(AiviErrorHandle::NULL);
    }
    let saturated_copy = with_live_error(handle, |boxed| {
        if boxed.strong == u32::MAX {
            Some((boxed.diagnostic.clone(), boxed.more.clone()))
        } else {
            boxed.strong += 1;
            None
        }
    })?;
    Ok(match saturated_copy {
        Some((diagnostic, more)) => boxed_list_handle(diagnostic, more),
        None => handle,
    })
}

/// Clone: a new, independent box with count 1 holding an equal diagnostic.
pub fn error_handle_clone(handle: AiviErrorHandle) -> Result<AiviErrorHandle, RuntimeError> {
    if handle.is_null() {
        return Ok(AiviErrorHandle::NULL);
    }
    with_live_error(handle, |boxed| {
        (boxed.diagnostic.clone(), boxed.more.clone())
    })
    .map(|(diagnostic, more)| boxed_list_handle(diagnostic, more))
}

/// Release: drops one strong reference; the last one frees the box exactly once.
pub fn error_handle_release(handle: AiviErrorHandle) -> Result<(), RuntimeError> {
    if handle.is_null() {
        return Ok(());
    }
    let mut live = LIVE_ERRORS.lock();
    let address = handle.0 as usize;
    if !live.contains(&address) {
        return Err(dead_handle_error(handle));
    }
    // SAFETY: as in `with_live_error`: live, unfreed, and the lock we hold serialises access.
    let boxed = unsafe { &mut *handle.0.cast::<ErrorBox>() };
    boxed.strong -= 1;
    if boxed.strong == 0 {
        live.remove(&address);
        // SAFETY: the box came from `Box::into_raw`, its last strong reference is gone and it
        // was just removed from the registry, so nothing can reach it again.
        drop(unsafe { Box::from_raw(handle.0.cast::<ErrorBox>()) });
    }
    Ok(())
}

/// Number of live error boxes (for leak checks in tests and hosts).
pub fn live_error_handle_count() -> usize {
    LIVE_ERRORS.lock().len()
}

/// `AiviErrorHandle aivi_error_retain(AiviRuntime *rt, AiviErrorHandle error)`.
/// NULL in, NULL out. A dead handle returns NULL with RT0404 parked in `rt` (when `rt` is a
/// live runtime; error handles themselves need no runtime, so `rt` may be NULL).
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_error_retain(
    rt: *mut AiviRuntime,
    error: AiviErrorHandle,
) -> AiviErrorHandle {
    match catch_abi_panic(|| error_handle_retain(error)) {
        Ok(handle) => handle,
        Err(diagnostic) => {
            // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
            unsafe { park_in_runtime(rt, diagnostic) };
            AiviErrorHandle::NULL
        }
    }
}

/// `AiviErrorHandle aivi_error_clone(AiviRuntime *rt, AiviErrorHandle error)`: a new owned
/// handle with an equal code and message (and, for a compile error, equal diagnostics). Failure as for `aivi_error_retain`.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_error_clone(
    rt: *mut AiviRuntime,
    error: AiviErrorHandle,
) -> AiviErrorHandle {
    match catch_abi_panic(|| error_handle_clone(error)) {
        Ok(handle) => handle,
        Err(diagnostic) => {
            // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
            unsafe { park_in_runtime(rt, diagnostic) };
            AiviErrorHandle::NULL
        }
    }
}

/// `uint32_t aivi_error_release(AiviRuntime *rt, AiviErrorHandle error)`: 1 on success
/// (including NULL), 0 when the handle is not live (RT0404 parked in `rt` if given).
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_error_release(rt: *mut AiviRuntime, error: AiviErrorHandle) -> u32 {
    match catch_abi_panic(|| error_handle_release(error)) {
        Ok(()) => 1,
        Err(diagnostic) => {
            // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
            unsafe { park_in_runtime(rt, diagnostic) };
            0
        }
    }
}

/// `const char *aivi_error_code(AiviErrorHandle error)`: the code (`"RT0601"`), valid until
/// the handle's last release. NULL for NULL; `"RT0404"` for a handle that is not live.
#[unsafe(no_mangle)]
pub extern "C" fn aivi_error_code(error: AiviErrorHandle) -> *const c_char {
    if error.is_null() {
        return std::ptr::null();
    }
    catch_abi_panic_or(DEAD_HANDLE_CODE.as_ptr(), || {
        with_live_error(error, |boxed| boxed.diagnostic.code_c.as_ptr())
            .unwrap_or(DEAD_HANDLE_CODE.as_ptr())
    })
}

/// `const char *aivi_error_message(AiviErrorHandle error)`: the one-line message, valid
/// until the handle's last release. NULL for NULL; an RT0404 text for a dead handle.
#[unsafe(no_mangle)]
pub extern "C" fn aivi_error_message(error: AiviErrorHandle) -> *const c_char {
    if error.is_null() {
        return std::ptr::null();
    }
    catch_abi_panic_or(DEAD_HANDLE_MESSAGE.as_ptr(), || {
        with_live_error(error, |boxed| boxed.diagnostic.message_c.as_ptr())
            .unwrap_or(DEAD_HANDLE_MESSAGE.as_ptr())
    })
}

/// `uint32_t aivi_error_line(AiviErrorHandle error)`: the 1-based source line the error
/// points at; 0 when it has no position (most handle-API errors), for NULL and for a handle
/// that is not live.
#[unsafe(no_mangle)]
pub extern "C" fn aivi_error_line(error: AiviErrorHandle) -> u32 {
    catch_abi_panic_or(0, || {
        error_location_of(error).map_or(0, |location| location.line)
    })
}

/// `uint32_t aivi_error_column(AiviErrorHandle error)`: the 1-based source column (in
/// characters); 0 as for `aivi_error_line`.
#[unsafe(no_mangle)]
pub extern "C" fn aivi_error_column(error: AiviErrorHandle) -> u32 {
    catch_abi_panic_or(0, || {
        error_location_of(error).map_or(0, |location| location.column)
    })
}
