//! Cairn's runtime: the block heap, values and containers, and the Value ABI (`extern "C"`
//! shims) that both engines call. It knows nothing of syntax or of Cranelift.

pub mod abi;
pub mod audit;
pub mod context;
pub mod error;
pub mod heap;
pub mod inline_heap_layout;
pub mod objects;
pub mod value;

pub use abi::Shim;
pub use context::{CancelHandle, Context, ErrorFrame, Limits, MAX_CALL_DEPTH, RunFailure};
pub use error::{ErrorCode, ErrorLocation, RuntimeError};
pub use objects::canonical_form;
pub use value::{Kind, KindName, Value};
