//! Text shims: `rt_text_literal` (a Text from UTF-8 bytes in the engine's code or data).

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
