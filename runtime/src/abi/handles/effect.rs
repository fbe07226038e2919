//! `AiviEffectHandle`: what a host function receives at the effect boundary. It carries the
//! runtime context so the host can raise an error into the run and observe cancellation.
//! Boxes are reference counted and registry-checked; freeing a runtime detaches every
//! effect bound to it, so a late raise is reported instead of touching freed memory.

use std::ffi::{CStr, c_char};
use std::marker::{PhantomData, PhantomPinned};

use super::boundary::{catch_abi_panic, catch_abi_panic_or};
use super::live_registry::LiveRegistry;
use super::runtime_lifecycle::{AiviRuntime, live_runtime, park_in_runtime};
use crate::context::{CancelHandle, Context};
use crate::error::{ErrorCode, RuntimeError};

/// The opaque C type `struct AiviEffect`.
#[repr(C)]
pub struct AiviEffect {
    _opaque: [u8; 0],
    _not_send_sync_or_unpin: PhantomData<(*mut u8, PhantomPinned)>,
}

/// `typedef struct AiviEffect *AiviEffectHandle;` NULL means "no effect".
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AiviEffectHandle(pub *mut AiviEffect);

impl AiviEffectHandle {
    pub const NULL: AiviEffectHandle = AiviEffectHandle(std::ptr::null_mut());

    pub fn is_null(self) -> bool {
        self.0.is_null()
    }
}

struct EffectBox {
    /// Strong count; only touched with the registry lock held.
    strong: u32,
    /// The bound context; NULL once detached (runtime freed or scope ended).
    context: *mut Context,
    cancel: CancelHandle,
}

static LIVE_EFFECTS: LiveRegistry = LiveRegistry::new();

fn new_effect_box(context: *mut Context, cancel: CancelHandle) -> AiviEffectHandle {
    let pointer = Box::into_raw(Box::new(EffectBox {
        strong: 1,
        context,
        cancel,
    }));
    LIVE_EFFECTS.insert(pointer as usize);
    AiviEffectHandle(pointer.cast())
}

fn dead_effect_error(handle: AiviEffectHandle) -> RuntimeError {
    RuntimeError::invalid_reference(&format!(
        "effect handle {:p} is not live (dangling, forged or already released)",
        handle.0
    ))
}

fn with_live_effect<R>(
    handle: AiviEffectHandle,
    action: impl FnOnce(&mut EffectBox) -> R,
) -> Result<R, RuntimeError> {
    let live = LIVE_EFFECTS.lock();
    if !live.contains(&(handle.0 as usize)) {
        return Err(dead_effect_error(handle));
    }
    // SAFETY: registered addresses come from `Box::into_raw` in `new_effect_box` and are
    // unregistered (under this lock, which we hold) before being freed.
    let boxed = unsafe { &mut *handle.0.cast::<EffectBox>() };
    Ok(action(boxed))
}

/// Detaches every effect bound to `context` (called before that context is destroyed).
pub fn forget_effects_of_context(context: *mut Context) {
    let live = LIVE_EFFECTS.lock();
    for &address in live.iter() {
        // SAFETY: every registered address is a live EffectBox (see `with_live_effect`),
        // and the lock we hold serialises access to it.
        let boxed = unsafe { &mut *(address as *mut EffectBox) };
        if boxed.context == context {
            boxed.context = std::ptr::null_mut();
        }
    }
}

/// An effect handle bound to a context for the duration of one host call. Dropping the
/// scope detaches the handle (so copies the host kept cannot reach the context later)
/// and releases the scope's own reference.
pub struct EffectScope {
    handle: AiviEffectHandle,
}

impl EffectScope {
    /// # Safety
    /// `context` must stay valid, and be used only through this scope's handle on this
    /// thread, until the scope is dropped.
    pub unsafe fn bind(context: *mut Context) -> EffectScope {
        // SAFETY: the caller guarantees `context` is valid (see # Safety).
        let cancel = unsafe { (*context).cancel.clone() };
        EffectScope {
            handle: new_effect_box(context, cancel),
        }
    }

    /// The handle to pass to the host function (borrowed: the host retains it to keep it).
    pub fn handle(&self) -> AiviEffectHandle {
        self.handle
    }
}

impl Drop for EffectScope {
    fn drop(&mut self) {
        let _ = with_live_effect(self.handle, |boxed| boxed.context = std::ptr::null_mut());
        let _ = effect_release(self.handle);
    }
}

