//! `left ++ right` for two Texts when the op owns `left` (`Builtin::ConcatOwnedLeft`, chosen
//! by lang's RC pass at `left`'s last use). A unique `left` (count 1) is appended to in
//! place: its chain grows by the tail blocks the new bytes need, taken from its head's
//! segment (`Heap::grow_chain_in_place`), and only `right`'s bytes are copied — so building
//! a Text piece by piece is linear, not quadratic. A shared `left`, or one whose segment has
//! no room for the new tails, is copied with `right` into a new chain (wherever `malloc`
//! puts it; the same on both engines) and then released.
//!
//! `left` is consumed on success and on failure; `right` is borrowed. Room is checked before
//! anything changes, so RT0401/RT0402 leave the heap as it was except that `left` is
//! released (what the op's cleanup did for it before it was owned).

use crate::error::RuntimeError;
use crate::heap::{BlockState, ChainGrowth, Heap, NO_BLOCK, USABLE_BLOCK_SIZE};
use crate::value::{Kind, Value};

use super::header::{checked_head, reference, write_object_header};
use super::release::{release, release_on_cleanup};
use super::text::{
    TEXT_BYTE_LENGTH_OFFSET, TEXT_BYTES_OFFSET, TEXT_CHAR_COUNT_OFFSET, set_text_last_block,
    text_last_block,
};

/// `left ++ right` for two Texts, `left` owned (see the module docs).
pub fn concat_texts_owned_left(
    heap: &mut Heap,
    left: Value,
    right: Value,
) -> Result<Value, RuntimeError> {
    match append_or_copy(heap, left, right) {
        Ok(Joined::InPlace) => Ok(left),
        Ok(Joined::Copied(copy)) => match release(heap, left) {
            Ok(()) => Ok(copy),
            Err(error) => {
                release_on_cleanup(heap, copy);
                Err(error)
            }
        },
        Err(error) => {
            release_on_cleanup(heap, left);
            Err(error)
        }
    }
}

enum Joined {
    /// `left` now holds both (its word is the result).
    InPlace,
    /// A new Text holding both; `left` is still to be released.
    Copied(Value),
}

/// The lengths of one Text, read from its (validated) head.
#[derive(Clone, Copy)]
struct TextShape {
    head: u32,
    bytes: u32,
    chars: u32,
}

fn shape(heap: &Heap, text: Value) -> Result<TextShape, RuntimeError> {
    let head = checked_head(heap, text, Some(Kind::Text))?;
    let memory = heap.memory();
    Ok(TextShape {
        head,
        bytes: memory.read_u32(head, TEXT_BYTE_LENGTH_OFFSET),
        chars: memory.read_u32(head, TEXT_CHAR_COUNT_OFFSET),
    })
}

fn append_or_copy(heap: &mut Heap, left: Value, right: Value) -> Result<Joined, RuntimeError> {
    let (left, right) = (shape(heap, left)?, shape(heap, right)?);
    let Some(bytes) = left.bytes.checked_add(right.bytes) else {
        return Err(RuntimeError::heap_exhausted(u32::MAX, heap.free_count()));
    };
    let chars = left.chars.saturating_add(right.chars);
    if heap.ref_count(left.head) == 1
        && left.head != right.head
        && append_in_place(heap, left, right)?
    {
        write_lengths(heap, left.head, bytes, chars);
        return Ok(Joined::InPlace);
    }
    let head = heap.malloc(TEXT_BYTES_OFFSET + bytes as usize)?;
    write_object_header(heap, head, Kind::Text, 0);
    write_lengths(heap, head, bytes, chars);
    let start = WritePosition {
        block: head,
        offset: TEXT_BYTES_OFFSET,
    };
    let copied = copy_text_bytes(heap, left, start)
        .and_then(|after_left| copy_text_bytes(heap, right, after_left));
    match copied {
        Ok(end) => {
            set_text_last_block(heap, head, end.block);
            super::text_scalars::mark_text_contiguity(heap, head);
            Ok(Joined::Copied(reference(Kind::Text, head)))
        }
        Err(error) => {
            release_on_cleanup(heap, reference(Kind::Text, head));
            Err(error)
        }
    }
}

