//! Cairn for Rust hosts: compile a script once, call its functions with structured values,
//! give it host functions, and bound it with fuel, call depth, heap size and cancellation —
//! on the interpreter or the Cranelift JIT, which agree on every result, diagnostic and
//! refcount event.
//!
//! ```
//! use cairn::{Engine, EngineKind, HostError, Limits, Value};
//!
//! let mut engine = Engine::new(EngineKind::Jit);
//! engine.register_fn("clip", |x: i64, lo: i64, hi: i64| x.clamp(lo, hi)).unwrap();
//! engine.register_fn("safe_sqrt", |x: f64| -> Result<f64, HostError> {
//!     if x < 0.0 { Err(HostError::new("negative input")) } else { Ok(x.sqrt()) }
//! }).unwrap();
//! let module = engine.compile("demo.cairn", "
//!     fn add(a, b) = a + b
//!     fn main() = [clip(42, 0, 10), add(1, 2)]
//!     fn root(x) = safe_sqrt(x)
//! ").unwrap();
//! let mut rt = engine.runtime(Limits::default()).unwrap();
//! let n: i64 = rt.call(&module, "add", (1, 2)).unwrap();
//! assert_eq!(n, 3);
//! let v: Value = rt.call(&module, "main", ()).unwrap();
//! assert_eq!(v, Value::List(vec![Value::Int(10), Value::Int(3)]));
//! let error = rt.call::<f64>(&module, "root", (-1.0,)).unwrap_err();
//! assert_eq!(error.code(), "RT0701");
//! assert_eq!(error.message(), "host function safe_sqrt failed: negative input");
//! assert_eq!(rt.blocks_in_use(), 0);
//! ```
//!
//! # The pieces
//!
//! - [`Engine`]: an [`EngineKind`] plus the host functions scripts may call
//!   ([`Engine::register_fn`], [`Engine::register_raw`] with a [`HostContext`]); compiles
//!   scripts and creates runtimes. [`Engine::register_type`] registers a host type with
//!   methods ([`TypeBuilder`]): scripts get its values as host objects
//!   ([`Runtime::new_object`], [`HostContext::new_object`]) and call `object.method(args)`.
//! - [`Module`]: a compiled script, immutable and `Send + Sync`: compile once, run it in
//!   many runtimes on many threads.
//! - [`Runtime`]: one heap with its [`Limits`] and a [`CancelHandle`], used by one thread at
//!   a time; [`Runtime::call`] calls any named function of a module.
//! - [`Value`]: an owned copy of a script value, or an [`Opaque`] handle on a Seq, Closure,
//!   Ref or host object; [`IntoValue`], [`FromValue`] and [`IntoArgs`] convert Rust types, and
//!   [`to_value`] / [`from_value`] any serde type.
//! - [`CompileError`], [`RunError`], [`HostError`]: diagnostics with stable codes, rendered
//!   exactly as the `cairn` CLI prints them.
//! - [`capi`]: the C API of `include/cairn.h`.
//!
//! The guide is docs/EMBEDDING.md in the repository; runnable examples are in its
//! `examples/` folder (`cargo run --example embed_basic`, `host_functions`, `host_objects`,
//! `sandbox`, `parallel`).

mod audit;
pub mod capi;
mod compile_error;
mod convert;
mod convert_containers;
mod convert_numbers;
mod engine;
mod error;
mod host_fn;
mod host_object;
mod module;
pub mod render;
mod render_excerpt;
mod resolver;
mod runtime;
mod runtime_failure;
mod serde_value;
mod time_limit;
mod typed_func;
mod value;
mod value_io;
mod value_tree;

pub use audit::{LeakReport, LeakedBlock, QuotaControl, SiteLocation};
pub use cairn_runtime::audit::{
    GraphEdge, GraphNode, HeapStats, OwnershipGraph, OwnershipProblem, OwnershipReport,
};
pub use cairn_runtime::heap::audit::{
    AuditWarning, HookFailure, IntegrityViolation, WatchdogReport, WatchdogTrigger,
};
/// Writes a refcount trace as JSON Lines (`{"seq":0,"op":"malloc","block":3,"old":0,"new":1}`).
pub use cairn_runtime::heap::trace::write_json_lines as write_trace_json_lines;
pub use cairn_runtime::heap::{
    AllocationFailure, AllocationRetry, AllocationSite, AuditConfig, EventLogConfig, HeapDelta,
    HeapEvent, HeapSnapshot, HookId, JsonLinesSink, RefCountMismatch, RefOp, SinkStatus,
    TRACE_BATCH_EVENTS, TraceEvent, TraceSink, WatchdogAction, WatchdogConfig,
};
pub use cairn_runtime::{CancelHandle, Limits, MAX_CALL_DEPTH};
pub use compile_error::{CompileDiagnostic, CompileError};
pub use convert::{FromValue, INT_MAX, INT_MIN, IntoArgs, IntoValue};
pub use engine::{Engine, EngineKind, MAX_HOST_ARITY, NativeModule};
pub use error::{HostError, RunError};
pub use host_fn::{HostContext, IntoHostFunction, MAX_HOST_NESTING};
pub use host_object::{IntoHostMethod, TypeBuilder};
pub use module::Module;
pub use resolver::{FileResolver, MemoryResolver, ModuleResolver, ModuleSource};
pub use runtime::Runtime;
pub use serde_value::{MAX_SERDE_DEPTH, from_value, to_value};
pub use typed_func::{ArgWriter, TypedArgs, TypedFunc};
pub use value::{Opaque, Value};
