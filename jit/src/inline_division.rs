//! Inline fast paths for Int `/`, `%` and unary `-`: when the operands are Ints (tag tests
//! skipped where the value-kind analysis proves them), the divisor is not zero and the
//! result fits in 48 bits, the op is a few instructions; numbers that are not both Ints take
//! `inline_float.rs`'s paths; every other case — a zero Int divisor (RT0302), `INT_MIN / -1`
//! and `-INT_MIN` (RT0301), a type mismatch (RT0303) — calls the very shim the interpreter
//! calls, so results, messages and traces are the interpreter's. Semantics match the shims:
//! `/` truncates, `%` takes the dividend's sign.

use cairn_lang::analysis::KindSet;
use cairn_lang::ir::{BinaryOp, UnaryOp};
use cairn_runtime::value::{TAG_INT, TAG_SHIFT};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{BlockArg, InstBuilder, Value as ClValue};

use crate::inline_float::{is_only_float, may_be_int};
use crate::int_payload::IntPayload;
use crate::translate::FunctionTranslator;
use cairn_engine_support::{binary_shim, unary_shim};

const INT_TAG_WORD: i64 = (TAG_INT << TAG_SHIFT) as i64;
/// Bits the payload of a word is shifted by to sign-extend it from 48 bits.
const PAYLOAD_SHIFT: i64 = 64 - TAG_SHIFT as i64;

impl FunctionTranslator<'_, '_> {
    /// 1 when `value` (an i64) is an i48: sign-extending its low 48 bits gives it back.
    fn fits_int48(&mut self, value: ClValue) -> ClValue {
        let back = self.sign_extend_48(value);
        self.builder.ins().icmp(IntCC::Equal, back, value)
    }

    /// Boxes an i64 known to fit in 48 bits as an Int word.
    fn box_int(&mut self, value: ClValue) -> ClValue {
        let shifted = self.builder.ins().ishl_imm_s(value, PAYLOAD_SHIFT);
        let payload = self.builder.ins().ushr_imm_s(shifted, PAYLOAD_SHIFT);
        self.builder.ins().bor_imm_s(payload, INT_TAG_WORD)
    }

    /// Continues in a new block when `condition` holds, in `slow` otherwise.
    pub(crate) fn continue_if(&mut self, condition: ClValue, slow: cranelift_codegen::ir::Block) {
        let next = self.builder.create_block();
        self.builder.ins().brif(condition, next, &[], slow, &[]);
        self.builder.switch_to_block(next);
    }

    /// Emits the slow path in `slow` (the shim on the original words, failure branch) and
    /// switches to `join`, returning its result parameter.
    fn finish_with_shim(
        &mut self,
        shim: cairn_runtime::Shim,
        args: &[ClValue],
        (slow, join): (cranelift_codegen::ir::Block, cranelift_codegen::ir::Block),
        op_index: u32,
    ) -> ClValue {
        let result = self.builder.append_block_param(join, I64);
        self.builder.switch_to_block(slow);
        self.builder.set_cold_block(slow);
        let word = self.call_shim(shim, args);
        self.branch_on_failure(word, op_index);
        self.builder.ins().jump(join, &[BlockArg::Value(word)]);
        self.builder.switch_to_block(join);
        result
    }

