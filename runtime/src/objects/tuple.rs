//! Tuple: a fixed-length array of value words in one chain (Seq, Closure and Ref objects
//! use the same layout with their own kind byte).
//!
//! Head payload: header, `[4..8)` element count (u32), then elements 0..6 at `8 + 8 * i`;
//! each tail block holds 7 more words at `8 * j` (bytes 56..60 of every block are unused).

use crate::error::RuntimeError;
use crate::heap::{Heap, NO_BLOCK, SEGMENT_BLOCKS};
use crate::value::{Kind, Value};

use super::children::SlotLocation;
use super::header::{checked_head, inherited_flags, reference, write_object_header};
use super::list::release_all;

pub const TUPLE_LENGTH_OFFSET: usize = 4;
pub const TUPLE_HEAD_FIRST_SLOT_OFFSET: usize = 8;
pub const TUPLE_HEAD_SLOTS: usize = 6;
pub const TUPLE_TAIL_SLOTS: usize = 7;

/// Blocks a tuple of `count` elements occupies.
pub fn blocks_for_count(count: usize) -> u32 {
    1 + count
        .saturating_sub(TUPLE_HEAD_SLOTS)
        .div_ceil(TUPLE_TAIL_SLOTS) as u32
}

pub fn tuple_length(heap: &Heap, head: u32) -> usize {
    heap.memory().read_u32(head, TUPLE_LENGTH_OFFSET) as usize
}

/// Element `index` (borrowed) of the validated object with the Tuple layout at `head` when
/// it lies in the head block; `None` past the length or the head's slots (a caller's fast
/// path then takes [`slot_at`]'s walk).
#[inline]
pub fn head_block_element(heap: &Heap, head: u32, index: usize) -> Option<Value> {
    (index < tuple_length(heap, head).min(TUPLE_HEAD_SLOTS)).then(|| {
        Value(
            heap.memory()
                .read_u64(head, TUPLE_HEAD_FIRST_SLOT_OFFSET + 8 * index),
        )
    })
}

/// The slot of element `index` of a validated object with the Tuple layout, without
/// allocating (walks the chain from the head; `None` past the length or a short chain).
pub fn slot_at(heap: &Heap, head: u32, index: usize) -> Option<SlotLocation> {
    if index >= tuple_length(heap, head) {
        return None;
    }
    if index < TUPLE_HEAD_SLOTS {
        return Some(SlotLocation::word(
            head,
            TUPLE_HEAD_FIRST_SLOT_OFFSET + 8 * index,
        ));
    }
    let rest = index - TUPLE_HEAD_SLOTS;
    let mut block = head;
    for _ in 0..=rest / TUPLE_TAIL_SLOTS {
        block = heap.memory().next(block);
        if block == crate::heap::NO_BLOCK {
            return None;
        }
    }
    Some(SlotLocation::word(block, 8 * (rest % TUPLE_TAIL_SLOTS)))
}

/// The slot of every element, in order (walks the chain once).
pub fn element_slots(heap: &Heap, head: u32) -> Vec<SlotLocation> {
    let mut slots = Vec::with_capacity(tuple_length(heap, head).min(TUPLE_HEAD_SLOTS));
    visit_element_slots(heap, head, |slot| slots.push(slot));
    slots
}

/// Calls `visit` with the slot of every element, in order, walking the chain once without
/// allocating. The length is read from the heap and never trusted further than the chain
/// reaches (a short or corrupt chain ends the walk, as [`Heap::chain`] cuts it; `elements`
/// reports it).
pub fn visit_element_slots(heap: &Heap, head: u32, mut visit: impl FnMut(SlotLocation)) {
    let count = tuple_length(heap, head);
    for index in 0..count.min(TUPLE_HEAD_SLOTS) {
        visit(SlotLocation::word(
            head,
            TUPLE_HEAD_FIRST_SLOT_OFFSET + 8 * index,
        ));
    }
    let mut remaining = count.saturating_sub(TUPLE_HEAD_SLOTS);
    let mut block = head;
    // Blocks of the chain visited so far (the head): `Heap::chain` stops after
    // `SEGMENT_BLOCKS + 1` blocks.
    let mut blocks_seen = 1usize;
    while remaining > 0 {
        block = heap.memory().next(block);
        if block == NO_BLOCK
            || !heap.memory().contains(block)
            || blocks_seen > SEGMENT_BLOCKS as usize
        {
            break;
        }
        blocks_seen += 1;
        for slot in 0..remaining.min(TUPLE_TAIL_SLOTS) {
            visit(SlotLocation::word(block, 8 * slot));
        }
        remaining = remaining.saturating_sub(TUPLE_TAIL_SLOTS);
    }
}

/// Builds a Tuple from owned `items` (consumed, also on failure).
pub fn tuple_from_values(heap: &mut Heap, items: Vec<Value>) -> Result<Value, RuntimeError> {
    slots_from_slice(heap, Kind::Tuple, &items)
}

