//! Inline fast paths for `xs[i]` (`Index`) and `len(xs)` on Lists and Tuples (and `len` on
//! Maps): the reference is validated inline with exactly the checks `checked_head` makes
//! (the word's tag, well-formedness and kind in one compare of its top 32 bits; the block in
//! range of a mapped segment; its state `Head`, its count not 0, its kind byte), the list's
//! radix tree is walked inline (each node word's tag and address range checked, as the
//! runtime's bounds-checked reads would refuse them), and the element is retained exactly as
//! `rt_index` retains it: through `rt_retain` (or its inline fast path, `inline_counts.rs`) for a heap word, not at all for an Int or Float. Every
//! other case — a Map base, a non-Int or out-of-range index, a tuple of more than two blocks, a bad reference,
//! a corrupt tree, an element that is neither an Int, a Float nor a heap word — calls the very shim
//! the interpreter calls (`rt_index`, `rt_len`) on the unchanged state, so results,
//! diagnostics and refcount traces are the interpreter's. Layout numbers come from
//! `Context::INLINE_HEAP_LAYOUT`, the runtime's one description of them.

use cairn_runtime::inline_heap_layout::{
    InlineHeapLayout, LIST_LEVEL_QUOTIENT_MAGICS, reference_high_word,
};
use cairn_runtime::value::{TAG_HEAP, TAG_INT, TAG_SHIFT, UNIT_WORD};
use cairn_runtime::{Context, Kind, Shim};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{Block, BlockArg, InstBuilder, MemFlagsData, Value as ClValue};

use crate::translate::FunctionTranslator;

const LAYOUT: InlineHeapLayout = Context::INLINE_HEAP_LAYOUT;

/// Flags for reads of block bytes: they never trap (every address is range-checked first)
/// but fields such as a list's root word are not 8-byte aligned.
pub(crate) fn block_read() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

/// One segment's table entry, loaded.
#[derive(Clone, Copy)]
pub(crate) struct SegmentView {
    pub(crate) number: ClValue,
    pub(crate) blocks: ClValue,
    pub(crate) states: ClValue,
    pub(crate) block_count: ClValue,
}

/// A head that passed every check of `checked_head`.
#[derive(Clone, Copy)]
pub(crate) struct ValidatedHead {
    /// The head block's start address.
    pub(crate) block: ClValue,
    /// The segment table's address.
    pub(crate) table: ClValue,
    /// The head's segment.
    pub(crate) view: SegmentView,
}

/// What a list walk checks of the nodes it passes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListWalk {
    /// `xs[i]`: only each node word's tag and address range (what the runtime's reads need).
    Read,
    /// `set` in place: also that every node is a live `ListNode` head with count 1 (what
    /// `make_unique` keeps in place without a `cow` copy).
    Unique,
}

