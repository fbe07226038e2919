//! Inline fast paths: checked Int `+ - *` and Int comparisons when both operands are Ints
//! (tag tests skipped for operands the value-kind analysis proves Int; numbers that are not
//! both Ints take `inline_float.rs`'s paths), and the heap-tag
//! test that skips `rt_retain`/`rt_release` for non-heap words. Every other case (text,
//! overflow, type mismatches) falls back to the very shim the interpreter calls, so
//! results, errors and refcount traces are identical. Encoding per `cairn_runtime::value`:
//! Int word = `TAG_INT << 48 | (n & PAYLOAD_MASK)`, unbox = `(w << 16) >> 16` (arithmetic).

use cairn_lang::analysis::KindSet;
use cairn_lang::ir::BinaryOp;
use cairn_runtime::Shim;
use cairn_runtime::value::{FALSE_WORD, TAG_HEAP, TAG_INT, TAG_SHIFT, TRUE_WORD};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{BlockArg, InstBuilder, Value as ClValue};

use crate::inline_float::may_be_int;
use crate::int_payload::IntPayload;
use crate::translate::FunctionTranslator;
use cairn_engine_support::binary_shim;

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

    /// Sign-extends the low 48 bits (unbox an Int word): the payload itself when the word
    /// was boxed by an inline op of this function (`int_payload.rs`).
    pub(crate) fn sign_extend_48(&mut self, value: ClValue) -> ClValue {
        match self.known_int_payload(value) {
            Some(IntPayload::Raw(raw)) => raw,
            Some(IntPayload::Shifted(shifted)) => {
                self.builder.ins().sshr_imm_s(shifted, PAYLOAD_SHIFT)
            }
            None => {
                let shifted = self.builder.ins().ishl_imm_s(value, PAYLOAD_SHIFT);
                self.builder.ins().sshr_imm_s(shifted, PAYLOAD_SHIFT)
            }
        }
    }

    /// An Int word's payload shifted left by 16 (`word << 16`), from the payload when known.
    pub(crate) fn shifted_int_payload(&mut self, word: ClValue) -> ClValue {
        match self.known_int_payload(word) {
            Some(IntPayload::Shifted(shifted)) => shifted,
            Some(IntPayload::Raw(raw)) => self.builder.ins().ishl_imm_s(raw, PAYLOAD_SHIFT),
            None => self.builder.ins().ishl_imm_s(word, PAYLOAD_SHIFT),
        }
    }

    /// 1 when the word carries the Int tag.
    pub(crate) fn is_int_word(&mut self, value: ClValue) -> ClValue {
        let tag = self.builder.ins().ushr_imm_s(value, i64::from(TAG_SHIFT));
        self.builder
            .ins()
            .icmp_imm_s(IntCC::Equal, tag, TAG_INT as i64)
    }

    /// The tag test an inline Int op needs: only the operands the value-kind analysis does
    /// not already prove to be Ints are tested; `None` when both are proven.
    pub(crate) fn int_tag_test(
        &mut self,
        (lhs, rhs): (ClValue, ClValue),
        known_ints: (bool, bool),
    ) -> Option<ClValue> {
        match known_ints {
            (true, true) => None,
            (true, false) => Some(self.is_int_word(rhs)),
            (false, true) => Some(self.is_int_word(lhs)),
            (false, false) => Some(self.both_ints(lhs, rhs)),
        }
    }

    /// `Add`/`Sub`/`Mul`: inline when both are Ints and the result fits in 48 bits, or when
    /// both are numbers and one is a Float (`inline_float.rs`); the shim otherwise (RT0301
    /// overflow, Text `+`, RT0303 type mismatch). The i48
    /// check is an i64 overflow check on `lhs << 16` (`x * 2^16` overflows i64 exactly when
    /// `x` leaves i48), and `(raw >> 16) | INT_TAG` boxes the result. Operands proven Int by
    /// the analysis (`kinds`) skip their tag test; then the shim only runs on overflow. When
    /// either operand cannot be an Int, only the Float path and the shim are emitted.
    pub(crate) fn emit_int_arithmetic(
        &mut self,
        op: BinaryOp,
        (lhs, rhs): (ClValue, ClValue),
        kinds: (KindSet, KindSet),
        op_index: u32,
    ) -> ClValue {
        let known_ints = (kinds.0.is_only_int(), kinds.1.is_only_int());
        let slow = self.builder.create_block();
        let join = self.builder.create_block();
        let result = self.builder.append_block_param(join, I64);
        if !may_be_int(kinds.0) || !may_be_int(kinds.1) {
            self.emit_float_arithmetic_or(op, (lhs, rhs), kinds, join, slow);
            self.builder.switch_to_block(slow);
            let word = self.call_shim(binary_shim(op), &[lhs, rhs]);
            self.branch_on_failure(word, op_index);
            self.builder.ins().jump(join, &[BlockArg::Value(word)]);
            self.builder.switch_to_block(join);
            return result;
        }
        let tag_test = self.int_tag_test((lhs, rhs), known_ints);
        match tag_test {
            Some(both) => {
                let fast = self.builder.create_block();
                let not_ints = self.builder.create_block();
                self.builder.ins().brif(both, fast, &[], not_ints, &[]);
                self.builder.switch_to_block(not_ints);
                self.emit_float_arithmetic_or(op, (lhs, rhs), kinds, join, slow);
                self.builder.switch_to_block(fast);
            }
            None => self.builder.set_cold_block(slow),
        }
        let shifted_lhs = self.shifted_int_payload(lhs);
        let mut shifted_rhs = None;
        let (raw, overflowed) = match op {
            BinaryOp::Add | BinaryOp::Sub => {
                let b = self.shifted_int_payload(rhs);
                shifted_rhs = Some(b);
                if op == BinaryOp::Add {
                    self.builder.ins().sadd_overflow(shifted_lhs, b)
                } else {
                    self.builder.ins().ssub_overflow(shifted_lhs, b)
                }
            }
            BinaryOp::Mul => {
                let b = self.sign_extend_48(rhs);
                self.builder.ins().smul_overflow(shifted_lhs, b)
            }
            other => unreachable!("emit_int_arithmetic called for {other:?}"),
        };
        // With both operands proven Int the join carries the shifted payload (the shim's
        // result, if it ever succeeded, is an Int too), and the word is boxed after it, so a
        // following inline Int op reads the payload without unboxing the word again.
        let proven = tag_test.is_none();
        let fast_result = if proven {
            raw
        } else {
            self.box_shifted_int(raw)
        };
        self.builder
            .ins()
            .brif(overflowed, slow, &[], join, &[BlockArg::Value(fast_result)]);

        self.builder.switch_to_block(slow);
        // Only overflow reaches here when both are proven Ints: rebuild their words from the
        // shifted values so the words themselves need not stay alive.
        let args = match (tag_test, shifted_rhs) {
            (None, Some(shifted_rhs)) => [
                self.int_word_of_shifted(shifted_lhs),
                self.int_word_of_shifted(shifted_rhs),
            ],
            _ => [lhs, rhs],
        };
        let word = self.call_shim(binary_shim(op), &args);
        self.branch_on_failure(word, op_index);
        let slow_result = if proven {
            self.builder.ins().ishl_imm_s(word, PAYLOAD_SHIFT)
        } else {
            word
        };
        self.builder
            .ins()
            .jump(join, &[BlockArg::Value(slow_result)]);

        self.builder.switch_to_block(join);
        if proven {
            let boxed = self.box_shifted_int(result);
            self.record_int_payload(boxed, IntPayload::Shifted(result));
            return boxed;
        }
        result
    }

    /// `(shifted >> 16) | INT_TAG`: the Int word of a payload shifted left by 16.
    pub(crate) fn box_shifted_int(&mut self, shifted: ClValue) -> ClValue {
        let payload = self.builder.ins().ushr_imm_s(shifted, PAYLOAD_SHIFT);
        self.builder.ins().bor_imm_s(payload, INT_TAG_WORD)
    }

    /// The Int word whose payload shifted left by 16 is `shifted`:
    /// `(shifted | TAG_INT) rotr 16`. (A rotate, so no rewrite turns it back into the word.)
    pub(crate) fn int_word_of_shifted(&mut self, shifted: ClValue) -> ClValue {
        let tagged = self.builder.ins().bor_imm_s(shifted, TAG_INT as i64);
        self.builder.ins().rotr_imm_s(tagged, PAYLOAD_SHIFT)
    }

    /// The `i8` flag of an Int comparison (equal tags, so raw words compare for equality and
    /// `w rotl 16` orders like the Int).
    fn int_comparison_flag(&mut self, op: BinaryOp, lhs: ClValue, rhs: ClValue) -> ClValue {
        match op {
            BinaryOp::Eq => self.builder.ins().icmp(IntCC::Equal, lhs, rhs),
            BinaryOp::Ne => self.builder.ins().icmp(IntCC::NotEqual, lhs, rhs),
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let code = match op {
                    BinaryOp::Lt => IntCC::SignedLessThan,
                    BinaryOp::Le => IntCC::SignedLessThanOrEqual,
                    BinaryOp::Gt => IntCC::SignedGreaterThan,
                    _ => IntCC::SignedGreaterThanOrEqual,
                };
                // Rotating by 16 puts the payload on top and the (equal) Int tags below it,
                // so signed order is the Ints' order. A rotate rather than a shift keeps it
                // from being shared with the arithmetic's `w << 16`, which would keep both
                // the word and its shift alive across calls.
                let a = self.builder.ins().rotl_imm_s(lhs, PAYLOAD_SHIFT);
                let b = self.builder.ins().rotl_imm_s(rhs, PAYLOAD_SHIFT);
                self.builder.ins().icmp(code, a, b)
            }
            other => unreachable!("int_comparison_flag called for {other:?}"),
        }
    }

    pub(crate) fn bool_word_of_flag(&mut self, flag: ClValue) -> ClValue {
        let true_word = self.word(TRUE_WORD);
        let false_word = self.word(FALSE_WORD);
        self.builder.ins().select(flag, true_word, false_word)
    }

    /// `== != < <= > >=`: inline when both are Ints, or both numbers (`inline_float.rs`);
    /// the shim otherwise. When the analysis proves both operands Int (`kinds`), no test and
    /// no shim are emitted (an Int comparison cannot fail) and the flag is returned too, for
    /// a `Branch` to test directly.
    pub(crate) fn emit_int_comparison(
        &mut self,
        op: BinaryOp,
        (lhs, rhs): (ClValue, ClValue),
        kinds: (KindSet, KindSet),
        op_index: u32,
    ) -> (ClValue, Option<ClValue>) {
        if matches!(op, BinaryOp::Eq | BinaryOp::Ne) {
            // `inline_equality.rs`: against a proven `()` or Bool, decided from the words.
            let singletons = (
                crate::inline_equality::is_singleton_kinded(kinds.0),
                crate::inline_equality::is_singleton_kinded(kinds.1),
            );
            if singletons.0 || singletons.1 {
                let word = self.emit_singleton_equality(op, (lhs, rhs), singletons.0, op_index);
                return (word, None);
            }
        }
        let known_ints = (kinds.0.is_only_int(), kinds.1.is_only_int());
        let int_possible = may_be_int(kinds.0) && may_be_int(kinds.1);
        let tag_test = if int_possible {
            let Some(both) = self.int_tag_test((lhs, rhs), known_ints) else {
                let flag = self.int_comparison_flag(op, lhs, rhs);
                return (self.bool_word_of_flag(flag), Some(flag));
            };
            Some(both)
        } else {
            None
        };
        let slow = self.builder.create_block();
        let join = self.builder.create_block();
        let result = self.builder.append_block_param(join, I64);
        if let Some(both) = tag_test {
            let fast = self.builder.create_block();
            let not_ints = self.builder.create_block();
            self.builder.ins().brif(both, fast, &[], not_ints, &[]);
            self.builder.switch_to_block(fast);
            let flag = self.int_comparison_flag(op, lhs, rhs);
            let boolean = self.bool_word_of_flag(flag);
            self.builder.ins().jump(join, &[BlockArg::Value(boolean)]);
            self.builder.switch_to_block(not_ints);
        }
        self.emit_float_comparison_or(op, (lhs, rhs), kinds, join, slow);

        self.builder.switch_to_block(slow);
        let word = self.call_shim(binary_shim(op), &[lhs, rhs]);
        self.branch_on_failure(word, op_index);
        self.builder.ins().jump(join, &[BlockArg::Value(word)]);

        self.builder.switch_to_block(join);
        (result, None)
    }

    /// 1 when the word is a heap reference (top 16 bits == `TAG_HEAP`).
    pub(crate) fn is_heap_word(&mut self, value: ClValue) -> ClValue {
        let tag = self.builder.ins().ushr_imm_s(value, i64::from(TAG_SHIFT));
        self.builder
            .ins()
            .icmp_imm_s(IntCC::Equal, tag, TAG_HEAP as i64)
    }

    /// `Retain`: heap words go through `rt_retain` (which may copy at saturation and can
    /// fail); any other word is its own owned copy.
    pub(crate) fn emit_retain(&mut self, src: ClValue, op_index: u32) -> ClValue {
        let heap = self.builder.create_block();
        let join = self.builder.create_block();
        let result = self.builder.append_block_param(join, I64);
        let is_heap = self.is_heap_word(src);
        self.builder
            .ins()
            .brif(is_heap, heap, &[], join, &[BlockArg::Value(src)]);
        self.builder.switch_to_block(heap);
        let word = self.emit_inline_retain(src, op_index);
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
        if cold {
            self.call_shim(Shim::Release, &[value]);
        } else {
            self.emit_inline_release(value);
        }
        self.builder.ins().jump(after, &[]);
        self.builder.switch_to_block(after);
    }
}
