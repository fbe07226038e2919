//! Translation of an `ir::Module` into the interpreter's compact code (`code.rs`).
//!
//! Per function: IR `Var(n)` becomes frame register `n`; blocks are laid out in order and
//! jump targets resolved to program counters; a `Jump`'s arguments become register moves
//! into the target's parameters (a parallel move, sequenced through scratch registers when
//! a destination is also a source), and a jump to the next block falls through; every
//! fallible op keeps its IR op index and cleanup list in a [`FailSite`], and every
//! instruction its IR op index in `op_indices` (jump-argument moves: the `Jump`'s). Each IR
//! op becomes exactly one instruction that calls exactly the one shim the JIT calls for it
//! (`shim_selection.rs`).
//!
//! Load-time rejections (never a crash), in the JIT's order: `GeneratorItem` anywhere ->
//! RT0201 with the op as the frame; a missing entry -> RT0001; an entry point with
//! parameters -> RT0305; then per function an Int constant outside i48 -> RT0301, and
//! anything the verifier would reject (unknown or never-defined var, unknown
//! function/block, arity, block-param count, a branch target with params) -> RT0001
//! "malformed IR ...".

use cairn_lang::ir::{
    self, BinaryOp, BlockId, Constant, Module, OpKind, TerminatorKind, UnaryOp, Var,
};
use cairn_runtime::abi::shims;
use cairn_runtime::context::RunFailure;
use cairn_runtime::value::{UNIT_WORD, Value};

use crate::code::{
    CompiledFunction, FailSite, Instr, IntComparison, InterpProgram, ProgramCounter, Register,
    SiteId,
};
use crate::load_checks::{defined_vars, reject_generator_items};
use crate::load_error::{self, LoadLocation};
use crate::parallel_moves::sequence_parallel_moves;
use crate::shim_selection::{aggregate_shim, builtin_instr, comparison_shim};

/// The most registers one function's window may need; larger IR is refused at load
/// rather than exhausting memory at run time.
pub const MAX_FRAME_REGISTERS: u32 = 1 << 20;

/// Translates every function of `module` (see the module docs for the rejections).
pub fn translate_module(module: &Module) -> Result<InterpProgram, RunFailure> {
    if module.functions.is_empty() {
        return Err(load_error::malformed_module("the module has no functions"));
    }
    if u32::try_from(module.functions.len()).is_err() {
        return Err(load_error::malformed_module("too many functions"));
    }
    reject_generator_items(module)?;
    let entry = module.entry.0;
    let Some(entry_function) = module.functions.get(entry as usize) else {
        return Err(load_error::malformed_module(&format!(
            "entry function {entry} does not exist ({} functions)",
            module.functions.len()
        )));
    };
    if !entry_function.params.is_empty() {
        return Err(load_error::entry_takes_parameters(
            &entry_function.name,
            entry_function.params.len(),
        ));
    }
    let mut literals = Vec::new();
    let mut functions = Vec::with_capacity(module.functions.len());
    let mut op_indices = Vec::with_capacity(module.functions.len());
    for (index, function) in module.functions.iter().enumerate() {
        let translator = FunctionTranslator::new(module, index as u32, function, &mut literals);
        let (compiled, ops) = translator.translate()?;
        functions.push(compiled);
        op_indices.push(ops);
    }
    Ok(InterpProgram {
        functions: functions.into_boxed_slice(),
        entry,
        literals: literals.into_boxed_slice(),
        op_indices: op_indices.into_boxed_slice(),
    })
}

struct FunctionTranslator<'a> {
    module: &'a Module,
    index: u32,
    function: &'a ir::Function,
    literals: &'a mut Vec<Box<[u8]>>,
    code: Vec<Instr>,
    /// The IR op index of each instruction of `code`.
    op_indices: Vec<u32>,
    sites: Vec<FailSite>,
    operands: Vec<Register>,
    /// Program counter of each block's first instruction.
    block_pcs: Vec<ProgramCounter>,
    /// Instructions whose targets still hold block indices.
    unresolved_jumps: Vec<usize>,
    scratch_registers: u32,
    defined: Vec<bool>,
    /// The block being translated.
    current_block: u32,
    /// The IR op index being translated (for error frames).
    current_op: u32,
}

