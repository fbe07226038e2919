//! The short-lived per-function translator: one IR function becomes one Cranelift function
//! `extern "C" fn(ctx, args: i64...) -> i64` (0 = failure with the error parked). IR vars
//! become Cranelift `Variable`s, IR blocks become Cranelift blocks (block params carry the
//! IR's phis), and every IR op lowers one-to-one, in IR order, to the shim the interpreter
//! calls, except for the inline fast paths (`inline_fast_paths.rs`, `inline_control.rs`)
//! and the checks the value-kind analysis resolves at compile time (`kind_specialized.rs`).

use std::collections::HashMap;

use cairn_lang::analysis::{FunctionKinds, KindSet, ModuleKinds};
use cairn_lang::ir::{self, Constant, OpKind, Var};
use cairn_runtime::value::UNIT_WORD;
use cairn_runtime::{RunFailure, RuntimeError, Shim, Value};
use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{
    Block, BlockArg, FuncRef, InstBuilder, StackSlot, StackSlotData, StackSlotKind, UserFuncName,
};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_module::{FuncId, Module};

use crate::block_local_values::block_local_vars;
use crate::block_sealing::{BlockSealing, block_mark, seal_blocks_created_since};
use crate::constant_operands::ConstantOperands;
use crate::context::JitContext;
use crate::kind_specialized::single_int_constants;
use crate::lazy_calls::{Callee, OnCompileFailure};
use cairn_engine_support::builtin_shim;

/// Everything the translation of one function needs from the module being compiled.
pub struct ModuleTranslationInputs<'a> {
    pub ir_module: &'a ir::Module,
    /// The value kinds inferred for `ir_module` itself (never supplied by a host).
    pub value_kinds: &'a ModuleKinds,
    /// `inline_control::depth_is_balanced(ir_module)`: Leave may restore the depth Enter read.
    pub depth_is_balanced: bool,
    /// Address of the module's function table (`lazy_compile.rs`): per function, its native
    /// address or 0 until it is compiled. Every call reads its callee's entry.
    pub function_table: u64,
    /// Address of the module's closure-arity table (`lazy_compile.rs`): per function, a
    /// `u32`, `u32::MAX` when it is not closure-callable.
    pub closure_arities: u64,
    /// Address of the `LazyCompiler` the compile helper is called with.
    pub compiler: u64,
    /// Text literal bytes; owned by the compiled program and alive as long as its code.
    pub literals: &'a mut Vec<Box<[u8]>>,
    /// The operand words of all-constant aggregate ops (`constant_operands.rs`); owned by
    /// the compiled program and alive as long as its code.
    pub constant_words: &'a mut Vec<Box<[u64]>>,
    /// Store each op's allocation site in the context before the op (the audit variant).
    pub record_allocation_sites: bool,
}

/// Translates and defines IR function `function_index`. Returns an estimate of its frame's
/// size beyond the fixed part: explicit stack slots plus one spill word per IR variable
/// (used to size the run thread's stack), and the size of its machine code in bytes.
pub fn define_function(
    jit: &mut JitContext,
    codegen: &mut cranelift_codegen::Context,
    builder_context: &mut FunctionBuilderContext,
    inputs: &mut ModuleTranslationInputs<'_>,
    function_index: u32,
    id: FuncId,
) -> Result<(u64, u64), RunFailure> {
    let function = &inputs.ir_module.functions[function_index as usize];
    codegen.func.signature = jit.function_signature(function.params.len());
    codegen.func.name = UserFuncName::user(0, id.as_u32());
    let target_config = jit.module().target_config();
    let disassemble = crate::disassembly::disassembly_requested();
    codegen.set_disasm(disassemble);
    let slot_bytes = {
        let builder = FunctionBuilder::new(&mut codegen.func, builder_context);
        let mut translator = FunctionTranslator::new(builder, jit, inputs, function_index);
        translator.translate_body()?;
        let slot_bytes = translator.slot_bytes + u64::from(function.var_count) * 8;
        translator.builder.seal_all_blocks();
        translator.builder.finalize(target_config);
        slot_bytes
    };
    let op_count: usize = function.blocks.iter().map(|block| block.ops.len()).sum();
    let rejected = |e: &dyn std::fmt::Debug| {
        internal(format!("cranelift rejected `{}`: {e:?}", function.name))
    };
    if op_count > crate::context::LARGE_FUNCTION_OPS {
        define_large_function(jit, codegen, id).map_err(|e| rejected(&e))?;
    } else {
        jit.module_mut()
            .define_function(id, codegen)
            .map_err(|e| rejected(&e))?;
    }
    if disassemble {
        crate::disassembly::print_disassembly(&function.name, codegen);
    }
    let code_bytes = codegen
        .compiled_code()
        .map_or(0, |compiled| compiled.code_buffer().len() as u64);
    jit.module_mut().clear_context(codegen);
    Ok((slot_bytes, code_bytes))
}

