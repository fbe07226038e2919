//! What an engine may load: the one definition of the checks both engines (interpreter and
//! JIT) run on a module before translating it, so IR that would make them crash or misbehave
//! is refused even when the host skipped [`crate::verify`]. Lighter than the verifier: no RC
//! balance, no dominance, no reachability; only what translation and execution rely on.
//!
//! Order (the first problem found wins): a `GeneratorItem` anywhere (RT0201, frame = the
//! op); a missing entry function (RT0001); an entry with params (RT0305); then function by
//! function, op by op: malformed IR (RT0001) and Int constants outside the runtime's Int
//! range (RT0301, frame = the op). [`LoadProblem::refusal`] says which diagnostic each
//! engine reports, so the engines only map it onto their runtime's constructors.

use crate::ir::{BlockId, Constant, Function, GeneratorItem, Module, OpKind, TerminatorKind, Var};
use crate::parser::{INT_MAX, INT_MIN};

/// The most variables one function may have: both engines size per-function storage by
/// `var_count` (interpreter registers, Cranelift variables), so larger IR is refused at load
/// instead of exhausting memory.
pub const MAX_FUNCTION_VARIABLES: u32 = 1 << 20;

/// Why a module cannot be loaded, and where: `function` and `op` (the function-wide op
/// index, see [`crate::ir::Function::op_at`]) when the problem has such a place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadProblem {
    pub kind: LoadProblemKind,
    pub function: Option<u32>,
    pub op: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadProblemKind {
    /// A generator-only item in a plain block.
    GeneratorItem(GeneratorItem),
    /// `Module::entry` names no function.
    MissingEntry { entry: u32, function_count: usize },
    /// The entry function takes params (the host calls it with none).
    EntryHasParams { name: String, count: usize },
    /// An Int constant outside the runtime's Int range ([`INT_MIN`]`..=`[`INT_MAX`], i48).
    IntConstantOutOfRange(i64),
    /// IR the verifier would reject; the whole text after `internal runtime error: `, e.g.
    /// ``malformed IR in function `main`: variable v3 is used but never defined``.
    Malformed(String),
}

/// Which runtime diagnostic (docs/LANGUAGE.md, "Runtime diagnostics") an engine reports for a
/// [`LoadProblem`], with its arguments; each variant is one `RuntimeError` constructor of the
/// runtime.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadRefusal<'a> {
    /// RT0201 `unsupported block item in plain block: {item}`.
    UnsupportedBlockItem(&'static str),
    /// RT0301 `integer overflow`.
    IntegerOverflow,
    /// RT0305 `arity mismatch: {name} expects {expected} arguments, got 0`.
    EntryArityMismatch { name: &'a str, expected: usize },
    /// RT0001 `internal runtime error: {detail}`.
    Internal(String),
}

impl LoadProblem {
    /// Malformed IR in function `function` (named `name`), at `op` when known. Also used by
    /// an engine for its own resource limits, so every load failure reads the same way.
    pub fn malformed_in_function(
        function: u32,
        name: &str,
        op: Option<u32>,
        detail: impl std::fmt::Display,
    ) -> LoadProblem {
        LoadProblem {
            kind: LoadProblemKind::Malformed(format!(
                "malformed IR in function `{name}`: {detail}"
            )),
            function: Some(function),
            op,
        }
    }

    /// Malformed module-level structure (no function to blame).
    pub fn malformed_module(detail: impl std::fmt::Display) -> LoadProblem {
        LoadProblem {
            kind: LoadProblemKind::Malformed(format!("malformed IR module: {detail}")),
            function: None,
            op: None,
        }
    }

    /// The diagnostic to report.
    pub fn refusal(&self) -> LoadRefusal<'_> {
        match &self.kind {
            LoadProblemKind::GeneratorItem(item) => LoadRefusal::UnsupportedBlockItem(item.name()),
            LoadProblemKind::IntConstantOutOfRange(_) => LoadRefusal::IntegerOverflow,
            LoadProblemKind::EntryHasParams { name, count } => LoadRefusal::EntryArityMismatch {
                name,
                expected: *count,
            },
            LoadProblemKind::MissingEntry {
                function_count: 0, ..
            } => LoadRefusal::Internal("malformed IR module: the module has no functions".into()),
            LoadProblemKind::MissingEntry {
                entry,
                function_count,
            } => LoadRefusal::Internal(format!(
                "malformed IR module: entry function {entry} does not exist ({function_count} functions)"
            )),
            LoadProblemKind::Malformed(text) => LoadRefusal::Internal(text.clone()),
        }
    }

    /// The failure's single frame `(function, op)`, when the problem is at an op.
    pub fn frame(&self) -> Option<(u32, u32)> {
        Some((self.function?, self.op?))
    }
}

