//! Cairn's interpreter: translates the shared post-RC IR into compact register code
//! (`translate`) and runs it with an explicit frame stack (`execute`), calling the same
//! runtime shims as the JIT, one per IR op, in IR order.
//!
//! ```text
//! let program = cairn_interp::load(&module)?;       // RT0201 etc. refused here
//! let result = program.run_main(&mut context)?;     // owned result word
//! ```
//!
//! `run_main_observed` runs the same executor with an [`ExecutionObserver`] told the IR op
//! of every instruction as it starts (used to attribute trace events to ops).

mod array_operand_shims;
mod code;
mod execute;
mod failed_call;
mod fast_paths;
mod frame_stack;
mod inline_control;
mod observe;
mod parallel_moves;
mod shim_selection;
mod superinstructions;
mod translate;

use cairn_lang::ir;
use cairn_runtime::abi::invoke::ClosureInvoker;
use cairn_runtime::context::{Context, RunFailure};
use cairn_runtime::error::RuntimeError;
use cairn_runtime::value::Value;

pub use code::{CompiledFunction, FailSite, Instr, IntComparison, InterpProgram};
pub use failed_call::limit_register_file_for_tests;
pub use observe::{AllocationSiteObserver, ExecutionObserver, NoObserver};
pub use translate::MAX_FRAME_REGISTERS;

/// Translates `module` for the interpreter. Refuses what
/// `cairn_lang::ir::load_check::check_loadable` refuses — generator items in plain blocks
/// (RT0201, frame = the op), an entry point with parameters (RT0305), Int constants outside
/// i48 (RT0301), malformed IR (RT0001) — and functions over the interpreter's own limits
/// (RT0001); never panics on host-built IR.
pub fn load(module: &ir::Module) -> Result<InterpProgram, RunFailure> {
    translate::translate_module(module)
}

impl InterpProgram {
    /// Runs the entry function with no arguments. Ok = owned result word (the caller prints
    /// and releases it). Resets per-run context state first (`ctx.begin_run()`).
    pub fn run_main(&self, ctx: &mut Context) -> Result<Value, RunFailure> {
        self.run_with(ctx, true, |executor, entry| {
            executor.run_plain_or_audited(entry, &[])
        })
    }

    /// Runs function `function` with the owned words `args` as its params (the callee
    /// consumes those it takes owned; the caller still owns those passed to borrowed params).
    /// Resets per-run context state first. An unknown function is RT0001 and a wrong argument
    /// count RT0305, before anything runs.
    pub fn call(
        &self,
        ctx: &mut Context,
        function: u32,
        args: &[u64],
    ) -> Result<Value, RunFailure> {
        let Some(compiled) = self.functions.get(function as usize) else {
            return Err(RunFailure {
                error: RuntimeError::internal(&format!(
                    "function {function} does not exist ({} functions)",
                    self.functions.len()
                )),
                frames: Vec::new(),
            });
        };
        if compiled.param_registers.len() != args.len() {
            return Err(RunFailure {
                error: RuntimeError::arity_mismatch(
                    &compiled.name,
                    compiled.param_registers.len(),
                    args.len(),
                ),
                frames: Vec::new(),
            });
        }
        let fits_specialized = args
            .iter()
            .zip(compiled.specialized_param_kinds.iter())
            .all(|(&word, kinds)| kinds.contains(cairn_engine_support::kinds_of_word(Value(word))));
        self.run_with(ctx, fits_specialized, |executor, _| {
            executor.run_plain_or_audited(function, args)
        })
    }

    /// [`InterpProgram::run_main`] with `observer` told the function and IR op index of
    /// every instruction before it executes (and of every frame a failure unwinds). The
    /// observer sees the context only between shim calls; the run itself is unchanged.
    /// Closures called back by sequence shims run unobserved.
    pub fn run_main_observed(
        &self,
        ctx: &mut Context,
        observer: &mut impl ExecutionObserver,
    ) -> Result<Value, RunFailure> {
        self.run_with(ctx, true, |executor, entry| {
            executor.run(entry, &[], observer)
        })
    }