/// Compiles with the large-function ISA (no optimisation passes, single-pass register
/// allocation: `context::LARGE_FUNCTION_OPS`) and defines the bytes, as
/// `JITModule::define_function` does with the module's own ISA.
fn define_large_function(
    jit: &mut JitContext,
    codegen: &mut cranelift_codegen::Context,
    id: FuncId,
) -> Result<(), String> {
    let isa = jit.large_function_isa()?;
    let mut control_plane = cranelift_codegen::control::ControlPlane::default();
    let alignment = codegen
        .compile(isa, &mut control_plane)
        .map_err(|e| format!("{:?}", e.inner))?
        .buffer
        .alignment;
    let alignment = u64::from(alignment);
    let compiled = codegen.compiled_code().ok_or("no compiled code")?;
    let bytes = compiled.code_buffer();
    let relocs: Vec<cranelift_module::ModuleReloc> = (compiled.buffer.relocs().iter())
        .map(|reloc| cranelift_module::ModuleReloc::from_mach_reloc(reloc, &codegen.func, id))
        .collect();
    jit.module_mut()
        .define_function_bytes(id, alignment, bytes, &relocs)
        .map_err(|e| format!("{e:?}"))
}

/// Whether an op can allocate a block itself (a callee reports its own sites; a release only
/// frees). The audit variant stores the allocation site before these ops only; the
/// interpreter's observer reports every instruction, and the conformance audit pass checks
/// both engines attribute every allocation to the same op.
fn op_may_allocate(kind: &OpKind) -> bool {
    match kind {
        // `+` concatenates Text as `++` does.
        OpKind::Binary { op, .. } => matches!(op, ir::BinaryOp::Add | ir::BinaryOp::Concat),
        OpKind::Text { .. }
        | OpKind::Unary { .. }
        | OpKind::Builtin { .. }
        | OpKind::MakeList { .. }
        | OpKind::MakeTuple { .. }
        | OpKind::MakeMap { .. }
        | OpKind::MakeClosure { .. }
        | OpKind::CallHost { .. }
        | OpKind::Index { .. }
        | OpKind::Retain { .. } => true,
        OpKind::Enter
        | OpKind::Fuel
        | OpKind::Const { .. }
        | OpKind::Call { .. }
        | OpKind::CallValue { .. }
        | OpKind::Release { .. }
        | OpKind::GeneratorItem { .. } => false,
    }
}

/// The two uses of an op's operand words in memory: the array a shim reads, and the copy of a
/// call's arguments for the compile-on-first-call helper.
#[derive(Clone, Copy)]
pub(crate) enum OperandArea {
    ShimArray = 0,
    FirstCallCopy = 1,
}

pub(crate) fn internal(detail: String) -> RunFailure {
    RunFailure {
        error: RuntimeError::internal(&detail),
        frames: Vec::new(),
    }
}

