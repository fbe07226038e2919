//! Test-only heap corruption (docs/MEMORY.md, "Deliberate corruption"; feature `corruption`):
//! functions that damage a heap on purpose, behind the heap's back (no event, no shadow-count
//! update), so tests can prove that the ownership check, the shadow counts and the guarded heap
//! operations each catch the damage and name the block. Never compiled into a normal build.
//!
//! Block addresses are `u32` (`segment << 16 | index`) as everywhere in the audit API. Each
//! function refuses (with a message) a request it cannot carry out, and never panics.

use crate::heap::{BlockState, Heap, NO_BLOCK};
use crate::objects::children::{SlotLocation, child_slots};
use crate::objects::header::{KIND_OFFSET, reference};
use crate::objects::tuple;
use crate::value::Kind;

use super::graph::index_in_heap;

/// Why a corruption was not carried out.
pub type CorruptionRefused = String;

fn index_of(heap: &Heap, block: u32) -> Result<u32, CorruptionRefused> {
    index_in_heap(heap, block).ok_or_else(|| format!("block {block} is outside the heap"))
}

fn head_index(heap: &Heap, block: u32) -> Result<u32, CorruptionRefused> {
    let index = index_of(heap, block)?;
    match heap.state(index) {
        Some(BlockState::Head) => Ok(index),
        other => Err(format!("block {block} is not a head ({other:?})")),
    }
}

/// The blocks of a chain, head first, following only tails (stops at anything else).
fn tails_of(heap: &Heap, head: u32) -> Vec<u32> {
    let mut chain = vec![head];
    let mut next = heap.memory().next(head);
    while next != NO_BLOCK && heap.state(next) == Some(BlockState::Tail) && !chain.contains(&next) {
        chain.push(next);
        next = heap.memory().next(next);
    }
    chain
}

/// Frees `block` a second time. A free block is pushed on the free list again (the list now
/// loops through it and a later `malloc` hands it out twice); a live head has its chain put
/// on the free list while its holders still reference it (so a later release or retain hits
/// a free block). Neither records an event.
pub fn double_free(heap: &mut Heap, block: u32) -> Result<(), CorruptionRefused> {
    let index = index_of(heap, block)?;
    match heap.state(index) {
        Some(BlockState::Free) => heap.push_free_for_corruption(index),
        Some(BlockState::Head) => {
            for member in tails_of(heap, index) {
                heap.push_free_for_corruption(member);
            }
        }
        other => return Err(format!("block {block} is not free or a head ({other:?})")),
    }
    Ok(())
}

/// Adds `delta` to `REF_COUNT` of head `block` without an event (saturating at 0 and
/// 0xFFFF). Returns the new count.
pub fn drift_count(heap: &mut Heap, block: u32, delta: i32) -> Result<u16, CorruptionRefused> {
    let index = head_index(heap, block)?;
    let drifted = (i32::from(heap.ref_count(index)) + delta).clamp(0, i32::from(u16::MAX)) as u16;
    heap.memory_mut().set_ref_count(index, drifted);
    Ok(drifted)
}

/// Overwrites child slot `slot` (position in `objects::children::child_slots`) of head
/// `holder` with a reference to `target` (typically a freed block), using the kind byte still
/// in `target` (Tuple when it is not a kind). The word it replaces is dropped uncounted.
pub fn dangle_payload_pointer(
    heap: &mut Heap,
    holder: u32,
    slot: usize,
    target: u32,
) -> Result<(), CorruptionRefused> {
    let location = child_slot(heap, holder, slot)?;
    let target_index = index_of(heap, target)?;
    let kind =
        Kind::from_u8(heap.memory().read_u8(target_index, KIND_OFFSET)).unwrap_or(Kind::Tuple);
    location.write(heap, reference(kind, target_index));
    Ok(())
}

fn child_slot(heap: &Heap, holder: u32, slot: usize) -> Result<SlotLocation, CorruptionRefused> {
    let index = head_index(heap, holder)?;
    let kind = Kind::from_u8(heap.memory().read_u8(index, KIND_OFFSET))
        .ok_or_else(|| format!("block {holder} has no valid kind byte"))?;
    let slots = child_slots(heap, index, kind).map_err(|error| error.message)?;
    slots.get(slot).copied().ok_or_else(|| {
        format!(
            "block {holder} ({kind:?}) has {} child slots, not {}",
            slots.len(),
            slot + 1
        )
    })
}

/// Makes Refs `ref_a` and `ref_b` hold each other (slot 0 of each names the other), as RT0403
/// forbids. Counts are left alone; the values they held before are dropped uncounted.
pub fn ref_cycle(heap: &mut Heap, ref_a: u32, ref_b: u32) -> Result<(), CorruptionRefused> {
    let a = head_index(heap, ref_a)?;
    let b = head_index(heap, ref_b)?;
    for index in [a, b] {
        if heap.memory().read_u8(index, KIND_OFFSET) != Kind::Ref as u8 {
            return Err(format!("block {index} is not a Ref"));
        }
    }
    for (holder, held) in [(a, b), (b, a)] {
        let slot = tuple::slot_at(heap, holder, 0)
            .ok_or_else(|| format!("Ref block {holder} has no slot"))?;
        slot.write(heap, reference(Kind::Ref, held));
    }
    Ok(())
}

/// Points the last `BLOCK_NEXT` of the chain of `head` at `target` (a free block, another
/// chain's block, or any index at all), so the chain no longer ends at `INVALID`.
pub fn break_chain(heap: &mut Heap, head: u32, target: u32) -> Result<(), CorruptionRefused> {
    let index = head_index(heap, head)?;
    let last = tails_of(heap, index).last().copied().unwrap_or(index);
    if target >> 16 != last >> 16 {
        return Err(format!(
            "block {target} is in another segment than the chain of {head}"
        ));
    }
    heap.memory_mut().set_next_index(last, target as u16);
    Ok(())
}
