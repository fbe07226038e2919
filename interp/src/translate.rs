//! Translation of an `ir::Module` into the interpreter's compact code (`code.rs`).
//!
//! Per function: IR `Var(n)` becomes frame register `n`; blocks are laid out in order and
//! jump targets resolved to program counters; a `Jump`'s arguments become register moves
//! into the target's parameters (a parallel move, sequenced through scratch registers when
//! a destination is also a source), and a jump to the next block falls through; every
//! fallible op keeps its IR op index and cleanup list in a [`FailSite`], and every
//! instruction its IR op index in `op_indices` (jump-argument moves: the `Jump`'s). Each IR
//! op becomes exactly one instruction that calls exactly the one shim the JIT calls for it
//! (`shim_selection.rs`). That plain code then goes through the superinstruction pass
//! (`superinstructions.rs`), which gives each function the `fast_code` unobserved runs use.
//!
//! Load-time rejections (never a crash): first everything the shared
//! `cairn_lang::ir::load_check::check_loadable` refuses (the same checks as the JIT's), so
//! the translator relies on ids, arities and variables being valid; then the interpreter's
//! own limits (frame registers, code size) -> RT0001 "malformed IR ...".

use cairn_lang::analysis::{
    FunctionKinds, KindSet, infer_value_kinds, infer_value_kinds_for_any_entry,
};
use cairn_lang::ir::load_check::{LoadProblem, LoadProblemKind};
use cairn_lang::ir::{self, BinaryOp, BlockId, Constant, Module, OpKind, TerminatorKind, Var};
use cairn_runtime::context::RunFailure;
use cairn_runtime::value::{UNIT_WORD, Value};

use crate::code::{
    CleanupEntry, CompiledFunction, FailSite, Instr, IntComparison, InterpProgram, ProgramCounter,
    Register, SiteId,
};
use crate::parallel_moves::sequence_parallel_moves;
use crate::shim_selection::{builtin_instr, comparison_shim, two_word_shim};
use crate::superinstructions::fuse_function;
use cairn_engine_support::{binary_shim, check_module, function_table, load_failure, unary_shim};

/// The most registers one function's window may need (its variables, at most
/// `MAX_FUNCTION_VARIABLES`, plus jump scratch registers); larger IR is refused at load
/// rather than exhausting memory at run time.
pub const MAX_FRAME_REGISTERS: u32 = 1 << 20;

/// Translates every function of `module` (see the module docs for the rejections).
pub fn translate_module(module: &Module) -> Result<InterpProgram, RunFailure> {
    check_module(module)?;
    // Two value-kind analyses, as the JIT's two variants: assuming the host enters only at
    // `entry` (what `run_main` and the host calls whose arguments fit run), and assuming it
    // may call any function with anything (every other host call).
    let entry_kinds = infer_value_kinds(module);
    let any_entry_kinds = infer_value_kinds_for_any_entry(module);
    let entry = module.entry.0;
    let mut literals = Vec::new();
    let mut functions = Vec::with_capacity(module.functions.len());
    let mut op_indices = Vec::with_capacity(module.functions.len());
    for (index, function) in module.functions.iter().enumerate() {
        let id = ir::FuncId(index as u32);
        let kinds = [entry_kinds.function(id), any_entry_kinds.function(id)];
        let translator = FunctionTranslator::new(index as u32, function, kinds, &mut literals);
        let (compiled, ops) = translator.translate()?;
        functions.push(compiled);
        op_indices.push(ops);
    }
    Ok(InterpProgram {
        functions: functions.into_boxed_slice(),
        entry,
        literals: literals.into_boxed_slice(),
        op_indices: op_indices.into_boxed_slice(),
        function_table: function_table(module, |index| index as u64 + 1),
    })
}

struct FunctionTranslator<'a> {
    index: u32,
    function: &'a ir::Function,
    /// The function's inferred value kinds (for the superinstruction pass): assuming the
    /// host enters only at the module's entry, and assuming it may enter anywhere.
    kinds: [Option<&'a FunctionKinds>; 2],
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
    /// The block being translated.
    current_block: u32,
    /// The IR op index being translated (for error frames).
    current_op: u32,
    /// Its position in the current block (for its cleanup).
    current_position: u32,
}