    /// Int `/` and `%` inline (see the module doc), and numbers that are not both Ints
    /// through `inline_float.rs`. `kinds` are the operands' kinds from the value-kind
    /// analysis, `divisor_constant` the divisor when it is one Int constant throughout the
    /// function. A nonzero constant divisor needs no zero test, and one other than -1 no i48
    /// test of the quotient; with both operands proven Int as well, nothing can reach the
    /// shim, so none is emitted (no join either, which lets Cranelift share one `x % c`
    /// between its uses).
    pub(crate) fn emit_int_division(
        &mut self,
        op: BinaryOp,
        (lhs, rhs): (ClValue, ClValue),
        (kinds, divisor_constant): ((KindSet, KindSet), Option<i64>),
        op_index: u32,
    ) -> ClValue {
        if !may_be_int(kinds.0) || !may_be_int(kinds.1) {
            let slow = self.builder.create_block();
            let join = self.builder.create_block();
            self.emit_float_arithmetic_or(op, (lhs, rhs), kinds, join, slow);
            return self.finish_with_shim(binary_shim(op), &[lhs, rhs], (slow, join), op_index);
        }
        let known_ints = (kinds.0.is_only_int(), kinds.1.is_only_int());
        let mut slow = None;
        let not_ints = self.int_tag_test((lhs, rhs), known_ints).map(|both_ints| {
            let not_ints = self.builder.create_block();
            self.continue_if(both_ints, not_ints);
            not_ints
        });
        let dividend = self.sign_extend_48(lhs);
        let divisor = match divisor_constant {
            Some(constant) if constant != 0 => self.builder.ins().iconst(I64, constant),
            _ => {
                let divisor = self.sign_extend_48(rhs);
                let nonzero = self.builder.ins().icmp_imm_s(IntCC::NotEqual, divisor, 0);
                let target = *slow.get_or_insert_with(|| self.builder.create_block());
                self.continue_if(nonzero, target);
                divisor
            }
        };
        // Both are i48, so the i64 division cannot trap (no i64::MIN / -1).
        let raw = match op {
            BinaryOp::Div => self.builder.ins().sdiv(dividend, divisor),
            BinaryOp::Rem => self.builder.ins().srem(dividend, divisor),
            other => unreachable!("emit_int_division called for {other:?}"),
        };
        if op == BinaryOp::Div && divisor_constant.is_none_or(|constant| constant == -1) {
            // Only INT_MIN / -1 leaves i48 (RT0301 from the shim).
            let fits = self.fits_int48(raw);
            let target = *slow.get_or_insert_with(|| self.builder.create_block());
            self.continue_if(fits, target);
        }
        let boxed = self.box_int(raw);
        if slow.is_none() && not_ints.is_none() {
            self.record_int_payload(boxed, IntPayload::Raw(raw));
            return boxed;
        }
        let join = self.builder.create_block();
        self.builder.ins().jump(join, &[BlockArg::Value(boxed)]);
        let slow = slow.unwrap_or_else(|| self.builder.create_block());
        if let Some(not_ints) = not_ints {
            self.builder.switch_to_block(not_ints);
            self.emit_float_arithmetic_or(op, (lhs, rhs), kinds, join, slow);
        }
        self.finish_with_shim(binary_shim(op), &[lhs, rhs], (slow, join), op_index)
    }

    /// Unary `-` inline: of an Int (RT0301 for `-INT_MIN` through `rt_neg`) and of a Float
    /// (`inline_float.rs`); everything else through `rt_neg`, and `not` always through its
    /// shim. `kinds` are the operand's kinds from the value-kind analysis.
    pub(crate) fn emit_unary(
        &mut self,
        op: UnaryOp,
        operand: ClValue,
        kinds: KindSet,
        op_index: u32,
    ) -> ClValue {
        if op != UnaryOp::Neg {
            return self.fallible_shim(unary_shim(op), &[operand], op_index);
        }
        let join = self.builder.create_block();
        if is_only_float(kinds) {
            let result = self.builder.append_block_param(join, I64);
            self.emit_float_negation_or(op, operand, join, None);
            self.builder.switch_to_block(join);
            return result;
        }
        let slow = self.builder.create_block();
        if !kinds.is_only_int() {
            let is_int = self.is_int_word(operand);
            let not_int = self.builder.create_block();
            self.continue_if(is_int, not_int);
            let int_block = self.builder.current_block().expect("continue_if switched");
            self.builder.switch_to_block(not_int);
            if kinds.contains(KindSet::FLOAT) {
                self.emit_float_negation_or(op, operand, join, Some(slow));
            } else {
                self.builder.ins().jump(slow, &[]);
            }
            self.builder.switch_to_block(int_block);
        }
        if may_be_int(kinds) {
            let value = self.sign_extend_48(operand);
            let negated = self.builder.ins().ineg(value);
            let fits = self.fits_int48(negated);
            self.continue_if(fits, slow);
            let boxed = self.box_int(negated);
            self.builder.ins().jump(join, &[BlockArg::Value(boxed)]);
        } else {
            self.builder.ins().jump(slow, &[]);
        }
        self.finish_with_shim(unary_shim(op), &[operand], (slow, join), op_index)
    }
}
