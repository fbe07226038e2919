//! Load-time checks run before any code is generated: generator-only block items are
//! rejected with RT0201 (a failure whose single frame is the offending op), and malformed IR
//! (out-of-range variables, blocks or functions, arity mismatches) is a clear internal error
//! instead of a Cranelift panic or a crash at run time.

use cairn_lang::ir::{self, OpKind, TerminatorKind, Var};
use cairn_runtime::value::{INT_MAX, INT_MIN};
use cairn_runtime::{ErrorFrame, RunFailure, RuntimeError};

use crate::builtin_shims::builtin_shim;

/// Checks the whole module; the first problem found (in function, then op order) is returned.
pub fn check_module(module: &ir::Module) -> Result<(), RunFailure> {
    reject_generator_items(module)?;
    if module.entry.0 as usize >= module.functions.len() {
        return Err(malformed(format!(
            "entry function {} does not exist ({} functions)",
            module.entry.0,
            module.functions.len()
        )));
    }
    let entry = &module.functions[module.entry.0 as usize];
    if !entry.params.is_empty() {
        // Same refusal as the interpreter: the host calls the entry with no arguments.
        return Err(RunFailure {
            error: RuntimeError::arity_mismatch(&entry.name, entry.params.len(), 0),
            frames: Vec::new(),
        });
    }
    for (index, function) in module.functions.iter().enumerate() {
        FunctionChecker {
            module,
            function,
            function_index: index as u32,
            defined: defined_vars(function),
        }
        .check()?;
    }
    Ok(())
}

/// RT0201 for the first `GeneratorItem` op, with that op as the failure's only frame.
fn reject_generator_items(module: &ir::Module) -> Result<(), RunFailure> {
    for (function_index, function) in module.functions.iter().enumerate() {
        let bases = function.block_op_bases();
        for (block, base) in function.blocks.iter().zip(bases) {
            for (position, op) in block.ops.iter().enumerate() {
                if let OpKind::GeneratorItem { item } = op.kind {
                    return Err(RunFailure {
                        error: RuntimeError::unsupported_block_item(item.name()),
                        frames: vec![ErrorFrame {
                            function: function_index as u32,
                            op: base + position as u32,
                        }],
                    });
                }
            }
        }
    }
    Ok(())
}

fn malformed(detail: String) -> RunFailure {
    RunFailure {
        error: RuntimeError::internal(&format!("malformed IR module: {detail}")),
        frames: Vec::new(),
    }
}

struct FunctionChecker<'a> {
    module: &'a ir::Module,
    function: &'a ir::Function,
    function_index: u32,
    /// Which variables some param, block param or op defines (dominance is the verifier's
    /// job; this catches a use of a variable nothing defines).
    defined: Vec<bool>,
}

