//! One loaded program on the chosen engine, so the commands can run either the same way.

use cairn_lang::ir::Module;
use cairn_runtime::{Context, RunFailure, Value};

use crate::engine_choice::EngineChoice;

pub enum LoadedProgram {
    Interp(cairn_interp::InterpProgram),
    /// Boxed: the JIT program (module + code handles) is much larger than the interpreter's.
    Jit(Box<cairn_jit::JitProgram>),
}

impl LoadedProgram {
    /// Loads (interpreter) or compiles (JIT) `module`; load-time rejections are failures.
    pub fn load(engine: EngineChoice, module: &Module) -> Result<LoadedProgram, RunFailure> {
        Ok(match engine {
            EngineChoice::Interp => LoadedProgram::Interp(cairn_interp::load(module)?),
            EngineChoice::Jit => LoadedProgram::Jit(Box::new(cairn_jit::compile(module)?)),
        })
    }

    /// Runs `main`; `Ok` is an owned result word the caller must release.
    pub fn run_main(&self, ctx: &mut Context) -> Result<Value, RunFailure> {
        match self {
            LoadedProgram::Interp(program) => program.run_main(ctx),
            LoadedProgram::Jit(program) => program.run_main(ctx),
        }
    }
}

/// Releases an owned result word through the runtime's own release shim.
pub fn release_result(ctx: &mut Context, value: Value) {
    // SAFETY: `ctx.as_ptr()` is the live, unaliased context of this run (we hold `&mut`),
    // and `value` is an owned word returned by `run_main`, released exactly once here.
    unsafe {
        cairn_runtime::abi::shims::rt_release(ctx.as_ptr(), value.bits());
    }
}