impl<'a> FunctionTranslator<'a> {
    fn new(
        index: u32,
        function: &'a ir::Function,
        kinds: [Option<&'a FunctionKinds>; 2],
        literals: &'a mut Vec<Box<[u8]>>,
    ) -> Self {
        FunctionTranslator {
            index,
            function,
            kinds,
            literals,
            code: Vec::new(),
            op_indices: Vec::new(),
            sites: Vec::new(),
            operands: Vec::new(),
            block_pcs: Vec::with_capacity(function.blocks.len()),
            unresolved_jumps: Vec::new(),
            scratch_registers: 0,
            current_block: 0,
            current_op: 0,
            current_position: 0,
        }
    }

    /// One of the interpreter's own limits exceeded by the whole function.
    fn over_limit(&self, detail: &str) -> RunFailure {
        load_failure(&LoadProblem::malformed_in_function(
            self.index,
            &self.function.name,
            None,
            detail,
        ))
    }

    /// A problem `check_loadable` refuses, met again at the current op (defensive: the
    /// module was checked before translation).
    fn refused_here(&self, kind: LoadProblemKind) -> RunFailure {
        load_failure(&LoadProblem {
            kind,
            function: Some(self.index),
            op: Some(self.current_op),
        })
    }

    /// The compiled function and the IR op index of each of its instructions.
    fn translate(mut self) -> Result<(CompiledFunction, Box<[u32]>), RunFailure> {
        let function = self.function;
        let param_registers: Vec<Register> = function
            .params
            .iter()
            .map(|p| self.register(p.var))
            .collect();

        let mut op_index = 0u32;
        for (block_index, block) in function.blocks.iter().enumerate() {
            self.current_block = block_index as u32;
            self.block_pcs.push(self.code.len() as ProgramCounter);
            for (position, op) in block.ops.iter().enumerate() {
                self.current_op = op_index;
                self.current_position = position as u32;
                self.translate_op(op)?;
                self.label_new_instructions();
                op_index += 1;
            }
            self.current_op = op_index;
            self.current_position = block.ops.len() as u32;
            self.translate_terminator(&block.terminator);
            self.label_new_instructions();
            op_index += 1;
        }
        self.resolve_jumps();

        let frame_size = function.var_count + self.scratch_registers;
        if frame_size > MAX_FRAME_REGISTERS {
            return Err(self.over_limit(&format!(
                "{frame_size} registers exceed the interpreter's limit of {MAX_FRAME_REGISTERS}"
            )));
        }
        if u32::try_from(self.code.len()).is_err() {
            return Err(self.over_limit("function body is too large"));
        }
        let [entry_kinds, any_entry_kinds] = self.kinds;
        let fast_code = fuse_function(
            &self.code,
            entry_kinds,
            function.var_count,
            &mut self.operands,
        );
        let generic_fast_code = fuse_function(
            &self.code,
            any_entry_kinds,
            function.var_count,
            &mut self.operands,
        );
        let specialized_param_kinds = (0..function.params.len())
            .map(|position| entry_kinds.map_or(KindSet::ALL, |kinds| kinds.param(position)))
            .collect();
        let compiled = CompiledFunction {
            name: function.name.clone(),
            code: self.code.into_boxed_slice(),
            fast_code,
            generic_fast_code,
            specialized_param_kinds,
            sites: self.sites.into_boxed_slice(),
            cleanup_tables: (function.blocks.iter())
                .map(|block| {
                    (block.cleanup.iter())
                        .map(|range| CleanupEntry {
                            register: range.var.0,
                            from: range.from,
                            to: range.to,
                        })
                        .collect()
                })
                .collect(),
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

    /// `var`'s register: `var` is in range (checked by `check_loadable`).
    fn register(&self, var: Var) -> Register {
        var.0
    }

    /// The failure site of the current op: its cleanup is its block's table at its position.
    fn site(&mut self) -> SiteId {
        self.sites.push(FailSite {
            op: self.current_op,
            block: self.current_block,
            position: self.current_position,
        });
        (self.sites.len() - 1) as SiteId
    }

    fn push_operands(&mut self, vars: &[Var]) -> u32 {
        let start = self.operands.len() as u32;
        for &var in vars {
            let register = self.register(var);
            self.operands.push(register);
        }
        start
    }

    /// Block `block` of this function (it exists: checked by `check_loadable`).
    fn block(&self, block: BlockId) -> &'a ir::Block {
        &self.function.blocks[block.0 as usize]
    }

    fn translate_op(&mut self, op: &ir::Op) -> Result<(), RunFailure> {
        let instr = match &op.kind {
            OpKind::Enter => Instr::Enter { site: self.site() },
            OpKind::Fuel => Instr::Fuel { site: self.site() },
            OpKind::Const { dst, value } => Instr::Const {
                dst: self.register(*dst),
                word: self.constant_word(*value)?,
            },
            OpKind::Text { dst, text } => {
                self.literals.push(text.as_bytes().into());
                Instr::Text {
                    dst: self.register(*dst),
                    literal: (self.literals.len() - 1) as u32,
                    site: self.site(),
                }
            }
            OpKind::Unary {
                dst,
                op: unary,
                operand,
            } => Instr::Shim1 {
                shim: unary_shim(*unary)
                    .function1()
                    .expect("unary shims take one word"),
                dst: self.register(*dst),
                operand: self.register(*operand),
                site: self.site(),
            },
            OpKind::Binary {
                dst,
                op: binary,
                lhs,
                rhs,
            } => self.binary(*binary, *dst, *lhs, *rhs),
            OpKind::Call {
                dst,
                function,
                args,
            } => Instr::Call {
                callee: function.0,
                dst: self.register(*dst),
                start: self.push_operands(args),
                len: args.len() as u32,
                site: self.site(),
            },
            OpKind::MakeClosure {
                dst,
                function,
                captures,
            } => Instr::Closure {
                function: function.0,
                dst: self.register(*dst),
                start: self.push_operands(captures),
                count: captures.len() as u32,
                site: self.site(),
            },
            OpKind::CallHost { dst, host, args } => Instr::CallHost {
                host: *host,
                dst: self.register(*dst),
                start: self.push_operands(args),
                len: args.len() as u32,
                site: self.site(),
            },
            OpKind::CallValue { dst, callee, args } => {
                let start = self.push_operands(std::slice::from_ref(callee));
                self.push_operands(args);
                Instr::CallValue {
                    dst: self.register(*dst),
                    start,
                    len: args.len() as u32,
                    site: self.site(),
                }
            }
            OpKind::Builtin { dst, builtin, args } => {
                let dst = self.register(*dst);
                let args: Vec<Register> = args.iter().map(|&var| self.register(var)).collect();
                let site = self.site();
                builtin_instr(*builtin, dst, &args, site)
            }
            OpKind::MakeList { dst, elements } | OpKind::MakeTuple { dst, elements } => {
                let count = elements.len() as u32;
                Instr::Aggregate {
                    shim: two_word_shim(&op.kind),
                    dst: self.register(*dst),
                    start: self.push_operands(elements),
                    words: count,
                    count,
                    site: self.site(),
                }
            }
            OpKind::MakeMap { dst, entries } => {
                let flat: Vec<Var> = entries.iter().flat_map(|&(k, v)| [k, v]).collect();
                Instr::Aggregate {
                    shim: two_word_shim(&op.kind),
                    dst: self.register(*dst),
                    start: self.push_operands(&flat),
                    words: flat.len() as u32,
                    count: entries.len() as u32,
                    site: self.site(),
                }
            }
            OpKind::Index { dst, base, index } => Instr::Shim2 {
                shim: two_word_shim(&op.kind),
                dst: self.register(*dst),
                lhs: self.register(*base),
                rhs: self.register(*index),
                site: self.site(),
            },
            OpKind::Retain { dst, src } => Instr::Retain {
                dst: self.register(*dst),
                src: self.register(*src),
                site: self.site(),
            },
            OpKind::Release { var } => Instr::Release {
                var: self.register(*var),
            },
            OpKind::GeneratorItem { item } => {
                return Err(self.refused_here(LoadProblemKind::GeneratorItem(*item)));
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
                    return Err(self.refused_here(LoadProblemKind::IntConstantOutOfRange(n)));
                }
            },
            Constant::Float(x) => Value::float(x).bits(),
            Constant::Bool(b) => Value::bool(b).bits(),
            Constant::Unit => UNIT_WORD,
        })
    }