impl FunctionTranslator<'_, '_> {
    /// `base[key]`: the inline list/tuple paths, `rt_index` otherwise. Returns the owned
    /// element word.
    pub(crate) fn emit_inline_index(
        &mut self,
        base: ClValue,
        key: ClValue,
        op_index: u32,
    ) -> ClValue {
        let slow = self.builder.create_block();
        self.builder.set_cold_block(slow);
        let element_ready = self.builder.create_block();
        let element = self.builder.append_block_param(element_ready, I64);
        let join = self.builder.create_block();
        let result = self.builder.append_block_param(join, I64);

        let list = self.builder.create_block();
        let not_list = self.builder.create_block();
        let high = self.builder.ins().ushr_imm_s(base, 32);
        let is_list =
            self.builder
                .ins()
                .icmp_imm_s(IntCC::Equal, high, reference_high_word(Kind::List));
        self.builder.ins().brif(is_list, list, &[], not_list, &[]);

        self.builder.switch_to_block(list);
        let position = self.int_index_or(key, slow);
        let head = self.validated_head(base, Kind::List, slow);
        let length = self.read_block_u32(head.block, LAYOUT.list_length);
        self.branch_unless(IntCC::UnsignedLessThan, position, length, slow);
        let slot = self.walk_list_tree(head, position, slow, ListWalk::Read);
        let found = self
            .builder
            .ins()
            .load(I64, block_read(), slot, LAYOUT.list_node_first_slot);
        self.builder
            .ins()
            .jump(element_ready, &[BlockArg::Value(found)]);

        self.builder.switch_to_block(not_list);
        let tuple = self.builder.create_block();
        let is_tuple =
            self.builder
                .ins()
                .icmp_imm_s(IntCC::Equal, high, reference_high_word(Kind::Tuple));
        self.builder.ins().brif(is_tuple, tuple, &[], slow, &[]);

        self.builder.switch_to_block(tuple);
        let position = self.int_index_or(key, slow);
        let head = self.validated_head(base, Kind::Tuple, slow);
        let found = self.tuple_element(head, position, slow);
        self.builder
            .ins()
            .jump(element_ready, &[BlockArg::Value(found)]);

        // `rt_index` retains what it returns (`inline_refs.rs`: a well-formed immediate is
        // its own copy, a heap word goes through the inline retain or `rt_retain`); anything
        // else is left to the shim, which also validates immediates.
        self.builder.switch_to_block(element_ready);
        self.emit_retained_word(element, join, slow, op_index);

        self.builder.switch_to_block(slow);
        let word = self.fallible_shim(Shim::Index, &[base, key], op_index);
        self.builder.ins().jump(join, &[BlockArg::Value(word)]);

        self.builder.switch_to_block(join);
        result
    }

    /// `expect_tuple_arity(value, arity)` (`rt_expect_tuple_arity`): Unit when `value` is a
    /// live Tuple head whose length is the Int `arity`, checked inline; the shim, which
    /// reports RT0303 (or a malformed arity), otherwise.
    pub(crate) fn emit_inline_expect_tuple_arity(
        &mut self,
        value: ClValue,
        arity: ClValue,
        op_index: u32,
    ) -> ClValue {
        self.inline_or_shim(
            Shim::ExpectTupleArity,
            &[value, arity],
            op_index,
            |this, slow, join| {
                let expected = this.int_index_or(arity, slow);
                let head = this.reference_head_or(value, Kind::Tuple, slow);
                let length = this.read_block_u32(head.block, LAYOUT.tuple_length);
                this.branch_unless(IntCC::Equal, length, expected, slow);
                let unit = this.builder.ins().iconst(I64, UNIT_WORD as i64);
                this.builder.ins().jump(join, &[BlockArg::Value(unit)]);
            },
        )
    }

    /// Element `position` of the validated tuple `head`, for tuples of at most two blocks
    /// (`tuple_head_slots + tuple_tail_slots` elements): `tuple::element_and_length` first
    /// checks that the chain is as long as the length needs (for two blocks: the head's
    /// `BLOCK_NEXT` names a block of the segment), then reads the head's slot or the tail
    /// block's. A longer tuple, a short chain or an index out of range goes to `slow`.
    pub(crate) fn tuple_element(
        &mut self,
        head: ValidatedHead,
        position: ClValue,
        slow: Block,
    ) -> ClValue {
        let length = self.read_block_u32(head.block, LAYOUT.tuple_length);
        self.branch_unless_imm(
            IntCC::UnsignedLessThanOrEqual,
            length,
            LAYOUT.tuple_head_slots + LAYOUT.tuple_tail_slots,
            slow,
        );
        self.branch_unless(IntCC::UnsignedLessThan, position, length, slow);
        let join = self.builder.create_block();
        let element = self.builder.append_block_param(join, I64);
        let head_slot = self.builder.create_block();
        let two_blocks = self.builder.create_block();
        let fits_head = self.builder.ins().icmp_imm_u(
            IntCC::UnsignedLessThanOrEqual,
            length,
            LAYOUT.tuple_head_slots,
        );
        self.builder
            .ins()
            .brif(fits_head, head_slot, &[], two_blocks, &[]);

        // A two-block tuple: the tail's index, checked as `HeapMemory::contains` checks it
        // (below the segment's block count, so never `no_next_block`).
        self.builder.switch_to_block(two_blocks);
        let next = self
            .builder
            .ins()
            .uload16(I64, block_read(), head.block, LAYOUT.block_next);
        self.branch_unless(IntCC::UnsignedLessThan, next, head.view.block_count, slow);
        let tail_slot = self.builder.create_block();
        let below_tail = self.builder.ins().icmp_imm_u(
            IntCC::UnsignedLessThan,
            position,
            LAYOUT.tuple_head_slots,
        );
        self.builder
            .ins()
            .brif(below_tail, head_slot, &[], tail_slot, &[]);
        self.builder.switch_to_block(head_slot);
        let in_head = self.tuple_slot(head.block, position, LAYOUT.tuple_first_slot);
        self.builder.ins().jump(join, &[BlockArg::Value(in_head)]);
        self.builder.switch_to_block(tail_slot);
        let offset = self.builder.ins().ishl_imm_s(next, LAYOUT.block_shift);
        let tail = self.builder.ins().iadd(head.view.blocks, offset);
        let rest = self
            .builder
            .ins()
            .iadd_imm_s(position, -LAYOUT.tuple_head_slots);
        let in_tail = self.tuple_slot(tail, rest, LAYOUT.tuple_tail_first_slot);
        self.builder.ins().jump(join, &[BlockArg::Value(in_tail)]);

        self.builder.switch_to_block(join);
        element
    }

