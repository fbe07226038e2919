//! Inline fast paths: checked Int `+ - *` and Int comparisons when both operands are Ints,
//! and the heap-tag test that skips `rt_retain`/`rt_release` for non-heap words. Every other
//! case (floats, text, overflow) falls back to the very shim the interpreter calls, so
//! results, errors and refcount traces are identical. Encoding per `cairn_runtime::value`:
//! Int word = `TAG_INT << 48 | (n & PAYLOAD_MASK)`, unbox = `(w << 16) >> 16` (arithmetic).

use cairn_lang::ir::{BinaryOp, Var};
use cairn_runtime::Shim;
use cairn_runtime::value::{FALSE_WORD, PAYLOAD_MASK, TAG_HEAP, TAG_INT, TAG_SHIFT, TRUE_WORD};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{BlockArg, InstBuilder, Value as ClValue};

use crate::builtin_shims::binary_shim;
use crate::translate::FunctionTranslator;

const INT_TAG_WORD: i64 = (TAG_INT << TAG_SHIFT) as i64;
/// Bits the payload of a word is shifted by to sign-extend it from 48 bits.
const PAYLOAD_SHIFT: i64 = 64 - TAG_SHIFT as i64;

impl FunctionTranslator<'_, '_> {
    /// 1 when both words carry the Int tag: `((l ^ INT) | (r ^ INT)) >> 48 == 0`.
    fn both_ints(&mut self, lhs: ClValue, rhs: ClValue) -> ClValue {
        let ins = self.builder.ins();
        let lhs_untagged = ins.bxor_imm_s(lhs, INT_TAG_WORD);
        let rhs_untagged = self.builder.ins().bxor_imm_s(rhs, INT_TAG_WORD);
        let either = self.builder.ins().bor(lhs_untagged, rhs_untagged);
        let tags = self.builder.ins().ushr_imm_s(either, i64::from(TAG_SHIFT));
        self.builder.ins().icmp_imm_s(IntCC::Equal, tags, 0)
    }

    /// Sign-extends the low 48 bits (unbox an Int word, or test that an i64 fits in i48).
    fn sign_extend_48(&mut self, value: ClValue) -> ClValue {
        let shifted = self.builder.ins().ishl_imm_s(value, PAYLOAD_SHIFT);
        self.builder.ins().sshr_imm_s(shifted, PAYLOAD_SHIFT)
    }

    /// `Add`/`Sub`/`Mul`: inline when both are Ints and the result fits in 48 bits; the
    /// shim otherwise (Float promotion, RT0301 overflow, RT0303 type mismatch).
    pub(crate) fn emit_int_arithmetic(
        &mut self,
        op: BinaryOp,
        lhs: ClValue,
        rhs: ClValue,
        op_index: u32,
        cleanup: &[Var],
    ) -> ClValue {
        let fast = self.builder.create_block();
        let slow = self.builder.create_block();
        let join = self.builder.create_block();
        let result = self.builder.append_block_param(join, I64);
        let both = self.both_ints(lhs, rhs);
        self.builder.ins().brif(both, fast, &[], slow, &[]);

        self.builder.switch_to_block(fast);
        let a = self.sign_extend_48(lhs);
        let b = self.sign_extend_48(rhs);
        let (raw, fits) = match op {
            BinaryOp::Add | BinaryOp::Sub => {
                let raw = if op == BinaryOp::Add {
                    self.builder.ins().iadd(a, b)
                } else {
                    self.builder.ins().isub(a, b)
                };
                let narrowed = self.sign_extend_48(raw);
                let fits = self.builder.ins().icmp(IntCC::Equal, narrowed, raw);
                (raw, fits)
            }
            BinaryOp::Mul => {
                let (raw, overflowed) = self.builder.ins().smul_overflow(a, b);
                let narrowed = self.sign_extend_48(raw);
                let fits_48 = self.builder.ins().icmp(IntCC::Equal, narrowed, raw);
                let no_overflow = self.builder.ins().icmp_imm_s(IntCC::Equal, overflowed, 0);
                (raw, self.builder.ins().band(fits_48, no_overflow))
            }
            other => unreachable!("emit_int_arithmetic called for {other:?}"),
        };
        let payload = self.builder.ins().band_imm_s(raw, PAYLOAD_MASK as i64);
        let boxed = self.builder.ins().bor_imm_s(payload, INT_TAG_WORD);
        self.builder
            .ins()
            .brif(fits, join, &[BlockArg::Value(boxed)], slow, &[]);

        self.builder.switch_to_block(slow);
        let word = self.call_shim(binary_shim(op), &[lhs, rhs]);
        self.branch_on_failure(word, op_index, cleanup);
        self.builder.ins().jump(join, &[BlockArg::Value(word)]);

        self.builder.switch_to_block(join);
        result
    }