    fn binary(&mut self, op: BinaryOp, dst: Var, lhs: Var, rhs: Var) -> Instr {
        let (dst, lhs, rhs) = (self.register(dst), self.register(lhs), self.register(rhs));
        let site = self.site();
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
        match op {
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
            BinaryOp::Div => Instr::Div {
                dst,
                lhs,
                rhs,
                site,
            },
            BinaryOp::Rem => Instr::Rem {
                dst,
                lhs,
                rhs,
                site,
            },
            BinaryOp::Concat => shim2(
                binary_shim(op)
                    .function2()
                    .expect("binary shims take two words"),
            ),
            BinaryOp::Eq => comparison(IntComparison::Eq),
            BinaryOp::Ne => comparison(IntComparison::Ne),
            BinaryOp::Lt => comparison(IntComparison::Lt),
            BinaryOp::Le => comparison(IntComparison::Le),
            BinaryOp::Gt => comparison(IntComparison::Gt),
            BinaryOp::Ge => comparison(IntComparison::Ge),
        }
    }

    fn translate_terminator(&mut self, terminator: &ir::Terminator) {
        match &terminator.kind {
            TerminatorKind::Return { value } => {
                let value = self.register(*value);
                self.code.push(Instr::Return { value });
            }
            TerminatorKind::TailCall { function, args } => {
                let start = self.push_operands(args);
                let site = self.site();
                self.code.push(Instr::TailCall {
                    callee: function.0,
                    start,
                    len: args.len() as u32,
                    site,
                });
            }
            TerminatorKind::TailCallValue { callee, args } => {
                let start = self.push_operands(std::slice::from_ref(callee));
                self.push_operands(args);
                let site = self.site();
                self.code.push(Instr::TailCallValue {
                    start,
                    len: args.len() as u32,
                    site,
                });
            }
            TerminatorKind::Jump { target, args } => {
                let target_block = self.block(*target);
                let mut moves = Vec::with_capacity(args.len());
                for (param, &arg) in target_block.params.iter().zip(args) {
                    moves.push((self.register(param.var), self.register(arg)));
                }
                self.emit_parallel_moves(&moves);
                // A jump to the next block falls through (that block exists: load-checked).
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
                let condition = self.register(*condition);
                let site = self.site();
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
