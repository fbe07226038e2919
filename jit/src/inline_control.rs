//! Inline fast paths for `Enter`, `Fuel`, `Return`'s `rt_leave` and pipeline fusion's
//! `fused_depth_add` (of an Int constant): call depth, fuel and the
//! cancel flag live in plain `Context` fields (`Context::CONTROL_FIELD_OFFSETS`), so the
//! common case touches no block and needs no call. Whenever a check would fail, the code
//! calls `rt_enter`/`rt_fuel` on the *unchanged* state instead, so every RT0501, RT0502 and
//! RT0503 (and its message) comes from the same shim the interpreter calls.
//!
//! `rt_leave` sets the depth to `depth - 1` (saturating). In a module where every function
//! enters exactly once, at its start ([`depth_is_balanced`]), and only `rt_enter`/`rt_leave`
//! change the depth (or code that undoes its change before it returns normally: a runtime
//! pull, a fused pipeline's `fused_depth_add`s, lang's `fuse_pipelines.rs`), a function returning normally finds the depth its `Enter` left, `d + 1`,
//! where `d` is the depth its `Enter` read: every callee that returned restored what it
//! found, and a failed callee makes this function fail too. So its Leave stores `d` back
//! without reloading the depth (same value, no saturation possible since `d + 1 >= 1`).

use cairn_lang::ir::{self, OpKind, TerminatorKind};
use cairn_runtime::{Context, Shim};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{InstBuilder, MemFlagsData, StackSlot, Value as ClValue};

use crate::translate::FunctionTranslator;

const OFFSETS: cairn_runtime::context::ControlFieldOffsets = Context::CONTROL_FIELD_OFFSETS;

/// True when every function of `module` starts with `Enter` (first op of block 0), has no
/// other `Enter`, and never branches back to block 0: then every function's Enter runs
/// exactly once per call, before any of its `Return`s.
pub fn depth_is_balanced(module: &ir::Module) -> bool {
    module.functions.iter().all(|function| {
        let starts_with_enter = function
            .blocks
            .first()
            .and_then(|block| block.ops.first())
            .is_some_and(|op| op.kind == OpKind::Enter);
        let enters = function
            .blocks
            .iter()
            .flat_map(|block| &block.ops)
            .filter(|op| op.kind == OpKind::Enter)
            .count();
        let jumps_to_entry = function
            .blocks
            .iter()
            .any(|block| match &block.terminator.kind {
                TerminatorKind::Jump { target, .. } => target.0 == 0,
                TerminatorKind::Branch {
                    then_block,
                    else_block,
                    ..
                } => then_block.0 == 0 || else_block.0 == 0,
                TerminatorKind::Return { .. }
                | TerminatorKind::TailCall { .. }
                | TerminatorKind::TailCallValue { .. } => false,
            });
        starts_with_enter && enters == 1 && !jumps_to_entry
    })
}

impl FunctionTranslator<'_, '_> {
    fn load_context_word(&mut self, offset: i32) -> ClValue {
        let flags = MemFlagsData::trusted();
        self.builder.ins().load(I64, flags, self.ctx, offset)
    }

    fn store_context_word(&mut self, value: ClValue, offset: i32) {
        let flags = MemFlagsData::trusted();
        self.builder.ins().store(flags, value, self.ctx, offset);
    }

    /// Branches to `slow` unless fuel is left and the cancel flag is clear; returns the fuel
    /// word and continues in the block where both hold.
    fn branch_unless_fuel_and_not_cancelled(
        &mut self,
        slow: cranelift_codegen::ir::Block,
    ) -> ClValue {
        let fuel = self.load_context_word(OFFSETS.fuel_remaining);
        let has_fuel = self.builder.create_block();
        self.builder.ins().brif(fuel, has_fuel, &[], slow, &[]);
        self.builder.switch_to_block(has_fuel);
        let flag_address = self.load_context_word(OFFSETS.cancel_flag_address);
        // The flag is an `AtomicBool` another thread may set; a plain byte load is a relaxed
        // load on every target Cranelift supports, which is all `is_cancelled` does.
        let flag = self
            .builder
            .ins()
            .uload8(I64, MemFlagsData::new(), flag_address, 0);
        let not_cancelled = self.builder.create_block();
        self.builder.ins().brif(flag, slow, &[], not_cancelled, &[]);
        self.builder.switch_to_block(not_cancelled);
        fuel
    }