    /// The word in slot `slot` of a tuple block whose slot 0 is at `block + first`.
    fn tuple_slot(&mut self, block: ClValue, slot: ClValue, first: i32) -> ClValue {
        let offset = self.builder.ins().ishl_imm_s(slot, 3);
        let address = self.builder.ins().iadd(block, offset);
        self.builder.ins().load(I64, block_read(), address, first)
    }

    /// `len(value)`: the stored length of a List, Tuple or Map, `rt_len` otherwise (Text,
    /// errors). A length is a `u32`, so its Int word never overflows.
    pub(crate) fn emit_inline_len(&mut self, value: ClValue, op_index: u32) -> ClValue {
        let slow = self.builder.create_block();
        self.builder.set_cold_block(slow);
        let join = self.builder.create_block();
        let result = self.builder.append_block_param(join, I64);
        let high = self.builder.ins().ushr_imm_s(value, 32);
        let kinds = [
            (Kind::List, LAYOUT.list_length),
            (Kind::Tuple, LAYOUT.tuple_length),
            (Kind::Map, LAYOUT.map_length),
        ];
        for (kind, length_offset) in kinds {
            let this_kind = self.builder.create_block();
            let next = self.builder.create_block();
            let matches =
                self.builder
                    .ins()
                    .icmp_imm_s(IntCC::Equal, high, reference_high_word(kind));
            self.builder.ins().brif(matches, this_kind, &[], next, &[]);
            self.builder.switch_to_block(this_kind);
            let head = self.validated_head(value, kind, slow);
            let length = self.read_block_u32(head.block, length_offset);
            let word = self
                .builder
                .ins()
                .bor_imm_s(length, (TAG_INT << TAG_SHIFT) as i64);
            self.builder.ins().jump(join, &[BlockArg::Value(word)]);
            self.builder.switch_to_block(next);
        }
        self.builder.ins().jump(slow, &[]);

        self.builder.switch_to_block(slow);
        let word = self.fallible_shim(Shim::Len, &[value], op_index);
        self.builder.ins().jump(join, &[BlockArg::Value(word)]);
        self.builder.switch_to_block(join);
        result
    }

    /// The index an Int word holds (sign-extended: a negative index is a huge unsigned one
    /// and fails every `<` length test); branches to `slow` for any other word.
    pub(crate) fn int_index_or(&mut self, key: ClValue, slow: Block) -> ClValue {
        let is_int = self.is_int_word(key);
        let continue_block = self.builder.create_block();
        self.builder
            .ins()
            .brif(is_int, continue_block, &[], slow, &[]);
        self.builder.switch_to_block(continue_block);
        self.sign_extend_48(key)
    }