pub(crate) struct FunctionTranslator<'a, 'i> {
    pub(crate) builder: FunctionBuilder<'a>,
    jit: &'a mut JitContext,
    pub(crate) inputs: &'a mut ModuleTranslationInputs<'i>,
    function: &'i ir::Function,
    function_index: u32,
    /// This function's inferred value kinds (`None` only if the analysis has no entry for it,
    /// which then means every kind).
    kinds: Option<&'i FunctionKinds>,
    /// Inline Int comparison flags (an `i8` 0/1) of the IR block being translated, by the
    /// Bool variable they also define; a `Branch` on one of them tests the flag directly.
    pub(crate) comparison_flags: HashMap<Var, cranelift_codegen::ir::Value>,
    /// The stack slot holding the depth this function's `Enter` read, when the module's
    /// depth is balanced (see `inline_control.rs`); every `Return` restores it. A slot, not
    /// a register: it is only read at `Return`, so it should not occupy a callee-saved
    /// register through the whole body.
    pub(crate) depth_before_enter: Option<StackSlot>,
    /// Variables that are one Int constant throughout the function.
    pub(crate) int_constants: HashMap<Var, i64>,
    /// The payloads of Int words boxed by inline paths (`int_payload.rs`).
    pub(crate) int_payloads: HashMap<cranelift_codegen::ir::Value, crate::int_payload::IntPayload>,
    /// The context pointer (first parameter of the Cranelift function).
    pub(crate) ctx: cranelift_codegen::ir::Value,
    vars: Vec<Variable>,
    pub(crate) blocks: Vec<Block>,
    shim_refs: HashMap<Shim, FuncRef>,
    compile_helper_ref: Option<FuncRef>,
    float_remainder_ref: Option<FuncRef>,
    slot_bytes: u64,
    /// Constant variables and the `Const` ops that need no code (`constant_operands.rs`).
    pub(crate) constant_operands: ConstantOperands,
    /// Per variable, whether it is block-local (`block_local_values.rs`): defined by an op
    /// and used only later in the same IR block, so it needs no Cranelift `Variable`.
    block_local: Vec<bool>,
    /// Per variable, the position of its last use in its block (block-local vars only).
    pub(crate) last_use: Vec<u32>,
    /// Per variable, the stack slot a long-lived block-local var lives in
    /// (`cleanup_pads.rs`), set for the block being translated.
    pub(crate) home_slots: Vec<Option<StackSlot>>,
    /// The Cranelift value of each block-local variable once its op is translated.
    local_values: Vec<Option<cranelift_codegen::ir::Value>>,
    /// The shared operand-word slots of each [`OperandArea`], with their sizes.
    operand_areas: [Vec<(u32, StackSlot)>; 2],
    /// The failure paths of the IR block being translated (`cleanup_pads.rs`).
    pub(crate) block_cleanup: crate::cleanup_pads::BlockCleanup,
    /// The stack slots the landing pads read their vars from.
    pub(crate) pad_slots: crate::cleanup_pads::PadSlots,
    /// Whether `push` gets its inline path here (`inline_list_set.rs`, `INLINE_PUSH_MAX_OPS`).
    pub(crate) inline_push: bool,
}

impl<'a, 'i> FunctionTranslator<'a, 'i> {
    fn new(
        mut builder: FunctionBuilder<'a>,
        jit: &'a mut JitContext,
        inputs: &'a mut ModuleTranslationInputs<'i>,
        function_index: u32,
    ) -> Self {
        let function = &inputs.ir_module.functions[function_index as usize];
        let kinds = inputs.value_kinds.function(ir::FuncId(function_index));
        let constant_operands = ConstantOperands::of(function, &inputs.ir_module.functions);
        let (block_local, last_use) = block_local_vars(function, &inputs.ir_module.functions);
        let entry = builder.create_block();
        builder.append_block_params_for_function_params(entry);
        builder.switch_to_block(entry);
        let ctx = builder.block_params(entry)[0];
        let vars = (0..function.var_count)
            .map(|_| builder.declare_var(I64))
            .collect();
        let blocks = function
            .blocks
            .iter()
            .map(|block| {
                let cl_block = builder.create_block();
                for _ in &block.params {
                    builder.append_block_param(cl_block, I64);
                }
                cl_block
            })
            .collect();
        let op_count: usize = function.blocks.iter().map(|block| block.ops.len()).sum();
        FunctionTranslator {
            inline_push: op_count <= crate::inline_list_set::INLINE_PUSH_MAX_OPS,
            builder,
            jit,
            inputs,
            function,
            function_index,
            kinds,
            comparison_flags: HashMap::new(),
            depth_before_enter: None,
            int_constants: single_int_constants(function),
            constant_operands,
            local_values: vec![None; block_local.len()],
            home_slots: vec![None; block_local.len()],
            block_local,
            last_use,
            int_payloads: HashMap::new(),
            ctx,
            vars,
            blocks,
            shim_refs: HashMap::new(),
            compile_helper_ref: None,
            float_remainder_ref: None,
            slot_bytes: 0,
            operand_areas: [Vec::new(), Vec::new()],
            block_cleanup: Default::default(),
            pad_slots: Default::default(),
        }
    }

