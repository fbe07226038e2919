//! The per-run context every shim receives first: the heap, the limits, the parked error,
//! the program's output and the cancel flag. One context per runtime; one runtime per thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{ErrorLocation, RuntimeError};
use crate::heap::{AuditConfig, Heap};
use crate::value::Value;

/// Default heap size: 1 GiB (2^24 blocks), more than a desktop script needs. Only the first
/// segment (4 MiB of address space, committed as it is touched) is mapped up front; the
/// others are mapped when allocations need them.
pub const DEFAULT_HEAP_BLOCKS: u32 = 1 << 24;
/// Default call-depth limit (RT0501). Both engines count the same IR calls.
pub const DEFAULT_MAX_CALL_DEPTH: u64 = 10_000;
/// The largest call-depth limit a runtime accepts: one million nested calls. Both engines
/// run on a stack reserved for the limit (`MAP_NORESERVE`, committed only as it is touched):
/// 64 MiB plus, per level, the JIT's frame budget (at least 1 KiB; a compiled frame measures
/// about 65 bytes) and 4 KiB for shims and callbacks, so about 5 GiB of address space at this
/// maximum, which every 64-bit host with overcommit can map. A larger limit is refused when
/// the runtime is created (`Context::new`), so the engines can never disagree on it.
pub const MAX_CALL_DEPTH: u64 = 1_000_000;

/// Resource limits of one runtime (docs/EMBEDDING.md, "Limits and cancellation"). The heap limits
/// hold for the runtime's life; the call depth and fuel are counted afresh for every call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The heap's size in 64-byte blocks, `1..=MAX_HEAP_BLOCKS` (default 2^24, 1 GiB; see
    /// [`Limits::heap_blocks_for_mib`]). Segments of 65,535 blocks are mapped as needed. An
    /// allocation that does not fit fails with RT0401 `heap exhausted`.
    pub heap_blocks: u32,
    /// Soft quota in blocks (RT0402), `1..=heap_blocks`; `None` = the whole heap. Zero or a
    /// quota above the heap size is refused (RT0404) when the runtime is created.
    pub heap_quota: Option<u32>,
    /// How many calls may be nested (default 10,000; `1..=`[`MAX_CALL_DEPTH`], one
    /// million): one more is RT0501 `stack overflow`. Zero is refused (RT0404).
    /// Tail calls do not nest; pulls through sequence stages and host callbacks do.
    pub max_call_depth: u64,
    /// Fuel units; one is charged at every function entry and loop back-edge. `None` =
    /// unlimited; `Some(0)` is refused (RT0404): no call could run.
    pub fuel: Option<u64>,
    /// Wall-clock limit of each call (docs/EMBEDDING.md, "Limits and cancellation"): when
    /// it passes, the call is cancelled as [`CancelHandle::cancel`] does and fails with
    /// RT0503 `execution cancelled: time limit of {limit} exceeded` at its next fuel point.
    /// Unlike fuel it is not deterministic: where a run stops depends on the machine and
    /// the engine. `None` (the default) = no limit; `Some(Duration::ZERO)` is refused
    /// (RT0404). The embedding API (the `cairn` crate) enforces it.
    pub time_limit: Option<std::time::Duration>,
    /// Allocation-failure injection (`--fail-alloc-at N`): in every run, the Nth allocation
    /// that records a `malloc` event (1-based, counted from the start of the run) fails
    /// with RT0401 `heap exhausted` exactly as a full heap does, and the run must leave the
    /// heap as it found it. Counted per run, not per runtime; allocations the host makes
    /// between runs are not counted. `None` (the default) = never.
    pub fail_alloc_at: Option<u64>,
    /// The output budget in bytes (default 64 MiB): the longest canonical form `print`,
    /// `str` and `fail` build, and the largest host copy of a value the embedding API makes
    /// (a result, a host function's argument). Its size is measured first (memoised over
    /// shared objects), so a value past the budget is RT0405 `output too large: ...` before
    /// anything is built, however many times it shares one object.
    pub max_output_bytes: usize,
    /// Audit mode: off by default (docs/MEMORY.md, "Audit mode and the integrity toolkit").
    pub audit: AuditConfig,
}

impl Limits {
    /// The block count of a heap of `mib` MiB (16,384 blocks per MiB), for `heap_blocks`.
    pub const fn heap_blocks_for_mib(mib: u32) -> u32 {
        mib.saturating_mul(16_384)
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            heap_blocks: DEFAULT_HEAP_BLOCKS,
            heap_quota: None,
            max_call_depth: DEFAULT_MAX_CALL_DEPTH,
            fuel: None,
            time_limit: None,
            fail_alloc_at: None,
            max_output_bytes: crate::objects::print::DEFAULT_MAX_OUTPUT_BYTES,
            audit: AuditConfig::default(),
        }
    }
}