    /// Continues in a new block when `lhs cc rhs`, else branches to `slow`.
    pub(crate) fn branch_unless(&mut self, cc: IntCC, lhs: ClValue, rhs: ClValue, slow: Block) {
        let holds = self.builder.ins().icmp(cc, lhs, rhs);
        self.continue_unless_fall_back(holds, slow);
    }

    pub(crate) fn branch_unless_imm(&mut self, cc: IntCC, lhs: ClValue, rhs: i64, slow: Block) {
        let holds = self.builder.ins().icmp_imm_s(cc, lhs, rhs);
        self.continue_unless_fall_back(holds, slow);
    }

    pub(crate) fn continue_unless_fall_back(&mut self, holds: ClValue, slow: Block) {
        let continue_block = self.builder.create_block();
        self.builder
            .ins()
            .brif(holds, continue_block, &[], slow, &[]);
        self.builder.switch_to_block(continue_block);
    }

    pub(crate) fn read_block_u32(&mut self, block: ClValue, offset: i32) -> ClValue {
        self.builder.ins().uload32(block_read(), block, offset)
    }

    /// The segment number (bits 16..32) of a heap word, checked below `max_segments`
    /// (`slow` otherwise).
    pub(crate) fn segment_number_or(&mut self, word: ClValue, slow: Block) -> ClValue {
        let shifted = self.builder.ins().ushr_imm_s(word, 16);
        let segment = self.builder.ins().band_imm_s(shifted, 0xFFFF);
        self.branch_unless_imm(IntCC::UnsignedLessThan, segment, LAYOUT.max_segments, slow);
        segment
    }

    /// The segment table's address, loaded from the context.
    pub(crate) fn segment_table(&mut self) -> ClValue {
        self.builder
            .ins()
            .load(I64, MemFlagsData::trusted(), self.ctx, LAYOUT.segment_table)
    }

    /// Loads the table entry of `segment` (below `max_segments`).
    pub(crate) fn segment_view(&mut self, table: ClValue, segment: ClValue) -> SegmentView {
        let entry_offset = self
            .builder
            .ins()
            .ishl_imm_s(segment, LAYOUT.segment_entry_shift);
        let entry = self.builder.ins().iadd(table, entry_offset);
        let trusted = MemFlagsData::trusted();
        let load = |translator: &mut Self, offset| {
            translator.builder.ins().load(I64, trusted, entry, offset)
        };
        SegmentView {
            number: segment,
            blocks: load(self, LAYOUT.entry_blocks_address),
            states: load(self, LAYOUT.entry_states_address),
            block_count: load(self, LAYOUT.entry_block_count),
        }
    }

    /// The block index (bits 0..16) of a heap word in `view`'s segment, checked below its
    /// block count (what `HeapMemory`'s bounds checks require; `slow` otherwise), and the
    /// block's start address.
    pub(crate) fn block_in_segment(
        &mut self,
        word: ClValue,
        view: SegmentView,
        slow: Block,
    ) -> (ClValue, ClValue) {
        let index = self.builder.ins().band_imm_s(word, 0xFFFF);
        self.branch_unless(IntCC::UnsignedLessThan, index, view.block_count, slow);
        let offset = self.builder.ins().ishl_imm_s(index, LAYOUT.block_shift);
        (index, self.builder.ins().iadd(view.blocks, offset))
    }

    /// `checked_head(word, Some(kind))` inline, for a word whose top 32 bits are already
    /// known to be `reference_high_word(kind)`: the block is in a mapped segment, its state
    /// is `Head`, its count is not 0 and its kind byte is `kind`. Returns the block's start
    /// address, the segment table and the head's segment; branches to `slow` when any check
    /// fails.
    pub(crate) fn validated_head(
        &mut self,
        word: ClValue,
        kind: Kind,
        slow: Block,
    ) -> ValidatedHead {
        let kind = self.builder.ins().iconst(I64, kind as i64);
        self.validated_head_of_kind(word, kind, slow)
    }