    fn translate_body(&mut self) -> Result<(), RunFailure> {
        let entry = self
            .builder
            .current_block()
            .expect("entry block is current");
        let args: Vec<BlockArg> = self.builder.block_params(entry)[1..]
            .iter()
            .map(|v| BlockArg::Value(*v))
            .collect();
        self.builder.ins().jump(self.blocks[0], &args);
        self.builder.seal_block(entry);
        let function = self.function;
        let mut sealing = BlockSealing::new(function);
        sealing.seal_unreachable(&mut self.builder, &self.blocks);
        sealing.edge_emitted(&mut self.builder, &self.blocks, ir::BlockId(0));
        let bases = function.block_op_bases();
        for (block_index, (block, base)) in function.blocks.iter().zip(bases).enumerate() {
            let cl_block = self.blocks[block_index];
            self.builder.switch_to_block(cl_block);
            self.comparison_flags.clear();
            for (position, param) in block.params.iter().enumerate() {
                let value = self.builder.block_params(cl_block)[position];
                self.def(param.var, value);
            }
            self.begin_block_cleanup(block, base);
            for (position, op) in block.ops.iter().enumerate() {
                self.store_cleanup_vars_at(position);
                let mark = block_mark(&self.builder);
                if op_may_allocate(&op.kind) {
                    self.store_allocation_site(base + position as u32);
                }
                self.translate_op(base + position as u32, op)?;
                seal_blocks_created_since(&mut self.builder, mark);
            }
            self.store_cleanup_vars_at(block.ops.len());
            let mark = block_mark(&self.builder);
            self.translate_terminator(base + block.ops.len() as u32, &block.terminator);
            seal_blocks_created_since(&mut self.builder, mark);
            self.finish_block_cleanup();
            sealing.terminator_emitted(&mut self.builder, &self.blocks, &block.terminator.kind);
        }
        Ok(())
    }

    /// In the audit variant, stores op `op_index`'s allocation site (only before ops that
    /// can allocate: see [`op_may_allocate`]) into the context (what
    /// the interpreter's site observer does before each instruction); nothing otherwise.
    fn store_allocation_site(&mut self, op_index: u32) {
        if !self.inputs.record_allocation_sites {
            return;
        }
        let site = cairn_runtime::heap::AllocationSite::op(self.function_index, op_index);
        let word = self.word(site.0);
        let offset = cairn_runtime::Context::CONTROL_FIELD_OFFSETS.allocation_site;
        self.builder.ins().store(
            cranelift_codegen::ir::MemFlagsData::trusted(),
            word,
            self.ctx,
            offset,
        );
    }

    /// The kinds `var` may hold at run time (every kind when unknown).
    pub(crate) fn kinds_of(&self, var: Var) -> KindSet {
        self.kinds.map_or(KindSet::ALL, |kinds| kinds.var(var))
    }

    pub(crate) fn use_var(&mut self, var: Var) -> cranelift_codegen::ir::Value {
        // An elided constant has no definition: any use the analysis did not foresee gets
        // its word materialised here.
        if self.constant_operands.is_elided(var)
            && let Some(word) = self.constant_operands.word(var)
        {
            return self.word(word);
        }
        // A block-local var's value, defined earlier in this IR block (`block_local_values.rs`).
        if let Some(Some(value)) = self.local_values.get(var.0 as usize) {
            if let Some(Some(slot)) = self.home_slots.get(var.0 as usize) {
                let slot = *slot;
                let pointer_type = self.jit.pointer_type();
                return self.builder.ins().stack_load(pointer_type, I64, slot, 0);
            }
            return *value;
        }
        self.builder.use_var(self.vars[var.0 as usize])
    }

    pub(crate) fn def(&mut self, var: Var, value: cranelift_codegen::ir::Value) {
        // A stale comparison flag must never stand for a redefined variable (only possible
        // in non-SSA host IR, but cheap to rule out).
        self.comparison_flags.remove(&var);
        if self.block_local.get(var.0 as usize) == Some(&true) {
            self.local_values[var.0 as usize] = Some(value);
            if let Some(Some(slot)) = self.home_slots.get(var.0 as usize) {
                let slot = *slot;
                let pointer_type = self.jit.pointer_type();
                self.builder.ins().stack_store(pointer_type, value, slot, 0);
            }
            return;
        }
        self.builder.def_var(self.vars[var.0 as usize], value);
    }

    pub(crate) fn use_vars(&mut self, vars: &[Var]) -> Vec<cranelift_codegen::ir::Value> {
        vars.iter().map(|v| self.use_var(*v)).collect()
    }

    pub(crate) fn word(&mut self, word: u64) -> cranelift_codegen::ir::Value {
        self.builder.ins().iconst(I64, word as i64)
    }

