//! Inline fast paths for `!r` (`rt_ref_get`) and `r := v` (`rt_ref_set`) on a live Ref cell:
//! the reference is validated inline with `checked_head`'s checks (`inline_list.rs`) and the
//! cell's length checked to be 1, as `refs::ref_slot` checks it. `!r` reads the slot and
//! returns it retained exactly as the shim's `retain` would (`emit_retained_word`); `r := v`
//! stores `v` when the runtime's `value_contains_ref` would accept it (a well-formed
//! immediate, or a live head of a kind other than Ref whose flag byte lacks
//! `FLAG_CONTAINS_REF`), then releases the old value as the `Release` op does (the inline
//! count step, `rt_release` when it does not apply) — the shim's order and its events
//! (docs/MEMORY.md: the replaced value is released as `release` releases it; a non-heap old
//! value needs no release, so a malformed immediate in a corrupted cell, which no script can
//! store, is not reported here as the shim would). Everything else — a word that is not a Ref, a bad cell, a value holding a
//! Ref, a malformed word — calls the shim on the unchanged state, which reports it.

use cairn_runtime::inline_heap_layout::InlineHeapLayout;
use cairn_runtime::value::{
    FALSE_WORD, FLOAT_OFFSET, MAX_FLOAT_WORD, TAG_HEAP, TAG_SHIFT, TRUE_WORD, UNIT_WORD,
};
use cairn_runtime::{Context, Kind, Shim};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{Block, BlockArg, InstBuilder, Value as ClValue};

use crate::inline_list::block_read;
use crate::translate::FunctionTranslator;

const LAYOUT: InlineHeapLayout = Context::INLINE_HEAP_LAYOUT;

/// The largest kind byte (`Kind::from_u8` knows `1..=LAST_KIND`).
const LAST_KIND: i64 = Kind::HostObject as i64;

impl FunctionTranslator<'_, '_> {
    /// `!reference`: the cell's value, owned (retained as `rt_ref_get` retains it).
    pub(crate) fn emit_inline_deref(&mut self, reference: ClValue, op_index: u32) -> ClValue {
        self.inline_or_shim(Shim::RefGet, &[reference], op_index, |this, slow, join| {
            let cell = this.ref_cell_head(reference, slow);
            let element = this
                .builder
                .ins()
                .load(I64, block_read(), cell, LAYOUT.tuple_first_slot);
            this.emit_retained_word(element, join, slow, op_index);
        })
    }

    /// `reference := value` (`reference` borrowed, `value` owned): returns the Unit word.
    pub(crate) fn emit_inline_assign(
        &mut self,
        reference: ClValue,
        value: ClValue,
        op_index: u32,
    ) -> ClValue {
        self.inline_or_shim(
            Shim::RefSet,
            &[reference, value],
            op_index,
            |this, slow, join| {
                let cell = this.ref_cell_head(reference, slow);
                this.branch_unless_storable_in_ref(value, slow);
                let old = this
                    .builder
                    .ins()
                    .load(I64, block_read(), cell, LAYOUT.tuple_first_slot);
                this.builder
                    .ins()
                    .store(block_read(), value, cell, LAYOUT.tuple_first_slot);
                this.emit_release(old, false);
                let unit = this.builder.ins().iconst(I64, UNIT_WORD as i64);
                this.builder.ins().jump(join, &[BlockArg::Value(unit)]);
            },
        )
    }

    /// The head block of the live, one-slot Ref cell `reference` (its slot at
    /// `LAYOUT.tuple_first_slot`); `slow` for anything else.
    fn ref_cell_head(&mut self, reference: ClValue, slow: Block) -> ClValue {
        let head = self.reference_head_or(reference, Kind::Ref, slow);
        let length = self.read_block_u32(head.block, LAYOUT.tuple_length);
        self.branch_unless_imm(IntCC::Equal, length, 1, slow);
        head.block
    }

    /// Jumps to `join` with the owned copy of `word`, read from a block, that the runtime's
    /// `retain` returns: the word itself for a well-formed immediate (an Int, a Float up to
    /// `MAX_FLOAT_WORD`, a Bool, `()`), the inline retain (or `rt_retain`) for a heap word.
    /// Any other word goes to `slow`, whose shim reports it.
    pub(crate) fn emit_retained_word(
        &mut self,
        word: ClValue,
        join: Block,
        slow: Block,
        op_index: u32,
    ) {
        let heap_word = self.builder.create_block();
        let not_heap = self.builder.create_block();
        let is_heap = self.is_heap_word(word);
        self.builder
            .ins()
            .brif(is_heap, heap_word, &[], not_heap, &[]);
        self.builder.switch_to_block(heap_word);
        let retained = self.emit_inline_retain(word, op_index);
        self.builder.ins().jump(join, &[BlockArg::Value(retained)]);

        self.builder.switch_to_block(not_heap);
        let immediate = self.builder.create_block();
        self.branch_if_well_formed_immediate(word, immediate, slow);
        self.builder.switch_to_block(immediate);
        self.builder.ins().jump(join, &[BlockArg::Value(word)]);
    }