    /// [`Self::validated_head`] with the kind byte as a value (a word's own kind byte, for
    /// `checked_head(word, None)`).
    pub(crate) fn validated_head_of_kind(
        &mut self,
        word: ClValue,
        kind: ClValue,
        slow: Block,
    ) -> ValidatedHead {
        let (table, view, block) = self.located_head_block(word, slow);
        let count = self
            .builder
            .ins()
            .uload16(I64, block_read(), block, LAYOUT.ref_count);
        self.branch_unless_imm(IntCC::NotEqual, count, 0, slow);
        let stored_kind = self
            .builder
            .ins()
            .uload8(I64, block_read(), block, LAYOUT.kind);
        self.branch_unless(IntCC::Equal, stored_kind, kind, slow);
        ValidatedHead { block, table, view }
    }

    /// Continues when the flag byte of the object whose block starts at `block` has none of
    /// the bits of `mask`; `slow` otherwise.
    pub(crate) fn branch_unless_flags_clear(&mut self, block: ClValue, mask: i64, slow: Block) {
        let flags = self
            .builder
            .ins()
            .uload8(I64, block_read(), block, LAYOUT.object_flags);
        let set = self.builder.ins().band_imm_s(flags, mask);
        self.branch_unless_imm(IntCC::Equal, set, 0, slow);
    }

    /// [`Self::validated_head`] of `word` after checking its top 32 bits are
    /// `reference_high_word(kind)` (the tag, well-formedness and kind in one compare).
    pub(crate) fn reference_head_or(
        &mut self,
        word: ClValue,
        kind: Kind,
        slow: Block,
    ) -> ValidatedHead {
        let high = self.builder.ins().ushr_imm_s(word, 32);
        self.branch_unless_imm(IntCC::Equal, high, reference_high_word(kind), slow);
        self.validated_head(word, kind, slow)
    }

    /// [`Self::reference_head_or`] of a head whose count is exactly 1 (uniquely owned).
    pub(crate) fn unique_reference_head_or(
        &mut self,
        word: ClValue,
        kind: Kind,
        slow: Block,
    ) -> ValidatedHead {
        let head = self.reference_head_or(word, kind, slow);
        let count = self
            .builder
            .ins()
            .uload16(I64, block_read(), head.block, LAYOUT.ref_count);
        self.branch_unless_imm(IntCC::Equal, count, 1, slow);
        head
    }

    /// An op's inline fast path with its shim as the slow path: `fast` is emitted with a
    /// (cold) `slow` block to branch to on any unmet condition and must end by jumping to
    /// `join` with the op's word; `slow` calls `shim(args)` on the unchanged state (fallible
    /// at `op_index`). Returns the word at the join.
    pub(crate) fn inline_or_shim(
        &mut self,
        shim: Shim,
        args: &[ClValue],
        op_index: u32,
        fast: impl FnOnce(&mut Self, Block, Block),
    ) -> ClValue {
        let slow = self.builder.create_block();
        self.builder.set_cold_block(slow);
        let join = self.builder.create_block();
        let result = self.builder.append_block_param(join, I64);
        fast(self, slow, join);
        self.builder.switch_to_block(slow);
        let word = self.fallible_shim(shim, args, op_index);
        self.builder.ins().jump(join, &[BlockArg::Value(word)]);
        self.builder.switch_to_block(join);
        result
    }

    /// The block a heap word names, checked mapped and in the `Head` state (`slow`
    /// otherwise): the segment table, the block's segment and the block's start address.
    pub(crate) fn located_head_block(
        &mut self,
        word: ClValue,
        slow: Block,
    ) -> (ClValue, SegmentView, ClValue) {
        let segment = self.segment_number_or(word, slow);
        let table = self.segment_table();
        let view = self.segment_view(table, segment);
        let (index, block) = self.block_in_segment(word, view, slow);
        self.branch_unless_head_state(view, index, slow);
        (table, view, block)
    }