    /// Calls a shim with the context pointer prepended; returns its result word.
    pub(crate) fn call_shim(
        &mut self,
        shim: Shim,
        args: &[cranelift_codegen::ir::Value],
    ) -> cranelift_codegen::ir::Value {
        debug_assert_eq!(args.len(), shim.param_count(), "{}", shim.symbol());
        let func_ref = match self.shim_refs.get(&shim) {
            Some(func_ref) => *func_ref,
            None => {
                let id = self.jit.shim_function(shim);
                let func_ref = self
                    .jit
                    .module_mut()
                    .declare_func_in_func(id, self.builder.func);
                self.shim_refs.insert(shim, func_ref);
                func_ref
            }
        };
        let mut call_args = Vec::with_capacity(args.len() + 1);
        call_args.push(self.ctx);
        call_args.extend_from_slice(args);
        let call = self.builder.ins().call(func_ref, &call_args);
        self.builder.inst_results(call)[0]
    }

    /// A fallible shim call: on 0 the cold failure path runs, otherwise returns the word.
    pub(crate) fn fallible_shim(
        &mut self,
        shim: Shim,
        args: &[cranelift_codegen::ir::Value],
        op_index: u32,
    ) -> cranelift_codegen::ir::Value {
        let result = self.call_shim(shim, args);
        self.branch_on_failure(result, op_index);
        result
    }

    /// `brif result == 0` to the block's unwind block (`cleanup_pads.rs`: records the frame,
    /// releases the op's cleanup in order, calls `rt_leave` and returns 0). Continues in the
    /// success block.
    pub(crate) fn branch_on_failure(
        &mut self,
        result: cranelift_codegen::ir::Value,
        op_index: u32,
    ) {
        let ok = self.builder.create_block();
        self.brif_to_unwind(result, op_index, ok);
        self.builder.switch_to_block(ok);
    }

    /// The failure exit of op `op_index` (of the block being translated): a jump to the
    /// block's unwind block, which records the frame, releases the op's cleanup in order,
    /// calls `rt_leave` and returns 0.
    pub(crate) fn emit_unwind_exit(&mut self, op_index: u32) {
        self.jump_to_unwind(op_index);
    }

    pub(crate) fn is_block_local(&self, var: Var) -> bool {
        self.block_local.get(var.0 as usize) == Some(&true)
    }

    pub(crate) fn function_index(&self) -> u32 {
        self.function_index
    }

