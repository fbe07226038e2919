//! A compiled program: the finalized native code, the text literals it points at, and the
//! Value ABI version it was generated against. Loading it into a runtime (`run_main`,
//! `call`) runs the ABI handshake first, then the function on a stack (`with_stack`) that holds
//! `max_call_depth` compiled frames, so deep recursion ends in RT0501 and never in a crash.

use std::sync::OnceLock;

use cairn_lang::analysis::KindSet;
use cairn_lang::ir;
use cairn_runtime::abi::invoke::{ClosureInvoker, FunctionTable};
use cairn_runtime::abi::version::runtime_value_abi_handshake;
use cairn_runtime::{Context, RunFailure, RuntimeError, Value};

/// A function's host entry (its arity's trampoline, `host_entry.rs`): `extern "C" fn(ctx,
/// args, function) -> word`, reading the function's params from `args` (0 = failure, error
/// parked).
pub(crate) type HostEntry = unsafe extern "C" fn(*mut Context, *const u64, u64) -> u64;

/// The least stack budgeted per compiled frame (spills, saved registers, return address).
pub(crate) const MIN_FRAME_BYTES: u64 = 1024;

pub struct JitProgram {
    pub(crate) entry: u32,
    /// The function table and the compiler that fills it on first calls; owns the code
    /// (dropping it frees the code memory) and the text literals the code points at. Boxed:
    /// compiled code holds its address.
    pub(crate) _compiler: Box<crate::lazy_compile::LazyCompiler>,
    pub(crate) abi_required: (u32, u32),
    /// The stack a run budgets for compiled frames (`stack_budget.rs`): per call level, and
    /// once for the frames of functions that cannot recurse.
    pub(crate) stack_budget: crate::stack_budget::StackBudget,
    /// The function table a run installs (entry = native address of each function, in the
    /// `tail` calling convention: what `rt_call_target` hands to compiled code).
    pub(crate) function_table: FunctionTable,
    /// Per function, its C-convention host entry: what `call` and the closure invoker call.
    /// Boxed so the invoker's data pointer stays put.
    pub(crate) host_entries: Box<[HostEntry]>,
    /// Per function, how many params (words) its host entry reads.
    pub(crate) param_counts: Vec<usize>,
    /// Per function, the kinds its params were compiled for (the value-kind analysis).
    pub(crate) param_kinds: Vec<Vec<KindSet>>,
    /// The IR, kept to compile the generic and audit variants on demand (shared by every
    /// variant of one compiled module).
    pub(crate) source: Option<std::sync::Arc<ir::Module>>,
    /// The kind assumption this code was compiled under.
    pub(crate) assumption: crate::KindAssumption,
    /// The same module compiled assuming every function may receive anything: runs host
    /// calls whose arguments fall outside `param_kinds`. Same IR, same shims, same trace.
    pub(crate) generic: OnceLock<Result<Box<JitProgram>, RunFailure>>,
    /// Whether this code stores allocation sites (the audit variant).
    pub(crate) records_allocation_sites: bool,
    /// The audit variant (generic kinds, allocation sites stored), compiled on first use by
    /// a runtime that tracks allocation sites.
    pub(crate) audited: OnceLock<Result<Box<JitProgram>, RunFailure>>,
}

impl JitProgram {
    /// How many of this variant's functions have been compiled so far: each is compiled on
    /// its first call (`lazy_compile.rs`).
    pub fn compiled_function_count(&self) -> usize {
        self._compiler
            .table
            .iter()
            .filter(|entry| entry.load(std::sync::atomic::Ordering::Acquire) != 0)
            .count()
    }

    /// Bytes of machine code of this variant's functions compiled so far (each is compiled
    /// on its first call): what tests bound to keep code size linear in the source.
    pub fn compiled_code_bytes(&self) -> u64 {
        let state =
            (self._compiler.state.lock()).unwrap_or_else(std::sync::PoisonError::into_inner);
        state.code_bytes
    }

    /// The Value ABI version `(major, minor)` this code was generated against.
    pub fn abi_required(&self) -> (u32, u32) {
        self.abi_required
    }

    /// Handshake, then runs the entry function. Ok = owned result word (the caller prints
    /// and releases it). Resets per-run context state first (`ctx.begin_run()`).
    pub fn run_main(&self, ctx: &mut Context) -> Result<Value, RunFailure> {
        self.call(ctx, self.entry, &[])
    }

