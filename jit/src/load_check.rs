//! Load-time refusal: the JIT runs the shared [`check_loadable`] before generating any code
//! (so malformed IR is a diagnostic, never a Cranelift panic or a crash at run time) and
//! reports its problem as the runtime diagnostic [`LoadProblem::refusal`] names.

use cairn_lang::ir::Module;
use cairn_lang::ir::load_check::{LoadProblem, LoadRefusal, check_loadable};
use cairn_runtime::{ErrorFrame, RunFailure, RuntimeError};

/// Refuses `module` unless an engine may load it.
pub fn check_module(module: &Module) -> Result<(), RunFailure> {
    check_loadable(module).map_err(|problem| load_failure(&problem))
}

/// The failure for `problem`: its diagnostic, and the offending op as the only frame.
fn load_failure(problem: &LoadProblem) -> RunFailure {
    let error = match problem.refusal() {
        LoadRefusal::UnsupportedBlockItem(item) => RuntimeError::unsupported_block_item(item),
        LoadRefusal::IntegerOverflow => RuntimeError::integer_overflow(),
        LoadRefusal::EntryArityMismatch { name, expected } => {
            RuntimeError::arity_mismatch(name, expected, 0)
        }
        LoadRefusal::Internal(detail) => RuntimeError::internal(&detail),
    };
    let frames = problem
        .frame()
        .map(|(function, op)| ErrorFrame { function, op });
    RunFailure {
        error,
        frames: frames.into_iter().collect(),
    }
}
