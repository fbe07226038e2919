//! The inline fast path of `set(list, index, value)` (`rt_set`) on a uniquely owned List:
//! when the head and every node on the path to the element are live heads with count 1 (so
//! `make_unique` would keep each in place and record no `cow`), the index is an in-range
//! Int and the value carries no flags for the containers to inherit
//! (`header::inherited_flags` is 0: not a Ref, not an object flagged as holding a Ref or a
//! NaN, not a NaN), the element is stored in place, the heap's list-tail epoch is advanced
//! as `list_update::set` advances it, and the replaced element is released through
//! `rt_release`, as `set` releases it (a release that cannot fail the update). That is
//! exactly what the shim does in that state, with the same refcount events. Every other
//! case calls `rt_set` on the unchanged state, which copies, allocates and reports.
//!
//! And the inline fast path of `push(list, value)` (`rt_push`) through a List head's
//! tail-leaf cache (`list_tail::push_into_cached_tail_leaf`, docs/MEMORY.md): when the head
//! is a live List with count 1 whose cache epoch is the heap's, its length is not a multiple
//! of the leaf's 7 slots, the value carries no flags to inherit, and the cached leaf is a
//! live `ListNode` head with count 1, the value is stored in the leaf's next slot and the
//! length bumped — the cache path of the shim, which makes no refcount event. Every other
//! case calls `rt_push`.

use cairn_runtime::inline_heap_layout::{DIVIDE_BY_SEVEN_MAGIC, InlineHeapLayout};
use cairn_runtime::value::FLOAT_OFFSET;
use cairn_runtime::{Context, Kind, Shim};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{Block, BlockArg, InstBuilder, MemFlagsData, Value as ClValue};

use crate::inline_list::{ListWalk, block_read};
use crate::translate::FunctionTranslator;

const LAYOUT: InlineHeapLayout = Context::INLINE_HEAP_LAYOUT;

/// The most ops a function may have for its `push`es to get the inline path (~0.5 KiB of
/// code each). Longer functions are straight-line code — a List literal past 256 elements
/// is built push by push (`lower_literals.rs`) — where a push runs once and the code size
/// and compile time, which grow with every inline path, matter more: there `rt_push`.
pub(crate) const INLINE_PUSH_MAX_OPS: usize = 2_000;

/// `f64::to_bits` of +infinity shifted left by one: a Float's bits shifted left by one (the
/// sign dropped) are above it exactly when the Float is a NaN.
const INFINITY_BITS_SHIFTED: i64 = (0x7FF0_0000_0000_0000u64 << 1) as i64;

impl FunctionTranslator<'_, '_> {
    /// `set(list, key, value)`: in place on a unique list, `rt_set` otherwise. Consumes the
    /// list and the value (as the shim does) and returns the owned list word.
    pub(crate) fn emit_inline_set(
        &mut self,
        list: ClValue,
        key: ClValue,
        value: ClValue,
        op_index: u32,
    ) -> ClValue {
        self.inline_or_shim(
            Shim::Set,
            &[list, key, value],
            op_index,
            |this, slow, join| {
                let position = this.int_index_or(key, slow);
                let head = this.unique_reference_head_or(list, Kind::List, slow);
                let length = this.read_block_u32(head.block, LAYOUT.list_length);
                this.branch_unless(IntCC::UnsignedLessThan, position, length, slow);
                this.branch_unless_no_inherited_flags(value, head.table, slow);
                let slot = this.walk_list_tree(head, position, slow, ListWalk::Unique);

                let old =
                    this.builder
                        .ins()
                        .load(I64, block_read(), slot, LAYOUT.list_node_first_slot);
                this.builder
                    .ins()
                    .store(block_read(), value, slot, LAYOUT.list_node_first_slot);
                let trusted = MemFlagsData::trusted();
                let epoch = this
                    .builder
                    .ins()
                    .load(I64, trusted, this.ctx, LAYOUT.list_tail_epoch);
                let advanced = this.builder.ins().iadd_imm_s(epoch, 1);
                this.builder
                    .ins()
                    .store(trusted, advanced, this.ctx, LAYOUT.list_tail_epoch);
                this.emit_release(old, false);
                this.builder.ins().jump(join, &[BlockArg::Value(list)]);
            },
        )
    }

