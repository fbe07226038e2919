//! Tests of `inline_heap_layout`: a reader that follows only the published layout, with raw
//! reads as the JIT's inline code makes them, finds the same lengths and elements as the
//! object layer and refuses exactly the references `checked_head` refuses, across segments.

use super::*;
use crate::Limits;
use crate::objects::{list, release};
use crate::value::Value;

const LAYOUT: InlineHeapLayout = Context::INLINE_HEAP_LAYOUT;

/// Reads a `T` at `address`.
///
/// # Safety
/// `address` must be readable for `size_of::<T>()` bytes (any alignment).
unsafe fn read<T: Copy>(address: usize) -> T {
    // SAFETY: the caller guarantees the bytes are readable; unaligned reads are allowed.
    unsafe { std::ptr::read_unaligned(address as *const T) }
}

/// The segment table entry of `segment` as compiled code loads it from the context.
fn entry(context: &Context, segment: usize) -> SegmentTableEntry {
    let context_address = std::ptr::from_ref(context) as usize;
    // SAFETY: `segment_table` is the offset of the table's `Box` (one pointer) inside the
    // live `context`, and the box holds `max_segments` entries (`segment < max_segments`
    // is checked by every caller).
    unsafe {
        let table: usize = read(context_address + LAYOUT.segment_table as usize);
        read(table + (segment << LAYOUT.segment_entry_shift))
    }
}

/// The start of the block a heap word names when its address is in a mapped segment.
fn block_start(context: &Context, word: u64) -> Option<(usize, SegmentTableEntry, usize)> {
    let segment = (word >> 16) as u16 as usize;
    let index = word as u16 as usize;
    if segment as i64 >= LAYOUT.max_segments {
        return None;
    }
    let entry = entry(context, segment);
    (index < entry.block_count as usize).then(|| {
        (
            entry.blocks_address + (index << LAYOUT.block_shift),
            entry,
            index,
        )
    })
}

/// The block of a valid head of `kind` by the layout's checks (`None` where compiled code
/// falls back to the shim).
fn inline_head(context: &Context, word: u64, kind: Kind) -> Option<usize> {
    if (word >> 32) as i64 != reference_high_word(kind) {
        return None;
    }
    let (block, entry, index) = block_start(context, word)?;
    // SAFETY: `index < block_count`, so the state byte and the 64-byte block are inside the
    // segment's state array and mapping (the table's invariant).
    let (state, count, stored_kind) = unsafe {
        (
            read::<u8>(entry.states_address + index),
            read::<u16>(block + LAYOUT.ref_count as usize),
            read::<u8>(block + LAYOUT.kind as usize),
        )
    };
    (state == LAYOUT.head_state && count != 0 && stored_kind == kind as u8).then_some(block)
}

/// `xs[index]` by the layout (borrowed), `None` where compiled code falls back.
fn inline_list_element(context: &Context, word: u64, index: u64) -> Option<u64> {
    let head = inline_head(context, word, Kind::List)?;
    // SAFETY: `head` is a validated block start; the offsets are inside its 64 bytes.
    let (length, height, mut node) = unsafe {
        (
            read::<u32>(head + LAYOUT.list_length as usize),
            read::<u8>(head + LAYOUT.list_height as usize),
            read::<u64>(head + LAYOUT.list_root as usize),
        )
    };
    if index >= u64::from(length) || i64::from(height) > LAYOUT.max_list_height {
        return None;
    }
    // The slot at level `l` is `q_l - fan_out(l) * q_(l+1)`, `q_l` the index divided by
    // the elements under one node of level `l - 1` (one multiply-high each).
    let quotient = |level: usize| match level {
        0 => index,
        _ => ((u128::from(index) * u128::from(LIST_LEVEL_QUOTIENT_MAGICS[level])) >> 64) as u64,
    };
    if node >> 48 != TAG_HEAP {
        return None;
    }
    // From here on `node` is a block address (the root word's low 32 bits, then the child
    // addresses minus one).
    node &= 0xFFFF_FFFF;
    for level in (0..=usize::from(height)).rev() {
        let fan_out = if level == 0 {
            LAYOUT.list_leaf_slots
        } else {
            LAYOUT.list_branch_slots
        };
        let digit = quotient(level) - fan_out as u64 * quotient(level + 1);
        let (block, ..) = block_start(context, node)?;
        let first = block + LAYOUT.list_node_first_slot as usize;
        if level == 0 {
            // SAFETY: `block` is inside a mapped segment and the slot inside its 64 bytes.
            return Some(unsafe { read::<u64>(first + 8 * digit as usize) });
        }
        // SAFETY: as above; a child address is a `u32` at `4 * digit`.
        node = u64::from(unsafe { read::<u32>(first + 4 * digit as usize) }.wrapping_sub(1));
    }
    None
}