fn defined_vars(function: &ir::Function) -> Vec<bool> {
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

impl FunctionChecker<'_> {
    fn fail(&self, op_index: Option<u32>, detail: String) -> RunFailure {
        let mut failure = RunFailure {
            error: RuntimeError::internal(&format!(
                "malformed IR in function `{}`: {detail}",
                self.function.name
            )),
            frames: Vec::new(),
        };
        if let Some(op) = op_index {
            failure.frames.push(ErrorFrame {
                function: self.function_index,
                op,
            });
        }
        failure
    }

    fn var(&self, op_index: Option<u32>, var: Var) -> Result<(), RunFailure> {
        if self.defined.get(var.0 as usize) == Some(&true) {
            Ok(())
        } else if var.0 < self.function.var_count {
            Err(self.fail(
                op_index,
                format!("variable v{} is used but never defined", var.0),
            ))
        } else {
            Err(self.fail(
                op_index,
                format!(
                    "variable v{} out of range (var_count {})",
                    var.0, self.function.var_count
                ),
            ))
        }
    }

    fn vars<'v>(
        &self,
        op_index: Option<u32>,
        vars: impl IntoIterator<Item = &'v Var>,
    ) -> Result<(), RunFailure> {
        vars.into_iter().try_for_each(|v| self.var(op_index, *v))
    }

    fn block_params(&self, op_index: u32, target: ir::BlockId) -> Result<usize, RunFailure> {
        match self.function.blocks.get(target.0 as usize) {
            Some(block) => Ok(block.params.len()),
            None => Err(self.fail(
                Some(op_index),
                format!("block b{} does not exist", target.0),
            )),
        }
    }

    fn check(&self) -> Result<(), RunFailure> {
        let function = self.function;
        let Some(entry_block) = function.blocks.first() else {
            return Err(self.fail(None, "function has no blocks".into()));
        };
        if entry_block.params.len() != function.params.len() {
            return Err(self.fail(
                None,
                format!(
                    "block b0 has {} params but the function has {}",
                    entry_block.params.len(),
                    function.params.len()
                ),
            ));
        }
        self.vars(None, function.params.iter().map(|p| &p.var))?;
        let bases = function.block_op_bases();
        for (block, base) in function.blocks.iter().zip(bases) {
            self.vars(None, block.params.iter().map(|p| &p.var))?;
            for (position, op) in block.ops.iter().enumerate() {
                let index = base + position as u32;
                self.vars(Some(index), &op.cleanup)?;
                self.check_op(index, &op.kind)?;
            }
            let index = base + block.ops.len() as u32;
            self.vars(Some(index), &block.terminator.cleanup)?;
            self.check_terminator(index, &block.terminator.kind)?;
        }
        Ok(())
    }

    fn check_op(&self, index: u32, kind: &OpKind) -> Result<(), RunFailure> {
        let at = Some(index);
        if let Some(dst) = kind.dst() {
            self.var(at, dst)?;
        }
        match kind {
            OpKind::Enter | OpKind::Fuel | OpKind::Text { .. } | OpKind::GeneratorItem { .. } => {
                Ok(())
            }
            OpKind::Const { value, .. } => match value {
                // RT0301 like the interpreter: the constant cannot be boxed.
                ir::Constant::Int(n) if !(INT_MIN..=INT_MAX).contains(n) => Err(RunFailure {
                    error: RuntimeError::integer_overflow(),
                    frames: vec![ErrorFrame {
                        function: self.function_index,
                        op: index,
                    }],
                }),
                _ => Ok(()),
            },
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
                    return Err(self.fail(at, format!("function f{} does not exist", function.0)));
                };
                if callee.params.len() != args.len() {
                    return Err(self.fail(
                        at,
                        format!(
                            "call to `{}` passes {} arguments, it takes {}",
                            callee.name,
                            args.len(),
                            callee.params.len()
                        ),
                    ));
                }
                Ok(())
            }
            OpKind::Builtin { builtin, args, .. } => {
                self.vars(at, args)?;
                let shim = builtin_shim(*builtin);
                if args.len() != builtin.arity() || shim.param_count() != builtin.arity() {
                    return Err(self.fail(
                        at,
                        format!(
                            "builtin {builtin:?} called with {} arguments (arity {}, shim {} takes {})",
                            args.len(),
                            builtin.arity(),
                            shim.symbol(),
                            shim.param_count()
                        ),
                    ));
                }
                Ok(())
            }
        }
    }

    fn check_terminator(&self, index: u32, kind: &TerminatorKind) -> Result<(), RunFailure> {
        let at = Some(index);
        match kind {
            TerminatorKind::Return { value } => self.var(at, *value),
            TerminatorKind::Jump { target, args } => {
                self.vars(at, args)?;
                let params = self.block_params(index, *target)?;
                if params != args.len() {
                    return Err(self.fail(
                        at,
                        format!(
                            "jump to b{} with {} arguments (block takes {params})",
                            target.0,
                            args.len()
                        ),
                    ));
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
                    if self.block_params(index, *target)? != 0 {
                        return Err(self.fail(
                            at,
                            format!("branch target b{} must be a block without params", target.0),
                        ));
                    }
                }
                Ok(())
            }
        }
    }
}
