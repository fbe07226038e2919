//! The value readers and the constructor `include/aivi_value_abi.h` lacks: Float and Bool
//! payloads, Text bytes, the length of a List / Tuple / Map / Text, the element at an index,
//! the Map entry at an index (ascending key order, O(log n)), lookup by key, and a Map from
//! key and value arrays. They work on any live runtime (`cairn_runtime_new`'s or
//! `aivi_runtime_new`'s). Handles passed in are borrowed; handles returned are owned.
//! Failures park the error in `rt`: RT0404 for a NULL or bad handle (or a NULL out
//! pointer), RT0303 for a value of the wrong kind, RT0103 / RT0105 for a missing element.

use std::ffi::c_char;

use cairn_runtime::abi::handles::runtime_lifecycle::with_live_runtime;
use cairn_runtime::abi::handles::value::checked_value;
use cairn_runtime::abi::handles::{AiviRuntime, AiviValueHandle};
use cairn_runtime::heap::Heap;
use cairn_runtime::objects::keys::normalize_key;
use cairn_runtime::objects::print::try_canonical_form;
use cairn_runtime::objects::{kind_name_of, list, map, retain, text, tuple};
use cairn_runtime::value::{Kind, Value as Word};
use cairn_runtime::{Context, RuntimeError};

/// The validated word of a borrowed, non-NULL handle (RT0404 otherwise).
fn value_arg(heap: &Heap, function: &str, handle: AiviValueHandle) -> Result<Word, RuntimeError> {
    if handle.is_null() {
        return Err(RuntimeError::invalid_reference(&format!(
            "{function} was given a NULL value handle"
        )));
    }
    checked_value(heap, handle)
}

fn out_is_null(function: &str) -> RuntimeError {
    RuntimeError::invalid_reference(&format!("{function}: out is NULL"))
}

fn wrong_kind(function: &str, expected: &str, word: Word) -> RuntimeError {
    match kind_name_of(word) {
        Ok(kind) => RuntimeError::type_mismatch(function, expected, kind.as_str()),
        Err(error) => error,
    }
}

/// The owned handle of `word`, a value of the heap whose C handle tag is `tag`.
fn owned(tag: u8) -> impl Fn(Word) -> AiviValueHandle {
    move |word| AiviValueHandle::tagged(word.bits(), tag)
}

/// `uint32_t cairn_value_as_float(AiviRuntime *rt, AiviValueHandle value, double *out)`: 1 and
/// `*out` set when `value` is a Float, or an Int (converted exactly, as the Rust facade's
/// `f64` does); 0 with RT0303 parked for another kind, RT0404 for a bad handle or NULL `out`.
///
/// # Safety
/// `out` is NULL or writable; `rt` is NULL or any pointer value (a dead or forged one is
/// diagnosed, not read); no other thread uses the runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_value_as_float(
    rt: *mut AiviRuntime,
    value: AiviValueHandle,
    out: *mut f64,
) -> u32 {
    let body = |context: &mut Context| {
        let word = value_arg(&context.heap, "cairn_value_as_float", value)?;
        if out.is_null() {
            return Err(out_is_null("cairn_value_as_float"));
        }
        let number = word
            .as_float()
            .or_else(|| word.as_int().map(|n| n as f64))
            .ok_or_else(|| wrong_kind("cairn_value_as_float", "Float", word))?;
        // SAFETY: non-NULL and writable per this function's contract.
        unsafe { *out = number };
        Ok(1)
    };
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe { with_live_runtime(rt, 0, body) }
}

/// `uint32_t cairn_value_as_bool(AiviRuntime *rt, AiviValueHandle value, uint32_t *out)`: 1
/// and `*out` set to 1 / 0 when `value` is a Bool; 0 with RT0303 parked for another kind,
/// RT0404 for a bad handle or NULL `out`.
///
/// # Safety
/// `out` is NULL or writable; `rt` is NULL or any pointer value (a dead or forged one is
/// diagnosed, not read); no other thread uses the runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_value_as_bool(
    rt: *mut AiviRuntime,
    value: AiviValueHandle,
    out: *mut u32,
) -> u32 {
    let body = |context: &mut Context| {
        let word = value_arg(&context.heap, "cairn_value_as_bool", value)?;
        if out.is_null() {
            return Err(out_is_null("cairn_value_as_bool"));
        }
        let flag = if word == Word::TRUE {
            1
        } else if word == Word::FALSE {
            0
        } else {
            return Err(wrong_kind("cairn_value_as_bool", "Bool", word));
        };
        // SAFETY: non-NULL and writable per this function's contract.
        unsafe { *out = flag };
        Ok(1)
    };
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe { with_live_runtime(rt, 0, body) }
}