/// The checks of [`Context::new`] besides the heap size (which the heap checks itself).
fn check_limits(limits: &Limits) -> Result<(), RuntimeError> {
    let invalid = |detail: String| {
        Err(RuntimeError::new(
            crate::error::ErrorCode::RT0404,
            format!("invalid limits: {detail}"),
        ))
    };
    if limits.max_call_depth == 0 || limits.max_call_depth > MAX_CALL_DEPTH {
        return invalid(format!(
            "the call depth limit must be 1..={MAX_CALL_DEPTH}, got {}",
            limits.max_call_depth
        ));
    }
    if let Some(quota) = limits.heap_quota
        && (quota == 0 || quota > limits.heap_blocks)
    {
        return invalid(format!(
            "the heap quota must be 1..={} blocks (the heap size), got {quota}",
            limits.heap_blocks
        ));
    }
    if limits.fuel == Some(0) {
        return invalid("the fuel must be at least 1 (None is unlimited), got 0".to_string());
    }
    if limits.time_limit == Some(std::time::Duration::ZERO) {
        return invalid("the time limit must be positive (None is unlimited), got 0".to_string());
    }
    Ok(())
}

/// A frame of the call stack of a failed run: function index and IR op index (the engines
/// map these to names and source spans; the runtime knows neither).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorFrame {
    pub function: u32,
    pub op: u32,
}

/// A handle another thread can use to cancel a run (RT0503 at the next fuel point).
#[derive(Clone, Debug, Default)]
pub struct CancelHandle(Arc<AtomicBool>);

