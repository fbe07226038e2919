//! Inline fast paths for Int `/`, `%` and unary `-`: when the operands are Ints (tag tests
//! skipped where the value-kind analysis proves them), the divisor is not zero and the
//! result fits in 48 bits, the op is a few instructions; every other case — a zero divisor
//! (RT0302), `INT_MIN / -1` and `-INT_MIN` (RT0301), Floats, a type mismatch (RT0303) —
//! calls the very shim the interpreter calls, so results, messages and traces are the
//! interpreter's. Semantics match the shims: `/` truncates, `%` takes the dividend's sign.

use cairn_lang::ir::{BinaryOp, UnaryOp, Var};
use cairn_runtime::value::{TAG_INT, TAG_SHIFT};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{BlockArg, InstBuilder, Value as ClValue};

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
    fn continue_if(&mut self, condition: ClValue, slow: cranelift_codegen::ir::Block) {
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
        cleanup: &[Var],
    ) -> ClValue {
        let result = self.builder.append_block_param(join, I64);
        self.builder.switch_to_block(slow);
        self.builder.set_cold_block(slow);
        let word = self.call_shim(shim, args);
        self.branch_on_failure(word, op_index, cleanup);
        self.builder.ins().jump(join, &[BlockArg::Value(word)]);
        self.builder.switch_to_block(join);
        result
    }

    /// Int `/` and `%` inline (see the module doc); `known_ints` are the operands the
    /// value-kind analysis proves Int, `divisor_constant` the divisor when it is one Int
    /// constant throughout the function. A nonzero constant divisor needs no zero test, and
    /// one other than -1 no i48 test of the quotient; with both operands proven Int as well,
    /// nothing can reach the shim, so none is emitted (no join either, which lets Cranelift
    /// share one `x % c` between its uses).
    pub(crate) fn emit_int_division(
        &mut self,
        op: BinaryOp,
        (lhs, rhs): (ClValue, ClValue),
        (known_ints, divisor_constant): ((bool, bool), Option<i64>),
        op_index: u32,
        cleanup: &[Var],
    ) -> ClValue {
        let mut slow = None;
        for (word, known) in [(lhs, known_ints.0), (rhs, known_ints.1)] {
            if !known {
                let is_int = self.is_int_word(word);
                let target = *slow.get_or_insert_with(|| self.builder.create_block());
                self.continue_if(is_int, target);
            }
        }
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
        let Some(slow) = slow else {
            return boxed;
        };
        let join = self.builder.create_block();
        self.builder.ins().jump(join, &[BlockArg::Value(boxed)]);
        self.finish_with_shim(
            binary_shim(op),
            &[lhs, rhs],
            (slow, join),
            op_index,
            cleanup,
        )
    }

    /// Unary `-` of an Int inline (RT0301 for `-INT_MIN` and everything but Ints through
    /// `rt_neg`); `not` always through its shim.
    pub(crate) fn emit_unary(
        &mut self,
        op: UnaryOp,
        operand: ClValue,
        known_int: bool,
        op_index: u32,
        cleanup: &[Var],
    ) -> ClValue {
        if op != UnaryOp::Neg {
            return self.fallible_shim(unary_shim(op), &[operand], op_index, cleanup);
        }
        let slow = self.builder.create_block();
        let join = self.builder.create_block();
        if !known_int {
            let is_int = self.is_int_word(operand);
            self.continue_if(is_int, slow);
        }
        let value = self.sign_extend_48(operand);
        let negated = self.builder.ins().ineg(value);
        let fits = self.fits_int48(negated);
        self.continue_if(fits, slow);
        let boxed = self.box_int(negated);
        self.builder.ins().jump(join, &[BlockArg::Value(boxed)]);
        self.finish_with_shim(unary_shim(op), &[operand], (slow, join), op_index, cleanup)
    }
}