/// Builds an object of `kind` with the Tuple layout (Tuple, Seq, Closure, Ref) from owned
/// `items` (consumed, also on failure). Its flags inherit "contains a Ref" from the items.
pub fn slots_from_values(
    heap: &mut Heap,
    kind: Kind,
    items: Vec<Value>,
) -> Result<Value, RuntimeError> {
    slots_from_slice(heap, kind, &items)
}

/// [`slots_from_values`] from a slice of owned words (consumed, also on failure): the
/// engines' word arrays are read in place, with no host allocation.
pub fn slots_from_slice(
    heap: &mut Heap,
    kind: Kind,
    items: &[Value],
) -> Result<Value, RuntimeError> {
    let head = match heap.malloc_blocks(blocks_for_count(items.len()), false) {
        Ok(head) => head,
        Err(error) => {
            release_all(heap, items);
            return Err(error.into());
        }
    };
    let flags = items
        .iter()
        .fold(0, |acc, &v| acc | inherited_flags(heap, v));
    write_object_header(heap, head, kind, flags);
    heap.memory_mut()
        .write_u32(head, TUPLE_LENGTH_OFFSET, items.len() as u32);
    // The fresh chain is exactly `blocks_for_count(len)` long: the head's 6 slots, then 7
    // per tail block.
    // Each block's slots are written through one payload slice (one bounds check a block).
    let write_words = |payload: &mut [u8], first: usize, words: &[Value]| {
        let bytes = &mut payload[first..first + 8 * words.len()];
        for (slot, value) in bytes.chunks_exact_mut(8).zip(words) {
            slot.copy_from_slice(&value.bits().to_le_bytes());
        }
    };
    let (first, rest) = items.split_at(items.len().min(TUPLE_HEAD_SLOTS));
    write_words(
        heap.memory_mut().payload_mut(head),
        TUPLE_HEAD_FIRST_SLOT_OFFSET,
        first,
    );
    let mut block = head;
    for words in rest.chunks(TUPLE_TAIL_SLOTS) {
        block = heap.memory().next(block);
        write_words(heap.memory_mut().payload_mut(block), 0, words);
    }
    Ok(reference(kind, head))
}

/// The elements of a validated Tuple (borrowed, not retained).
pub fn elements(heap: &Heap, tuple: Value) -> Result<Vec<Value>, RuntimeError> {
    slot_values(heap, tuple, Kind::Tuple)
}

/// The slot words of a validated object of `kind` with the Tuple layout (borrowed).
pub fn slot_values(heap: &Heap, tuple: Value, kind: Kind) -> Result<Vec<Value>, RuntimeError> {
    let head = checked_head(heap, tuple, Some(kind))?;
    let slots = element_slots(heap, head);
    if slots.len() != tuple_length(heap, head) {
        return Err(RuntimeError::invalid_reference(&format!(
            "Tuple at block {head} has a chain too short for its {} elements",
            tuple_length(heap, head)
        )));
    }
    Ok(slots.into_iter().map(|slot| slot.read(heap)).collect())
}

/// Element `index` (borrowed), or `None` when out of range.
pub fn element_at(heap: &Heap, tuple: Value, index: usize) -> Result<Option<Value>, RuntimeError> {
    Ok(element_and_length(heap, tuple, index)?.0)
}

/// Element `index` (borrowed, `None` when out of range) and the length, validating the
/// Tuple once.
///
/// Allocates nothing: it checks what `elements` checks (a chain long enough for the length,
/// counted as `Heap::chain` counts it; one block for a Tuple of up to 6 elements) and reads
/// the one slot.
pub fn element_and_length(
    heap: &Heap,
    tuple: Value,
    index: usize,
) -> Result<(Option<Value>, usize), RuntimeError> {
    let head = checked_head(heap, tuple, Some(Kind::Tuple))?;
    let length = tuple_length(heap, head);
    if length > TUPLE_HEAD_SLOTS {
        let needed = blocks_for_count(length) as usize;
        if chain_length_up_to(heap, head, needed) < needed {
            return Err(RuntimeError::invalid_reference(&format!(
                "Tuple at block {head} has a chain too short for its {length} elements"
            )));
        }
    }
    Ok((
        slot_at(heap, head, index).map(|slot| slot.read(heap)),
        length,
    ))
}

/// The number of blocks `Heap::chain(head)` would return, counting no further than `limit`.
fn chain_length_up_to(heap: &Heap, head: u32, limit: usize) -> usize {
    let memory = heap.memory();
    let mut count = 0;
    let mut block = head;
    while count < limit
        && block != crate::heap::NO_BLOCK
        && memory.contains(block)
        && count <= crate::heap::SEGMENT_BLOCKS as usize
    {
        count += 1;
        block = memory.next(block);
    }
    count
}

/// Length of a validated Tuple.
pub fn length_of(heap: &Heap, tuple: Value) -> Result<usize, RuntimeError> {
    Ok(tuple_length(
        heap,
        checked_head(heap, tuple, Some(Kind::Tuple))?,
    ))
}