/// Retain: the same handle with one more reference (a saturated count yields a copy).
pub fn effect_retain(handle: AiviEffectHandle) -> Result<AiviEffectHandle, RuntimeError> {
    if handle.is_null() {
        return Ok(AiviEffectHandle::NULL);
    }
    let copy = with_live_effect(handle, |boxed| {
        if boxed.strong == u32::MAX {
            Some((boxed.context, boxed.cancel.clone()))
        } else {
            boxed.strong += 1;
            None
        }
    })?;
    Ok(match copy {
        Some((context, cancel)) => new_effect_box(context, cancel),
        None => handle,
    })
}

/// Clone: a new box (count 1) bound to the same context.
pub fn effect_clone(handle: AiviEffectHandle) -> Result<AiviEffectHandle, RuntimeError> {
    if handle.is_null() {
        return Ok(AiviEffectHandle::NULL);
    }
    let (context, cancel) =
        with_live_effect(handle, |boxed| (boxed.context, boxed.cancel.clone()))?;
    Ok(new_effect_box(context, cancel))
}

/// Release: one reference fewer; the last frees the box exactly once.
pub fn effect_release(handle: AiviEffectHandle) -> Result<(), RuntimeError> {
    if handle.is_null() {
        return Ok(());
    }
    let mut live = LIVE_EFFECTS.lock();
    let address = handle.0 as usize;
    if !live.contains(&address) {
        return Err(dead_effect_error(handle));
    }
    // SAFETY: registered and unfreed (see `with_live_effect`); the lock we hold serialises it.
    let boxed = unsafe { &mut *handle.0.cast::<EffectBox>() };
    boxed.strong -= 1;
    if boxed.strong == 0 {
        live.remove(&address);
        // SAFETY: the count reached zero and the address was just unregistered under the
        // lock, so this is the single release of a box that came from `Box::into_raw`.
        drop(unsafe { Box::from_raw(handle.0.cast::<EffectBox>()) });
    }
    Ok(())
}

/// Number of live effect boxes (leak checks).
pub fn live_effect_handle_count() -> usize {
    LIVE_EFFECTS.lock().len()
}

const ALL_ERROR_CODES: &[ErrorCode] = &[
    ErrorCode::RT0001,
    ErrorCode::RT0101,
    ErrorCode::RT0102,
    ErrorCode::RT0103,
    ErrorCode::RT0104,
    ErrorCode::RT0105,
    ErrorCode::RT0106,
    ErrorCode::RT0107,
    ErrorCode::RT0201,
    ErrorCode::RT0301,
    ErrorCode::RT0302,
    ErrorCode::RT0303,
    ErrorCode::RT0304,
    ErrorCode::RT0305,
    ErrorCode::RT0306,
    ErrorCode::RT0307,
    ErrorCode::RT0401,
    ErrorCode::RT0402,
    ErrorCode::RT0403,
    ErrorCode::RT0404,
    ErrorCode::RT0405,
    ErrorCode::RT0406,
    ErrorCode::RT0407,
    ErrorCode::RT0408,
    ErrorCode::RT0410,
    ErrorCode::RT0501,
    ErrorCode::RT0502,
    ErrorCode::RT0503,
    ErrorCode::RT0601,
    ErrorCode::RT0701,
    ErrorCode::RT0702,
    ErrorCode::RT0801,
    ErrorCode::RT0900,
];

/// Parses a runtime diagnostic code such as `"RT0900"`.
pub fn parse_error_code(text: &str) -> Option<ErrorCode> {
    ALL_ERROR_CODES
        .iter()
        .copied()
        .find(|code| code.as_str() == text)
}

/// Raises `code`/`message` into the effect's context. An unknown code still fails the run,
/// as RT0001 naming the bad code, and is reported as `Err` so the caller can return 0.
pub fn effect_raise(
    handle: AiviEffectHandle,
    code: &str,
    message: &str,
) -> Result<bool, RuntimeError> {
    let context = with_live_effect(handle, |boxed| boxed.context)?;
    if context.is_null() {
        return Err(RuntimeError::invalid_reference(
            "effect handle is detached: its runtime was freed or its host call ended",
        ));
    }
    let (error, recognised) = match parse_error_code(code) {
        Some(code) => (RuntimeError::new(code, message), true),
        None => (
            RuntimeError::internal(&format!(
                "host function raised unknown error code {code:?}: {message}"
            )),
            false,
        ),
    };
    // SAFETY: a non-NULL bound context is valid: `aivi_runtime_free` and `EffectScope`'s
    // drop detach effects before the context goes away, and the host calls this from the
    // runtime's thread while the engine holds no Rust borrow of the context.
    unsafe { (*context).raise(error) };
    Ok(recognised)
}