    /// `== != < <= > >=`: inline when both are Ints (equal tags, so raw words compare for
    /// equality and `w << 16` orders like the Int); the shim otherwise.
    pub(crate) fn emit_int_comparison(
        &mut self,
        op: BinaryOp,
        lhs: ClValue,
        rhs: ClValue,
        op_index: u32,
        cleanup: &[Var],
    ) -> ClValue {
        let fast = self.builder.create_block();
        let slow = self.builder.create_block();
        let join = self.builder.create_block();
        let result = self.builder.append_block_param(join, I64);
        let both = self.both_ints(lhs, rhs);
        self.builder.ins().brif(both, fast, &[], slow, &[]);

        self.builder.switch_to_block(fast);
        let condition = match op {
            BinaryOp::Eq => self.builder.ins().icmp(IntCC::Equal, lhs, rhs),
            BinaryOp::Ne => self.builder.ins().icmp(IntCC::NotEqual, lhs, rhs),
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let code = match op {
                    BinaryOp::Lt => IntCC::SignedLessThan,
                    BinaryOp::Le => IntCC::SignedLessThanOrEqual,
                    BinaryOp::Gt => IntCC::SignedGreaterThan,
                    _ => IntCC::SignedGreaterThanOrEqual,
                };
                let a = self.builder.ins().ishl_imm_s(lhs, PAYLOAD_SHIFT);
                let b = self.builder.ins().ishl_imm_s(rhs, PAYLOAD_SHIFT);
                self.builder.ins().icmp(code, a, b)
            }
            other => unreachable!("emit_int_comparison called for {other:?}"),
        };
        let true_word = self.word(TRUE_WORD);
        let false_word = self.word(FALSE_WORD);
        let boolean = self.builder.ins().select(condition, true_word, false_word);
        self.builder.ins().jump(join, &[BlockArg::Value(boolean)]);

        self.builder.switch_to_block(slow);
        let word = self.call_shim(binary_shim(op), &[lhs, rhs]);
        self.branch_on_failure(word, op_index, cleanup);
        self.builder.ins().jump(join, &[BlockArg::Value(word)]);

        self.builder.switch_to_block(join);
        result
    }

    /// 1 when the word is a heap reference (top 16 bits == `TAG_HEAP`).
    fn is_heap_word(&mut self, value: ClValue) -> ClValue {
        let tag = self.builder.ins().ushr_imm_s(value, i64::from(TAG_SHIFT));
        self.builder
            .ins()
            .icmp_imm_s(IntCC::Equal, tag, TAG_HEAP as i64)
    }

    /// `Retain`: heap words go through `rt_retain` (which may copy at saturation and can
    /// fail); any other word is its own owned copy.
    pub(crate) fn emit_retain(&mut self, src: ClValue, op_index: u32, cleanup: &[Var]) -> ClValue {
        let heap = self.builder.create_block();
        let join = self.builder.create_block();
        let result = self.builder.append_block_param(join, I64);
        let is_heap = self.is_heap_word(src);
        self.builder
            .ins()
            .brif(is_heap, heap, &[], join, &[BlockArg::Value(src)]);
        self.builder.switch_to_block(heap);
        let word = self.call_shim(Shim::Retain, &[src]);
        self.branch_on_failure(word, op_index, cleanup);
        self.builder.ins().jump(join, &[BlockArg::Value(word)]);
        self.builder.switch_to_block(join);
        result
    }

    /// `Release`: `rt_release` for heap words only. `cold` marks the call block cold (used on
    /// failure paths).
    pub(crate) fn emit_release(&mut self, value: ClValue, cold: bool) {
        let heap = self.builder.create_block();
        let after = self.builder.create_block();
        if cold {
            self.builder.set_cold_block(heap);
            self.builder.set_cold_block(after);
        }
        let is_heap = self.is_heap_word(value);
        self.builder.ins().brif(is_heap, heap, &[], after, &[]);
        self.builder.switch_to_block(heap);
        self.call_shim(Shim::Release, &[value]);
        self.builder.ins().jump(after, &[]);
        self.builder.switch_to_block(after);
    }
}