    /// Continues when block `index` of `view` is in the `Head` state; `slow` otherwise.
    fn branch_unless_head_state(&mut self, view: SegmentView, index: ClValue, slow: Block) {
        let state_address = self.builder.ins().iadd(view.states, index);
        let state = self
            .builder
            .ins()
            .uload8(I64, block_read(), state_address, 0);
        self.branch_unless_imm(IntCC::Equal, state, i64::from(LAYOUT.head_state), slow);
    }

    /// The slot of element `position` (`< length`, checked) of the validated list `head`,
    /// as an address to add `LAYOUT.list_node_first_slot` to, walked as
    /// `list::element_of_head` walks it: from the root, the slot at each level `l` is
    /// `q_l - fan_out(l) * q_(l+1)` (fan-out 7 at a leaf, 14 above) with each quotient `q_l`
    /// one multiply-high by `LIST_LEVEL_QUOTIENT_MAGICS[l]` (`q_0` is the position), so no
    /// level's slot waits for a chain of divisions. An interior node's slot is a `u32`
    /// child address plus one, a leaf's a value word. The walk keeps the table entry of the
    /// segment it is in and reloads it only when a node lives in another segment. A height
    /// above the runtime's maximum, a root word that is not a heap word, or a node address
    /// that names no mapped block (an empty child slot's 0 minus one names none) goes to
    /// `slow`; with [`ListWalk::Unique`], so does a node that is not a live `ListNode` head
    /// with count 1.
    pub(crate) fn walk_list_tree(
        &mut self,
        head: ValidatedHead,
        position: ClValue,
        slow: Block,
        checks: ListWalk,
    ) -> ClValue {
        let height = self
            .builder
            .ins()
            .uload8(I64, block_read(), head.block, LAYOUT.list_height);
        self.branch_unless_imm(
            IntCC::UnsignedLessThanOrEqual,
            height,
            LAYOUT.max_list_height,
            slow,
        );
        let root = self
            .builder
            .ins()
            .load(I64, block_read(), head.block, LAYOUT.list_root);
        let magics = self
            .builder
            .ins()
            .iconst(I64, LIST_LEVEL_QUOTIENT_MAGICS.as_ptr() as i64);
        // q_(height+1): 0 for a length within the tree's capacity, and exactly what the
        // runtime's `% 7` at the top level discards otherwise.
        let above_top = self.builder.ins().iadd_imm_s(height, 1);
        let quotient_above_root = self.level_quotient(magics, position, above_top);
        let root_tag = self.builder.ins().ushr_imm_s(root, i64::from(TAG_SHIFT));
        self.branch_unless_imm(IntCC::Equal, root_tag, TAG_HEAP as i64, slow);
        let root = self.builder.ins().band_imm_s(root, 0xFFFF_FFFF);

        // walk(level, node address, q_(level+1), segment, blocks, states, block_count).
        let walk = self.builder.create_block();
        let params: Vec<ClValue> = (0..7)
            .map(|_| self.builder.append_block_param(walk, I64))
            .collect();
        let (level, node, quotient_above) = (params[0], params[1], params[2]);
        let cached = (params[3], params[4], params[5], params[6]);
        let start = [
            height,
            root,
            quotient_above_root,
            head.view.number,
            head.view.blocks,
            head.view.states,
            head.view.block_count,
        ];
        self.builder.ins().jump(walk, &start.map(BlockArg::Value));

        self.builder.switch_to_block(walk);
        let shifted = self.builder.ins().ushr_imm_s(node, 16);
        let segment = self.builder.ins().band_imm_s(shifted, 0xFFFF);
        let located = self.builder.create_block();
        let here: Vec<ClValue> = (0..4)
            .map(|_| self.builder.append_block_param(located, I64))
            .collect();
        let other_segment = self.builder.create_block();
        let same = self.builder.ins().icmp(IntCC::Equal, segment, cached.0);
        let kept = [cached.0, cached.1, cached.2, cached.3].map(BlockArg::Value);
        self.builder
            .ins()
            .brif(same, located, &kept, other_segment, &[]);

        self.builder.switch_to_block(other_segment);
        self.branch_unless_imm(IntCC::UnsignedLessThan, segment, LAYOUT.max_segments, slow);
        let view = self.segment_view(head.table, segment);
        let loaded = [view.number, view.blocks, view.states, view.block_count].map(BlockArg::Value);
        self.builder.ins().jump(located, &loaded);

        self.builder.switch_to_block(located);
        let view = SegmentView {
            number: here[0],
            blocks: here[1],
            states: here[2],
            block_count: here[3],
        };
        let (index, block) = self.block_in_segment(node, view, slow);
        if checks == ListWalk::Unique {
            self.branch_unless_unique_head(view, index, block, Kind::ListNode, slow);
        }
        let quotient = self.level_quotient(magics, position, level);
        let descend = self.builder.create_block();
        let found = self.builder.create_block();
        let at_leaf = self.builder.ins().icmp_imm_s(IntCC::Equal, level, 0);
        self.builder.ins().brif(at_leaf, found, &[], descend, &[]);

        self.builder.switch_to_block(descend);
        let times_slots = self
            .builder
            .ins()
            .imul_imm_s(quotient_above, LAYOUT.list_branch_slots);
        let digit = self.builder.ins().isub(quotient, times_slots);
        let slot_offset = self.builder.ins().ishl_imm_s(digit, 2);
        let slot = self.builder.ins().iadd(block, slot_offset);
        let stored = self
            .builder
            .ins()
            .uload32(block_read(), slot, LAYOUT.list_node_first_slot);
        let child = self.builder.ins().iadd_imm_s(stored, -1);
        let child = self.builder.ins().band_imm_s(child, 0xFFFF_FFFF);
        let below = self.builder.ins().iadd_imm_s(level, -1);
        let next = [
            below,
            child,
            quotient,
            view.number,
            view.blocks,
            view.states,
            view.block_count,
        ];
        self.builder.ins().jump(walk, &next.map(BlockArg::Value));
        self.builder.switch_to_block(found);
        let times_slots = self
            .builder
            .ins()
            .imul_imm_s(quotient_above, LAYOUT.list_leaf_slots);
        let digit = self.builder.ins().isub(quotient, times_slots);
        let slot_offset = self.builder.ins().ishl_imm_s(digit, 3);
        self.builder.ins().iadd(block, slot_offset)
    }

