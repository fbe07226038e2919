//! Load-time refusal: the interpreter runs the shared `check_loadable` before translating
//! and reports its problem (or one of the translator's own limits, phrased as a
//! [`LoadProblem`]) as the runtime diagnostic [`LoadProblem::refusal`] names, with the
//! offending op as the only frame.

use cairn_lang::ir::Module;
use cairn_lang::ir::load_check::{LoadProblem, LoadRefusal, check_loadable};
use cairn_runtime::context::{ErrorFrame, RunFailure};
use cairn_runtime::error::RuntimeError;

/// Refuses `module` unless an engine may load it.
pub(crate) fn check_module(module: &Module) -> Result<(), RunFailure> {
    check_loadable(module).map_err(|problem| load_failure(&problem))
}

/// The failure for `problem`: its diagnostic, and the offending op as the only frame.
pub(crate) fn load_failure(problem: &LoadProblem) -> RunFailure {
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