/// Grows `left`'s chain by what `right` needs and copies `right`'s bytes after its own;
/// `false` (nothing changed) when `left`'s segment has no room for the new tails.
fn append_in_place(
    heap: &mut Heap,
    left: TextShape,
    right: TextShape,
) -> Result<bool, RuntimeError> {
    let last = text_last_block(heap, left.head);
    let ends_chain = (last == left.head || heap.state(last) == Some(BlockState::Tail))
        && heap.memory().next(last) == NO_BLOCK;
    if !ends_chain {
        return Err(RuntimeError::invalid_reference(&format!(
            "Text at block {} records block {last} as its last block, which does not end its chain",
            left.head
        )));
    }
    let used = TEXT_BYTES_OFFSET + left.bytes as usize;
    let needed = Heap::blocks_for(used + right.bytes as usize) - Heap::blocks_for(used);
    if needed > 0 {
        match heap.grow_chain_in_place(left.head, last, needed)? {
            ChainGrowth::Grown { .. } => {}
            ChainGrowth::SegmentFull => return Ok(false),
        }
    }
    let start = WritePosition {
        block: last,
        offset: used - (Heap::blocks_for(used) as usize - 1) * USABLE_BLOCK_SIZE,
    };
    let end = copy_text_bytes(heap, right, start)?;
    set_text_last_block(heap, left.head, end.block);
    if needed > 0 && super::text_scalars::is_contiguous(heap, left.head) {
        // The run stays contiguous only if every new tail follows the block before it.
        let mut block = last;
        let mut contiguous = true;
        for _ in 0..needed {
            let next = heap.memory().next(block);
            contiguous &= next == block.wrapping_add(1);
            block = next;
        }
        super::text_scalars::set_contiguity(heap, left.head, contiguous);
    }
    Ok(true)
}

fn write_lengths(heap: &mut Heap, head: u32, bytes: u32, chars: u32) {
    let memory = heap.memory_mut();
    memory.write_u32(head, TEXT_BYTE_LENGTH_OFFSET, bytes);
    memory.write_u32(head, TEXT_CHAR_COUNT_OFFSET, chars);
}

/// Where the next byte goes: `offset` (0..=60) into `block`'s payload. At 60 the next write
/// moves on to the following block of the chain first, so after the last write `block` is
/// the block holding the last byte.
#[derive(Clone, Copy)]
struct WritePosition {
    block: u32,
    offset: usize,
}

/// Copies the UTF-8 bytes of `source` to the chain at `at`; returns where the next byte would
/// go. A source chain shorter than its length, or a target chain that ends early, is RT0404.
fn copy_text_bytes(
    heap: &mut Heap,
    source: TextShape,
    mut at: WritePosition,
) -> Result<WritePosition, RuntimeError> {
    let too_short = |head: u32| {
        RuntimeError::invalid_reference(&format!(
            "Text at block {head} has a chain too short for its bytes"
        ))
    };
    let mut from = source.head;
    let mut from_offset = TEXT_BYTES_OFFSET;
    let mut remaining = source.bytes as usize;
    let mut chunk = [0u8; USABLE_BLOCK_SIZE];
    while remaining > 0 {
        if from_offset == USABLE_BLOCK_SIZE {
            from = heap.memory().next(from);
            if from == NO_BLOCK || heap.state(from) != Some(BlockState::Tail) {
                return Err(too_short(source.head));
            }
            from_offset = 0;
        }
        if at.offset == USABLE_BLOCK_SIZE {
            let next = heap.memory().next(at.block);
            if next == NO_BLOCK {
                return Err(RuntimeError::internal(
                    "Text append: the target chain ended before the bytes did",
                ));
            }
            at = WritePosition {
                block: next,
                offset: 0,
            };
        }
        let length = remaining
            .min(USABLE_BLOCK_SIZE - from_offset)
            .min(USABLE_BLOCK_SIZE - at.offset);
        chunk[..length]
            .copy_from_slice(&heap.memory().payload(from)[from_offset..from_offset + length]);
        heap.memory_mut().payload_mut(at.block)[at.offset..at.offset + length]
            .copy_from_slice(&chunk[..length]);
        from_offset += length;
        at.offset += length;
        remaining -= length;
    }
    Ok(at)
}

#[cfg(test)]
mod tests;
