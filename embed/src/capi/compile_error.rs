//! Compile errors in C: `cairn_engine_compile`'s error handle holds every diagnostic of the
//! compilation (the `aivi_error_*` accessors read the first); `cairn_compile_error_count`,
//! `cairn_compile_error_at` and `cairn_compile_error_span` reach each one, with its byte span
//! (docs/EMBEDDING.md, "Errors").

use cairn_runtime::abi::handles::AiviErrorHandle;
use cairn_runtime::abi::handles::boundary::{catch_abi_panic, catch_abi_panic_or};
use cairn_runtime::abi::handles::error::{
    ListedDiagnostic, diagnostic_list_handle, error_diagnostic_at, error_diagnostic_count,
    error_span_of,
};
use cairn_runtime::{ErrorLocation, RuntimeError};

use super::{error_handle, report};
use crate::CompileError;

/// An owned handle holding every diagnostic of `error`, the first one read by `aivi_error_*`.
pub(crate) fn compile_error_handle(error: &CompileError) -> AiviErrorHandle {
    let list: Vec<ListedDiagnostic> = error
        .diagnostics()
        .iter()
        .map(|d| ListedDiagnostic {
            code: d.code().to_string(),
            message: d.message().to_string(),
            location: ErrorLocation {
                line: u32::try_from(d.line()).unwrap_or(u32::MAX),
                column: u32::try_from(d.column()).unwrap_or(u32::MAX),
            },
            span: d.span().map(|span| (span.start, span.end)),
        })
        .collect();
    diagnostic_list_handle(&list).unwrap_or_else(|| {
        error_handle(RuntimeError::invalid_argument(
            "cairn_engine_compile",
            "the compiler failed without a diagnostic",
        ))
    })
}

/// `size_t cairn_compile_error_count(AiviErrorHandle error)`: how many diagnostics `error`
/// holds (a compile error: all the compilation reported, at most 101; any other error: 1);
/// 0 for NULL and for a handle that is not live.
#[unsafe(no_mangle)]
pub extern "C" fn cairn_compile_error_count(error: AiviErrorHandle) -> usize {
    if error.is_null() {
        return 0;
    }
    catch_abi_panic_or(0, || error_diagnostic_count(error).unwrap_or(0))
}

/// `AiviErrorHandle cairn_compile_error_at(AiviErrorHandle error, size_t index,
/// AiviErrorHandle *error_out)`: a new owned handle for diagnostic `index` of `error` (0 is
/// the first; read it with `aivi_error_code` / `_message` / `_line` / `_column` and
/// `cairn_compile_error_span`). NULL with an owned error in `*error_out`: RT0103 `index out
/// of bounds` for `index >= cairn_compile_error_count(error)`, RT0404 for a NULL or dead
/// handle.
///
/// # Safety
/// `error_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_compile_error_at(
    error: AiviErrorHandle,
    index: usize,
    error_out: *mut AiviErrorHandle,
) -> AiviErrorHandle {
    let outcome = catch_abi_panic(|| {
        if error.is_null() {
            return Err(RuntimeError::invalid_reference(
                "cairn_compile_error_at: error is NULL",
            ));
        }
        error_diagnostic_at(error, index)
    });
    let (found, failure) = match outcome {
        Ok(handle) => (handle, None),
        Err(failure) => (AiviErrorHandle::NULL, Some(error_handle(failure))),
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { report(error_out, failure) };
    found
}

/// `uint32_t cairn_compile_error_span(AiviErrorHandle error, size_t *start, size_t *end)`:
/// 1 with the byte range of the source the (first) diagnostic of `error` points at written
/// to `*start` and `*end`; 0 (nothing written) when it has none (a runtime error, a module
/// the engine refused to load), for NULL pointers and for a handle that is not live.
///
/// # Safety
/// `start` and `end` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_compile_error_span(
    error: AiviErrorHandle,
    start: *mut usize,
    end: *mut usize,
) -> u32 {
    if error.is_null() || start.is_null() || end.is_null() {
        return 0;
    }
    let span = catch_abi_panic_or(None, || error_span_of(error).ok().flatten());
    let Some((from, to)) = span else {
        return 0;
    };
    // SAFETY: both non-NULL and writable per this function's contract.
    unsafe {
        *start = from;
        *end = to;
    }
    1
}