    /// Handshake, then runs function `function` with the owned words `args` as its params
    /// (the callee consumes those it takes owned; the caller still owns those passed to
    /// borrowed params). Resets per-run context state first (`ctx.begin_run()`); an unknown
    /// function or a wrong argument count is RT0001 / RT0305 before anything runs.
    pub fn call(
        &self,
        ctx: &mut Context,
        function: u32,
        args: &[u64],
    ) -> Result<Value, RunFailure> {
        let (major, minor) = self.abi_required;
        runtime_value_abi_handshake(major, minor).map_err(|error| RunFailure {
            error,
            frames: Vec::new(),
        })?;
        let Some(&expected) = self.param_counts.get(function as usize) else {
            return Err(internal_failure(format!(
                "function {function} does not exist ({} functions)",
                self.param_counts.len()
            )));
        };
        if expected != args.len() {
            let name = &self.function_table[function as usize].name;
            return Err(RunFailure {
                error: RuntimeError::arity_mismatch(name, expected, args.len()),
                frames: Vec::new(),
            });
        }
        if !self.accepts(function, args) {
            return self.generic_variant()?.call(ctx, function, args);
        }
        if ctx.heap.tracks_allocation_sites() && !self.records_allocation_sites {
            return self.audited_variant()?.call(ctx, function, args);
        }
        ctx.begin_run();
        ctx.install_functions(self.function_table.clone());
        ctx.invoker = Some(ClosureInvoker {
            data: &self.host_entries as *const Box<[HostEntry]> as *const (),
            invoke: invoke_native,
        });
        let outcome = self.run_on_stack(ctx, function, args);
        ctx.invoker = None;
        ctx.finish_run(outcome)
    }

    /// Whether `args` fall within the kinds function `function` was compiled for.
    fn accepts(&self, function: u32, args: &[u64]) -> bool {
        let Some(kinds) = self.param_kinds.get(function as usize) else {
            return true;
        };
        kinds
            .iter()
            .zip(args)
            .all(|(&kinds, &word)| kinds.contains(cairn_engine_support::kinds_of_word(Value(word))))
    }

    /// The audit variant (same kind assumption, allocation sites stored), compiled on first
    /// use.
    fn audited_variant(&self) -> Result<&JitProgram, RunFailure> {
        let Some(source) = &self.source else {
            return Err(internal_failure(
                "a compiled program has no IR to compile its audit variant from".to_string(),
            ));
        };
        self.audited
            .get_or_init(|| {
                crate::compile_variant(source.clone(), self.abi_required, self.assumption, true)
                    .map(Box::new)
            })
            .as_ref()
            .map(|program| &**program)
            .map_err(Clone::clone)
    }

    /// The generic variant, compiled on first use.
    fn generic_variant(&self) -> Result<&JitProgram, RunFailure> {
        let Some(source) = &self.source else {
            return Err(internal_failure(
                "a compiled program has no IR to compile its generic variant from".to_string(),
            ));
        };
        self.generic
            .get_or_init(|| {
                crate::compile_variant(
                    source.clone(),
                    self.abi_required,
                    crate::KindAssumption::AnyEntry,
                    self.records_allocation_sites,
                )
                .map(Box::new)
            })
            .as_ref()
            .map(|program| &**program)
            .map_err(Clone::clone)
    }

    fn run_on_stack(
        &self,
        ctx: &mut Context,
        function: u32,
        args: &[u64],
    ) -> Result<Value, RunFailure> {
        let entry = self.host_entries[function as usize];
        let ctx_pointer = ctx.as_ptr();
        let (per_level_bytes, once_bytes) = self.stack_budget.for_depth(
            ctx.limits.max_call_depth,
            cairn_engine_support::RUN_STACK_BYTES_PER_LEVEL,
        );
        let word = cairn_engine_support::with_run_stack(
            ctx.limits.max_call_depth,
            per_level_bytes,
            once_bytes,
            || {
                // SAFETY: `entry` is a host entry of this program's code, which stays mapped
                // while `self` is borrowed; it reads exactly `args.len()` words (checked by
                // `call`); the context pointer is the caller's exclusive `&mut Context` for the
                // run.
                unsafe { entry(ctx_pointer, args.as_ptr(), u64::from(function)) }
            },
        )
        .map_err(|error| RunFailure {
            error,
            frames: Vec::new(),
        })?;
        if word == 0 {
            Err(ctx.take_failure())
        } else {
            Ok(Value(word))
        }
    }
}

/// The JIT's closure invoker: calls the host entry of compiled function `function` with
/// `(ctx, args)`.
///
/// # Safety
/// `data` is the running program's `host_entries`; `function` is a closure-callable function
/// of it taking exactly `args.len()` words (the runtime checked the closure's arity against
/// the function table); `ctx` is the run's context pointer with no `&mut Context` live.
unsafe fn invoke_native(data: *const (), ctx: *mut Context, function: u32, args: &[u64]) -> u64 {
    // SAFETY: `call` installs `data` = `&self.host_entries`, alive for the run.
    let host_entries = unsafe { &*(data as *const Box<[HostEntry]>) };
    let Some(&entry) = host_entries.get(function as usize) else {
        // SAFETY: no `&mut Context` is live (the caller's contract).
        let context = unsafe { &mut *ctx };
        for &word in args {
            cairn_runtime::abi::shims::release_recording(context, Value(word));
        }
        return context.raise(RuntimeError::internal(
            "the runtime called a function this program does not have",
        ));
    };
    // SAFETY: `entry` is this program's host entry for `function`, which reads
    // `args.len()` words (the caller's contract); no `&mut Context` is live.
    unsafe { entry(ctx, args.as_ptr(), u64::from(function)) }
}

fn internal_failure(detail: String) -> RunFailure {
    RunFailure {
        error: RuntimeError::internal(&detail),
        frames: Vec::new(),
    }
}
