//! The one place that tells compiled code (the JIT) how to read heads, lists and tuples
//! inline: where the segment table is in the [`Context`], the byte offsets of block and
//! object fields relative to a block's start, and the words a valid reference must carry.
//! Everything here is derived from the heap's and the object layouts' own constants, and
//! the tests below read real objects through these numbers exactly as compiled code does.
//!
//! What an inline reader must check to agree with `checked_head` (and fall back to the shim
//! on the unchanged state whenever a check fails):
//! 1. the word's top 32 bits are `reference_high_word(kind)` (heap tag, bits 40..48 zero,
//!    the expected kind: `Value::is_well_formed` plus the kind test);
//! 2. its segment (bits 16..32) is below `max_segments` and its index (bits 0..16) below
//!    the segment's `block_count` in the segment table (0 for a segment not mapped yet);
//! 3. the block's state byte is `head_state`, its `REF_COUNT` is not 0, and its kind byte
//!    is the kind.
//!
//! Walking a list tree, the runtime reads each node word without checking its state or
//! kind, but `block_of` of a non-heap word and an address outside the mapped segments
//! panic (RT0001 through the shim's guard): an inline walk checks the heap tag and the
//! address range of every node word it follows and falls back to the shim otherwise.

use crate::context::Context;
use crate::heap::{
    BLOCK_SIZE, BlockState, HEADER_SIZE, INVALID, MAX_REF_COUNT, MAX_SEGMENTS, SegmentTableEntry,
};
use crate::objects::header::{FLAG_CONTAINS_REF, FLAG_MAY_HOLD_NAN, FLAGS_OFFSET, KIND_OFFSET};
use crate::objects::{list, list_tail, map, tuple};
use crate::value::{Kind, TAG_HEAP};

/// Byte offsets and constants for inline heap reads. Offsets marked "block" are relative
/// to the start of a block (its `BLOCK_NEXT` field), not to its payload.
#[derive(Clone, Copy, Debug)]
pub struct InlineHeapLayout {
    /// `Context` offset of the pointer to the segment table (`MAX_SEGMENTS` entries of
    /// `1 << segment_entry_shift` bytes; see `heap::segment_table`).
    pub segment_table: i32,
    pub segment_entry_shift: i64,
    pub entry_blocks_address: i32,
    pub entry_states_address: i32,
    pub entry_block_count: i32,
    pub max_segments: i64,
    /// `log2(BLOCK_SIZE)`: block `i` of a segment starts at `blocks_address + (i << shift)`.
    pub block_shift: i64,
    /// Block: `REF_COUNT` (u16).
    pub ref_count: i32,
    /// Block: the object kind byte (u8).
    pub kind: i32,
    /// The state byte of an allocated head.
    pub head_state: u8,
    /// Block: a List's tree height (u8), length (u32) and root word (u64).
    pub list_height: i32,
    pub list_length: i32,
    pub list_root: i32,
    /// Block: slot 0 of a `ListNode`: a leaf's value slot `s` is at `+ 8 * s`, an interior
    /// node's child address `s` (a `u32`, the child's block address plus one) at `+ 4 * s`.
    pub list_node_first_slot: i32,
    /// Value slots of a leaf and child addresses of an interior node.
    pub list_leaf_slots: i64,
    pub list_branch_slots: i64,
    /// The tallest tree the runtime walks (`list::MAX_LIST_HEIGHT`).
    pub max_list_height: i64,
    /// Block: a Tuple's length (u32) and its first head slot (slot `s < tuple_head_slots`
    /// at `+ 8 * s`).
    pub tuple_length: i32,
    pub tuple_first_slot: i32,
    pub tuple_head_slots: i64,
    /// Block: the header's `BLOCK_NEXT` (u16, the next block's index in the same segment;
    /// `no_next_block` ends a chain).
    pub block_next: i32,
    pub no_next_block: i64,
    /// Block: slot 0 of a tuple's tail block (slot `s < tuple_tail_slots` at `+ 8 * s`).
    pub tuple_tail_first_slot: i32,
    pub tuple_tail_slots: i64,
    /// Block: a Map's length (u32).
    pub map_length: i32,
    /// Block: an object's flag byte, and the flags a container inherits from an element
    /// (`header::inherited_flags`: a Ref's own flags plus `FLAG_CONTAINS_REF`, any other
    /// object's flags masked by this, a NaN's `FLAG_MAY_HOLD_NAN`).
    pub object_flags: i32,
    pub inherited_flag_mask: i64,
    /// `FLAG_CONTAINS_REF`: the object (transitively) holds a Ref, so no Ref cell may hold it
    /// (`r := v` and `ref(v)` check it).
    pub contains_ref_flag: i64,
    /// Block: a List head's tail-leaf cache (`list_tail.rs`): the rightmost leaf's address
    /// (u32) and the epoch it was recorded at (u64).
    pub list_tail_leaf: i32,
    pub list_tail_leaf_epoch: i32,
    /// `Context` offset of the heap's list-tail epoch (u64; docs/MEMORY.md, "Objects": the
    /// tail-leaf cache of a List head), which `set` advances.
    pub list_tail_epoch: i32,
    /// `Context` offset of the heap's `observing` flag (a `bool`: a trace or an audit is
    /// watching, so every count step must go through the shim and be recorded).
    pub observing: i32,
    /// `heap::MAX_REF_COUNT`: a count at it saturates (a retain copies instead).
    pub max_ref_count: i64,
    /// `Context` offset of the installed program's closure stamp (a `u32`; 0 until the
    /// program makes its first closure in this heap), which a Closure's slot 0 must carry
    /// (`heap::programs`: `stamp << closure_function_bits | function`).
    pub program_stamp: i32,
    pub closure_function_bits: i64,
}