fn list_of(context: &mut Context, length: i64) -> Value {
    let items = (0..length).map(|i| Value::int(i * 3).unwrap()).collect();
    list::list_from_values(&mut context.heap, items).unwrap()
}

#[test]
fn the_divide_by_seven_magic_is_exact_for_32_bit_dividends() {
    let low = 0..1u64 << 20;
    let high = (1u64 << 32) - (1 << 20)..1u64 << 32;
    let strided = (0..1u64 << 32).step_by(7 * 4099);
    for n in low.chain(high).chain(strided) {
        for m in [n, n.saturating_sub(1), n + 1].map(|m| m.min(u64::from(u32::MAX))) {
            let quotient = (u128::from(m) * u128::from(DIVIDE_BY_SEVEN_MAGIC)) >> 64;
            assert_eq!(quotient as u64, m / 7, "n = {m}");
        }
    }
}

#[test]
fn the_level_quotient_magics_divide_by_every_level_capacity_exactly() {
    for (level, &magic) in LIST_LEVEL_QUOTIENT_MAGICS.iter().enumerate().skip(1) {
        let divisor = 7 * 14u64.pow(level as u32 - 1);
        let magic = u128::from(magic);
        let around_multiples = (1..=6u64).flat_map(|k| {
            let multiple = (k * divisor).min(u64::from(u32::MAX));
            [
                multiple - 1,
                multiple,
                (multiple + 1).min(u64::from(u32::MAX)),
            ]
        });
        let strided = (0..1u64 << 32).step_by(65_537 * 3);
        for n in around_multiples
            .chain(strided)
            .chain([0, 1, u64::from(u32::MAX)])
        {
            assert_eq!(
                ((u128::from(n) * magic) >> 64) as u64,
                n / divisor,
                "{n} / 7 * 14^({level} - 1)"
            );
        }
    }
    assert_eq!(LIST_LEVEL_QUOTIENT_MAGICS[9], 0, "7 * 14^8 > 2^32");
}

#[test]
fn the_layout_reads_lists_tuples_and_maps_as_the_object_layer_does() {
    let mut context = Context::new(Limits::default()).unwrap();
    for length in [0, 1, 7, 8, 98, 99, 1373, 19_209] {
        let xs = list_of(&mut context, length);
        let head = inline_head(&context, xs.bits(), Kind::List).expect("a valid list");
        // SAFETY: a validated block start; the length field is inside the block.
        let stored = unsafe { read::<u32>(head + LAYOUT.list_length as usize) };
        assert_eq!(stored as usize, list::length_of(&context.heap, xs).unwrap());
        for index in 0..length as u64 + 2 {
            let expected = list::element_at(&context.heap, xs, index as usize).unwrap();
            assert_eq!(
                inline_list_element(&context, xs.bits(), index),
                expected.map(Value::bits),
                "length {length}, index {index}"
            );
        }
        assert_eq!(inline_head(&context, xs.bits(), Kind::Tuple), None);
        release(&mut context.heap, xs).unwrap();
        assert_eq!(inline_head(&context, xs.bits(), Kind::List), None, "freed");
    }
    let items = (0..5).map(|i| Value::int(i).unwrap()).collect();
    let tuple = crate::objects::tuple::tuple_from_values(&mut context.heap, items).unwrap();
    let head = inline_head(&context, tuple.bits(), Kind::Tuple).unwrap();
    // SAFETY: a validated block start; the fields are inside the block.
    unsafe {
        assert_eq!(read::<u32>(head + LAYOUT.tuple_length as usize), 5);
        let slot = head + LAYOUT.tuple_first_slot as usize + 8 * 4;
        assert_eq!(read::<u64>(slot), Value::int(4).unwrap().bits());
    }
    release(&mut context.heap, tuple).unwrap();
    let map = crate::objects::map::empty_map(&mut context.heap).unwrap();
    let head = inline_head(&context, map.bits(), Kind::Map).unwrap();
    // SAFETY: a validated block start; the field is inside the block.
    assert_eq!(unsafe { read::<u32>(head + LAYOUT.map_length as usize) }, 0);
    release(&mut context.heap, map).unwrap();
    assert_eq!(context.heap.blocks_in_use(), 0);
}

