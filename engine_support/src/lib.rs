//! What the interpreter and the JIT share when they load the shared IR: which runtime shim
//! each builtin and operator lowers to ([`builtin_shim`], [`unary_shim`], [`binary_shim`]),
//! how a refused module is reported ([`check_module`]), and the function table a run
//! installs in the runtime ([`function_table`]), and the kind set of an argument word
//! ([`kinds_of_word`]). Defined once here so the engines cannot drift; the builtin-to-shim
//! map is expanded from lang's one builtin table ([`cairn_lang::foreach_builtin!`]).

mod run_stack;

pub use run_stack::{RunStackError, with_stack};

/// The kind set of a value word: what both engines check a host call's arguments against
/// when choosing between code specialized to the kinds `main` passes and the generic code.
pub fn kinds_of_word(word: cairn_runtime::value::Value) -> cairn_lang::analysis::KindSet {
    use cairn_lang::analysis::{KindSet, WordClass};
    let class = if word.as_int().is_some() {
        WordClass::Int
    } else if word.as_float().is_some() {
        WordClass::Float
    } else if word.is_bool() {
        WordClass::Bool
    } else if word.is_heap() {
        WordClass::Heap
    } else {
        WordClass::Unit
    };
    KindSet::of_word_class(class)
}

use cairn_lang::ir::load_check::{LoadProblem, LoadRefusal, check_loadable, is_closure_callable};
use cairn_lang::ir::{BinaryOp, Builtin, Module, OpKind, UnaryOp};
use cairn_runtime::abi::invoke::{FunctionInfo, FunctionTable};

// A Closure's slot 0 keeps the function index in `FUNCTION_BITS` bits (docs/MEMORY.md).
const _: () = assert!(
    cairn_lang::limits::MAX_MODULE_FUNCTIONS <= 1 << cairn_runtime::heap::programs::FUNCTION_BITS
);
use cairn_runtime::{ErrorFrame, RunFailure, RuntimeError, Shim};

/// Stack a run gets beyond its per-level budget (shims, release worklists, printing).
pub const RUN_STACK_BASE_BYTES: u64 = 64 * 1024 * 1024;
/// Rust stack per call-depth level for what runs between language frames (shims, sequence
/// pulls, closure invocations, nested interpreter executors).
pub const RUN_STACK_BYTES_PER_LEVEL: u64 = 4 * 1024;

/// Runs `run` on a stack sized for `max_call_depth` levels of `frame_bytes` (the engine's
/// own frame) plus [`RUN_STACK_BYTES_PER_LEVEL`], and `once_bytes` more (the JIT's frames
/// of functions that cannot recurse, `jit/src/stack_budget.rs`): on the current thread when
/// enough is left, else on this thread's reused run stack (`run_stack.rs`; no thread is
/// started). `Err` when the host cannot map that much stack — RT0410 naming the depth asked
/// for and the bytes it needs, the same diagnostic on both engines (docs/ABI.md) — or when
/// the run panicked (RT0001).
pub fn with_run_stack<R>(
    max_call_depth: u64,
    frame_bytes: u64,
    once_bytes: u64,
    run: impl FnOnce() -> R,
) -> Result<R, RuntimeError> {
    let bytes = RUN_STACK_BASE_BYTES
        .saturating_add(
            max_call_depth.saturating_mul(frame_bytes.saturating_add(RUN_STACK_BYTES_PER_LEVEL)),
        )
        .saturating_add(once_bytes);
    let unmapped = |detail: &dyn std::fmt::Display| {
        RuntimeError::run_stack_unavailable(max_call_depth, bytes, &detail.to_string())
    };
    let size = usize::try_from(bytes).map_err(|e| unmapped(&e))?;
    run_stack::with_stack(size, run).map_err(|error| match error {
        RunStackError::Unmapped(detail) => unmapped(&detail),
        RunStackError::Panicked(detail) => RuntimeError::internal(&detail),
    })
}

/// The message of a caught panic.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panic".to_string())
}