const fn block_offset(payload_offset: usize) -> i32 {
    (HEADER_SIZE + payload_offset) as i32
}

impl Context {
    pub const INLINE_HEAP_LAYOUT: InlineHeapLayout = InlineHeapLayout {
        segment_table: std::mem::offset_of!(Context, heap.segment_table) as i32,
        segment_entry_shift: std::mem::size_of::<SegmentTableEntry>().trailing_zeros() as i64,
        entry_blocks_address: std::mem::offset_of!(SegmentTableEntry, blocks_address) as i32,
        entry_states_address: std::mem::offset_of!(SegmentTableEntry, states_address) as i32,
        entry_block_count: std::mem::offset_of!(SegmentTableEntry, block_count) as i32,
        max_segments: MAX_SEGMENTS as i64,
        block_shift: BLOCK_SIZE.trailing_zeros() as i64,
        ref_count: 2,
        kind: block_offset(KIND_OFFSET),
        head_state: BlockState::Head as u8,
        list_height: block_offset(list::LIST_HEIGHT_OFFSET),
        list_length: block_offset(list::LIST_LENGTH_OFFSET),
        list_root: block_offset(list::LIST_ROOT_OFFSET),
        list_node_first_slot: block_offset(list::NODE_FIRST_SLOT_OFFSET),
        list_leaf_slots: list::LEAF_SLOTS as i64,
        list_branch_slots: list::BRANCH_SLOTS as i64,
        max_list_height: list::MAX_LIST_HEIGHT as i64,
        tuple_length: block_offset(tuple::TUPLE_LENGTH_OFFSET),
        tuple_first_slot: block_offset(tuple::TUPLE_HEAD_FIRST_SLOT_OFFSET),
        tuple_head_slots: tuple::TUPLE_HEAD_SLOTS as i64,
        block_next: 0,
        no_next_block: INVALID as i64,
        tuple_tail_first_slot: block_offset(0),
        tuple_tail_slots: tuple::TUPLE_TAIL_SLOTS as i64,
        map_length: block_offset(map::MAP_LENGTH_OFFSET),
        object_flags: block_offset(FLAGS_OFFSET),
        inherited_flag_mask: (FLAG_CONTAINS_REF | FLAG_MAY_HOLD_NAN) as i64,
        contains_ref_flag: FLAG_CONTAINS_REF as i64,
        list_tail_leaf: block_offset(list_tail::LIST_TAIL_LEAF_OFFSET),
        list_tail_leaf_epoch: block_offset(list_tail::LIST_TAIL_EPOCH_OFFSET),
        list_tail_epoch: std::mem::offset_of!(Context, heap.list_tail_epoch) as i32,
        observing: std::mem::offset_of!(Context, heap.observing) as i32,
        max_ref_count: MAX_REF_COUNT as i64,
        program_stamp: std::mem::offset_of!(Context, heap.programs.stamp) as i32,
        closure_function_bits: crate::heap::programs::FUNCTION_BITS as i64,
    };
}

