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

mod code;
mod execute;
mod fast_paths;
mod load_error;
mod observe;
mod parallel_moves;
mod shim_selection;
mod translate;

use cairn_lang::ir;
use cairn_runtime::context::{Context, RunFailure};
use cairn_runtime::value::Value;

pub use code::{CompiledFunction, FailSite, Instr, IntComparison, InterpProgram};
pub use observe::{ExecutionObserver, NoObserver};
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
        self.run_with(ctx, |executor, entry| executor.run_unobserved(entry))
    }

    /// [`InterpProgram::run_main`] with `observer` told the function and IR op index of
    /// every instruction before it executes (and of every frame a failure unwinds). The
    /// observer sees the context only between shim calls; the run itself is unchanged.
    pub fn run_main_observed(
        &self,
        ctx: &mut Context,
        observer: &mut impl ExecutionObserver,
    ) -> Result<Value, RunFailure> {
        self.run_with(ctx, |executor, entry| executor.run(entry, observer))
    }

    /// Begins the run, executes `main` with `execute`, and maps the outcome.
    fn run_with(
        &self,
        ctx: &mut Context,
        execute: impl FnOnce(&mut execute::Executor<'_>, u32) -> Result<u64, execute::Failed>,
    ) -> Result<Value, RunFailure> {
        ctx.begin_run();
        let ctx_pointer = ctx.as_ptr();
        // SAFETY: `ctx_pointer` comes from `Context::as_ptr` on a `&mut Context` we hold for
        // the whole run and do not touch until the executor is done; the executor only lends
        // an observer shared references to it between shim calls.
        let mut executor = unsafe { execute::Executor::new(self, ctx_pointer) };
        let outcome = execute(&mut executor, self.entry);
        drop(executor);
        match outcome {
            Ok(word) => Ok(Value(word)),
            Err(execute::Failed) => Err(ctx.take_failure()),
        }
    }
}