impl<'a> FunctionTranslator<'a> {
    fn new(
        module: &'a Module,
        index: u32,
        function: &'a ir::Function,
        literals: &'a mut Vec<Box<[u8]>>,
    ) -> Self {
        FunctionTranslator {
            module,
            index,
            function,
            literals,
            code: Vec::new(),
            op_indices: Vec::new(),
            sites: Vec::new(),
            operands: Vec::new(),
            block_pcs: Vec::with_capacity(function.blocks.len()),
            unresolved_jumps: Vec::new(),
            scratch_registers: 0,
            defined: Vec::new(),
            current_block: 0,
            current_op: 0,
        }
    }

    fn malformed(&self, detail: &str) -> RunFailure {
        load_error::malformed(&self.function.name, detail, self.location())
    }

    fn location(&self) -> LoadLocation {
        LoadLocation {
            function: self.index,
            op: Some(self.current_op),
        }
    }

    /// The compiled function and the IR op index of each of its instructions.
    fn translate(mut self) -> Result<(CompiledFunction, Box<[u32]>), RunFailure> {
        let function = self.function;
        if function.var_count > MAX_FRAME_REGISTERS {
            return Err(load_error::malformed(
                &function.name,
                &format!(
                    "{} variables exceed the interpreter's limit of {MAX_FRAME_REGISTERS}",
                    function.var_count
                ),
                LoadLocation {
                    function: self.index,
                    op: None,
                },
            ));
        }
        self.defined = defined_vars(function);
        let Some(entry_block) = function.blocks.first() else {
            return Err(load_error::malformed(
                &function.name,
                "the function has no blocks",
                LoadLocation {
                    function: self.index,
                    op: None,
                },
            ));
        };
        let param_vars: Vec<Var> = function.params.iter().map(|p| p.var).collect();
        let entry_vars: Vec<Var> = entry_block.params.iter().map(|p| p.var).collect();
        if param_vars != entry_vars {
            return Err(self.malformed("block 0's params are not the function's params"));
        }
        let param_registers = param_vars
            .iter()
            .map(|&var| self.register(var))
            .collect::<Result<Vec<_>, _>>()?;

        let mut op_index = 0u32;
        for (block_index, block) in function.blocks.iter().enumerate() {
            self.current_block = block_index as u32;
            self.block_pcs.push(self.code.len() as ProgramCounter);
            for op in &block.ops {
                self.current_op = op_index;
                self.translate_op(op)?;
                self.label_new_instructions();
                op_index += 1;
            }
            self.current_op = op_index;
            self.translate_terminator(&block.terminator)?;
            self.label_new_instructions();
            op_index += 1;
        }
        self.resolve_jumps();

        let frame_size = function.var_count + self.scratch_registers;
        if frame_size > MAX_FRAME_REGISTERS {
            return Err(self.malformed("too many registers"));
        }
        if u32::try_from(self.code.len()).is_err() {
            return Err(self.malformed("function body is too large"));
        }
        let compiled = CompiledFunction {
            name: function.name.clone(),
            code: self.code.into_boxed_slice(),
            sites: self.sites.into_boxed_slice(),
            operands: self.operands.into_boxed_slice(),
            param_registers: param_registers.into_boxed_slice(),
            frame_size,
        };
        Ok((compiled, self.op_indices.into_boxed_slice()))
    }

    /// Gives every instruction emitted since the last call the current op's index.
    fn label_new_instructions(&mut self) {
        self.op_indices.resize(self.code.len(), self.current_op);
    }

    fn register(&self, var: Var) -> Result<Register, RunFailure> {
        if self.defined.get(var.0 as usize) == Some(&true) {
            Ok(var.0)
        } else if var.0 < self.function.var_count {
            Err(self.malformed(&format!("variable v{} is used but never defined", var.0)))
        } else {
            Err(self.malformed(&format!(
                "variable v{} is out of range (var_count {})",
                var.0, self.function.var_count
            )))
        }
    }

    fn site(&mut self, cleanup: &[Var]) -> Result<SiteId, RunFailure> {
        let cleanup = cleanup
            .iter()
            .map(|&var| self.register(var))
            .collect::<Result<Vec<_>, _>>()?;
        self.sites.push(FailSite {
            op: self.current_op,
            cleanup: cleanup.into_boxed_slice(),
        });
        Ok((self.sites.len() - 1) as SiteId)
    }

    fn push_operands(&mut self, vars: &[Var]) -> Result<u32, RunFailure> {
        let start = self.operands.len() as u32;
        for &var in vars {
            let register = self.register(var)?;
            self.operands.push(register);
        }
        Ok(start)
    }

