//! Lowering of IR terminators: `Return` (`rt_leave`, then return the owned word), `Jump`
//! (Cranelift block args carry the IR's phis) and `Branch` (inline Bool test, with
//! `rt_expect_bool` only for non-Bool words so RT0303 comes from the same shim as in the
//! interpreter; a condition proven Bool takes `kind_specialized.rs`'s single test).

use cairn_lang::ir::{ConditionContext, Terminator, TerminatorKind};
use cairn_runtime::Shim;
use cairn_runtime::value::{FALSE_WORD, TRUE_WORD};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{Block, BlockArg, InstBuilder};

use crate::lazy_calls::{Callee, OnCompileFailure};
use crate::translate::FunctionTranslator;

impl FunctionTranslator<'_, '_> {
    pub(crate) fn translate_terminator(&mut self, index: u32, terminator: &Terminator) {
        match &terminator.kind {
            TerminatorKind::Return { value } => {
                let value = self.use_var(*value);
                self.emit_leave(self.depth_before_enter);
                self.builder.ins().return_(&[value]);
            }
            TerminatorKind::TailCall { function, args } => {
                let words = self.use_vars(args);
                let address = self.emit_callee_address(
                    Callee::Known(function.0),
                    &words,
                    OnCompileFailure::LeaveAndFail,
                );
                let mut call_args = vec![self.ctx];
                call_args.extend(words);
                self.emit_leave(self.depth_before_enter);
                let signature = self.jit_function_signature(args.len());
                self.builder
                    .ins()
                    .return_call_indirect(signature, address, &call_args);
            }
            TerminatorKind::TailCallValue { callee, args } => {
                let (entry, call_args) =
                    self.emit_call_target(*callee, args, index, OnCompileFailure::LeaveAndFail);
                self.emit_leave(self.depth_before_enter);
                let signature = self.jit_function_signature(args.len() + 1);
                self.builder
                    .ins()
                    .return_call_indirect(signature, entry, &call_args);
            }
            TerminatorKind::Jump { target, args } => {
                let args: Vec<BlockArg> = self
                    .use_vars(args)
                    .into_iter()
                    .map(BlockArg::Value)
                    .collect();
                self.builder
                    .ins()
                    .jump(self.blocks[target.0 as usize], &args);
            }
            TerminatorKind::Branch {
                condition,
                context,
                then_block,
                else_block,
            } => {
                let then_block = self.blocks[then_block.0 as usize];
                let else_block = self.blocks[else_block.0 as usize];
                if self.emit_branch_on_known_bool(*condition, (then_block, else_block)) {
                    return;
                }
                let condition = self.use_var(*condition);
                self.emit_branch(condition, *context, (then_block, else_block), index);
            }
        }
    }

    /// Inline Bool check: TRUE/FALSE words branch directly; anything else goes through
    /// `rt_expect_bool` (RT0303 on a non-Bool, so the message is the interpreter's).
    fn emit_branch(
        &mut self,
        condition: cranelift_codegen::ir::Value,
        context: ConditionContext,
        (then_block, else_block): (Block, Block),
        index: u32,
    ) {
        let check_false = self.builder.create_block();
        let slow = self.builder.create_block();
        self.builder.set_cold_block(slow);
        let is_true = self
            .builder
            .ins()
            .icmp_imm_s(IntCC::Equal, condition, TRUE_WORD as i64);
        self.builder
            .ins()
            .brif(is_true, then_block, &[], check_false, &[]);
        self.builder.switch_to_block(check_false);
        let is_false = self
            .builder
            .ins()
            .icmp_imm_s(IntCC::Equal, condition, FALSE_WORD as i64);
        self.builder
            .ins()
            .brif(is_false, else_block, &[], slow, &[]);
        self.builder.switch_to_block(slow);
        let context = self.word(context as u64);
        let checked = self.fallible_shim(Shim::ExpectBool, &[condition, context], index);
        let is_true = self
            .builder
            .ins()
            .icmp_imm_s(IntCC::Equal, checked, TRUE_WORD as i64);
        self.builder
            .ins()
            .brif(is_true, then_block, &[], else_block, &[]);
    }
}
