//! Inline fast paths for closures: `closure_capture` (`rt_closure_capture`), a capture of a
//! live Closure of at most two blocks read and retained as the shim retains it
//! (`emit_retained_word`), and `rt_call_target`, the check before every call of a closure value
//! (`CallValue`, `TailCallValue`): when the callee is a well-formed reference to a live
//! Closure head whose slot 0 is a non-negative Int `stamp << FUNCTION_BITS | function` with
//! the installed program's (non-zero) stamp, a function of this module, closure-callable with
//! exactly the call's argument count, the function is named without a call — the checks of
//! `invoke::closure_target`, in its order of acceptance, with the arities from the module
//! compiled (the stamp proves the closure is this program's, whose table the runtime holds).
//! Every other case spills the arguments and calls the shim on the unchanged state, which
//! reports RT0304/RT0305/RT0407 and releases what the call owns, as the interpreter's does.

use cairn_lang::ir::Var;
use cairn_runtime::inline_heap_layout::InlineHeapLayout;
use cairn_runtime::value::{TAG_INT, TAG_SHIFT};
use cairn_runtime::{Context, Kind, Shim};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{BlockArg, InstBuilder, MemFlagsData, Value as ClValue};

use crate::inline_list::block_read;
use crate::translate::FunctionTranslator;

const LAYOUT: InlineHeapLayout = Context::INLINE_HEAP_LAYOUT;

/// The payload bits of an Int word (its low 48).
const INT_PAYLOAD_BITS: i64 = TAG_SHIFT as i64;

impl FunctionTranslator<'_, '_> {
    /// `closure_capture(closure, index)`: capture `index` (slot `index + 1`), owned.
    pub(crate) fn emit_inline_closure_capture(
        &mut self,
        closure: ClValue,
        index: ClValue,
        op_index: u32,
    ) -> ClValue {
        self.inline_or_shim(
            Shim::ClosureCapture,
            &[closure, index],
            op_index,
            |this, slow, join| {
                let position = this.int_index_or(index, slow);
                // A negative capture index is a huge unsigned one: the shim refuses it.
                this.branch_unless_imm(IntCC::UnsignedLessThan, position, 1 << 32, slow);
                let head = this.reference_head_or(closure, Kind::Closure, slow);
                let slot = this.builder.ins().iadd_imm_s(position, 1);
                let capture = this.tuple_element(head, slot, slow);
                this.emit_retained_word(capture, join, slow, op_index);
            },
        )
    }

    /// The function index (an I64) `callee` names for a call with `args`, or the failure exit
    /// of op `op_index` when the shim refuses the callee.
    pub(crate) fn emit_inline_call_target(
        &mut self,
        callee: ClValue,
        args: &[Var],
        op_index: u32,
    ) -> ClValue {
        let slow = self.builder.create_block();
        self.builder.set_cold_block(slow);
        let join = self.builder.create_block();
        let result = self.builder.append_block_param(join, I64);

        let head = self.reference_head_or(callee, Kind::Closure, slow);
        let length = self.read_block_u32(head.block, LAYOUT.tuple_length);
        self.branch_unless_imm(IntCC::NotEqual, length, 0, slow);
        let slot = self
            .builder
            .ins()
            .load(I64, block_read(), head.block, LAYOUT.tuple_first_slot);
        // An Int word whose payload's sign bit is clear: `0..=INT_MAX`.
        let tag = self.builder.ins().ushr_imm_s(slot, INT_PAYLOAD_BITS - 1);
        self.branch_unless_imm(IntCC::Equal, tag, (TAG_INT << 1) as i64, slow);
        let payload = self
            .builder
            .ins()
            .band_imm_s(slot, (1i64 << INT_PAYLOAD_BITS) - 1);
        let stamp = self
            .builder
            .ins()
            .ushr_imm_s(payload, LAYOUT.closure_function_bits);
        let installed =
            self.builder
                .ins()
                .uload32(MemFlagsData::trusted(), self.ctx, LAYOUT.program_stamp);
        self.branch_unless_imm(IntCC::NotEqual, installed, 0, slow);
        self.branch_unless(IntCC::Equal, stamp, installed, slow);
        let function = self
            .builder
            .ins()
            .band_imm_s(payload, (1i64 << LAYOUT.closure_function_bits) - 1);
        let function_count = self.inputs.ir_module.functions.len() as i64;
        self.branch_unless_imm(IntCC::UnsignedLessThan, function, function_count, slow);
        let arities = self.word(self.inputs.closure_arities);
        let offset = self.builder.ins().ishl_imm_s(function, 2);
        let arity_address = self.builder.ins().iadd(arities, offset);
        let arity = self
            .builder
            .ins()
            .uload32(MemFlagsData::trusted(), arity_address, 0);
        self.branch_unless_imm(IntCC::Equal, arity, args.len() as i64, slow);
        self.builder.ins().jump(join, &[BlockArg::Value(function)]);

        self.builder.switch_to_block(slow);
        let address = self.spill_vars(args);
        let count = self.word(args.len() as u64);
        let entry = self.fallible_shim(Shim::CallTarget, &[callee, address, count], op_index);
        let function = self.builder.ins().iadd_imm_s(entry, -1);
        self.builder.ins().jump(join, &[BlockArg::Value(function)]);

        self.builder.switch_to_block(join);
        result
    }
}
