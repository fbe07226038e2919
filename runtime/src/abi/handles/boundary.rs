//! The `extern "C"` boundary guard for the handle API: every exported body runs under
//! `catch_unwind`, so a Rust panic becomes a diagnostic (RT0001) instead of unwinding into C.

use crate::error::RuntimeError;

/// Runs `body`, turning a panic into `Err(RT0001)` carrying the panic message.
pub fn catch_abi_panic<T>(
    body: impl FnOnce() -> Result<T, RuntimeError>,
) -> Result<T, RuntimeError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
        Ok(outcome) => outcome,
        Err(panic) => Err(RuntimeError::internal(&panic_detail(panic.as_ref()))),
    }
}

/// The message of a caught panic (its `&str` or `String` payload, else `"panic"`).
pub fn panic_detail(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string())
}

/// Runs `body` where even the error report cannot be delivered (no runtime to park it in):
/// a panic yields `fallback`. Used only by functions whose documented failure value is
/// `fallback` itself (for example `aivi_runtime_new` returning NULL).
pub fn catch_abi_panic_or<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).unwrap_or(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn a_panic_becomes_an_internal_error_with_its_message() {
        let outcome: Result<u32, RuntimeError> = catch_abi_panic(|| panic!("boom"));
        let error = outcome.unwrap_err();
        assert_eq!(error.code, ErrorCode::RT0001);
        assert_eq!(error.message, "internal runtime error: boom");
    }

    #[test]
    fn a_normal_result_passes_through() {
        assert_eq!(catch_abi_panic(|| Ok::<u32, RuntimeError>(7)), Ok(7));
        assert_eq!(catch_abi_panic_or(0, || 5), 5);
        assert_eq!(catch_abi_panic_or(0, || -> i32 { panic!("x") }), 0);
    }
}