impl CancelHandle {
    /// Asks the run to stop: it fails with RT0503 at its next fuel point. Safe from any
    /// thread; the flag stays set until the run (or [`CancelHandle::reset`]) clears it.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    /// Whether a cancel is pending.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
    /// Clears a pending cancel (so that it does not stop the next run).
    pub fn reset(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
    /// The flag's address; stable for as long as any clone of this handle lives.
    fn flag_address(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }
}

pub struct Context {
    pub heap: Heap,
    pub limits: Limits,
    pub call_depth: u64,
    pub fuel_remaining: u64,
    /// Fuel held back from `fuel_remaining` while the watchdog runs: the fuel points see
    /// `fuel_remaining` reach 0 every `check_every_fuel` units, check, and refill from here.
    /// `fuel_remaining + fuel_reserve` is the fuel left.
    pub fuel_reserve: u64,
    /// How many audit violations the heap had when the run began (those found since fail it).
    audit_violation_mark: usize,
    /// The ownership graphs `checkpoint()` recorded (audit mode with checkpoints on).
    pub checkpoints: Vec<crate::audit::OwnershipGraph>,
    pub cancel: CancelHandle,
    pending_error: Option<RuntimeError>,
    /// Where the parked error points, when the code that parked it knew ([`Context::raise_at`]).
    pending_location: ErrorLocation,
    pub error_frames: Vec<ErrorFrame>,
    /// Everything `print` wrote during the run.
    pub output: Vec<u8>,
    /// When true, `print` also writes to the process's stdout as it goes.
    pub echo_output: bool,
    /// Why echoing `print` to stdout failed during the run (the print then failed the run
    /// with RT0001); the CLI reports this as a one-line I/O error instead.
    pub echo_failure: Option<String>,
    /// Address of the `AtomicBool` inside `cancel`, refreshed by [`Context::begin_run`]; the
    /// JIT's inline Enter/Fuel fast paths read the flag through it.
    cancel_flag_address: usize,
    /// The loaded program's functions (names, closure arities, engine entries).
    pub functions: crate::abi::invoke::FunctionTable,
    /// The running engine's closure invoker; `Some` only during a run.
    pub invoker: Option<crate::abi::invoke::ClosureInvoker>,
    /// The host functions the loaded module calls, by index (installed by the embedder).
    pub host_functions: std::sync::Arc<[crate::abi::host::HostFunction]>,
    /// The run's Text literals by id (`rt_text_constant`; docs/MEMORY.md, "Text literals"):
    /// one reference each, 0 where the run has not built it; released when the run ends.
    text_constants: Vec<u64>,
    /// The ids of `text_constants` in the order the run built them: the order they are
    /// released in (the same on both engines, whose literal ids differ).
    text_constants_built: Vec<u64>,
    /// Whatever the embedder keeps with this context (host functions read it back through
    /// `HostCall::context`); the runtime never looks at it.
    pub embedder_data: Option<Arc<dyn std::any::Any + Send + Sync>>,
}

/// Byte offsets into [`Context`] for code that checks depth, fuel and cancellation inline
/// (the JIT). They must only be used to mirror `rt_enter`/`rt_leave`/`rt_fuel` exactly, and
/// only after [`Context::begin_run`].
#[derive(Clone, Copy, Debug)]
pub struct ControlFieldOffsets {
    /// `u64`: current call depth.
    pub call_depth: i32,
    /// `u64`: the RT0501 limit.
    pub max_call_depth: i32,
    /// `u64`: fuel units left.
    pub fuel_remaining: i32,
    /// `usize`: address of the cancel flag (an `AtomicBool`, one byte, nonzero = cancelled).
    pub cancel_flag_address: i32,
    /// `u64`: the allocation site the heap attributes the next allocation to (stored by
    /// the JIT's audit variant before each op).
    pub allocation_site: i32,
}

impl Context {
    pub const CONTROL_FIELD_OFFSETS: ControlFieldOffsets = ControlFieldOffsets {
        call_depth: std::mem::offset_of!(Context, call_depth) as i32,
        max_call_depth: std::mem::offset_of!(Context, limits.max_call_depth) as i32,
        fuel_remaining: std::mem::offset_of!(Context, fuel_remaining) as i32,
        cancel_flag_address: std::mem::offset_of!(Context, cancel_flag_address) as i32,
        allocation_site: std::mem::offset_of!(Context, heap.current_site) as i32,
    };
}

impl Context {
    /// A context with `limits`; refused (RT0404 `invalid limits: ...`, naming the value
    /// asked for) when the heap size is outside `1..=MAX_HEAP_BLOCKS`, the call depth limit
    /// outside `1..=`[`MAX_CALL_DEPTH`], the quota outside `1..=heap_blocks`, or the fuel
    /// or the time limit is zero.
    pub fn new(limits: Limits) -> Result<Context, RuntimeError> {
        check_limits(&limits)?;
        let mut heap =
            Heap::new(limits.heap_blocks).map_err(|e| RuntimeError::invalid_reference(&e))?;
        heap.set_quota(limits.heap_quota);
        heap.set_audit(limits.audit);
        let cancel = CancelHandle::default();
        Ok(Context {
            cancel_flag_address: cancel.flag_address(),
            heap,
            fuel_remaining: limits.fuel.unwrap_or(u64::MAX),
            fuel_reserve: 0,
            audit_violation_mark: 0,
            checkpoints: Vec::new(),
            limits,
            call_depth: 0,
            cancel,
            pending_error: None,
            pending_location: ErrorLocation::UNKNOWN,
            error_frames: Vec::new(),
            output: Vec::new(),
            echo_output: false,
            echo_failure: None,
            functions: Default::default(),
            invoker: None,
            host_functions: std::sync::Arc::new([]),
            text_constants: Vec::new(),
            text_constants_built: Vec::new(),
            embedder_data: None,
        })
    }

    /// Parks `error` (keeping the first one if one is already parked) and returns the zero
    /// word that signals failure to the engine.
    #[inline]
    pub fn raise(&mut self, error: RuntimeError) -> u64 {
        if self.pending_error.is_none() {
            self.pending_error = Some(error);
        }
        0
    }

    /// [`Context::raise`] for an error whose source position is known (an embedder that
    /// maps a failed run's frames to its script parks it this way, so that
    /// `aivi_runtime_take_error` hands out a handle with a line and column). Like `raise`,
    /// an error already parked is kept, with its own location.
    pub fn raise_at(&mut self, error: RuntimeError, location: ErrorLocation) -> u64 {
        if self.pending_error.is_none() {
            self.pending_error = Some(error);
            self.pending_location = location;
        }
        0
    }

    pub fn pending_error(&self) -> Option<&RuntimeError> {
        self.pending_error.as_ref()
    }

    /// Where the parked error points ([`ErrorLocation::UNKNOWN`] unless it was parked with
    /// [`Context::raise_at`]).
    pub fn pending_location(&self) -> ErrorLocation {
        self.pending_location
    }

    /// Takes the parked error and its frames, resetting both (and the parked location).
    pub fn take_error(&mut self) -> Option<(RuntimeError, Vec<ErrorFrame>)> {
        let error = self.pending_error.take()?;
        self.pending_location = ErrorLocation::UNKNOWN;
        Some((error, std::mem::take(&mut self.error_frames)))
    }