/// `size_t cairn_value_text_bytes(AiviRuntime *rt, AiviValueHandle value, char *buf, size_t
/// cap)`: copies the UTF-8 bytes of the Text `value` into `buf` — at most `cap - 1` of them,
/// then a NUL, when `cap > 0` — and returns the full byte length (like `snprintf`; a Text may
/// contain NUL bytes, so use the length). `SIZE_MAX` with RT0303 parked for another kind,
/// RT0404 for a bad handle or a NULL `buf` with `cap > 0`.
///
/// # Safety
/// `buf` is NULL with `cap == 0`, or has `cap` writable bytes; `rt` is NULL or any pointer
/// value (a dead or forged one is diagnosed, not read); no other thread uses the runtime.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_value_text_bytes(
    rt: *mut AiviRuntime,
    value: AiviValueHandle,
    buf: *mut c_char,
    cap: usize,
) -> usize {
    let body = |context: &mut Context| {
        let word = value_arg(&context.heap, "cairn_value_text_bytes", value)?;
        if word.heap_kind() != Some(Kind::Text) {
            return Err(wrong_kind("cairn_value_text_bytes", "Text", word));
        }
        let text = text::text_to_string(&context.heap, word)?;
        // SAFETY: `buf`/`cap` are forwarded under this function's own `# Safety` contract.
        unsafe {
            cairn_runtime::abi::handles::value_inspection::copy_to_c_buffer(
                &text,
                buf,
                cap,
                "cairn_value_text_bytes: buf",
            )
        }
    };
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe { with_live_runtime(rt, usize::MAX, body) }
}

/// `size_t cairn_value_len(AiviRuntime *rt, AiviValueHandle value)`: what the script's `len`
/// gives — the elements of a List or Tuple, the entries of a Map, the characters (Unicode
/// scalar values) of a Text. `SIZE_MAX` with RT0303 parked for another kind, RT0404 for a
/// bad handle.
///
/// # Safety
/// `rt` is NULL or any pointer value (a dead or forged one is diagnosed, not read); no other
/// thread uses the runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_value_len(rt: *mut AiviRuntime, value: AiviValueHandle) -> usize {
    let body = |context: &mut Context| {
        let heap = &context.heap;
        let word = value_arg(heap, "cairn_value_len", value)?;
        match word.heap_kind() {
            Some(Kind::List) => list::length_of(heap, word),
            Some(Kind::Tuple) => tuple::length_of(heap, word),
            Some(Kind::Map) => map::length_of(heap, word),
            Some(Kind::Text) => text::text_char_count(heap, word),
            _ => Err(wrong_kind(
                "cairn_value_len",
                "List, Tuple, Map or Text",
                word,
            )),
        }
    };
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe { with_live_runtime(rt, usize::MAX, body) }
}

/// `AiviValueHandle cairn_value_at(AiviRuntime *rt, AiviValueHandle value, size_t index)`:
/// element `index` of a List (O(log n)) or Tuple, as an owned handle. NULL with RT0103
/// (`index out of bounds: ...`) parked past the end, RT0303 for another kind (a Map's entries
/// are read with `cairn_value_map_entry`), RT0404 for a bad handle.
///
/// # Safety
/// `rt` is NULL or any pointer value (a dead or forged one is diagnosed, not read); no other
/// thread uses the runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_value_at(
    rt: *mut AiviRuntime,
    value: AiviValueHandle,
    index: usize,
) -> AiviValueHandle {
    let body = |context: &mut Context| {
        let heap = &mut context.heap;
        let word = value_arg(heap, "cairn_value_at", value)?;
        let (element, length) = match word.heap_kind() {
            Some(Kind::List) => (
                list::element_at(heap, word, index)?,
                list::length_of(heap, word)?,
            ),
            Some(Kind::Tuple) => (
                tuple::element_at(heap, word, index)?,
                tuple::length_of(heap, word)?,
            ),
            _ => return Err(wrong_kind("cairn_value_at", "List or Tuple", word)),
        };
        let element = element.ok_or_else(|| {
            RuntimeError::index_out_of_bounds(i64::try_from(index).unwrap_or(i64::MAX), length)
        })?;
        retain(heap, element).map(owned(heap.handle_tag()))
    };
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe { with_live_runtime(rt, AiviValueHandle::NULL, body) }
}

/// `uint32_t cairn_value_map_entry(AiviRuntime *rt, AiviValueHandle map, size_t index,
/// AiviValueHandle *key_out, AiviValueHandle *value_out)`: entry `index` of a Map in ascending
/// key order (O(log n)): 1 with an owned key in `*key_out` and an owned value in
/// `*value_out`. 0 with RT0103 parked past the end, RT0303 for another kind, RT0404 for a bad
/// handle or a NULL out pointer (nothing is written or retained on failure).
///
/// # Safety
/// `key_out` and `value_out` are NULL or writable; `rt` is NULL or any pointer value (a dead
/// or forged one is diagnosed, not read); no other thread uses the runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_value_map_entry(
    rt: *mut AiviRuntime,
    map: AiviValueHandle,
    index: usize,
    key_out: *mut AiviValueHandle,
    value_out: *mut AiviValueHandle,
) -> u32 {
    let body = |context: &mut Context| {
        let heap = &mut context.heap;
        let word = value_arg(heap, "cairn_value_map_entry", map)?;
        if word.heap_kind() != Some(Kind::Map) {
            return Err(wrong_kind("cairn_value_map_entry", "Map", word));
        }
        if key_out.is_null() || value_out.is_null() {
            return Err(RuntimeError::invalid_reference(
                "cairn_value_map_entry: key_out or value_out is NULL",
            ));
        }
        let (key, item) = map::entry_at(heap, word, index)?.ok_or_else(|| {
            let length = map::length_of(heap, word).unwrap_or(0);
            RuntimeError::index_out_of_bounds(i64::try_from(index).unwrap_or(i64::MAX), length)
        })?;
        let key = retain(heap, key)?;
        let item = match retain(heap, item) {
            Ok(item) => item,
            Err(error) => {
                if let Err(violation) = cairn_runtime::objects::release(heap, key) {
                    context
                        .heap
                        .integrity_violations
                        .push(violation.to_string());
                }
                return Err(error);
            }
        };
        // SAFETY: both non-NULL and writable per this function's contract.
        unsafe {
            *key_out = owned(heap.handle_tag())(key);
            *value_out = owned(heap.handle_tag())(item);
        }
        Ok(1)
    };
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe { with_live_runtime(rt, 0, body) }
}