    /// `push(list, value)`: into the cached tail leaf of a unique list, `rt_push` otherwise.
    /// Consumes both (as the shim does) and returns the owned list word.
    pub(crate) fn emit_inline_push(
        &mut self,
        list: ClValue,
        value: ClValue,
        op_index: u32,
    ) -> ClValue {
        self.inline_or_shim(Shim::Push, &[list, value], op_index, |this, slow, join| {
            let head = this.unique_reference_head_or(list, Kind::List, slow);
            let recorded =
                this.builder
                    .ins()
                    .load(I64, block_read(), head.block, LAYOUT.list_tail_leaf_epoch);
            let epoch = this.builder.ins().load(
                I64,
                MemFlagsData::trusted(),
                this.ctx,
                LAYOUT.list_tail_epoch,
            );
            this.branch_unless(IntCC::Equal, recorded, epoch, slow);
            let length = this.read_block_u32(head.block, LAYOUT.list_length);
            // length % 7 through the exact multiply-high of `DIVIDE_BY_SEVEN_MAGIC`.
            let magic = this.builder.ins().iconst(I64, DIVIDE_BY_SEVEN_MAGIC as i64);
            let sevenths = this.builder.ins().umulhi(length, magic);
            let whole = this
                .builder
                .ins()
                .imul_imm_s(sevenths, LAYOUT.list_leaf_slots);
            let slot = this.builder.ins().isub(length, whole);
            this.branch_unless_imm(IntCC::NotEqual, slot, 0, slow);
            this.branch_unless_no_inherited_flags(value, head.table, slow);
            let leaf = this.read_block_u32(head.block, LAYOUT.list_tail_leaf);
            let segment = this.segment_number_or(leaf, slow);
            let view = this.segment_view(head.table, segment);
            let (index, leaf_block) = this.block_in_segment(leaf, view, slow);
            this.branch_unless_unique_head(view, index, leaf_block, Kind::ListNode, slow);

            let slot_offset = this.builder.ins().ishl_imm_s(slot, 3);
            let slot_address = this.builder.ins().iadd(leaf_block, slot_offset);
            this.builder.ins().store(
                block_read(),
                value,
                slot_address,
                LAYOUT.list_node_first_slot,
            );
            let longer = this.builder.ins().iadd_imm_s(length, 1);
            this.builder
                .ins()
                .istore32(block_read(), longer, head.block, LAYOUT.list_length);
            this.builder.ins().jump(join, &[BlockArg::Value(list)]);
        })
    }

    /// Continues when `inherited_flags(value)` is 0 by the layout: a heap word of a kind
    /// other than Ref (or an unknown kind byte, whose flags are 0 too) whose block is mapped
    /// and whose flag byte has none of the inherited bits; a word below the Float range that
    /// is not a heap word (an Int, a Bool, `()`); a Float that is not a NaN. Branches to
    /// `slow` otherwise (a Ref, a flagged object, a NaN, a word naming no mapped block).
    fn branch_unless_no_inherited_flags(&mut self, value: ClValue, table: ClValue, slow: Block) {
        let done = self.builder.create_block();
        let heap_word = self.builder.create_block();
        let not_heap = self.builder.create_block();
        let is_heap = self.is_heap_word(value);
        self.builder
            .ins()
            .brif(is_heap, heap_word, &[], not_heap, &[]);

        self.builder.switch_to_block(heap_word);
        let kind = self.builder.ins().ushr_imm_s(value, 32);
        let kind = self.builder.ins().band_imm_s(kind, 0xFF);
        self.branch_unless_imm(IntCC::NotEqual, kind, Kind::Ref as i64, slow);
        let shifted = self.builder.ins().ushr_imm_s(value, 16);
        let segment = self.builder.ins().band_imm_s(shifted, 0xFFFF);
        self.branch_unless_imm(IntCC::UnsignedLessThan, segment, LAYOUT.max_segments, slow);
        let view = self.segment_view(table, segment);
        let (_, block) = self.block_in_segment(value, view, slow);
        self.branch_unless_flags_clear(block, LAYOUT.inherited_flag_mask, slow);
        self.builder.ins().jump(done, &[]);

        // Not a heap word: below the Float range it has no flags; a Float's are
        // `FLAG_MAY_HOLD_NAN` exactly when it is a NaN (`Value::as_float` decodes every
        // word from `FLOAT_OFFSET` up).
        self.builder.switch_to_block(not_heap);
        let float = self.builder.create_block();
        let below_floats =
            self.builder
                .ins()
                .icmp_imm_u(IntCC::UnsignedLessThan, value, FLOAT_OFFSET as i64);
        self.builder.ins().brif(below_floats, done, &[], float, &[]);
        self.builder.switch_to_block(float);
        let bits = self
            .builder
            .ins()
            .iadd_imm_s(value, (FLOAT_OFFSET as i64).wrapping_neg());
        let without_sign = self.builder.ins().ishl_imm_s(bits, 1);
        self.branch_unless_imm(
            IntCC::UnsignedLessThanOrEqual,
            without_sign,
            INFINITY_BITS_SHIFTED,
            slow,
        );
        self.builder.ins().jump(done, &[]);

        self.builder.switch_to_block(done);
    }
}
