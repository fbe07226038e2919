//! What the interpreter and the JIT share when they load the shared IR: which runtime shim
//! each builtin and operator lowers to ([`builtin_shim`], [`unary_shim`], [`binary_shim`]),
//! how a refused module is reported ([`check_module`]), and the function table a run
//! installs in the runtime ([`function_table`]). Defined once here so adding a builtin
//! touches one list (lang's `Builtin` table) and the engines cannot drift.

use cairn_lang::ir::load_check::{LoadProblem, LoadRefusal, check_loadable, is_closure_callable};
use cairn_lang::ir::{BinaryOp, Builtin, Module, UnaryOp};
use cairn_runtime::abi::invoke::FunctionInfo;
use cairn_runtime::{ErrorFrame, RunFailure, RuntimeError, Shim};

/// The shim a builtin lowers to: lang's [`Builtin::shim_symbol`] looked up in the runtime's
/// shim list. Every builtin has one (checked by this crate's tests).
pub fn builtin_shim(builtin: Builtin) -> Shim {
    Shim::from_symbol(builtin.shim_symbol())
        .expect("every builtin's shim symbol is in Shim::ALL (tested)")
}

pub fn unary_shim(op: UnaryOp) -> Shim {
    match op {
        UnaryOp::Neg => Shim::Neg,
        UnaryOp::Not => Shim::Not,
    }
}

pub fn binary_shim(op: BinaryOp) -> Shim {
    match op {
        BinaryOp::Add => Shim::Add,
        BinaryOp::Sub => Shim::Sub,
        BinaryOp::Mul => Shim::Mul,
        BinaryOp::Div => Shim::Div,
        BinaryOp::Rem => Shim::Rem,
        BinaryOp::Concat => Shim::Concat,
        BinaryOp::Eq => Shim::Eq,
        BinaryOp::Ne => Shim::Ne,
        BinaryOp::Lt => Shim::Lt,
        BinaryOp::Le => Shim::Le,
        BinaryOp::Gt => Shim::Gt,
        BinaryOp::Ge => Shim::Ge,
    }
}

/// Refuses `module` unless an engine may load it (lang's `check_loadable`).
pub fn check_module(module: &Module) -> Result<(), RunFailure> {
    check_loadable(module).map_err(|problem| load_failure(&problem))
}

/// The failure for `problem`: its diagnostic, and the offending op as the only frame.
pub fn load_failure(problem: &LoadProblem) -> RunFailure {
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

/// The runtime's function table for `module`: names, closure arities (params minus the
/// closure itself, for closure-callable functions), and each function's engine entry as
/// `entry_of(function index)` (never 0).
pub fn function_table(module: &Module, entry_of: impl Fn(usize) -> u64) -> Vec<FunctionInfo> {
    module
        .functions
        .iter()
        .enumerate()
        .map(|(index, function)| FunctionInfo {
            name: function.name.clone(),
            closure_arity: is_closure_callable(function).then(|| function.params.len() as u32 - 1),
            entry: entry_of(index),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The load check only checks a builtin's args against `Builtin::arity`; the shim each
    /// builtin lowers to must exist and take exactly that many words.
    #[test]
    fn every_builtin_has_a_shim_taking_its_arity() {
        for &builtin in Builtin::ALL {
            let shim = Shim::from_symbol(builtin.shim_symbol())
                .unwrap_or_else(|| panic!("{builtin:?}: no shim {}", builtin.shim_symbol()));
            assert_eq!(
                shim.param_count(),
                builtin.arity(),
                "{builtin:?} -> {}",
                shim.symbol()
            );
        }
    }
}
