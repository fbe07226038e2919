//! Runtime diagnostics: the fixed codes and message wordings of docs/LANGUAGE.md ("Runtime
//! diagnostics") and docs/ABI.md ("Extra diagnostic codes").

use crate::value::KindName;

/// Stable runtime diagnostic codes. `RT0001`, `RT0107`, `RT0306`, `RT0307`, `RT0404` to
/// `RT0408` and `RT0410` are Cairn extensions (documented in docs/ABI.md and docs/LANGUAGE.md):
/// an internal fault caught at a shim boundary, `pop` of an empty list, a standard-library
/// argument outside its domain, a method call on a receiver without that method, a bad heap
/// reference or handle detected
/// by the integrity checks, an output past its budget, one object past a heap segment, a
/// closure of another module, too many modules making closures in one heap, and a run stack
/// that cannot be mapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    RT0001,
    RT0101,
    RT0102,
    RT0103,
    RT0104,
    RT0105,
    RT0106,
    RT0107,
    RT0201,
    RT0301,
    RT0302,
    RT0303,
    RT0304,
    RT0305,
    RT0306,
    RT0307,
    RT0401,
    RT0402,
    RT0403,
    RT0404,
    RT0405,
    RT0406,
    RT0407,
    RT0408,
    RT0410,
    RT0501,
    RT0502,
    RT0503,
    RT0601,
    RT0701,
    RT0702,
    RT0801,
    RT0900,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::RT0001 => "RT0001",
            ErrorCode::RT0101 => "RT0101",
            ErrorCode::RT0102 => "RT0102",
            ErrorCode::RT0103 => "RT0103",
            ErrorCode::RT0104 => "RT0104",
            ErrorCode::RT0105 => "RT0105",
            ErrorCode::RT0106 => "RT0106",
            ErrorCode::RT0107 => "RT0107",
            ErrorCode::RT0201 => "RT0201",
            ErrorCode::RT0301 => "RT0301",
            ErrorCode::RT0302 => "RT0302",
            ErrorCode::RT0303 => "RT0303",
            ErrorCode::RT0304 => "RT0304",
            ErrorCode::RT0305 => "RT0305",
            ErrorCode::RT0306 => "RT0306",
            ErrorCode::RT0307 => "RT0307",
            ErrorCode::RT0401 => "RT0401",
            ErrorCode::RT0402 => "RT0402",
            ErrorCode::RT0403 => "RT0403",
            ErrorCode::RT0404 => "RT0404",
            ErrorCode::RT0405 => "RT0405",
            ErrorCode::RT0406 => "RT0406",
            ErrorCode::RT0407 => "RT0407",
            ErrorCode::RT0408 => "RT0408",
            ErrorCode::RT0410 => "RT0410",
            ErrorCode::RT0501 => "RT0501",
            ErrorCode::RT0502 => "RT0502",
            ErrorCode::RT0503 => "RT0503",
            ErrorCode::RT0601 => "RT0601",
            ErrorCode::RT0701 => "RT0701",
            ErrorCode::RT0702 => "RT0702",
            ErrorCode::RT0801 => "RT0801",
            ErrorCode::RT0900 => "RT0900",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `1 argument`, `2 arguments`: a count of arguments as diagnostics spell it.
pub fn arguments(count: usize) -> String {
    if count == 1 {
        "1 argument".to_string()
    } else {
        format!("{count} arguments")
    }
}

/// A runtime error: code plus the one-line message. Source spans and call stacks are added
/// by the engines (the runtime knows nothing of syntax).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeError {
    pub code: ErrorCode,
    pub message: String,
}

/// Where a diagnostic points in a script's source: 1-based line and column (in characters);
/// both 0 when unknown. The runtime knows no source text: embedders that do (the `cairn`
/// crate) attach it to a parked error ([`crate::Context::raise_at`]) or an error handle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ErrorLocation {
    pub line: u32,
    pub column: u32,
}

impl ErrorLocation {
    /// No position.
    pub const UNKNOWN: ErrorLocation = ErrorLocation { line: 0, column: 0 };
}

impl std::fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error[{}]: {}", self.code, self.message)
    }
}

impl std::error::Error for RuntimeError {}