    /// Resets per-run state (depth, fuel, parked error, output, the injected allocation
    /// failure's count) before a new run.
    pub fn begin_run(&mut self) {
        self.release_text_constants();
        self.checkpoints.clear();
        self.call_depth = 0;
        let fuel = self.limits.fuel.unwrap_or(u64::MAX);
        let interval = self.watchdog_interval().unwrap_or(u64::MAX);
        self.fuel_remaining = fuel.min(interval);
        self.fuel_reserve = fuel - self.fuel_remaining;
        self.audit_violation_mark = self.heap.audit_violations().len();
        self.pending_error = None;
        self.pending_location = ErrorLocation::UNKNOWN;
        self.error_frames.clear();
        self.output.clear();
        self.echo_failure = None;
        self.cancel_flag_address = self.cancel.flag_address();
        self.heap.fail_allocation_at(self.limits.fail_alloc_at);
    }

    /// Fuel units between watchdog checks, when the heap's watchdog is on.
    fn watchdog_interval(&self) -> Option<u64> {
        let watchdog = self.heap.audit()?.config().watchdog?;
        Some(watchdog.check_every_fuel.max(1))
    }

    /// A fuel point found `fuel_remaining` at 0: refill it from the reserve and run the
    /// watchdog check. `false` when no fuel is left at all (RT0502).
    pub fn refill_fuel(&mut self) -> bool {
        if self.fuel_reserve == 0 {
            return false;
        }
        let interval = self.watchdog_interval().unwrap_or(u64::MAX);
        let refill = self.fuel_reserve.min(interval);
        self.fuel_reserve -= refill;
        self.fuel_remaining = refill;
        self.heap.watchdog_check();
        true
    }

    /// Ends a run: a run that returned a value although audit mode found an integrity
    /// violation during it fails with RT0801 instead (its value released). Both engines
    /// call this last, so the failure is the same on both.
    pub fn finish_run(&mut self, outcome: Result<Value, RunFailure>) -> Result<Value, RunFailure> {
        self.release_text_constants();
        self.heap.fail_allocation_at(None);
        self.heap.audit_free_list();
        let Some(violation) = self
            .heap
            .audit_violations()
            .get(self.audit_violation_mark)
            .cloned()
        else {
            return outcome;
        };
        match outcome {
            Ok(value) => {
                crate::abi::shims::release_recording(self, value);
                Err(RunFailure {
                    error: RuntimeError::integrity_violation(&violation.to_string()),
                    frames: Vec::new(),
                })
            }
            Err(failure) => Err(failure),
        }
    }

    /// The run's Text literal `id`, when the run has built it (`rt_text_constant`).
    #[inline]
    pub fn text_constant(&self, id: u64) -> Option<Value> {
        match self.text_constants.get(usize::try_from(id).ok()?) {
            Some(&word) if word != 0 => Some(Value(word)),
            _ => None,
        }
    }

    /// Keeps `text` (one reference, moved in) as the run's Text literal `id`.
    pub fn keep_text_constant(&mut self, id: u64, text: Value) {
        let Ok(index) = usize::try_from(id) else {
            crate::abi::shims::release_recording(self, text);
            return;
        };
        if index >= self.text_constants.len() {
            self.text_constants.resize(index + 1, 0);
        }
        let old = std::mem::replace(&mut self.text_constants[index], text.bits());
        if old == 0 {
            self.text_constants_built.push(id);
        } else {
            crate::abi::shims::release_recording(self, Value(old));
        }
    }

    /// Releases the run's Text literals (at the start and the end of every run) in the
    /// order the run built them.
    pub fn release_text_constants(&mut self) {
        let built = std::mem::take(&mut self.text_constants_built);
        for &id in &built {
            let word = std::mem::take(&mut self.text_constants[id as usize]);
            crate::abi::shims::release_recording(self, Value(word));
        }
        // Keep both allocations for the next run.
        let mut built = built;
        built.clear();
        self.text_constants_built = built;
    }

    /// The raw pointer engines pass as every shim's first argument.
    pub fn as_ptr(&mut self) -> *mut Context {
        self as *mut Context
    }
}

/// How a failed run ends: the error and the call stack, innermost frame first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunFailure {
    pub error: RuntimeError,
    pub frames: Vec<ErrorFrame>,
}

impl Context {
    /// Takes the parked error as a [`RunFailure`]; an engine that saw a zero word without a
    /// parked error reports RT0001 rather than inventing a value.
    pub fn take_failure(&mut self) -> RunFailure {
        match self.take_error() {
            Some((error, frames)) => RunFailure { error, frames },
            None => RunFailure {
                error: RuntimeError::internal("a shim reported failure without an error"),
                frames: std::mem::take(&mut self.error_frames),
            },
        }
    }
}