#[test]
fn the_layout_follows_trees_into_later_segments_and_refuses_bad_references() {
    let mut context = Context::new(Limits::default()).unwrap();
    // Nearly fill segment 0 so that the list's nodes land in segments 0 and 1.
    let filler = context.heap.malloc_blocks(65_000, false).unwrap();
    let xs = list_of(&mut context, 5_000);
    assert_eq!(context.heap.segment_count(), 2);
    for index in (0..5_000).step_by(37).chain([4_999]) {
        let expected = list::element_at(&context.heap, xs, index).unwrap();
        assert_eq!(
            inline_list_element(&context, xs.bits(), index as u64),
            expected.map(Value::bits)
        );
    }
    let bad_words = [
        xs.bits() | 1 << 40,                     // malformed: bits 40..48 set
        (xs.bits() & !0xFFFF_FFFF) | 2 << 16,    // segment 2 is not mapped
        (xs.bits() & !0xFFFF_FFFF) | 1024 << 16, // past the last possible segment
        (xs.bits() & !0xFFFF) | 0xFFFF,          // index past the segment's blocks
        (xs.bits() & !0xFFFF_FFFF) | (u64::from(filler) + 1), // a tail block
    ];
    for word in bad_words {
        assert_eq!(inline_head(&context, word, Kind::List), None, "{word:#x}");
        assert!(
            crate::objects::checked_head(&context.heap, Value(word), Some(Kind::List)).is_err()
        );
    }
    release(&mut context.heap, xs).unwrap();
    context.heap.free_chain(filler).unwrap();
    assert_eq!(context.heap.blocks_in_use(), 0);
}