/// `n / 7` for every `n < 2^32` (a list index: lengths are `u32`) is the high 64 bits of
/// `n * DIVIDE_BY_SEVEN_MAGIC`: the magic is `ceil(2^35 / 7) << 29`, and `7 * ceil(2^35 /
/// 7) - 2^35 = 3 <= 2^3` makes the rounded-up reciprocal exact for 32-bit dividends (Granlund
/// and Montgomery, "Division by invariant integers using multiplication", Theorem 4.2). Compiled
/// code finds the base-7 digits of an index (a tree path) with it instead of dividing.
pub const DIVIDE_BY_SEVEN_MAGIC: u64 = 0x1_2492_4925 << 29;

/// `LIST_LEVEL_QUOTIENT_MAGICS[l]` for `1 <= l <= MAX_LIST_HEIGHT + 1`: `n / capacity(l -
/// 1)` (`7 * 14^(l-1)`, the elements under one node of level `l - 1`) for every `n < 2^32`
/// is the high 64 bits of `n * LIST_LEVEL_QUOTIENT_MAGICS[l]` (entry 0 is unused: the
/// quotient at level 0 is `n`; `7 * 14^8 > 2^32`, so entry 9 is 0). So compiled code finds
/// the slot of a list index at any tree level with one multiply that does not depend on the
/// levels above, and a walk's loads need not wait for a chain of divisions. A `static`: its
/// address is fixed for the life of the process and compiled code embeds it.
pub static LIST_LEVEL_QUOTIENT_MAGICS: [u64; list::MAX_LIST_HEIGHT + 2] = level_quotient_magics();

/// For `d = 7 * 14^(l-1)` with `b = ceil(log2 d)` bits, `m = ceil(2^(32+b) / d)` satisfies
/// `m * d - 2^(32+b) < d <= 2^b`, which makes `floor(n * m / 2^(32+b))` equal `n / d` for
/// every `n < 2^32` (Granlund and Montgomery, Theorem 4.2); `m < 2^33`, so `m << (32 - b)`
/// fits in 64 bits and its multiply-high is that quotient.
const fn level_quotient_magics() -> [u64; list::MAX_LIST_HEIGHT + 2] {
    let mut magics = [0u64; list::MAX_LIST_HEIGHT + 2];
    let mut level = 1;
    while level < magics.len() {
        let divisor = list::LEAF_SLOTS as u128 * (list::BRANCH_SLOTS as u128).pow(level as u32 - 1);
        if divisor <= u32::MAX as u128 {
            let bits = 128 - (divisor - 1).leading_zeros();
            let magic = (1u128 << (32 + bits)).div_ceil(divisor);
            magics[level] = (magic << (32 - bits)) as u64;
        }
        level += 1;
    }
    magics
}

const _: () = assert!(LIST_LEVEL_QUOTIENT_MAGICS_FIRST == DIVIDE_BY_SEVEN_MAGIC);
const LIST_LEVEL_QUOTIENT_MAGICS_FIRST: u64 = level_quotient_magics()[1];

const _: () = assert!(std::mem::size_of::<SegmentTableEntry>().is_power_of_two());

/// The top 32 bits of every valid reference to an object of `kind`.
pub const fn reference_high_word(kind: Kind) -> i64 {
    ((TAG_HEAP << 16) | kind as u64) as i64
}

#[cfg(test)]
#[path = "inline_heap_layout_tests.rs"]
mod tests;