    /// `Enter`: depth + 1 and one fuel unit inline when within the limits and not cancelled;
    /// `rt_enter` (and its failure path) otherwise. Returns the depth read before entering.
    pub(crate) fn emit_enter(&mut self, op_index: u32) -> ClValue {
        let slow = self.builder.create_block();
        let done = self.builder.create_block();
        self.builder.set_cold_block(slow);
        let depth = self.load_context_word(OFFSETS.call_depth);
        let limit = self.load_context_word(OFFSETS.max_call_depth);
        let new_depth = self.builder.ins().iadd_imm_s(depth, 1);
        let within_depth =
            self.builder
                .ins()
                .icmp(IntCC::UnsignedLessThanOrEqual, new_depth, limit);
        let depth_ok = self.builder.create_block();
        self.builder
            .ins()
            .brif(within_depth, depth_ok, &[], slow, &[]);
        self.builder.switch_to_block(depth_ok);
        let fuel = self.branch_unless_fuel_and_not_cancelled(slow);
        self.store_context_word(new_depth, OFFSETS.call_depth);
        let fuel_after = self.builder.ins().iadd_imm_s(fuel, -1);
        self.store_context_word(fuel_after, OFFSETS.fuel_remaining);
        self.builder.ins().jump(done, &[]);

        self.builder.switch_to_block(slow);
        self.fallible_shim(Shim::Enter, &[], op_index);
        self.builder.ins().jump(done, &[]);
        self.builder.switch_to_block(done);
        depth
    }

    /// `Fuel`: one unit inline when some is left and not cancelled; `rt_fuel` otherwise.
    pub(crate) fn emit_fuel(&mut self, op_index: u32) {
        let slow = self.builder.create_block();
        let done = self.builder.create_block();
        self.builder.set_cold_block(slow);
        let fuel = self.branch_unless_fuel_and_not_cancelled(slow);
        let fuel_after = self.builder.ins().iadd_imm_s(fuel, -1);
        self.store_context_word(fuel_after, OFFSETS.fuel_remaining);
        self.builder.ins().jump(done, &[]);

        self.builder.switch_to_block(slow);
        self.fallible_shim(Shim::Fuel, &[], op_index);
        self.builder.ins().jump(done, &[]);
        self.builder.switch_to_block(done);
    }

    /// `fused_depth_add(delta)` inline when `delta` is an Int constant (what lang emits): the
    /// depth plus `delta`, saturating at 0 as `rt_fused_depth_add` does; the shim otherwise.
    /// Returns Unit.
    pub(crate) fn emit_fused_depth_add(&mut self, delta: ir::Var, op_index: u32) -> ClValue {
        let constant = (self.constant_operands.word(delta))
            .and_then(|word| cairn_runtime::value::Value(word).as_int());
        let Some(delta) = constant else {
            let operand = self.use_var(delta);
            return self.fallible_shim(Shim::FusedDepthAdd, &[operand], op_index);
        };
        let depth = self.load_context_word(OFFSETS.call_depth);
        let new_depth = if delta >= 0 {
            self.builder.ins().iadd_imm_s(depth, delta)
        } else {
            let magnitude = self.builder.ins().iconst(I64, delta.unsigned_abs() as i64);
            let floor = self.builder.ins().umin(depth, magnitude);
            self.builder.ins().isub(depth, floor)
        };
        self.store_context_word(new_depth, OFFSETS.call_depth);
        self.word(cairn_runtime::value::UNIT_WORD)
    }

    /// `rt_leave` inline. `depth_before_enter` holds the depth this function's `Enter` read,
    /// given only when [`depth_is_balanced`] holds for the module: it is then exactly
    /// `depth - 1`. Otherwise depth - 1, saturating at 0, as the shim does.
    pub(crate) fn emit_leave(&mut self, depth_before_enter: Option<StackSlot>) {
        if let Some(slot) = depth_before_enter {
            let pointer_type = self.pointer_type();
            let depth = self.builder.ins().stack_load(pointer_type, I64, slot, 0);
            self.store_context_word(depth, OFFSETS.call_depth);
            return;
        }
        let depth = self.load_context_word(OFFSETS.call_depth);
        let one = self.builder.ins().iconst(I64, 1);
        let floor = self.builder.ins().umin(depth, one);
        let new_depth = self.builder.ins().isub(depth, floor);
        self.store_context_word(new_depth, OFFSETS.call_depth);
    }
}