    /// Branches to `yes` when the non-heap `word` is a well-formed immediate
    /// (`Value::is_well_formed`: an Int, a Float word up to `MAX_FLOAT_WORD`, a Bool, `()`),
    /// to `no` otherwise.
    fn branch_if_well_formed_immediate(&mut self, word: ClValue, yes: Block, no: Block) {
        let not_int = self.builder.create_block();
        let is_int = self.is_int_word(word);
        self.builder.ins().brif(is_int, yes, &[], not_int, &[]);
        self.builder.switch_to_block(not_int);
        // One unsigned compare of the offset word: `FLOAT_OFFSET..=MAX_FLOAT_WORD`.
        let not_float = self.builder.create_block();
        let offset = self
            .builder
            .ins()
            .iadd_imm_s(word, (FLOAT_OFFSET as i64).wrapping_neg());
        let is_float = self.builder.ins().icmp_imm_u(
            IntCC::UnsignedLessThanOrEqual,
            offset,
            (MAX_FLOAT_WORD - FLOAT_OFFSET) as i64,
        );
        self.builder.ins().brif(is_float, yes, &[], not_float, &[]);
        self.builder.switch_to_block(not_float);
        // `()`, `false` and `true` are `UNIT_WORD + {0, 2, 3}`.
        debug_assert_eq!((FALSE_WORD - UNIT_WORD, TRUE_WORD - UNIT_WORD), (2, 3));
        let not_unit = self.builder.create_block();
        let is_unit = self
            .builder
            .ins()
            .icmp_imm_s(IntCC::Equal, word, UNIT_WORD as i64);
        self.builder.ins().brif(is_unit, yes, &[], not_unit, &[]);
        self.builder.switch_to_block(not_unit);
        let with_low_bit = self.builder.ins().bor_imm_s(word, 1);
        let is_bool = self
            .builder
            .ins()
            .icmp_imm_s(IntCC::Equal, with_low_bit, TRUE_WORD as i64);
        self.builder.ins().brif(is_bool, yes, &[], no, &[]);
    }

    /// Continues when `refs::value_contains_ref` accepts `value` and finds no Ref: a
    /// well-formed immediate, or a well-formed reference of a kind other than Ref naming a
    /// live head of that kind whose flag byte lacks `FLAG_CONTAINS_REF`. `slow` otherwise.
    fn branch_unless_storable_in_ref(&mut self, value: ClValue, slow: Block) {
        let done = self.builder.create_block();
        let heap_word = self.builder.create_block();
        let not_heap = self.builder.create_block();
        let is_heap = self.is_heap_word(value);
        self.builder
            .ins()
            .brif(is_heap, heap_word, &[], not_heap, &[]);

        self.builder.switch_to_block(not_heap);
        self.branch_if_well_formed_immediate(value, done, slow);

        // `checked_head(value, None)`'s checks: the top 24 bits are the heap tag alone, the
        // kind byte is known, the block is a live head of that kind.
        self.builder.switch_to_block(heap_word);
        let top = self.builder.ins().ushr_imm_s(value, 40);
        self.branch_unless_imm(
            IntCC::Equal,
            top,
            (TAG_HEAP << (TAG_SHIFT - 40)) as i64,
            slow,
        );
        let kind = self.builder.ins().ushr_imm_s(value, 32);
        let kind = self.builder.ins().band_imm_s(kind, 0xFF);
        let kind_less_one = self.builder.ins().iadd_imm_s(kind, -1);
        self.branch_unless_imm(IntCC::UnsignedLessThan, kind_less_one, LAST_KIND, slow);
        self.branch_unless_imm(IntCC::NotEqual, kind, Kind::Ref as i64, slow);
        let head = self.validated_head_of_kind(value, kind, slow);
        self.branch_unless_flags_clear(head.block, LAYOUT.contains_ref_flag, slow);
        self.builder.ins().jump(done, &[]);

        self.builder.switch_to_block(done);
    }
}