    fn translate_op(&mut self, index: u32, op: &ir::Op) -> Result<(), RunFailure> {
        match &op.kind {
            OpKind::Enter => {
                let depth = self.emit_enter(index);
                if self.inputs.depth_is_balanced {
                    self.depth_before_enter = Some(self.spill_word(depth));
                }
            }
            OpKind::Fuel => {
                self.emit_fuel(index);
            }
            // A constant only used by all-constant aggregates needs no code
            // (`constant_operands.rs`).
            OpKind::Const { dst, .. } if self.constant_operands.is_elided(*dst) => {}
            OpKind::Const { dst, value } => {
                let word = self.word(constant_word(*value)?);
                self.def(*dst, word);
            }
            OpKind::Text { dst, text } => {
                let bytes: Box<[u8]> = text.as_bytes().into();
                // The literal's id in the run's constant table: its index among the
                // program's literals (unique across the lazily compiled functions).
                let id = self.word(self.inputs.literals.len() as u64);
                let pointer = self.word(bytes.as_ptr() as u64);
                let length = self.word(bytes.len() as u64);
                self.inputs.literals.push(bytes);
                let word = self.fallible_shim(op_shim_of(&op.kind), &[id, pointer, length], index);
                self.def(*dst, word);
            }
            OpKind::Unary { dst, op, operand } => {
                let kinds = self.kinds_of(*operand);
                let operand = self.use_var(*operand);
                let word = self.emit_unary(*op, operand, kinds, index);
                self.def(*dst, word);
            }
            OpKind::Binary { dst, op, lhs, rhs } => {
                self.translate_binary(*dst, *op, (*lhs, *rhs), index);
            }
            OpKind::Call {
                dst,
                function,
                args,
            } => {
                let words = self.use_vars(args);
                let on_failure = OnCompileFailure::Unwind { op_index: index };
                let address =
                    self.emit_callee_address(Callee::Known(function.0), &words, on_failure);
                let mut call_args = vec![self.ctx];
                call_args.extend(words);
                let signature = self.jit_function_signature(args.len());
                let call = self
                    .builder
                    .ins()
                    .call_indirect(signature, address, &call_args);
                let word = self.builder.inst_results(call)[0];
                self.branch_on_failure(word, index);
                self.def(*dst, word);
            }
            OpKind::MakeClosure {
                dst,
                function,
                captures,
            } => {
                let function_word = Value::int(i64::from(function.0))
                    .ok_or_else(|| internal(format!("function id {} is not an Int", function.0)))?
                    .bits();
                let word = self.emit_spilled_call_with_prefix(
                    op_shim_of(&op.kind),
                    Some(function_word),
                    captures,
                    captures.len() + 1,
                    index,
                );
                self.def(*dst, word);
            }
            OpKind::CallValue { dst, callee, args } => {
                let word = self.emit_call_value(*callee, args, index);
                self.def(*dst, word);
            }
            OpKind::CallHost { dst, host, args } => {
                let address = self.spill_vars(args);
                let host = self.word(u64::from(*host));
                let count = self.word(args.len() as u64);
                let word = self.fallible_shim(op_shim_of(&op.kind), &[host, address, count], index);
                self.def(*dst, word);
            }
            OpKind::Builtin {
                dst,
                builtin: ir::Builtin::Len,
                args,
            } if args.len() == 1 => {
                // `inline_list.rs`: List/Tuple/Map lengths inline, `rt_len` otherwise.
                let value = self.use_var(args[0]);
                let word = self.emit_inline_len(value, index);
                self.def(*dst, word);
            }
            OpKind::Builtin {
                dst,
                builtin: ir::Builtin::Set,
                args,
            } if args.len() == 3 => {
                // `inline_list_set.rs`: in place on a unique list, `rt_set` otherwise.
                let (list, key, value) = (
                    self.use_var(args[0]),
                    self.use_var(args[1]),
                    self.use_var(args[2]),
                );
                let word = self.emit_inline_set(list, key, value, index);
                self.def(*dst, word);
            }
            OpKind::Builtin {
                dst,
                builtin: ir::Builtin::Push,
                args,
            } if args.len() == 2 && self.inline_push => {
                // `inline_list_set.rs`: into a unique list's cached tail leaf, `rt_push`
                // otherwise.
                let (list, value) = (self.use_var(args[0]), self.use_var(args[1]));
                let word = self.emit_inline_push(list, value, index);
                self.def(*dst, word);
            }
            OpKind::Builtin {
                dst,
                builtin: ir::Builtin::ExpectTupleArity,
                args,
            } if args.len() == 2 => {
                // `inline_list.rs`: a live Tuple's length checked inline, the shim otherwise.
                let (value, arity) = (self.use_var(args[0]), self.use_var(args[1]));
                let word = self.emit_inline_expect_tuple_arity(value, arity, index);
                self.def(*dst, word);
            }
            OpKind::Builtin {
                dst,
                builtin: ir::Builtin::ClosureCapture,
                args,
            } if args.len() == 2 => {
                // `inline_closures.rs`: a capture read inline, `rt_closure_capture` otherwise.
                let (closure, capture) = (self.use_var(args[0]), self.use_var(args[1]));
                let word = self.emit_inline_closure_capture(closure, capture, index);
                self.def(*dst, word);
            }
            OpKind::Builtin {
                dst,
                builtin: ir::Builtin::Deref,
                args,
            } if args.len() == 1 => {
                // `inline_refs.rs`: a live cell read inline, `rt_ref_get` otherwise.
                let reference = self.use_var(args[0]);
                let word = self.emit_inline_deref(reference, index);
                self.def(*dst, word);
            }
            OpKind::Builtin {
                dst,
                builtin: ir::Builtin::Assign,
                args,
            } if args.len() == 2 => {
                // `inline_refs.rs`: stored in place when the shim would, `rt_ref_set` otherwise.
                let (reference, value) = (self.use_var(args[0]), self.use_var(args[1]));
                let word = self.emit_inline_assign(reference, value, index);
                self.def(*dst, word);
            }
            OpKind::Builtin {
                dst,
                builtin: ir::Builtin::FusedDepthAdd,
                args,
            } if args.len() == 1 => {
                // `inline_control.rs`: the depth changed inline for a constant delta.
                let word = self.emit_fused_depth_add(args[0], index);
                self.def(*dst, word);
            }
            OpKind::Builtin { dst, builtin, args } => {
                let args = self.use_vars(args);
                let word = self.fallible_shim(builtin_shim(*builtin), &args, index);
                self.def(*dst, word);
            }
            OpKind::MakeList { dst, elements } => {
                let word =
                    self.emit_aggregate(op_shim_of(&op.kind), elements, elements.len(), index);
                self.def(*dst, word);
            }
            OpKind::MakeTuple { dst, elements } => {
                let word =
                    self.emit_aggregate(op_shim_of(&op.kind), elements, elements.len(), index);
                self.def(*dst, word);
            }
            OpKind::MakeMap { dst, entries } => {
                let words: Vec<Var> = entries.iter().flat_map(|(k, v)| [*k, *v]).collect();
                let word = self.emit_aggregate(op_shim_of(&op.kind), &words, entries.len(), index);
                self.def(*dst, word);
            }
            OpKind::Index {
                dst,
                base,
                index: key,
            } => {
                let base = self.use_var(*base);
                let key = self.use_var(*key);
                // `inline_list.rs`: List/Tuple inline, `rt_index` for everything else.
                let word = self.emit_inline_index(base, key, index);
                self.def(*dst, word);
            }
            OpKind::Retain { dst, src } => {
                let word = self.emit_retain_of_var(*src, index);
                self.def(*dst, word);
            }
            OpKind::Release { var } => {
                self.emit_release_of_var(*var, false);
            }
            OpKind::GeneratorItem { item } => {
                return Err(RunFailure {
                    error: RuntimeError::unsupported_block_item(item.name()),
                    frames: vec![cairn_runtime::ErrorFrame {
                        function: self.function_index,
                        op: index,
                    }],
                });
            }
        }
        Ok(())
    }