    /// Continues when block `index` of `view` (starting at `block`) is a live head of
    /// `kind` with count exactly 1 (`checked_head`'s checks plus `make_unique`'s in-place
    /// test); branches to `slow` otherwise.
    pub(crate) fn branch_unless_unique_head(
        &mut self,
        view: SegmentView,
        index: ClValue,
        block: ClValue,
        kind: Kind,
        slow: Block,
    ) {
        self.branch_unless_head_state(view, index, slow);
        let count = self
            .builder
            .ins()
            .uload16(I64, block_read(), block, LAYOUT.ref_count);
        self.branch_unless_imm(IntCC::Equal, count, 1, slow);
        let stored_kind = self
            .builder
            .ins()
            .uload8(I64, block_read(), block, LAYOUT.kind);
        self.branch_unless_imm(IntCC::Equal, stored_kind, kind as i64, slow);
    }

    /// `position / (7 * 14^(level-1))` (`level <= MAX_LIST_HEIGHT + 1`): the position itself
    /// at level 0, else a multiply-high by the level's magic.
    pub(crate) fn level_quotient(
        &mut self,
        magics: ClValue,
        position: ClValue,
        level: ClValue,
    ) -> ClValue {
        let offset = self.builder.ins().ishl_imm_s(level, 3);
        let address = self.builder.ins().iadd(magics, offset);
        let magic =
            self.builder
                .ins()
                .load(I64, MemFlagsData::trusted().with_readonly(), address, 0);
        let quotient = self.builder.ins().umulhi(position, magic);
        let is_leaf_level = self.builder.ins().icmp_imm_s(IntCC::Equal, level, 0);
        self.builder.ins().select(is_leaf_level, position, quotient)
    }
}
