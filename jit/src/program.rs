//! A compiled program: the finalized native code, the text literals it points at, and the
//! Value ABI version it was generated against. Loading it into a runtime (`run_main`) runs
//! the ABI handshake first, then the entry function on a thread whose stack holds
//! `max_call_depth` compiled frames, so deep recursion ends in RT0501 and never in a crash.

use cairn_runtime::abi::invoke::{ClosureInvoker, FunctionInfo};
use cairn_runtime::abi::version::runtime_value_abi_handshake;
use cairn_runtime::{Context, RunFailure, RuntimeError, Value};

use crate::context::JitContext;

/// The native entry point: `extern "C" fn(ctx) -> word` (0 = failure, error parked).
pub(crate) type EntryFunction = unsafe extern "C" fn(*mut Context) -> u64;

/// Stack reserved for the host side of a run (shims, `rt_release` worklists, printing).
const BASE_STACK_BYTES: u64 = 64 * 1024 * 1024;
/// The least stack budgeted per compiled frame (spills, saved registers, return address).
const MIN_FRAME_BYTES: u64 = 1024;

pub struct JitProgram {
    entry: EntryFunction,
    /// Owns the code `entry` points into; dropping it frees the code memory.
    _code: JitContext,
    /// Text literal bytes the code passes to `rt_text_literal` by address.
    _literals: Vec<Box<[u8]>>,
    abi_required: (u32, u32),
    /// Stack bytes budgeted per compiled frame: [`MIN_FRAME_BYTES`] plus the largest
    /// function's explicit slots and one spill word per IR variable.
    frame_bytes: u64,
    /// The function table a run installs (entry = native address of each function, in the
    /// `tail` calling convention: what `rt_call_target` hands to compiled code).
    function_table: Vec<FunctionInfo>,
    /// Per function, the address of its C-convention host wrapper (0 when it has none): what
    /// the closure invoker calls. Boxed so the invoker's data pointer stays put.
    host_entries: Box<[u64]>,
}

impl JitProgram {
    pub(crate) fn new(
        jit: JitContext,
        entry: EntryFunction,
        literals: Vec<Box<[u8]>>,
        abi_required: (u32, u32),
        largest_frame_estimate: u64,
        function_table: Vec<FunctionInfo>,
        host_entries: Vec<u64>,
    ) -> JitProgram {
        JitProgram {
            entry,
            _code: jit,
            _literals: literals,
            abi_required,
            frame_bytes: MIN_FRAME_BYTES + largest_frame_estimate,
            function_table,
            host_entries: host_entries.into_boxed_slice(),
        }
    }

    /// The Value ABI version `(major, minor)` this code was generated against.
    pub fn abi_required(&self) -> (u32, u32) {
        self.abi_required
    }

    /// Handshake, then runs the entry function. Ok = owned result word (the caller prints
    /// and releases it). Resets per-run context state first (`ctx.begin_run()`).
    pub fn run_main(&self, ctx: &mut Context) -> Result<Value, RunFailure> {
        let (major, minor) = self.abi_required;
        runtime_value_abi_handshake(major, minor).map_err(|error| RunFailure {
            error,
            frames: Vec::new(),
        })?;
        ctx.begin_run();
        ctx.install_functions(self.function_table.clone());
        ctx.invoker = Some(ClosureInvoker {
            data: &self.host_entries as *const Box<[u64]> as *const (),
            invoke: invoke_native,
        });
        let outcome = self.run_entry(ctx);
        ctx.invoker = None;
        outcome
    }

    fn run_entry(&self, ctx: &mut Context) -> Result<Value, RunFailure> {
        let stack_bytes = BASE_STACK_BYTES
            .saturating_add(ctx.limits.max_call_depth.saturating_mul(self.frame_bytes));
        let stack_bytes = usize::try_from(stack_bytes).map_err(|_| {
            internal_failure(format!(
                "call depth limit {} needs more stack than this host can address",
                ctx.limits.max_call_depth
            ))
        })?;
        let entry = self.entry;
        let depth_limit = ctx.limits.max_call_depth;
        let word = std::thread::scope(|scope| {
            let runner = std::thread::Builder::new()
                .name("cairn-jit-run".into())
                .stack_size(stack_bytes)
                .spawn_scoped(scope, || {
                    // SAFETY: `entry` was produced by `compile` from this program's module,
                    // which stays alive (and its code mapped) while `self` is borrowed; the
                    // context pointer is the caller's exclusive `&mut Context` for the run.
                    unsafe { entry(ctx.as_ptr()) }
                })
                .map_err(|e| {
                    internal_failure(format!(
                        "cannot start the JIT run thread with {stack_bytes} bytes of stack \
                         (call depth limit {depth_limit}): {e}"
                    ))
                })?;
            runner
                .join()
                .map_err(|_| internal_failure("the run thread panicked".to_string()))
        })?;
        if word == 0 {
            Err(ctx.take_failure())
        } else {
            Ok(Value(word))
        }
    }
}

/// The JIT's closure invoker: calls the host wrapper of compiled function `function` with
/// `(ctx, args...)`. The runtime calls closures with the closure plus at most three args.
///
/// # Safety
/// `data` is the running program's `host_entries`; `function` is a closure-callable function
/// of it taking exactly `args.len()` words (the runtime checked the closure's arity against
/// the function table); `ctx` is the run's context pointer with no `&mut Context` live.
unsafe fn invoke_native(data: *const (), ctx: *mut Context, function: u32, args: &[u64]) -> u64 {
    // SAFETY: `run_main` installs `data` = `&self.host_entries`, alive for the run.
    let host_entries = unsafe { &*(data as *const Box<[u64]>) };
    let entry = host_entries.get(function as usize).copied().unwrap_or(0);
    if entry == 0 {
        // SAFETY: no `&mut Context` is live (the caller's contract).
        let context = unsafe { &mut *ctx };
        for &word in args {
            cairn_runtime::abi::shims::release_recording(context, Value(word));
        }
        return context.raise(RuntimeError::internal(
            "the runtime called a function that has no host entry",
        ));
    }
    type F1 = unsafe extern "C" fn(*mut Context, u64) -> u64;
    type F2 = unsafe extern "C" fn(*mut Context, u64, u64) -> u64;
    type F3 = unsafe extern "C" fn(*mut Context, u64, u64, u64) -> u64;
    type F4 = unsafe extern "C" fn(*mut Context, u64, u64, u64, u64) -> u64;
    let address = entry as usize as *const u8;
    // SAFETY (every arm): `address` is a host wrapper declared with
    // `host_signature(args.len())` — `(ctx, i64 x n) -> i64` in the host's C calling
    // convention — which is exactly the transmuted type (the runtime checked the closure's
    // arity against the function table before invoking).
    unsafe {
        match *args {
            [a] => std::mem::transmute::<*const u8, F1>(address)(ctx, a),
            [a, b] => std::mem::transmute::<*const u8, F2>(address)(ctx, a, b),
            [a, b, c] => std::mem::transmute::<*const u8, F3>(address)(ctx, a, b, c),
            [a, b, c, d] => std::mem::transmute::<*const u8, F4>(address)(ctx, a, b, c, d),
            _ => {
                let context = &mut *ctx;
                for &word in args {
                    cairn_runtime::abi::shims::release_recording(context, Value(word));
                }
                context.raise(RuntimeError::internal(
                    "the runtime called a closure with more than three arguments",
                ))
            }
        }
    }
}

fn internal_failure(detail: String) -> RunFailure {
    RunFailure {
        error: RuntimeError::internal(&detail),
        frames: Vec::new(),
    }
}