/// Expands lang's builtin table into [`builtin_shim`]: each row's `shim` names a [`Shim`]
/// variant, so a misspelt or missing shim does not compile, and the `const` block makes a
/// shim whose parameter count differs from the builtin's arity a compile error too.
macro_rules! define_builtin_shims {
    ($(
        $(#[doc = $doc:literal])+
        $variant:ident : $visibility:ident $name:literal ( $($mode:ident),* ) -> $kind:ident ,
            shim $shim:ident ;
    )*) => {
        /// The shim a builtin lowers to, as its row in lang's builtin table names it.
        pub fn builtin_shim(builtin: Builtin) -> Shim {
            match builtin {
                $( Builtin::$variant => Shim::$shim, )*
            }
        }

        const _: () = {
            $(
                assert!(
                    Shim::$shim.param_count() == <[&str]>::len(&[$(stringify!($mode)),*]),
                    concat!(
                        "builtin ", stringify!($variant), ": shim ", stringify!($shim),
                        " does not take the builtin's arity"
                    ),
                );
            )*
        };
    };
}

cairn_lang::foreach_builtin!(define_builtin_shims);

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

/// The one shim each IR op lowers to, for every op that has one: `Call` (a language call) and
/// `Const` (an immediate) have none, a `GeneratorItem` is refused at load. Both engines take
/// every op's shim from here (the JIT may first try an inline fast path that falls back to
/// this shim).
pub fn op_shim(kind: &OpKind) -> Option<Shim> {
    Some(match kind {
        OpKind::Enter => Shim::Enter,
        OpKind::Fuel => Shim::Fuel,
        OpKind::Text { .. } => Shim::TextConstant,
        OpKind::Unary { op, .. } => unary_shim(*op),
        OpKind::Binary { op, .. } => binary_shim(*op),
        OpKind::Builtin { builtin, .. } => builtin_shim(*builtin),
        OpKind::MakeList { .. } => Shim::ListFrom,
        OpKind::MakeTuple { .. } => Shim::TupleFrom,
        OpKind::MakeMap { .. } => Shim::MapFrom,
        OpKind::MakeClosure { .. } => Shim::ClosureFrom,
        OpKind::CallValue { .. } => Shim::CallTarget,
        OpKind::CallHost { .. } => Shim::CallHost,
        OpKind::Index { .. } => Shim::Index,
        OpKind::Retain { .. } => Shim::Retain,
        OpKind::Release { .. } => Shim::Release,
        OpKind::Const { .. } | OpKind::Call { .. } | OpKind::GeneratorItem { .. } => return None,
    })
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

/// The arguments a closure of `function` takes (its params minus the closure itself);
/// `None` when it is not closure-callable.
pub fn closure_arity(function: &cairn_lang::ir::Function) -> Option<u32> {
    is_closure_callable(function).then(|| function.params.len() as u32 - 1)
}

/// The runtime's function table for `module`: names, closure arities (params minus the
/// closure itself, for closure-callable functions), and each function's engine entry as
/// `entry_of(function index)` (never 0). Each call is a new loaded program: its entries
/// share a fresh process-unique program id, which the closures it makes record (a closure of
/// another module is refused with RT0407, docs/EMBEDDING.md).
pub fn function_table(module: &Module, entry_of: impl Fn(usize) -> u64) -> FunctionTable {
    let program = cairn_runtime::heap::programs::new_program_id();
    module
        .functions
        .iter()
        .enumerate()
        .map(|(index, function)| FunctionInfo {
            name: function.name.clone(),
            closure_arity: closure_arity(function),
            entry: entry_of(index),
            program,
        })
        .collect::<Vec<_>>()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_lang::ir::{Constant, FuncId, Var};

    /// The word count each op's shim is called with by both engines.
    #[test]
    fn every_op_shim_takes_the_words_the_engines_pass() {
        let v = Var(0);
        let cases: Vec<(OpKind, usize)> = vec![
            (OpKind::Enter, 0),
            (OpKind::Fuel, 0),
            (
                OpKind::CallHost {
                    dst: v,
                    host: 0,
                    args: vec![v],
                },
                3,
            ),
            (
                OpKind::Text {
                    dst: v,
                    text: "t".into(),
                },
                3,
            ),
            (
                OpKind::Unary {
                    dst: v,
                    op: UnaryOp::Neg,
                    operand: v,
                },
                1,
            ),
            (
                OpKind::Binary {
                    dst: v,
                    op: BinaryOp::Rem,
                    lhs: v,
                    rhs: v,
                },
                2,
            ),
            (
                OpKind::MakeList {
                    dst: v,
                    elements: vec![v],
                },
                2,
            ),
            (
                OpKind::MakeTuple {
                    dst: v,
                    elements: vec![v],
                },
                2,
            ),
            (
                OpKind::MakeMap {
                    dst: v,
                    entries: vec![(v, v)],
                },
                2,
            ),
            (
                OpKind::MakeClosure {
                    dst: v,
                    function: FuncId(0),
                    captures: vec![],
                },
                2,
            ),
            (
                OpKind::CallValue {
                    dst: v,
                    callee: v,
                    args: vec![v],
                },
                3,
            ),
            (
                OpKind::Index {
                    dst: v,
                    base: v,
                    index: v,
                },
                2,
            ),
            (OpKind::Retain { dst: v, src: v }, 1),
            (OpKind::Release { var: v }, 1),
        ];
        for (kind, words) in cases {
            let shim = op_shim(&kind).unwrap_or_else(|| panic!("{kind:?} has a shim"));
            assert_eq!(shim.param_count(), words, "{kind:?} -> {}", shim.symbol());
        }
        for kind in [
            OpKind::Const {
                dst: v,
                value: Constant::Unit,
            },
            OpKind::Call {
                dst: v,
                function: FuncId(0),
                args: vec![],
            },
        ] {
            assert_eq!(op_shim(&kind), None, "{kind:?}");
        }
    }
}