    /// The compile-on-first-call helper (`lazy_compile.rs`), imported on first use.
    pub(crate) fn compile_helper_ref(&mut self) -> FuncRef {
        if let Some(func_ref) = self.compile_helper_ref {
            return func_ref;
        }
        let id = self.jit.compile_helper_function();
        let func_ref = self
            .jit
            .module_mut()
            .declare_func_in_func(id, self.builder.func);
        self.compile_helper_ref = Some(func_ref);
        func_ref
    }

    /// Adds `bytes` of explicit stack slots to this frame's size estimate.
    pub(crate) fn add_slot_bytes(&mut self, bytes: u64) {
        self.slot_bytes += bytes;
    }

    /// A stack slot of at least `bytes` for the operand words of one op (`area` says which
    /// of an op's two uses): only live during that op, so every op of the function shares
    /// the slots of an area, sized in powers of two (at most twice the largest op's words in
    /// all, per area). A slot per op made a frame as large as the function's operands, and
    /// a recursive one's stack budget more than a host could map.
    pub(crate) fn operand_area(&mut self, area: OperandArea, bytes: u32) -> StackSlot {
        let slots = &self.operand_areas[area as usize];
        if let Some(&(_, slot)) = slots.iter().find(|(size, _)| *size >= bytes) {
            return slot;
        }
        let size = bytes.next_power_of_two();
        self.slot_bytes += u64::from(size);
        let slot = self.builder.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            size,
            3,
        ));
        self.operand_areas[area as usize].push((size, slot));
        slot
    }

    /// The Float remainder helper (`inline_float::float_remainder`), imported on first use.
    pub(crate) fn float_remainder_ref(&mut self) -> FuncRef {
        if let Some(func_ref) = self.float_remainder_ref {
            return func_ref;
        }
        let id = self.jit.float_remainder_function();
        let func_ref = self
            .jit
            .module_mut()
            .declare_func_in_func(id, self.builder.func);
        self.float_remainder_ref = Some(func_ref);
        func_ref
    }

    pub(crate) fn pointer_type(&self) -> cranelift_codegen::ir::Type {
        self.jit.pointer_type()
    }

    /// Stores `word` in a new 8-byte stack slot.
    fn spill_word(&mut self, word: cranelift_codegen::ir::Value) -> StackSlot {
        self.slot_bytes += 8;
        let slot = self.builder.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            8,
            3,
        ));
        let pointer_type = self.jit.pointer_type();
        self.builder.ins().stack_store(pointer_type, word, slot, 0);
        slot
    }

    /// Spills owned element words to a stack slot and calls `shim(address, count)`.
    pub(crate) fn emit_spilled_call(
        &mut self,
        shim: Shim,
        words: &[Var],
        count: usize,
        index: u32,
    ) -> cranelift_codegen::ir::Value {
        self.emit_spilled_call_with_prefix(shim, None, words, count, index)
    }

    /// Spills the vars' words to a new stack slot; returns its address.
    pub(crate) fn spill_vars(&mut self, words: &[Var]) -> cranelift_codegen::ir::Value {
        let bytes = (words.len().max(1) * 8) as u32;
        let slot = self.operand_area(OperandArea::ShimArray, bytes);
        let pointer_type = self.jit.pointer_type();
        for (position, var) in words.iter().enumerate() {
            let value = self.use_var(*var);
            self.builder
                .ins()
                .stack_store(pointer_type, value, slot, (position * 8) as i32);
        }
        self.builder.ins().stack_addr(pointer_type, slot, 0)
    }

    /// A `tail`-convention signature for `param_count` words, imported into this function.
    pub(crate) fn jit_function_signature(
        &mut self,
        param_count: usize,
    ) -> cranelift_codegen::ir::SigRef {
        let signature = self.jit.function_signature(param_count);
        self.builder.import_signature(signature)
    }

    /// Checks the callee as `rt_call_target(callee, args, len)` does (inline, the shim
    /// fallible at `index` on its slow path: `inline_closures.rs`), which names its
    /// function, then finds its
    /// native address (compiling it on its first call, `on_failure` if that fails). Returns
    /// the address and the words to call it with, `(ctx, callee, args...)`.
    pub(crate) fn emit_call_target(
        &mut self,
        callee: Var,
        args: &[Var],
        index: u32,
        on_failure: OnCompileFailure,
    ) -> (
        cranelift_codegen::ir::Value,
        Vec<cranelift_codegen::ir::Value>,
    ) {
        let callee_word = self.use_var(callee);
        // `inline_closures.rs`: the callee's checks inline, `rt_call_target` otherwise.
        let function = self.emit_inline_call_target(callee_word, args, index);
        let mut call_args = vec![self.ctx, callee_word];
        call_args.extend(self.use_vars(args));
        let address =
            self.emit_callee_address(Callee::Computed(function), &call_args[1..], on_failure);
        (address, call_args)
    }

    /// `CallValue`: `rt_call_target`, then an indirect call `(ctx, callee, args...)`.
    fn emit_call_value(
        &mut self,
        callee: Var,
        args: &[Var],
        index: u32,
    ) -> cranelift_codegen::ir::Value {
        let on_failure = OnCompileFailure::Unwind { op_index: index };
        let (entry, call_args) = self.emit_call_target(callee, args, index, on_failure);
        let signature = self.jit_function_signature(args.len() + 1);
        let call = self
            .builder
            .ins()
            .call_indirect(signature, entry, &call_args);
        let word = self.builder.inst_results(call)[0];
        self.branch_on_failure(word, index);
        word
    }

    /// [`Self::emit_spilled_call`] with an optional constant word before the vars' words.
    fn emit_spilled_call_with_prefix(
        &mut self,
        shim: Shim,
        prefix: Option<u64>,
        words: &[Var],
        count: usize,
        index: u32,
    ) -> cranelift_codegen::ir::Value {
        let offset = usize::from(prefix.is_some());
        let bytes = ((words.len() + offset).max(1) * 8) as u32;
        let slot = self.operand_area(OperandArea::ShimArray, bytes);
        let pointer_type = self.jit.pointer_type();
        if let Some(prefix) = prefix {
            let value = self.word(prefix);
            self.builder.ins().stack_store(pointer_type, value, slot, 0);
        }
        for (position, var) in words.iter().enumerate() {
            let value = self.use_var(*var);
            self.builder.ins().stack_store(
                pointer_type,
                value,
                slot,
                ((position + offset) * 8) as i32,
            );
        }
        let address = self.builder.ins().stack_addr(pointer_type, slot, 0);
        let count = self.word(count as u64);
        self.fallible_shim(shim, &[address, count], index)
    }
}

/// The op's shim from the shared op table (`cairn_engine_support::op_shim`).
fn op_shim_of(kind: &OpKind) -> Shim {
    cairn_engine_support::op_shim(kind).expect("only called for ops that have a shim")
}

/// The value word of an immediate (range-checked by the load check; re-checked here).
pub(crate) fn constant_word(constant: Constant) -> Result<u64, RunFailure> {
    Ok(match constant {
        Constant::Int(n) => Value::int(n)
            .ok_or_else(|| internal(format!("Int constant {n} does not fit in 48 bits")))?
            .bits(),
        Constant::Float(x) => Value::float(x).bits(),
        Constant::Bool(b) => Value::bool(b).bits(),
        Constant::Unit => UNIT_WORD,
    })
}
