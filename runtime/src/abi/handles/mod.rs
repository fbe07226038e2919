//! The C handles of the Value ABI (docs/ABI.md, "Handles"): value, error, effect and ref
//! handles with null-safe retain/release/clone, plus the minimal runtime lifecycle a C host
//! needs to exercise them. Every exported function body runs under `catch_unwind`.
//!
//! Conventions shared by every `aivi_*` function (docs/ABI.md has the full rules):
//! - handles are nullable opaque pointers; NULL in gives NULL out (or a no-op);
//! - retain/clone return a handle, or NULL with the error parked in the runtime
//!   (`aivi_runtime_take_error`); release returns 1, or 0 with the error parked;
//! - no function consumes a handle it is given except `*_release`;
//! - a malformed or dangling handle is RT0404, never a crash.

pub mod boundary;
pub mod effect;
pub mod error;
pub mod live_registry;
pub mod ref_handle;
pub mod runtime_lifecycle;
pub mod value;
pub mod value_constructors;
pub mod value_inspection;

pub use effect::{AiviEffect, AiviEffectHandle, EffectScope};
pub use error::{AiviError, AiviErrorHandle};
pub use ref_handle::{AiviRef, AiviRefHandle};
pub use runtime_lifecycle::AiviRuntime;
pub use value::{AiviValue, AiviValueHandle};

#[cfg(test)]
mod tests;