/// A function a closure may name: at least one param (the closure itself), all owned.
pub fn is_closure_callable(function: &Function) -> bool {
    !function.params.is_empty()
        && function
            .params
            .iter()
            .all(|param| param.mode == crate::ir::ParamMode::Owned)
}

/// Checks that an engine may load `module` (see the module docs); the first problem found.
pub fn check_loadable(module: &Module) -> Result<(), LoadProblem> {
    if u32::try_from(module.functions.len()).is_err() {
        return Err(LoadProblem::malformed_module("too many functions"));
    }
    reject_generator_items(module)?;
    let Some(entry) = module.functions.get(module.entry.0 as usize) else {
        return Err(LoadProblem {
            kind: LoadProblemKind::MissingEntry {
                entry: module.entry.0,
                function_count: module.functions.len(),
            },
            function: None,
            op: None,
        });
    };
    if !entry.params.is_empty() {
        return Err(LoadProblem {
            kind: LoadProblemKind::EntryHasParams {
                name: entry.name.clone(),
                count: entry.params.len(),
            },
            function: Some(module.entry.0),
            op: None,
        });
    }
    for (index, function) in module.functions.iter().enumerate() {
        check_function(module, index as u32, function)?;
    }
    Ok(())
}

/// The first `GeneratorItem` in the module (function, then op order), before anything else.
fn reject_generator_items(module: &Module) -> Result<(), LoadProblem> {
    for (function_index, function) in module.functions.iter().enumerate() {
        let bases = function.block_op_bases();
        for (block, base) in function.blocks.iter().zip(bases) {
            for (position, op) in block.ops.iter().enumerate() {
                if let OpKind::GeneratorItem { item } = op.kind {
                    return Err(LoadProblem {
                        kind: LoadProblemKind::GeneratorItem(item),
                        function: Some(function_index as u32),
                        op: Some(base + position as u32),
                    });
                }
            }
        }
    }
    Ok(())
}

/// The most words one call passes, and one function receives, besides the context: a
/// function's params (a closure-callable function's param 0 included), a call's args (a
/// value call's callee included). Compiled code passes them in registers and on the stack,
/// and Cranelift's `tail` convention pops the stack args with one `ret imm16`: on x86-64
/// 8,195 params are the most it compiles. The limit leaves room under that on every target
/// and is the same for both engines (E0404 at compile time, a load refusal for host IR).
pub const MAX_CALL_WORDS: usize = 4096;

/// `(op index, detail)` of the first place `function` passes or takes more than
/// [`MAX_CALL_WORDS`] words (`None` for the op index: its params).
pub fn call_words_problem(function: &Function) -> Option<(Option<u32>, String)> {
    if function.params.len() > MAX_CALL_WORDS {
        return Some((
            None,
            format!(
                "too many parameters in function `{}`: {} exceed the limit of {MAX_CALL_WORDS}",
                function.name,
                function.params.len()
            ),
        ));
    }
    let mut index = 0u32;
    for block in &function.blocks {
        let terminator_words = match &block.terminator.kind {
            TerminatorKind::TailCall { args, .. } => args.len(),
            TerminatorKind::TailCallValue { args, .. } => args.len() + 1,
            _ => 0,
        };
        let op_words = block.ops.iter().map(|op| match &op.kind {
            OpKind::Call { args, .. } => args.len(),
            OpKind::CallValue { args, .. } => args.len() + 1,
            _ => 0,
        });
        for words in op_words.chain(std::iter::once(terminator_words)) {
            if words > MAX_CALL_WORDS {
                return Some((
                    Some(index),
                    format!(
                        "too many arguments in one call: {words} exceed the limit of {MAX_CALL_WORDS}"
                    ),
                ));
            }
            index += 1;
        }
    }
    None
}

fn check_function(module: &Module, index: u32, function: &Function) -> Result<(), LoadProblem> {
    let checker = FunctionChecker {
        module,
        function,
        index,
        defined: Vec::new(),
    };
    if function.var_count > MAX_FUNCTION_VARIABLES {
        return Err(checker.malformed(
            None,
            format!(
                "{} variables exceed the limit of {MAX_FUNCTION_VARIABLES}",
                function.var_count
            ),
        ));
    }
    if let Some(detail) = call_words_problem(function) {
        return Err(checker.malformed(detail.0, detail.1));
    }
    let Some(entry_block) = function.blocks.first() else {
        return Err(checker.malformed(None, "the function has no blocks".into()));
    };
    if !function
        .params
        .iter()
        .map(|p| p.var)
        .eq(entry_block.params.iter().map(|p| p.var))
    {
        return Err(checker.malformed(
            None,
            "block b0's params are not the function's params".into(),
        ));
    }
    FunctionChecker {
        defined: defined_vars(function),
        ..checker
    }
    .check_body()
}

