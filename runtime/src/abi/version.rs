//! The Value ABI version (docs/ABI.md, "Versioning") and the compatibility handshake a
//! loader calls before running code generated against a given ABI version.
//!
//! Compatibility: the major version must match exactly, the required minor must be `<=` the
//! runtime's minor, and the patch version never affects compatibility.

use crate::abi::handles::error::{AiviErrorHandle, error_handle_from};
use crate::error::{ErrorCode, RuntimeError};

pub const AIVI_VALUE_ABI_MAJOR: u32 = 0;
pub const AIVI_VALUE_ABI_MINOR: u32 = 1;
pub const AIVI_VALUE_ABI_PATCH: u32 = 0;

/// The version triple a piece of generated code was compiled against, as recorded by the JIT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AbiVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl AbiVersion {
    /// The version this runtime implements.
    pub const CURRENT: AbiVersion = AbiVersion {
        major: AIVI_VALUE_ABI_MAJOR,
        minor: AIVI_VALUE_ABI_MINOR,
        patch: AIVI_VALUE_ABI_PATCH,
    };
}

impl std::fmt::Display for AbiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Checks that code requiring ABI `required_major.required_minor` may run on this runtime. A
/// mismatch is RT0601 with the exact wording of docs/ABI.md, "Versioning" (the required patch
/// prints as 0).
pub fn runtime_value_abi_handshake(
    required_major: u32,
    required_minor: u32,
) -> Result<(), RuntimeError> {
    let required = AbiVersion {
        major: required_major,
        minor: required_minor,
        patch: 0,
    };
    let runtime = AbiVersion::CURRENT;
    let reason = if required.major != runtime.major {
        "major version differs"
    } else if required.minor > runtime.minor {
        "required minor version is newer than runtime"
    } else {
        return Ok(());
    };
    Err(RuntimeError::new(
        ErrorCode::RT0601,
        format!("AIVI value ABI mismatch: {reason} (required {required}, runtime {runtime})"),
    ))
}

/// The `extern "C"` handshake: NULL when compatible, otherwise an owned error handle
/// (RT0601) the caller releases with `aivi_error_release`.
#[unsafe(no_mangle)]
pub extern "C" fn aivi_value_abi_handshake(
    required_major: u32,
    required_minor: u32,
) -> AiviErrorHandle {
    let outcome =
        std::panic::catch_unwind(|| runtime_value_abi_handshake(required_major, required_minor));
    match outcome {
        Ok(Ok(())) => AiviErrorHandle::NULL,
        Ok(Err(error)) => error_handle_from(error),
        Err(_) => error_handle_from(RuntimeError::internal("panic in the ABI handshake")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_major_and_older_or_equal_minor_are_compatible() {
        assert_eq!(runtime_value_abi_handshake(0, 0), Ok(()));
        assert_eq!(runtime_value_abi_handshake(0, 1), Ok(()));
    }

    #[test]
    fn newer_minor_is_refused_with_the_exact_text() {
        let error = runtime_value_abi_handshake(0, 2).unwrap_err();
        assert_eq!(error.code, ErrorCode::RT0601);
        assert_eq!(
            error.message,
            "AIVI value ABI mismatch: required minor version is newer than runtime (required 0.2.0, runtime 0.1.0)"
        );
    }

    #[test]
    fn different_major_is_refused_with_the_exact_text() {
        let error = runtime_value_abi_handshake(1, 0).unwrap_err();
        assert_eq!(error.code, ErrorCode::RT0601);
        assert_eq!(
            error.message,
            "AIVI value ABI mismatch: major version differs (required 1.0.0, runtime 0.1.0)"
        );
    }

    #[test]
    fn current_version_prints_as_a_triple() {
        assert_eq!(AbiVersion::CURRENT.to_string(), "0.1.0");
    }
}
