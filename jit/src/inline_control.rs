//! Inline fast paths for `Enter`, `Fuel` and `Return`'s `rt_leave`: call depth, fuel and the
//! cancel flag live in plain `Context` fields (`Context::CONTROL_FIELD_OFFSETS`), so the
//! common case touches no block and needs no call. Whenever a check would fail, the code
//! calls `rt_enter`/`rt_fuel` on the *unchanged* state instead, so every RT0501, RT0502 and
//! RT0503 (and its message) comes from the same shim the interpreter calls.

use cairn_lang::ir::Var;
use cairn_runtime::{Context, Shim};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{InstBuilder, MemFlagsData, Value as ClValue};

use crate::translate::FunctionTranslator;

const OFFSETS: cairn_runtime::context::ControlFieldOffsets = Context::CONTROL_FIELD_OFFSETS;

impl FunctionTranslator<'_, '_> {
    fn load_context_word(&mut self, offset: i32) -> ClValue {
        let flags = MemFlagsData::trusted();
        self.builder.ins().load(I64, flags, self.ctx, offset)
    }

    fn store_context_word(&mut self, value: ClValue, offset: i32) {
        let flags = MemFlagsData::trusted();
        self.builder.ins().store(flags, value, self.ctx, offset);
    }

    /// 1 when fuel is left and the cancel flag is clear.
    fn fuel_left_and_not_cancelled(&mut self, fuel: ClValue) -> ClValue {
        let flag_address = self.load_context_word(OFFSETS.cancel_flag_address);
        // The flag is an `AtomicBool` another thread may set; a plain byte load is a relaxed
        // load on every target Cranelift supports, which is all `is_cancelled` does.
        let flags = MemFlagsData::new();
        let flag = self.builder.ins().uload8(I64, flags, flag_address, 0);
        let has_fuel = self.builder.ins().icmp_imm_s(IntCC::NotEqual, fuel, 0);
        let not_cancelled = self.builder.ins().icmp_imm_s(IntCC::Equal, flag, 0);
        self.builder.ins().band(has_fuel, not_cancelled)
    }

    /// `Enter`: depth + 1 and one fuel unit inline when within the limits and not cancelled;
    /// `rt_enter` (and its failure path) otherwise.
    pub(crate) fn emit_enter(&mut self, op_index: u32, cleanup: &[Var]) {
        let depth = self.load_context_word(OFFSETS.call_depth);
        let limit = self.load_context_word(OFFSETS.max_call_depth);
        let fuel = self.load_context_word(OFFSETS.fuel_remaining);
        let new_depth = self.builder.ins().iadd_imm_s(depth, 1);
        let within_depth =
            self.builder
                .ins()
                .icmp(IntCC::UnsignedLessThanOrEqual, new_depth, limit);
        let fuel_ok = self.fuel_left_and_not_cancelled(fuel);
        let fast_ok = self.builder.ins().band(within_depth, fuel_ok);
        let fast = self.builder.create_block();
        let slow = self.builder.create_block();
        let done = self.builder.create_block();
        self.builder.set_cold_block(slow);
        self.builder.ins().brif(fast_ok, fast, &[], slow, &[]);

        self.builder.switch_to_block(fast);
        self.store_context_word(new_depth, OFFSETS.call_depth);
        let fuel_after = self.builder.ins().iadd_imm_s(fuel, -1);
        self.store_context_word(fuel_after, OFFSETS.fuel_remaining);
        self.builder.ins().jump(done, &[]);

        self.builder.switch_to_block(slow);
        self.fallible_shim(Shim::Enter, &[], op_index, cleanup);
        self.builder.ins().jump(done, &[]);
        self.builder.switch_to_block(done);
    }

    /// `Fuel`: one unit inline when some is left and not cancelled; `rt_fuel` otherwise.
    pub(crate) fn emit_fuel(&mut self, op_index: u32, cleanup: &[Var]) {
        let fuel = self.load_context_word(OFFSETS.fuel_remaining);
        let fast_ok = self.fuel_left_and_not_cancelled(fuel);
        let fast = self.builder.create_block();
        let slow = self.builder.create_block();
        let done = self.builder.create_block();
        self.builder.set_cold_block(slow);
        self.builder.ins().brif(fast_ok, fast, &[], slow, &[]);

        self.builder.switch_to_block(fast);
        let fuel_after = self.builder.ins().iadd_imm_s(fuel, -1);
        self.store_context_word(fuel_after, OFFSETS.fuel_remaining);
        self.builder.ins().jump(done, &[]);

        self.builder.switch_to_block(slow);
        self.fallible_shim(Shim::Fuel, &[], op_index, cleanup);
        self.builder.ins().jump(done, &[]);
        self.builder.switch_to_block(done);
    }

    /// `rt_leave` inline: depth - 1, saturating at 0 exactly as the shim does.
    pub(crate) fn emit_leave(&mut self) {
        let depth = self.load_context_word(OFFSETS.call_depth);
        let one = self.builder.ins().iconst(I64, 1);
        let floor = self.builder.ins().umin(depth, one);
        let new_depth = self.builder.ins().isub(depth, floor);
        self.store_context_word(new_depth, OFFSETS.call_depth);
    }
}
