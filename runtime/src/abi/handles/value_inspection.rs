//! Read-only C accessors on borrowed value handles: canonical printing, kind name, Int
//! payload and reference count. None of them consumes or retains the handle.

use std::ffi::{CStr, c_char};

use super::runtime_lifecycle::{AiviRuntime, with_live_runtime};
use super::value::{AiviValueHandle, checked_value};
use crate::context::Context;
use crate::error::RuntimeError;
use crate::objects;
use crate::value::KindName;

fn null_handle_error(function: &str) -> RuntimeError {
    RuntimeError::invalid_reference(&format!("{function} was given a NULL value handle"))
}

/// `size_t aivi_value_print(AiviRuntime *rt, AiviValueHandle value, char *buf, size_t cap)`: writes
/// the canonical form (docs/LANGUAGE.md, "Values and operators"; Text raw, as `print` does) into
/// `buf`, truncated to `cap - 1` bytes and NUL-terminated when `cap > 0`, and returns the full
/// length in bytes (like `snprintf`). `SIZE_MAX` with RT0404 parked for a NULL or bad handle, and
/// with RT0405 parked when the form would pass the runtime's `max_output_bytes` (nothing built).
///
/// # Safety
/// `buf` is NULL with `cap == 0`, or points to `cap` writable bytes.
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_value_print(
    rt: *mut AiviRuntime,
    value: AiviValueHandle,
    buf: *mut c_char,
    cap: usize,
) -> usize {
    let body = |context: &mut Context| {
        if value.is_null() {
            return Err(null_handle_error("aivi_value_print"));
        }
        let word = checked_value(&context.heap, value)?;
        let limit = context.limits.max_output_bytes;
        let unmetered = &mut objects::walk_meter::Unmetered(&context.heap);
        let text = match objects::print::canonical_form_within(unmetered, word, true, limit) {
            Ok(text) => text,
            Err(error) if error.code == crate::error::ErrorCode::RT0405 => return Err(error),
            Err(error) => format!("<invalid: {}>", error.message),
        };
        // SAFETY: `buf`/`cap` are forwarded under this function's own `# Safety` contract.
        unsafe { copy_to_c_buffer(&text, buf, cap, "print buffer") }
    };
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe { with_live_runtime(rt, usize::MAX, body) }
}

fn kind_c_name(kind: KindName) -> &'static CStr {
    match kind {
        KindName::Int => c"Int",
        KindName::Float => c"Float",
        KindName::Bool => c"Bool",
        KindName::Unit => c"Unit",
        KindName::Text => c"Text",
        KindName::List => c"List",
        KindName::Tuple => c"Tuple",
        KindName::Map => c"Map",
        KindName::Seq => c"Seq",
        KindName::Closure => c"Closure",
        KindName::Ref => c"Ref",
        KindName::HostObject => c"HostObject",
    }
}

/// `const char *aivi_value_kind(AiviRuntime *rt, AiviValueHandle value)`: the kind
/// name (static string). NULL with RT0404 parked for a NULL or bad handle.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_value_kind(
    rt: *mut AiviRuntime,
    value: AiviValueHandle,
) -> *const c_char {
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe {
        with_live_runtime(rt, std::ptr::null(), |context| {
            if value.is_null() {
                return Err(null_handle_error("aivi_value_kind"));
            }
            let word = checked_value(&context.heap, value)?;
            let kind = objects::kind_name_of(word)?;
            Ok(kind_c_name(kind).as_ptr())
        })
    }
}

/// `uint32_t aivi_value_as_int(AiviRuntime *rt, AiviValueHandle value, int64_t *out)`: 1 and
/// `*out` set when `value` is an Int; 0 with RT0303 parked when it is another kind, RT0404
/// for a NULL or bad handle or a NULL `out`.
///
/// # Safety
/// `out` is NULL or points to a writable `int64_t`.
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_value_as_int(
    rt: *mut AiviRuntime,
    value: AiviValueHandle,
    out: *mut i64,
) -> u32 {
    let body = |context: &mut Context| {
        if value.is_null() {
            return Err(null_handle_error("aivi_value_as_int"));
        }
        if out.is_null() {
            return Err(RuntimeError::invalid_reference(
                "aivi_value_as_int: out is NULL",
            ));
        }
        let word = checked_value(&context.heap, value)?;
        let Some(n) = word.as_int() else {
            let kind = objects::kind_name_of(word)?;
            return Err(RuntimeError::type_mismatch(
                "aivi_value_as_int",
                "Int",
                kind.as_str(),
            ));
        };
        // SAFETY: `out` is non-NULL and writable per this function's contract.
        unsafe { *out = n };
        Ok(1)
    };
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe { with_live_runtime(rt, 0, body) }
}

/// `uint32_t aivi_value_ref_count(AiviRuntime *rt, AiviValueHandle value)`: the object's
/// `REF_COUNT` (0 for immediates). `UINT32_MAX` with RT0404 parked for a NULL or bad handle.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_value_ref_count(rt: *mut AiviRuntime, value: AiviValueHandle) -> u32 {
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe {
        with_live_runtime(rt, u32::MAX, |context| {
            if value.is_null() {
                return Err(null_handle_error("aivi_value_ref_count"));
            }
            let word = checked_value(&context.heap, value)?;
            Ok(match word.heap_address() {
                Some(address) => context.heap.ref_count(address.bits()) as u32,
                None => 0,
            })
        })
    }
}

/// Copies `text` into the caller's buffer of `cap` bytes as a NUL-terminated C string,
/// truncated to `cap - 1` bytes (nothing is written when `cap` is 0), and returns the full
/// length (so a caller can retry with a larger buffer). RT0404 for a NULL buffer with `cap > 0`.
///
/// # Safety
/// When `cap > 0` and `buf` is not NULL, `buf` has `cap` writable bytes.
pub unsafe fn copy_to_c_buffer(
    text: &str,
    buf: *mut std::ffi::c_char,
    cap: usize,
    what: &str,
) -> Result<usize, RuntimeError> {
    if cap > 0 {
        if buf.is_null() {
            return Err(RuntimeError::invalid_reference(&format!(
                "{what} is NULL but cap is {cap}"
            )));
        }
        let copied = text.len().min(cap - 1);
        // SAFETY: `buf` has `cap` writable bytes (the caller's contract) and
        // `copied + 1 <= cap`; the source is a Rust string that cannot overlap it.
        unsafe {
            std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), copied);
            *buf.add(copied) = 0;
        }
    }
    Ok(text.len())
}
