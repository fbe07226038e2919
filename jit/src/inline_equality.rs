//! Inline `==` / `!=` against an operand the value-kind analysis proves to be `()` or a Bool
//! (`x == ()`, `done != true`): `equality::leaf_equal` decides such a pair from the two words
//! alone — the same word is equal; a word of another script kind (an Int, a Float, a Bool or
//! `()` word other than the singleton's, a heap word whose kind byte names a script kind) is
//! not — without reading the heap, so the compiled test makes no call, no event and no
//! allocation. A word with no script kind (malformed, an interior node kind) goes to the shim,
//! which reports it.

use cairn_lang::analysis::KindSet;
use cairn_lang::ir::BinaryOp;
use cairn_runtime::Kind;
use cairn_runtime::value::{
    FALSE_WORD, FLOAT_OFFSET, TAG_HEAP, TAG_INT, TAG_SHIFT, TRUE_WORD, UNIT_WORD,
};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{BlockArg, InstBuilder, Value as ClValue};

use cairn_engine_support::binary_shim;

use crate::translate::FunctionTranslator;

/// Whether every value of `kinds` is `()` or a Bool (and the analysis knows something).
pub(crate) fn is_singleton_kinded(kinds: KindSet) -> bool {
    !kinds.is_empty() && KindSet::BOOL.union(KindSet::UNIT).contains(kinds)
}

impl FunctionTranslator<'_, '_> {
    /// `lhs == rhs` or `lhs != rhs` (`op`), one of them proven `()` or a Bool
    /// (`other_is_rhs`: the other operand is `rhs`). Returns the Bool word.
    pub(crate) fn emit_singleton_equality(
        &mut self,
        op: BinaryOp,
        (lhs, rhs): (ClValue, ClValue),
        other_is_rhs: bool,
        op_index: u32,
    ) -> ClValue {
        let (equal_word, unequal_word) = match op {
            BinaryOp::Eq => (TRUE_WORD, FALSE_WORD),
            _ => (FALSE_WORD, TRUE_WORD),
        };
        let slow = self.builder.create_block();
        self.builder.set_cold_block(slow);
        let join = self.builder.create_block();
        let result = self.builder.append_block_param(join, I64);
        let equal = self.word(equal_word);
        let unequal = self.word(unequal_word);
        let other = if other_is_rhs { rhs } else { lhs };

        let differ = self.builder.create_block();
        let same = self.builder.ins().icmp(IntCC::Equal, lhs, rhs);
        self.builder
            .ins()
            .brif(same, join, &[BlockArg::Value(equal)], differ, &[]);

        // The words differ: unequal whenever `other` has a script kind.
        self.builder.switch_to_block(differ);
        let not_number = self.builder.create_block();
        let tag = self.builder.ins().ushr_imm_s(other, i64::from(TAG_SHIFT));
        let is_int = self
            .builder
            .ins()
            .icmp_imm_s(IntCC::Equal, tag, TAG_INT as i64);
        let is_float = self.builder.ins().icmp_imm_u(
            IntCC::UnsignedGreaterThanOrEqual,
            other,
            FLOAT_OFFSET as i64,
        );
        let is_number = self.builder.ins().bor(is_int, is_float);
        self.builder.ins().brif(
            is_number,
            join,
            &[BlockArg::Value(unequal)],
            not_number,
            &[],
        );

        self.builder.switch_to_block(not_number);
        let not_singleton = self.builder.create_block();
        // `()`, `false`, `true` are `UNIT_WORD + {0, 2, 3}`.
        let offset = self
            .builder
            .ins()
            .iadd_imm_s(other, (UNIT_WORD as i64).wrapping_neg());
        let is_unit = self.builder.ins().icmp_imm_s(IntCC::Equal, offset, 0);
        let is_bool_offset =
            self.builder
                .ins()
                .icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, offset, 2);
        let is_small = self
            .builder
            .ins()
            .icmp_imm_u(IntCC::UnsignedLessThanOrEqual, offset, 3);
        let is_bool = self.builder.ins().band(is_bool_offset, is_small);
        let is_singleton = self.builder.ins().bor(is_unit, is_bool);
        self.builder.ins().brif(
            is_singleton,
            join,
            &[BlockArg::Value(unequal)],
            not_singleton,
            &[],
        );

        // A heap word with a script kind byte (`Value::kind_name`: not an interior node).
        self.builder.switch_to_block(not_singleton);
        let heap_word = self.builder.create_block();
        let is_heap = self
            .builder
            .ins()
            .icmp_imm_s(IntCC::Equal, tag, TAG_HEAP as i64);
        self.builder.ins().brif(is_heap, heap_word, &[], slow, &[]);
        self.builder.switch_to_block(heap_word);
        let kind = self.builder.ins().ushr_imm_s(other, 32);
        let kind = self.builder.ins().band_imm_s(kind, 0xFF);
        let kind_less_one = self.builder.ins().iadd_imm_s(kind, -1);
        self.branch_unless_imm(
            IntCC::UnsignedLessThan,
            kind_less_one,
            Kind::HostObject as i64,
            slow,
        );
        self.branch_unless_imm(IntCC::NotEqual, kind, Kind::ListNode as i64, slow);
        self.branch_unless_imm(IntCC::NotEqual, kind, Kind::MapNode as i64, slow);
        self.builder.ins().jump(join, &[BlockArg::Value(unequal)]);

        self.builder.switch_to_block(slow);
        let word = self.call_shim(binary_shim(op), &[lhs, rhs]);
        self.branch_on_failure(word, op_index);
        self.builder.ins().jump(join, &[BlockArg::Value(word)]);

        self.builder.switch_to_block(join);
        result
    }
}