/// `AiviValueHandle cairn_value_map_get(AiviRuntime *rt, AiviValueHandle map, AiviValueHandle
/// key)`: the value bound to `key` (borrowed) in a Map, as an owned handle, found as the
/// script's `map[key]` finds it (O(log n); `1` and `1.0` are the same key). NULL with RT0105
/// (`missing map key: KEY`) parked when absent, RT0104 for a key of a kind maps cannot hold,
/// RT0303 when `map` is not a Map, RT0404 for a bad handle.
///
/// # Safety
/// `rt` is NULL or any pointer value (a dead or forged one is diagnosed, not read); no other
/// thread uses the runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_value_map_get(
    rt: *mut AiviRuntime,
    map: AiviValueHandle,
    key: AiviValueHandle,
) -> AiviValueHandle {
    let body = |context: &mut Context| {
        let heap = &mut context.heap;
        let word = value_arg(heap, "cairn_value_map_get", map)?;
        let key = value_arg(heap, "cairn_value_map_get", key)?;
        if word.heap_kind() != Some(Kind::Map) {
            return Err(wrong_kind("cairn_value_map_get", "Map", word));
        }
        let normalized = normalize_key(heap, key)?;
        match map::lookup(heap, word, normalized)? {
            Some(found) => retain(heap, found).map(owned(heap.handle_tag())),
            None => Err(RuntimeError::missing_map_key(&try_canonical_form(
                heap, key, false,
            )?)),
        }
    };
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe { with_live_runtime(rt, AiviValueHandle::NULL, body) }
}

/// `AiviValueHandle cairn_value_map(AiviRuntime *rt, const AiviValueHandle *keys, const
/// AiviValueHandle *values, size_t count)`: a Map of the `count` pairs `keys[i]: values[i]`
/// (borrowed: retained into the Map; the caller keeps its own handles), built as the script's
/// `#{...}` literal builds one (a later duplicate key wins). NULL on failure with nothing
/// retained or allocated: RT0104 for a key of a kind maps cannot hold, RT0404 for a bad
/// handle or a NULL array with `count > 0`, RT0401 / RT0402 when the heap is full.
///
/// # Safety
/// `keys` and `values` are NULL with `count == 0`, or each point to `count` readable handles;
/// `rt` is NULL or any pointer value (a dead or forged one is diagnosed, not read); no other
/// thread uses the runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_value_map(
    rt: *mut AiviRuntime,
    keys: *const AiviValueHandle,
    values: *const AiviValueHandle,
    count: usize,
) -> AiviValueHandle {
    let body = |context: &mut Context| {
        let (keys, values): (&[AiviValueHandle], &[AiviValueHandle]) = if count == 0 {
            (&[], &[])
        } else if keys.is_null() || values.is_null() {
            return Err(RuntimeError::invalid_reference(&format!(
                "cairn_value_map: keys or values is NULL but count is {count}"
            )));
        } else {
            // SAFETY: both non-NULL with `count` readable handles per this function's contract.
            unsafe {
                (
                    std::slice::from_raw_parts(keys, count),
                    std::slice::from_raw_parts(values, count),
                )
            }
        };
        // Validate everything (handles and key kinds) before retaining anything.
        let heap = &mut context.heap;
        let mut words = Vec::with_capacity(count * 2);
        for (&key, &value) in keys.iter().zip(values) {
            let key = value_arg(heap, "cairn_value_map", key)?;
            normalize_key(heap, key)?;
            words.push(key);
            words.push(value_arg(heap, "cairn_value_map", value)?);
        }
        let pairs = words.len();
        let mut retained = Vec::with_capacity(pairs);
        for word in words {
            match retain(heap, word) {
                Ok(word) => retained.push(word),
                Err(error) => {
                    list::release_all(heap, &retained);
                    return Err(error);
                }
            }
        }
        // Consumes every retained word, also on failure.
        let tag = heap.handle_tag();
        map::map_from_words(heap, retained).map(owned(tag))
    };
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe { with_live_runtime(rt, AiviValueHandle::NULL, body) }
}