    fn block(&self, block: BlockId) -> Result<&'a ir::Block, RunFailure> {
        self.function.blocks.get(block.0 as usize).ok_or_else(|| {
            self.malformed(&format!(
                "block b{} does not exist ({} blocks)",
                block.0,
                self.function.blocks.len()
            ))
        })
    }

    fn translate_op(&mut self, op: &ir::Op) -> Result<(), RunFailure> {
        let instr = match &op.kind {
            OpKind::Enter => Instr::Shim0 {
                shim: shims::rt_enter,
                site: self.site(&op.cleanup)?,
            },
            OpKind::Fuel => Instr::Shim0 {
                shim: shims::rt_fuel,
                site: self.site(&op.cleanup)?,
            },
            OpKind::Const { dst, value } => Instr::Const {
                dst: self.register(*dst)?,
                word: self.constant_word(*value)?,
            },
            OpKind::Text { dst, text } => {
                self.literals.push(text.as_bytes().into());
                Instr::Text {
                    dst: self.register(*dst)?,
                    literal: (self.literals.len() - 1) as u32,
                    site: self.site(&op.cleanup)?,
                }
            }
            OpKind::Unary {
                dst,
                op: unary,
                operand,
            } => Instr::Shim1 {
                shim: match unary {
                    UnaryOp::Neg => shims::rt_neg,
                    UnaryOp::Not => shims::rt_not,
                },
                dst: self.register(*dst)?,
                operand: self.register(*operand)?,
                site: self.site(&op.cleanup)?,
            },
            OpKind::Binary {
                dst,
                op: binary,
                lhs,
                rhs,
            } => self.binary(*binary, *dst, *lhs, *rhs, &op.cleanup)?,
            OpKind::Call {
                dst,
                function,
                args,
            } => {
                let Some(callee) = self.module.functions.get(function.0 as usize) else {
                    return Err(self.malformed(&format!("function f{} does not exist", function.0)));
                };
                if callee.params.len() != args.len() {
                    return Err(self.malformed(&format!(
                        "call of `{}` passes {} arguments, it takes {}",
                        callee.name,
                        args.len(),
                        callee.params.len()
                    )));
                }
                Instr::Call {
                    callee: function.0,
                    dst: self.register(*dst)?,
                    start: self.push_operands(args)?,
                    len: args.len() as u32,
                    site: self.site(&op.cleanup)?,
                }
            }
            OpKind::Builtin { dst, builtin, args } => {
                if args.len() != builtin.arity() {
                    return Err(self.malformed(&format!(
                        "builtin {builtin:?} takes {} arguments, got {}",
                        builtin.arity(),
                        args.len()
                    )));
                }
                let dst = self.register(*dst)?;
                let args = args
                    .iter()
                    .map(|&var| self.register(var))
                    .collect::<Result<Vec<_>, _>>()?;
                let site = self.site(&op.cleanup)?;
                builtin_instr(*builtin, dst, &args, site)
            }
            OpKind::MakeList { dst, elements } | OpKind::MakeTuple { dst, elements } => {
                let count = elements.len() as u32;
                Instr::Aggregate {
                    shim: aggregate_shim(&op.kind),
                    dst: self.register(*dst)?,
                    start: self.push_operands(elements)?,
                    words: count,
                    count,
                    site: self.site(&op.cleanup)?,
                }
            }
            OpKind::MakeMap { dst, entries } => {
                let flat: Vec<Var> = entries.iter().flat_map(|&(k, v)| [k, v]).collect();
                Instr::Aggregate {
                    shim: aggregate_shim(&op.kind),
                    dst: self.register(*dst)?,
                    start: self.push_operands(&flat)?,
                    words: flat.len() as u32,
                    count: entries.len() as u32,
                    site: self.site(&op.cleanup)?,
                }
            }
            OpKind::Index { dst, base, index } => Instr::Shim2 {
                shim: shims::rt_index,
                dst: self.register(*dst)?,
                lhs: self.register(*base)?,
                rhs: self.register(*index)?,
                site: self.site(&op.cleanup)?,
            },
            OpKind::Retain { dst, src } => Instr::Retain {
                dst: self.register(*dst)?,
                src: self.register(*src)?,
                site: self.site(&op.cleanup)?,
            },
            OpKind::Release { var } => Instr::Release {
                var: self.register(*var)?,
            },
            OpKind::GeneratorItem { item } => {
                return Err(load_error::unsupported_block_item(*item, self.location()));
            }
        };
        self.code.push(instr);
        Ok(())
    }

    fn constant_word(&self, value: Constant) -> Result<u64, RunFailure> {
        Ok(match value {
            Constant::Int(n) => match Value::int(n) {
                Some(word) => word.bits(),
                None => {
                    return Err(load_error::integer_constant_out_of_range(self.location()));
                }
            },
            Constant::Float(x) => Value::float(x).bits(),
            Constant::Bool(b) => Value::bool(b).bits(),
            Constant::Unit => UNIT_WORD,
        })
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        dst: Var,
        lhs: Var,
        rhs: Var,
        cleanup: &[Var],
    ) -> Result<Instr, RunFailure> {
        let (dst, lhs, rhs) = (
            self.register(dst)?,
            self.register(lhs)?,
            self.register(rhs)?,
        );
        let site = self.site(cleanup)?;
        let comparison = |comparison: IntComparison| Instr::Compare {
            comparison,
            shim: comparison_shim(comparison),
            dst,
            lhs,
            rhs,
            site,
        };
        let shim2 = |shim| Instr::Shim2 {
            shim,
            dst,
            lhs,
            rhs,
            site,
        };
        Ok(match op {
            BinaryOp::Add => Instr::Add {
                dst,
                lhs,
                rhs,
                site,
            },
            BinaryOp::Sub => Instr::Sub {
                dst,
                lhs,
                rhs,
                site,
            },
            BinaryOp::Mul => Instr::Mul {
                dst,
                lhs,
                rhs,
                site,
            },
            BinaryOp::Div => shim2(shims::rt_div),
            BinaryOp::Rem => shim2(shims::rt_rem),
            BinaryOp::Concat => shim2(shims::rt_concat),
            BinaryOp::Eq => comparison(IntComparison::Eq),
            BinaryOp::Ne => comparison(IntComparison::Ne),
            BinaryOp::Lt => comparison(IntComparison::Lt),
            BinaryOp::Le => comparison(IntComparison::Le),
            BinaryOp::Gt => comparison(IntComparison::Gt),
            BinaryOp::Ge => comparison(IntComparison::Ge),
        })
    }

    fn translate_terminator(&mut self, terminator: &ir::Terminator) -> Result<(), RunFailure> {
        match &terminator.kind {
            TerminatorKind::Return { value } => {
                let value = self.register(*value)?;
                self.code.push(Instr::Return { value });
            }
            TerminatorKind::Jump { target, args } => {
                let target_block = self.block(*target)?;
                if target_block.params.len() != args.len() {
                    return Err(self.malformed(&format!(
                        "jump to b{} passes {} arguments, the block takes {}",
                        target.0,
                        args.len(),
                        target_block.params.len()
                    )));
                }
                let mut moves = Vec::with_capacity(args.len());
                for (param, &arg) in target_block.params.iter().zip(args) {
                    moves.push((self.register(param.var)?, self.register(arg)?));
                }
                self.emit_parallel_moves(&moves);
                // A jump to the next block falls through (that block exists: checked above).
                if target.0 != self.current_block + 1 {
                    self.unresolved_jumps.push(self.code.len());
                    self.code.push(Instr::Jump { target: target.0 });
                }
            }
            TerminatorKind::Branch {
                condition,
                context,
                then_block,
                else_block,
            } => {
                for target in [*then_block, *else_block] {
                    if !self.block(target)?.params.is_empty() {
                        return Err(self.malformed(&format!(
                            "branch target b{} has block parameters",
                            target.0
                        )));
                    }
                }
                let condition = self.register(*condition)?;
                let site = self.site(&terminator.cleanup)?;
                self.unresolved_jumps.push(self.code.len());
                self.code.push(Instr::Branch {
                    condition,
                    context: *context as u32,
                    then_pc: then_block.0,
                    else_pc: else_block.0,
                    site,
                });
            }
        }
        Ok(())
    }

    /// Emits `dst_i <- src_i` for all `i` as if simultaneously.
    fn emit_parallel_moves(&mut self, moves: &[(Register, Register)]) {
        let scratch_base = self.function.var_count;
        let scratch_used = sequence_parallel_moves(moves, scratch_base, &mut self.code);
        self.scratch_registers = self.scratch_registers.max(scratch_used);
    }

    /// Replaces the block indices held by jumps and branches with program counters.
    fn resolve_jumps(&mut self) {
        for &at in &self.unresolved_jumps {
            match &mut self.code[at] {
                Instr::Jump { target } => *target = self.block_pcs[*target as usize],
                Instr::Branch {
                    then_pc, else_pc, ..
                } => {
                    *then_pc = self.block_pcs[*then_pc as usize];
                    *else_pc = self.block_pcs[*else_pc as usize];
                }
                _ => {}
            }
        }
    }
}