#[test]
fn the_layout_reads_tuple_tails_object_flags_and_the_list_tail_epoch() {
    let mut context = Context::new(Limits::default()).unwrap();
    let items = (0..13).map(|i| Value::int(i * 10).unwrap()).collect();
    let tuple = crate::objects::tuple::tuple_from_values(&mut context.heap, items).unwrap();
    let (head, entry, _) = block_start(&context, tuple.bits()).unwrap();
    // SAFETY: a validated block start; `BLOCK_NEXT` is inside it, and the tail index is
    // checked below the segment's block count before its block is read.
    unsafe {
        let next = read::<u16>(head + LAYOUT.block_next as usize);
        assert_ne!(i64::from(next), LAYOUT.no_next_block);
        assert!(u64::from(next) < entry.block_count);
        let tail = entry.blocks_address + (usize::from(next) << LAYOUT.block_shift);
        for slot in 0..LAYOUT.tuple_tail_slots as usize {
            let word = read::<u64>(tail + LAYOUT.tuple_tail_first_slot as usize + 8 * slot);
            let expected = crate::objects::tuple::element_at(&context.heap, tuple, 6 + slot);
            assert_eq!(
                Some(word),
                expected.unwrap().map(Value::bits),
                "slot {slot}"
            );
        }
        let last = read::<u16>(tail + LAYOUT.block_next as usize);
        assert_eq!(
            i64::from(last),
            LAYOUT.no_next_block,
            "the chain ends at the tail"
        );
    }
    release(&mut context.heap, tuple).unwrap();

    let nan = Value::float(f64::NAN);
    let flagged =
        crate::objects::tuple::tuple_from_values(&mut context.heap, vec![nan, nan]).unwrap();
    let head = inline_head(&context, flagged.bits(), Kind::Tuple).unwrap();
    // SAFETY: a validated block start; the flag byte is inside it.
    let flags = unsafe { read::<u8>(head + LAYOUT.object_flags as usize) };
    assert_eq!(
        i64::from(flags) & LAYOUT.inherited_flag_mask,
        i64::from(crate::objects::header::inherited_flags(
            &context.heap,
            flagged
        ))
    );
    assert_ne!(i64::from(flags) & LAYOUT.inherited_flag_mask, 0);
    release(&mut context.heap, flagged).unwrap();

    // A Tuple holding a Ref carries `contains_ref_flag`; one holding only NaNs does not.
    let cell =
        crate::abi::shims::refs::ref_cell_new(&mut context.heap, Value::int(1).unwrap()).unwrap();
    let holder = crate::objects::tuple::tuple_from_values(&mut context.heap, vec![cell]).unwrap();
    let no_ref = crate::objects::tuple::tuple_from_values(&mut context.heap, vec![nan]).unwrap();
    for (tuple, holds_ref) in [(holder, true), (no_ref, false)] {
        let head = inline_head(&context, tuple.bits(), Kind::Tuple).unwrap();
        // SAFETY: a validated block start; the flag byte is inside it.
        let flags = unsafe { read::<u8>(head + LAYOUT.object_flags as usize) };
        assert_eq!(i64::from(flags) & LAYOUT.contains_ref_flag != 0, holds_ref);
        release(&mut context.heap, tuple).unwrap();
    }

    context.heap.invalidate_list_tail_caches();
    let context_address = std::ptr::from_ref(&context) as usize;
    // SAFETY: `list_tail_epoch` is the offset of a `u64` field inside the live context.
    let epoch = unsafe { read::<u64>(context_address + LAYOUT.list_tail_epoch as usize) };
    assert_eq!(epoch, context.heap.list_tail_epoch());
    let stamp = context.heap.program_stamp_for_closure().unwrap();
    assert_ne!(stamp, 0);
    let context_address = std::ptr::from_ref(&context) as usize;
    // SAFETY: `program_stamp` is the offset of a `u32` field inside the live context.
    let read_stamp = unsafe { read::<u32>(context_address + LAYOUT.program_stamp as usize) };
    assert_eq!(read_stamp, context.heap.program_stamp());
    assert_eq!(
        LAYOUT.closure_function_bits,
        i64::from(crate::heap::programs::FUNCTION_BITS)
    );
    assert_eq!(context.heap.blocks_in_use(), 0);
}

#[test]
fn the_layout_reads_a_list_heads_tail_leaf_cache() {
    let mut context = Context::new(Limits::default()).unwrap();
    let mut list = list_of(&mut context, 0);
    for i in 0..10 {
        list = crate::objects::list_update::push(&mut context.heap, list, Value::int(i).unwrap())
            .unwrap();
    }
    let head = inline_head(&context, list.bits(), Kind::List).unwrap();
    // SAFETY: a validated block start; both cache fields are inside its payload.
    let (leaf, epoch) = unsafe {
        (
            read::<u32>(head + LAYOUT.list_tail_leaf as usize),
            read::<u64>(head + LAYOUT.list_tail_leaf_epoch as usize),
        )
    };
    let block = list.heap_block().unwrap();
    let memory = context.heap.memory();
    assert_eq!(
        leaf,
        memory.read_u32(block, crate::objects::list_tail::LIST_TAIL_LEAF_OFFSET)
    );
    assert_eq!(
        epoch,
        memory.read_u64(block, crate::objects::list_tail::LIST_TAIL_EPOCH_OFFSET)
    );
    assert_eq!(
        epoch,
        context.heap.list_tail_epoch(),
        "a push recorded the cache"
    );
    // The leaf holds elements 7..10, the last at slot 2.
    let node = crate::objects::header::reference(Kind::ListNode, leaf);
    let (start, _, _) = block_start(&context, node.bits()).unwrap();
    // SAFETY: a mapped block's start; slot 2 is inside its payload.
    let last = unsafe { read::<u64>(start + LAYOUT.list_node_first_slot as usize + 16) };
    assert_eq!(last, Value::int(9).unwrap().bits());
    release(&mut context.heap, list).unwrap();
    assert_eq!(context.heap.blocks_in_use(), 0);
}