impl RuntimeError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> RuntimeError {
        RuntimeError {
            code,
            message: message.into(),
        }
    }
    pub fn list_index_type(kind: KindName) -> RuntimeError {
        Self::new(
            ErrorCode::RT0101,
            format!("list index expects an Int, got {kind}"),
        )
    }
    pub fn tuple_index_type(kind: KindName) -> RuntimeError {
        Self::new(
            ErrorCode::RT0102,
            format!("tuple index expects an Int, got {kind}"),
        )
    }
    pub fn index_out_of_bounds(index: i64, length: usize) -> RuntimeError {
        Self::new(
            ErrorCode::RT0103,
            format!("index out of bounds: index {index}, length {length}"),
        )
    }
    /// RT0104 for a NaN key (directly or inside a Tuple key): the kind is fine, the value
    /// is not (a NaN equals nothing, not even itself, so it could never be found again).
    pub fn nan_map_key() -> RuntimeError {
        Self::new(
            ErrorCode::RT0104,
            "map key is NaN, which is not a valid key (NaN equals nothing, not even itself)",
        )
    }
    pub fn invalid_map_key(kind: KindName) -> RuntimeError {
        Self::new(
            ErrorCode::RT0104,
            format!("map key is not a valid key type: {kind}"),
        )
    }
    /// `key` is the canonical printed form of the key.
    pub fn missing_map_key(key: &str) -> RuntimeError {
        Self::new(ErrorCode::RT0105, format!("missing map key: {key}"))
    }
    pub fn not_indexable(kind: KindName) -> RuntimeError {
        Self::new(
            ErrorCode::RT0106,
            format!("expected List/Tuple/Map/Text for indexed access, got {kind}"),
        )
    }
    /// `pop([])` (a Cairn extension, docs/ABI.md, "Extra diagnostic codes").
    pub fn pop_from_empty_list() -> RuntimeError {
        Self::new(ErrorCode::RT0107, "pop from an empty list")
    }
    /// `item` is `Filter`, `Yield` or `Recurse`.
    pub fn unsupported_block_item(item: &str) -> RuntimeError {
        Self::new(
            ErrorCode::RT0201,
            format!("unsupported block item in plain block: {item}"),
        )
    }
    pub fn integer_overflow() -> RuntimeError {
        Self::new(ErrorCode::RT0301, "integer overflow")
    }
    pub fn division_by_zero() -> RuntimeError {
        Self::new(ErrorCode::RT0302, "division by zero")
    }
    /// `kinds` is e.g. `Int and Text` or `Unit`.
    pub fn type_mismatch(op: &str, expected: &str, kinds: &str) -> RuntimeError {
        Self::new(
            ErrorCode::RT0303,
            format!("type mismatch: {op} expects {expected}, got {kinds}"),
        )
    }
    pub fn not_callable(kind: KindName) -> RuntimeError {
        Self::new(ErrorCode::RT0304, format!("not callable: {kind}"))
    }
    pub fn arity_mismatch(name: &str, expected: usize, got: usize) -> RuntimeError {
        Self::new(
            ErrorCode::RT0305,
            format!(
                "arity mismatch: {name} expects {}, got {got}",
                arguments(expected)
            ),
        )
    }
    /// RT0306: a standard-library builtin's argument has the right kind but a value outside
    /// its domain (`int` of NaN, a shift count past 47, an empty separator, ...). `reason`
    /// is the wording docs/LANGUAGE.md ("Standard library") gives for that builtin.
    pub fn invalid_argument(op: &str, reason: &str) -> RuntimeError {
        Self::new(
            ErrorCode::RT0306,
            format!("invalid argument to {op}: {reason}"),
        )
    }
    pub fn heap_exhausted(requested: u32, free: u32) -> RuntimeError {
        Self::new(
            ErrorCode::RT0401,
            format!(
                "heap exhausted: {requested} {} requested, {free} free",
                if requested == 1 { "block" } else { "blocks" }
            ),
        )
    }
    /// RT0407: a Closure made by another loaded program than the running one
    /// (docs/EMBEDDING.md, "Opaque handles (Seq, Closure, Ref)").
    pub fn foreign_closure() -> RuntimeError {
        Self::new(
            ErrorCode::RT0407,
            "not callable: a closure of another module (call a closure through the module that made it)".to_string(),
        )
    }
    /// RT0408: more distinct programs made closures in one heap than a Closure can name.
    pub fn too_many_closure_programs(max: u32) -> RuntimeError {
        Self::new(
            ErrorCode::RT0408,
            format!("too many modules made closures in this runtime (at most {max})"),
        )
    }
    /// RT0406: one object's chain cannot leave its head's segment (docs/MEMORY.md).
    pub fn object_too_large(requested: u32) -> RuntimeError {
        Self::new(
            ErrorCode::RT0406,
            format!(
                "object too large: {requested} blocks requested, one object spans at most {} blocks (one heap segment)",
                crate::heap::SEGMENT_BLOCKS
            ),
        )
    }
    /// RT0410: the stack a run needs for its call depth limit could not be mapped (an
    /// address-space limit of the host process, e.g. `ulimit -v`; docs/ABI.md).
    pub fn run_stack_unavailable(max_call_depth: u64, bytes: u64, detail: &str) -> RuntimeError {
        Self::new(
            ErrorCode::RT0410,
            format!(
                "run stack unavailable: the call depth limit {max_call_depth} needs {} MiB of stack, which this process cannot map ({detail})",
                bytes.div_ceil(1024 * 1024)
            ),
        )
    }
    pub fn quota_exceeded(requested: u32, used: u32, quota: u32) -> RuntimeError {
        Self::new(
            ErrorCode::RT0402,
            format!(
                "heap quota exceeded: {requested} {} requested, {used} of {quota} in use",
                if requested == 1 { "block" } else { "blocks" }
            ),
        )
    }
    /// RT0405: the canonical form (`print`, `str`, `fail`) would pass
    /// `Limits::max_output_bytes`; measured before any of it is built.
    pub fn printed_form_too_large(limit: usize) -> RuntimeError {
        Self::new(
            ErrorCode::RT0405,
            format!("output too large: the printed form exceeds the limit of {limit} bytes"),
        )
    }
    /// RT0405: a host's copy of a value (the embedding API's `Value` tree) would pass
    /// `Limits::max_output_bytes`; measured before any of it is built.
    pub fn host_copy_too_large(limit: usize) -> RuntimeError {
        Self::new(
            ErrorCode::RT0405,
            format!(
                "output too large: the host copy of the value exceeds the limit of {limit} bytes"
            ),
        )
    }
    pub fn ref_holds_ref() -> RuntimeError {
        Self::new(
            ErrorCode::RT0403,
            "a Ref cannot hold a value that contains a Ref",
        )
    }
    /// RT0801: a violation found by audit mode (block, detail and allocation site).
    pub fn integrity_violation(detail: &str) -> RuntimeError {
        Self::new(
            ErrorCode::RT0801,
            format!("heap integrity violation: {detail}"),
        )
    }
    pub fn invalid_reference(detail: &str) -> RuntimeError {
        Self::new(
            ErrorCode::RT0404,
            format!("invalid heap reference: {detail}"),
        )
    }
    pub fn stack_overflow(limit: u64) -> RuntimeError {
        Self::new(
            ErrorCode::RT0501,
            format!("stack overflow: call depth exceeds {limit}"),
        )
    }
    pub fn out_of_fuel() -> RuntimeError {
        Self::new(ErrorCode::RT0502, "out of fuel")
    }
    pub fn cancelled() -> RuntimeError {
        Self::new(ErrorCode::RT0503, "execution cancelled")
    }
    /// RT0307: a method call `receiver.method(...)` whose receiver has no such method: a host
    /// object whose type has none of that name, or a value of any other kind (only host
    /// objects have methods; docs/LANGUAGE.md, "Method calls").
    pub fn no_method(receiver: &str, method: &str) -> RuntimeError {
        Self::new(
            ErrorCode::RT0307,
            format!("no method {method} on {receiver}"),
        )
    }
    pub fn host_failed(name: &str, message: &str) -> RuntimeError {
        Self::new(
            ErrorCode::RT0701,
            format!("host function {name} failed: {message}"),
        )
    }
    pub fn host_panicked(name: &str, message: &str) -> RuntimeError {
        Self::new(
            ErrorCode::RT0702,
            format!("host function {name} panicked: {message}"),
        )
    }
    pub fn failed(message: &str) -> RuntimeError {
        Self::new(ErrorCode::RT0900, message)
    }
    pub fn internal(detail: &str) -> RuntimeError {
        Self::new(
            ErrorCode::RT0001,
            format!("internal runtime error: {detail}"),
        )
    }
}

impl From<crate::heap::HeapError> for RuntimeError {
    fn from(error: crate::heap::HeapError) -> RuntimeError {
        use crate::heap::HeapError;
        match error {
            HeapError::Exhausted { requested, free } => {
                RuntimeError::heap_exhausted(requested, free)
            }
            HeapError::ObjectTooLarge { requested } => RuntimeError::object_too_large(requested),
            HeapError::QuotaExceeded {
                used,
                quota,
                requested,
            } => RuntimeError::quota_exceeded(requested, used, quota),
            HeapError::Saturated => RuntimeError::internal("reference count saturated"),
            HeapError::Integrity(detail) => RuntimeError::invalid_reference(&detail),
            HeapError::Audit(violation) => {
                RuntimeError::integrity_violation(&violation.to_string())
            }
        }
    }
}
