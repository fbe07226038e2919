//! Text shims: `rt_text_literal` (a Text from UTF-8 bytes in the engine's code or data),
//! `rt_text_constant` (a script's Text literal, built once per run), and
//! the argument helpers of the Text builtins (`text_search.rs`, `text_format.rs`,
//! `text_parse.rs`).

use crate::context::Context;
use crate::error::RuntimeError;
use crate::objects::text::text_from_str;

/// A new Text holding a copy of the `len` UTF-8 bytes at `ptr`. Invalid UTF-8 is RT0404;
/// heap exhaustion RT0401 / RT0402.
///
/// # Safety
/// `ctx` must satisfy the contract of [`guard`](super::guard), and when `len > 0`, `ptr`
/// must point to `len` readable bytes that stay valid for the duration of the call (the
/// engines pass pointers into literal data they own for the module's lifetime).
#[unsafe(no_mangle)] // C hosts link shims by name (include/aivi_value_abi.h)
pub unsafe extern "C" fn rt_text_literal(ctx: *mut Context, ptr: u64, len: u64) -> u64 {
    // SAFETY: `ctx` per this function's `# Safety`; the byte range is read inside the body
    // under the same contract.
    unsafe {
        super::guard(ctx, |context| {
            let bytes: &[u8] = if len == 0 {
                &[]
            } else if ptr == 0 {
                return Err(RuntimeError::internal("rt_text_literal: null pointer"));
            } else {
                // SAFETY: the caller guarantees `ptr` addresses `len` readable bytes.
                std::slice::from_raw_parts(ptr as *const u8, len as usize)
            };
            let text = std::str::from_utf8(bytes).map_err(|_| {
                RuntimeError::invalid_reference("text literal bytes are not valid UTF-8")
            })?;
            Ok(text_from_str(&mut context.heap, text)?.bits())
        })
    }
}

/// Text literal `id` of the running program (docs/MEMORY.md, "Text literals"): built from
/// the `len` UTF-8 bytes at `ptr` the first time the run evaluates it, kept in the run's
/// constant table (one reference, released when the run ends), and retained for every
/// evaluation. Errors as `rt_text_literal`.
///
/// # Safety
/// As [`rt_text_literal`]; an engine passes the same bytes for the same `id` throughout a run.
#[unsafe(no_mangle)] // C hosts link shims by name (include/aivi_value_abi.h)
pub unsafe extern "C" fn rt_text_constant(ctx: *mut Context, id: u64, ptr: u64, len: u64) -> u64 {
    // SAFETY: `ctx` per this function's `# Safety`.
    let kept = unsafe {
        super::guard(ctx, |context| match context.text_constant(id) {
            Some(text) => Ok(crate::objects::retain(&mut context.heap, text)?.bits()),
            None => Ok(1),
        })
    };
    // 1 is never a value word: the run has not built this literal yet.
    if kept != 1 {
        return kept;
    }
    // SAFETY: as `rt_text_literal`, forwarded from this function's `# Safety`.
    let built = unsafe { rt_text_literal(ctx, ptr, len) };
    if built == 0 {
        return 0;
    }
    // SAFETY: `ctx` per this function's `# Safety`.
    unsafe {
        super::guard(ctx, |context| {
            let text = crate::value::Value(built);
            match crate::objects::retain(&mut context.heap, text) {
                Ok(kept) => {
                    context.keep_text_constant(id, kept);
                    Ok(built)
                }
                Err(error) => {
                    super::release_recording(context, text);
                    Err(error)
                }
            }
        })
    }
}

/// The contents of a Text argument of builtin `op`, or RT0303 `type mismatch: {op} expects a
/// Text, got {kind}` (docs/LANGUAGE.md, "Text").
pub(crate) fn text_argument(
    heap: &crate::heap::Heap,
    value: crate::value::Value,
    op: &str,
) -> Result<String, RuntimeError> {
    if value.heap_kind() != Some(crate::value::Kind::Text) {
        let kind = crate::objects::kind_name_of(value)?;
        return Err(RuntimeError::type_mismatch(op, "a Text", kind.as_str()));
    }
    crate::objects::text::text_to_string(heap, value)
}

/// An Int argument of builtin `op`, or RT0303 `type mismatch: {op} expects an Int, got
/// {kind}`.
pub(crate) fn int_argument(value: crate::value::Value, op: &str) -> Result<i64, RuntimeError> {
    match value.as_int() {
        Some(n) => Ok(n),
        None => {
            let kind = crate::objects::kind_name_of(value)?;
            Err(RuntimeError::type_mismatch(op, "an Int", kind.as_str()))
        }
    }
}

/// A new Text word holding `text`, after the size pre-flight (RT0406, RT0401, RT0402).
pub(crate) fn new_text(context: &mut Context, text: &str) -> Result<u64, RuntimeError> {
    crate::objects::text_scalars::ensure_text_room(&mut context.heap, text.len())?;
    Ok(text_from_str(&mut context.heap, text)?.bits())
}