    /// Begins the run (function table and closure invoker installed), executes `main` with
    /// `execute` on a stack sized for the depth limit, and maps the outcome. `specialized`:
    /// the run (and every closure the runtime calls back during it) executes the code
    /// specialized to the module's own calls — true for `main` and for a host call whose
    /// arguments fit the kinds that code was specialized for (as the JIT picks its variant).
    fn run_with(
        &self,
        ctx: &mut Context,
        specialized: bool,
        execute: impl FnOnce(&mut execute::Executor<'_>, u32) -> Result<u64, frame_stack::Failed>,
    ) -> Result<Value, RunFailure> {
        ctx.begin_run();
        ctx.install_functions(self.function_table.clone());
        ctx.invoker = Some(ClosureInvoker {
            data: self as *const InterpProgram as *const (),
            invoke: if specialized {
                invoke_closure_specialized
            } else {
                invoke_closure_generic
            },
        });
        let ctx_pointer = ctx.as_ptr();
        let outcome = cairn_engine_support::with_run_stack(ctx.limits.max_call_depth, 0, 0, || {
            // SAFETY: `ctx_pointer` comes from `Context::as_ptr` on the `&mut Context` this
            // function holds for the whole run and does not touch until the executor is done;
            // the executor only lends an observer shared references to it between shim calls.
            let mut executor = unsafe { execute::Executor::new(self, ctx_pointer, specialized) };
            execute(&mut executor, self.entry)
        });
        ctx.invoker = None;
        let outcome = match outcome {
            Ok(Ok(word)) => Ok(Value(word)),
            Ok(Err(frame_stack::Failed)) => Err(ctx.take_failure()),
            Err(error) => Err(RunFailure {
                error,
                frames: Vec::new(),
            }),
        };
        ctx.finish_run(outcome)
    }
}

/// The closure invoker of a run on the specialized code ([`invoke_closure`]).
///
/// # Safety
/// As [`invoke_closure`].
unsafe fn invoke_closure_specialized(
    data: *const (),
    ctx: *mut Context,
    function: u32,
    args: &[u64],
) -> u64 {
    // SAFETY: the caller upholds `invoke_closure`'s contract.
    unsafe { invoke_closure(data, ctx, function, args, true) }
}

/// The closure invoker of a run on the generic code ([`invoke_closure`]).
///
/// # Safety
/// As [`invoke_closure`].
unsafe fn invoke_closure_generic(
    data: *const (),
    ctx: *mut Context,
    function: u32,
    args: &[u64],
) -> u64 {
    // SAFETY: the caller upholds `invoke_closure`'s contract.
    unsafe { invoke_closure(data, ctx, function, args, false) }
}

/// The interpreter's closure invoker: runs function `function` of the program at `data` in
/// a nested executor with the owned words `args` as its params, on the same code variant
/// as the run that installed it (`specialized`).
///
/// # Safety
/// `data` is the `InterpProgram` whose run installed this invoker (alive for the run);
/// `ctx` is that run's context pointer with no `&mut Context` live.
unsafe fn invoke_closure(
    data: *const (),
    ctx: *mut Context,
    function: u32,
    args: &[u64],
    specialized: bool,
) -> u64 {
    // SAFETY: `run_with` installs `data` = the program it runs, which outlives the run.
    let program = unsafe { &*(data as *const InterpProgram) };
    let valid = usize::try_from(function)
        .ok()
        .and_then(|index| program.functions.get(index))
        .is_some_and(|f| f.param_registers.len() == args.len());
    if !valid {
        // SAFETY: no `&mut Context` is live (the caller's contract).
        let context = unsafe { &mut *ctx };
        for &word in args {
            cairn_runtime::abi::shims::release_recording(context, Value(word));
        }
        return context.raise(RuntimeError::internal(
            "the runtime called a closure entry this program does not have",
        ));
    }
    // SAFETY: `ctx` is the run's context pointer and unaliased while the nested executor
    // runs (the calling shim holds no `&mut Context` across the invoke).
    let mut executor = unsafe { execute::Executor::new(program, ctx, specialized) };
    executor.run_plain_or_audited(function, args).unwrap_or(0)
}