/// Which variables some param, block param or op defines (dominance is the verifier's job;
/// this refuses a use of a variable nothing defines, which would read a stale register).
fn defined_vars(function: &Function) -> Vec<bool> {
    let mut defined = vec![false; function.var_count as usize];
    let mut mark = |var: Var| {
        if let Some(slot) = defined.get_mut(var.0 as usize) {
            *slot = true;
        }
    };
    function.params.iter().for_each(|p| mark(p.var));
    for block in &function.blocks {
        block.params.iter().for_each(|p| mark(p.var));
        block
            .ops
            .iter()
            .filter_map(|op| op.kind.dst())
            .for_each(&mut mark);
    }
    defined
}

struct FunctionChecker<'a> {
    module: &'a Module,
    function: &'a Function,
    index: u32,
    defined: Vec<bool>,
}

impl FunctionChecker<'_> {
    fn malformed(&self, op: Option<u32>, detail: String) -> LoadProblem {
        LoadProblem::malformed_in_function(self.index, &self.function.name, op, detail)
    }

    fn var(&self, at: Option<u32>, var: Var) -> Result<(), LoadProblem> {
        if self.defined.get(var.0 as usize) == Some(&true) {
            Ok(())
        } else if var.0 < self.function.var_count {
            let detail = format!("variable v{} is used but never defined", var.0);
            Err(self.malformed(at, detail))
        } else {
            let detail = format!(
                "variable v{} is out of range (var_count {})",
                var.0, self.function.var_count
            );
            Err(self.malformed(at, detail))
        }
    }

    fn vars<'v>(
        &self,
        at: Option<u32>,
        vars: impl IntoIterator<Item = &'v Var>,
    ) -> Result<(), LoadProblem> {
        vars.into_iter().try_for_each(|v| self.var(at, *v))
    }

    /// The param count of block `target`, which must exist.
    fn block_param_count(&self, at: u32, target: BlockId) -> Result<usize, LoadProblem> {
        match self.function.blocks.get(target.0 as usize) {
            Some(block) => Ok(block.params.len()),
            None => Err(self.malformed(
                Some(at),
                format!(
                    "block b{} does not exist ({} blocks)",
                    target.0,
                    self.function.blocks.len()
                ),
            )),
        }
    }

    fn check_body(&self) -> Result<(), LoadProblem> {
        self.vars(None, self.function.params.iter().map(|p| &p.var))?;
        let bases = self.function.block_op_bases();
        for (block, base) in self.function.blocks.iter().zip(bases) {
            self.vars(None, block.params.iter().map(|p| &p.var))?;
            self.check_cleanup_table(base, block)?;
            for (position, op) in block.ops.iter().enumerate() {
                let index = base + position as u32;
                self.check_op(index, &op.kind)?;
            }
            let index = base + block.ops.len() as u32;
            self.check_terminator(index, &block.terminator.kind)?;
        }
        Ok(())
    }

    /// A block's cleanup table (`ir::Block::cleanup`): vars in range, strictly ascending, each
    /// range within the block's positions (`from <= to <= ops.len() + 1`). What the ranges
    /// hold is the verifier's business; the engines only need these to walk the table.
    fn check_cleanup_table(&self, base: u32, block: &crate::ir::Block) -> Result<(), LoadProblem> {
        let end = block.ops.len() as u64 + 1;
        let mut previous: Option<Var> = None;
        for range in &block.cleanup {
            let at = Some(base + range.from.min(block.ops.len() as u32));
            self.var(at, range.var)?;
            if previous.is_some_and(|previous| previous >= range.var) {
                return Err(self.malformed(
                    at,
                    format!(
                        "cleanup table lists v{} after v{} (it must be strictly ascending by var)",
                        range.var.0,
                        previous.map_or(0, |v| v.0)
                    ),
                ));
            }
            if range.from > range.to || u64::from(range.to) > end {
                return Err(self.malformed(
                    at,
                    format!(
                        "cleanup range of v{} is {}..{}, outside the block's positions 0..{end}",
                        range.var.0, range.from, range.to
                    ),
                ));
            }
            previous = Some(range.var);
        }
        Ok(())
    }

    fn check_op(&self, index: u32, kind: &OpKind) -> Result<(), LoadProblem> {
        let at = Some(index);
        if let Some(dst) = kind.dst() {
            self.var(at, dst)?;
        }
        match kind {
            OpKind::Enter | OpKind::Fuel | OpKind::Text { .. } | OpKind::GeneratorItem { .. } => {
                Ok(())
            }
            OpKind::Const {
                value: Constant::Int(n),
                ..
            } if !(INT_MIN..=INT_MAX).contains(n) => Err(LoadProblem {
                kind: LoadProblemKind::IntConstantOutOfRange(*n),
                function: Some(self.index),
                op: at,
            }),
            OpKind::Const { .. } => Ok(()),
            OpKind::Unary { operand, .. } => self.var(at, *operand),
            OpKind::Binary { lhs, rhs, .. }
            | OpKind::Index {
                base: lhs,
                index: rhs,
                ..
            } => self.vars(at, [lhs, rhs]),
            OpKind::Retain { src, .. } => self.var(at, *src),
            OpKind::Release { var } => self.var(at, *var),
            OpKind::MakeList { elements, .. } | OpKind::MakeTuple { elements, .. } => {
                self.vars(at, elements)
            }
            OpKind::MakeMap { entries, .. } => {
                self.vars(at, entries.iter().flat_map(|(k, v)| [k, v]))
            }
            OpKind::Call { function, args, .. } => {
                self.vars(at, args)?;
                let Some(callee) = self.module.functions.get(function.0 as usize) else {
                    let detail = format!("function f{} does not exist", function.0);
                    return Err(self.malformed(at, detail));
                };
                if callee.params.len() != args.len() {
                    let detail = format!(
                        "call to `{}` passes {}, it takes {}",
                        callee.name,
                        crate::diagnostic::arguments(args.len()),
                        callee.params.len()
                    );
                    return Err(self.malformed(at, detail));
                }
                Ok(())
            }
            OpKind::MakeClosure {
                function, captures, ..
            } => {
                self.vars(at, captures)?;
                let Some(callee) = self.module.functions.get(function.0 as usize) else {
                    let detail = format!("closure of function f{} that does not exist", function.0);
                    return Err(self.malformed(at, detail));
                };
                if !is_closure_callable(callee) {
                    let detail = format!(
                        "closure of `{}`, which is not closure-callable (param 0 is the closure, every param owned)",
                        callee.name
                    );
                    return Err(self.malformed(at, detail));
                }
                Ok(())
            }
            OpKind::CallHost { host, args, .. } => {
                self.vars(at, args)?;
                let Some(signature) = self.module.host_functions.get(*host as usize) else {
                    let detail = format!("host function {host} is not declared by the module");
                    return Err(self.malformed(at, detail));
                };
                if signature.arity != args.len() {
                    let detail = format!(
                        "call to host function `{}` passes {}, it takes {}",
                        signature.name,
                        crate::diagnostic::arguments(args.len()),
                        signature.arity
                    );
                    return Err(self.malformed(at, detail));
                }
                Ok(())
            }
            OpKind::CallValue { callee, args, .. } => {
                self.var(at, *callee)?;
                self.vars(at, args)
            }
            OpKind::Builtin { builtin, args, .. } => {
                self.vars(at, args)?;
                if args.len() != builtin.arity() {
                    let detail = format!(
                        "builtin {builtin:?} takes {}, got {}",
                        crate::diagnostic::arguments(builtin.arity()),
                        args.len()
                    );
                    return Err(self.malformed(at, detail));
                }
                Ok(())
            }
        }
    }

    fn check_terminator(&self, index: u32, kind: &TerminatorKind) -> Result<(), LoadProblem> {
        let at = Some(index);
        match kind {
            TerminatorKind::Return { value } => self.var(at, *value),
            TerminatorKind::TailCallValue { callee, args } => {
                self.var(at, *callee)?;
                self.vars(at, args)
            }
            TerminatorKind::TailCall { function, args } => {
                self.vars(at, args)?;
                let Some(callee) = self.module.functions.get(function.0 as usize) else {
                    let detail =
                        format!("tail call to function f{} that does not exist", function.0);
                    return Err(self.malformed(at, detail));
                };
                if callee.params.len() != args.len() {
                    let detail = format!(
                        "tail call to `{}` passes {}, it takes {}",
                        callee.name,
                        crate::diagnostic::arguments(args.len()),
                        callee.params.len()
                    );
                    return Err(self.malformed(at, detail));
                }
                Ok(())
            }
            TerminatorKind::Jump { target, args } => {
                self.vars(at, args)?;
                let params = self.block_param_count(index, *target)?;
                if params != args.len() {
                    let detail = format!(
                        "jump to b{} passes {} arguments, the block takes {params}",
                        target.0,
                        args.len()
                    );
                    return Err(self.malformed(at, detail));
                }
                Ok(())
            }
            TerminatorKind::Branch {
                condition,
                then_block,
                else_block,
                ..
            } => {
                self.var(at, *condition)?;
                for target in [then_block, else_block] {
                    if self.block_param_count(index, *target)? != 0 {
                        let detail = format!("branch target b{} has block parameters", target.0);
                        return Err(self.malformed(at, detail));
                    }
                }
                Ok(())
            }
        }
    }
}
