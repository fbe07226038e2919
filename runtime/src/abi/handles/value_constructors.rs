//! C constructors of owned values: immediates, Text from UTF-8 bytes, and List/Tuple from
//! an array of borrowed handles (each element is retained into the new container; the
//! caller keeps its own handles: no implicit steals).

use std::ffi::c_char;

use super::runtime_lifecycle::{AiviRuntime, with_live_runtime};
use super::value::{AiviValueHandle, checked_value};
use crate::context::Context;
use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::objects;
use crate::value::Value;

/// The handle of an immediate (no heap reference, so no runtime tag).
fn immediate(value: Value) -> AiviValueHandle {
    debug_assert!(!value.is_heap());
    AiviValueHandle::tagged(value.bits(), 0)
}

/// The owned handle of a value of `context`'s heap.
fn owned(context: &Context, value: Value) -> AiviValueHandle {
    AiviValueHandle::tagged(value.bits(), context.heap.handle_tag())
}

/// Reads `count` handles at `items`, validates every one, then retains them all.
///
/// # Safety
/// `items` is NULL with `count == 0`, or points to `count` readable handles.
unsafe fn retained_elements(
    heap: &mut Heap,
    items: *const AiviValueHandle,
    count: usize,
) -> Result<Vec<Value>, RuntimeError> {
    if count == 0 {
        return Ok(Vec::new());
    }
    if items.is_null() {
        return Err(RuntimeError::invalid_reference(&format!(
            "element array is NULL but count is {count}"
        )));
    }
    // SAFETY: non-NULL and `count` readable handles per this function's contract.
    let handles = unsafe { std::slice::from_raw_parts(items, count) };
    let mut values = Vec::with_capacity(count);
    for (position, &handle) in handles.iter().enumerate() {
        if handle.is_null() {
            return Err(RuntimeError::invalid_reference(&format!(
                "element {position} is a NULL value handle"
            )));
        }
        values.push(checked_value(heap, handle)?);
    }
    let mut retained = Vec::with_capacity(count);
    for value in values {
        match objects::retain(heap, value) {
            Ok(word) => retained.push(word),
            Err(error) => {
                objects::list::release_all(heap, &retained);
                return Err(error);
            }
        }
    }
    Ok(retained)
}

/// `AiviValueHandle aivi_value_int(AiviRuntime *rt, int64_t n)`: RT0301 when `n` does not
/// fit in 48 bits.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_value_int(rt: *mut AiviRuntime, n: i64) -> AiviValueHandle {
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe {
        with_live_runtime(rt, AiviValueHandle::NULL, |_| {
            Value::int(n)
                .map(immediate)
                .ok_or_else(RuntimeError::integer_overflow)
        })
    }
}

/// `AiviValueHandle aivi_value_float(AiviRuntime *rt, double x)` (NaNs canonicalised).
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_value_float(rt: *mut AiviRuntime, x: f64) -> AiviValueHandle {
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe {
        with_live_runtime(rt, AiviValueHandle::NULL, |_| {
            Ok(immediate(Value::float(x)))
        })
    }
}

/// `AiviValueHandle aivi_value_bool(AiviRuntime *rt, uint32_t b)`: nonzero is true.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_value_bool(rt: *mut AiviRuntime, b: u32) -> AiviValueHandle {
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe {
        with_live_runtime(rt, AiviValueHandle::NULL, |_| {
            Ok(immediate(Value::bool(b != 0)))
        })
    }
}

/// `AiviValueHandle aivi_value_unit(AiviRuntime *rt)`.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_value_unit(rt: *mut AiviRuntime) -> AiviValueHandle {
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe { with_live_runtime(rt, AiviValueHandle::NULL, |_| Ok(immediate(Value::UNIT))) }
}

/// `AiviValueHandle aivi_value_text(AiviRuntime *rt, const char *bytes, size_t len)`: a
/// Text copied from `len` UTF-8 bytes (not NUL-terminated). Invalid UTF-8 is RT0303; a NULL
/// `bytes` with `len > 0` is RT0404; heap exhaustion RT0401/RT0402; a Text of more than one
/// segment (3,932,088 bytes) RT0406.
///
/// # Safety
/// `bytes` is NULL with `len == 0`, or points to `len` readable bytes.
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_value_text(
    rt: *mut AiviRuntime,
    bytes: *const c_char,
    len: usize,
) -> AiviValueHandle {
    let body = |context: &mut Context| {
        let slice: &[u8] = if len == 0 {
            &[]
        } else if bytes.is_null() {
            return Err(RuntimeError::invalid_reference(&format!(
                "text bytes are NULL but len is {len}"
            )));
        } else {
            // SAFETY: non-NULL and `len` readable bytes per this function's contract.
            unsafe { std::slice::from_raw_parts(bytes.cast::<u8>(), len) }
        };
        let text = std::str::from_utf8(slice).map_err(|_| {
            RuntimeError::type_mismatch("aivi_value_text", "UTF-8 bytes", "invalid UTF-8")
        })?;
        let text = objects::text::text_from_str(&mut context.heap, text)?;
        Ok(owned(context, text))
    };
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe { with_live_runtime(rt, AiviValueHandle::NULL, body) }
}

/// `AiviValueHandle aivi_value_list(AiviRuntime *rt, const AiviValueHandle *items, size_t count)`:
/// a List of the `count` elements. The element handles are borrowed (retained into the
/// List); on failure nothing is retained or allocated.
///
/// # Safety
/// `items` is NULL with `count == 0`, or points to `count` readable handles.
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_value_list(
    rt: *mut AiviRuntime,
    items: *const AiviValueHandle,
    count: usize,
) -> AiviValueHandle {
    let body = |context: &mut Context| {
        // SAFETY: forwarded from this function's contract.
        let elements = unsafe { retained_elements(&mut context.heap, items, count) }?;
        let list = objects::list::list_from_values(&mut context.heap, elements)?;
        Ok(owned(context, list))
    };
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe { with_live_runtime(rt, AiviValueHandle::NULL, body) }
}

/// `AiviValueHandle aivi_value_tuple(AiviRuntime *rt, const AiviValueHandle *items, size_t count)`:
/// as `aivi_value_list`, building a Tuple.
///
/// # Safety
/// `items` is NULL with `count == 0`, or points to `count` readable handles.
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_value_tuple(
    rt: *mut AiviRuntime,
    items: *const AiviValueHandle,
    count: usize,
) -> AiviValueHandle {
    let body = |context: &mut Context| {
        // SAFETY: forwarded from this function's contract.
        let elements = unsafe { retained_elements(&mut context.heap, items, count) }?;
        let tuple = objects::tuple::tuple_from_values(&mut context.heap, elements)?;
        Ok(owned(context, tuple))
    };
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe { with_live_runtime(rt, AiviValueHandle::NULL, body) }
}