/// Reads a NUL-terminated C string lossily; NULL reads as `None`.
///
/// # Safety
/// `text` is NULL or points to a NUL-terminated string valid for the call.
unsafe fn c_text(text: *const c_char) -> Option<String> {
    if text.is_null() {
        return None;
    }
    // SAFETY: non-NULL and NUL-terminated per this function's contract.
    Some(
        unsafe { CStr::from_ptr(text) }
            .to_string_lossy()
            .into_owned(),
    )
}

/// `AiviEffectHandle aivi_effect_new(AiviRuntime *rt)`: an owned effect handle bound to
/// `rt` (for hosts driving the runtime directly and for tests). NULL + RT0404 parked when
/// `rt` is not live.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_effect_new(rt: *mut AiviRuntime) -> AiviEffectHandle {
    let outcome = catch_abi_panic(|| {
        // SAFETY: called from the runtime's thread; no other borrow is live.
        let context = unsafe { live_runtime(rt) }?;
        Ok(new_effect_box(
            context as *mut Context,
            context.cancel.clone(),
        ))
    });
    outcome.unwrap_or_else(|error| {
        // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
        unsafe { park_in_runtime(rt, error) };
        AiviEffectHandle::NULL
    })
}

/// `AiviEffectHandle aivi_effect_retain(AiviRuntime *rt, AiviEffectHandle effect)`.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_effect_retain(
    rt: *mut AiviRuntime,
    effect: AiviEffectHandle,
) -> AiviEffectHandle {
    catch_abi_panic(|| effect_retain(effect)).unwrap_or_else(|error| {
        // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
        unsafe { park_in_runtime(rt, error) };
        AiviEffectHandle::NULL
    })
}

/// `AiviEffectHandle aivi_effect_clone(AiviRuntime *rt, AiviEffectHandle effect)`.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_effect_clone(
    rt: *mut AiviRuntime,
    effect: AiviEffectHandle,
) -> AiviEffectHandle {
    catch_abi_panic(|| effect_clone(effect)).unwrap_or_else(|error| {
        // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
        unsafe { park_in_runtime(rt, error) };
        AiviEffectHandle::NULL
    })
}

/// `uint32_t aivi_effect_release(AiviRuntime *rt, AiviEffectHandle effect)`: 1 on success
/// (and for NULL), 0 with RT0404 parked when the handle is not live.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_effect_release(
    rt: *mut AiviRuntime,
    effect: AiviEffectHandle,
) -> u32 {
    match catch_abi_panic(|| effect_release(effect)) {
        Ok(()) => 1,
        Err(error) => {
            // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
            unsafe { park_in_runtime(rt, error) };
            0
        }
    }
}

/// `uint32_t aivi_effect_raise(AiviEffectHandle effect, const char *code, const char *message)`:
/// parks `code`/`message` (e.g. `"RT0900"`, `"disk full"`) in the effect's runtime, failing
/// the run. Returns 1 when raised as given; 0 when the code is unknown or NULL (RT0001
/// naming it is raised instead) or when the effect is NULL, dead or detached (nothing to
/// raise into).
///
/// # Safety
/// `code` and `message` are NULL or NUL-terminated strings valid for the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_effect_raise(
    effect: AiviEffectHandle,
    code: *const c_char,
    message: *const c_char,
) -> u32 {
    catch_abi_panic_or(0, || {
        // SAFETY: forwarded from this function's contract.
        let code = unsafe { c_text(code) }.unwrap_or_else(|| "(null)".to_string());
        // SAFETY: forwarded from this function's contract.
        let message = unsafe { c_text(message) }.unwrap_or_default();
        match effect_raise(effect, &code, &message) {
            Ok(true) => 1,
            Ok(false) | Err(_) => 0,
        }
    })
}

/// `int32_t aivi_effect_is_cancelled(AiviEffectHandle effect)`: 1 when the run was
/// cancelled, 0 when not, -1 when the handle is NULL or not live.
#[unsafe(no_mangle)]
pub extern "C" fn aivi_effect_is_cancelled(effect: AiviEffectHandle) -> i32 {
    catch_abi_panic_or(-1, || {
        match with_live_effect(effect, |boxed| boxed.cancel.is_cancelled()) {
            Ok(true) => 1,
            Ok(false) => 0,
            Err(_) => -1,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_parses_back_from_its_text() {
        for &code in ALL_ERROR_CODES {
            assert_eq!(parse_error_code(code.as_str()), Some(code));
        }
        assert_eq!(parse_error_code("RT9999"), None);
        assert_eq!(parse_error_code(""), None);
    }
}
