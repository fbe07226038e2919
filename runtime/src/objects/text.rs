//! Text: an immutable UTF-8 string stored in one chain (`malloc(bytes)`, docs/MEMORY.md, "Free list
//! and allocation").
//!
//! Layout, as logical bytes across the chain's payloads (60 per block, head first):
//! `[0..4)` object header, `[4..8)` byte length (u32), `[8..12)` count of Unicode scalar
//! values (u32, so `len` is O(1)), `[12..)` the UTF-8 bytes. The chain is always exactly as
//! long as its bytes need (`Heap::blocks_for(12 + length)`), and the header's kind-specific
//! bytes `[2..4)` hold the in-segment index of its last block (little-endian u16), so an
//! in-place append (`text_append.rs`) finds the end in O(1). Whoever makes a Text chain
//! writes that index: [`text_from_str`], the append, and [`record_text_last_block`] after a
//! chain copy.

use crate::error::RuntimeError;
use crate::heap::{Heap, USABLE_BLOCK_SIZE};
use crate::value::{Kind, Value};

use super::header::{KIND_SPECIFIC_OFFSET, checked_head, reference, write_object_header};

pub const TEXT_BYTE_LENGTH_OFFSET: usize = 4;
pub const TEXT_CHAR_COUNT_OFFSET: usize = 8;
pub const TEXT_BYTES_OFFSET: usize = 12;
/// Header bytes `[2..4)`: the in-segment index of the chain's last block.
pub const TEXT_LAST_BLOCK_OFFSET: usize = KIND_SPECIFIC_OFFSET;

/// Records `last` (a block of `head`'s segment) as the last block of the Text at `head`.
pub fn set_text_last_block(heap: &mut Heap, head: u32, last: u32) {
    let [low, high] = (last as u16).to_le_bytes();
    let memory = heap.memory_mut();
    memory.write_u8(head, TEXT_LAST_BLOCK_OFFSET, low);
    memory.write_u8(head, TEXT_LAST_BLOCK_OFFSET + 1, high);
}

/// The heap address of the last block of the Text at `head`, as its header records it (not
/// validated: a chain never leaves its head's segment, so the segment is the head's).
pub fn text_last_block(heap: &Heap, head: u32) -> u32 {
    let memory = heap.memory();
    let index = u16::from_le_bytes([
        memory.read_u8(head, TEXT_LAST_BLOCK_OFFSET),
        memory.read_u8(head, TEXT_LAST_BLOCK_OFFSET + 1),
    ]);
    (head & 0xFFFF_0000) | u32::from(index)
}

/// Walks the chain of the Text at `head` and records its last block (after a chain copy,
/// whose header still names the source's last block) and whether the chain is contiguous
/// (`text_scalars::FLAG_TEXT_CONTIGUOUS`).
pub fn record_text_last_block(heap: &mut Heap, head: u32) {
    let last = heap.chain(head).last().copied().unwrap_or(head);
    set_text_last_block(heap, head, last);
    super::text_scalars::mark_text_contiguity(heap, head);
}

/// Allocates a Text holding `text`. On failure nothing is allocated.
pub fn text_from_str(heap: &mut Heap, text: &str) -> Result<Value, RuntimeError> {
    let byte_length = u32::try_from(text.len()).map_err(|_| {
        RuntimeError::object_too_large(Heap::blocks_for(TEXT_BYTES_OFFSET + text.len()))
    })?;
    let head = heap.malloc(TEXT_BYTES_OFFSET + text.len())?;
    write_object_header(heap, head, Kind::Text, 0);
    let char_count = text.chars().count() as u32;
    let memory = heap.memory_mut();
    memory.write_u32(head, TEXT_BYTE_LENGTH_OFFSET, byte_length);
    memory.write_u32(head, TEXT_CHAR_COUNT_OFFSET, char_count);
    // Fill the fresh chain block by block (it is exactly `blocks_for(12 + len)` long).
    let mut block = head;
    let mut offset = TEXT_BYTES_OFFSET;
    let mut rest = text.as_bytes();
    let mut contiguous = true;
    while !rest.is_empty() {
        if offset == USABLE_BLOCK_SIZE {
            let next = heap.memory().next(block);
            contiguous &= next == block.wrapping_add(1);
            block = next;
            offset = 0;
        }
        let length = rest.len().min(USABLE_BLOCK_SIZE - offset);
        heap.memory_mut().payload_mut(block)[offset..offset + length]
            .copy_from_slice(&rest[..length]);
        offset += length;
        rest = &rest[length..];
    }
    set_text_last_block(heap, head, block);
    super::text_scalars::set_contiguity(heap, head, contiguous);
    Ok(reference(Kind::Text, head))
}

/// Reads a (validated) Text into a `String`.
pub fn text_to_string(heap: &Heap, value: Value) -> Result<String, RuntimeError> {
    let head = checked_head(heap, value, Some(Kind::Text))?;
    let byte_length = heap.memory().read_u32(head, TEXT_BYTE_LENGTH_OFFSET) as usize;
    let end = TEXT_BYTES_OFFSET + byte_length;
    let chain = heap.chain(head);
    if chain.len() * USABLE_BLOCK_SIZE < end {
        return Err(RuntimeError::invalid_reference(&format!(
            "Text at block {head} claims {byte_length} bytes but its chain has {} blocks",
            chain.len()
        )));
    }
    let mut bytes = Vec::with_capacity(byte_length);
    for (position, &block) in chain.iter().enumerate() {
        let block_start = position * USABLE_BLOCK_SIZE;
        let from = block_start.max(TEXT_BYTES_OFFSET);
        let to = (block_start + USABLE_BLOCK_SIZE).min(end);
        if from < to {
            bytes.extend_from_slice(
                &heap.memory().payload(block)[from - block_start..to - block_start],
            );
        }
    }
    String::from_utf8(bytes).map_err(|_| {
        RuntimeError::invalid_reference(&format!("Text at block {head} is not valid UTF-8"))
    })
}

/// Length in Unicode scalar values, O(1).
pub fn text_char_count(heap: &Heap, value: Value) -> Result<usize, RuntimeError> {
    let head = checked_head(heap, value, Some(Kind::Text))?;
    Ok(heap.memory().read_u32(head, TEXT_CHAR_COUNT_OFFSET) as usize)
}

/// Where a forward scan of a Text's chain is: `block` holds the logical bytes from `start`
/// (a multiple of the payload size; a scan starts at the head with `start` 0). Lets an iterator
/// read each scalar in O(1) instead of walking the chain from the head every time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainPosition {
    pub block: u32,
    pub start: usize,
}

/// The scalar starting at UTF-8 byte `offset` of a Text, or `None` at the end. `position`
/// must be at or before the block holding that byte; it is moved forward to it.
pub fn scalar_at(
    heap: &Heap,
    text: Value,
    offset: usize,
    position: &mut ChainPosition,
) -> Result<Option<char>, RuntimeError> {
    let head = checked_head(heap, text, Some(Kind::Text))?;
    let byte_length = heap.memory().read_u32(head, TEXT_BYTE_LENGTH_OFFSET) as usize;
    if offset >= byte_length {
        return Ok(None);
    }
    let broken = || {
        RuntimeError::invalid_reference(&format!(
            "Text at block {head} is not valid UTF-8 at byte {offset}"
        ))
    };
    let byte_at = |position: &mut ChainPosition, logical: usize| {
        while position.start + USABLE_BLOCK_SIZE <= logical {
            let next = heap.memory().next(position.block);
            if heap.state(next) != Some(crate::heap::BlockState::Tail) {
                return Err(RuntimeError::invalid_reference(&format!(
                    "Text at block {head} has a chain too short for its {byte_length} bytes"
                )));
            }
            position.block = next;
            position.start += USABLE_BLOCK_SIZE;
        }
        Ok(heap.memory().payload(position.block)[logical - position.start])
    };
    let logical = TEXT_BYTES_OFFSET + offset;
    let first = byte_at(position, logical)?;
    let width = match first.leading_ones() {
        0 => 1,
        2..=4 => first.leading_ones() as usize,
        _ => return Err(broken()),
    };
    if offset + width > byte_length {
        return Err(broken());
    }
    let mut bytes = [first, 0, 0, 0];
    let mut ahead = *position;
    for (i, byte) in bytes.iter_mut().enumerate().take(width).skip(1) {
        *byte = byte_at(&mut ahead, logical + i)?;
    }
    let decoded = std::str::from_utf8(&bytes[..width]).map_err(|_| broken())?;
    Ok(decoded.chars().next())
}

/// A new Text `left ++ right` (both borrowed).
pub fn concat_texts(heap: &mut Heap, left: Value, right: Value) -> Result<Value, RuntimeError> {
    let mut joined = text_to_string(heap, left)?;
    joined.push_str(&text_to_string(heap, right)?);
    text_from_str(heap, &joined)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::release;

    #[test]
    fn text_round_trips_across_chain_boundaries() {
        let mut heap = Heap::new(64).unwrap();
        for sample in [
            "",
            "a",
            "héllo wörld ✓",
            &"x".repeat(48),
            &"y".repeat(49),
            &"ü".repeat(200),
        ] {
            let text = text_from_str(&mut heap, sample).unwrap();
            assert_eq!(text_to_string(&heap, text).unwrap(), sample);
            assert_eq!(
                text_char_count(&heap, text).unwrap(),
                sample.chars().count()
            );
            let expected_blocks = Heap::blocks_for(TEXT_BYTES_OFFSET + sample.len()) as usize;
            let head = crate::objects::header::block_of(text);
            let chain = heap.chain(head);
            assert_eq!(chain.len(), expected_blocks);
            assert_eq!(Some(&text_last_block(&heap, head)), chain.last());
            release(&mut heap, text).unwrap();
        }
        assert_eq!(heap.blocks_in_use(), 0);
    }

    #[test]
    fn concat_joins_and_counts_scalars() {
        let mut heap = Heap::new(16).unwrap();
        let a = text_from_str(&mut heap, "ab").unwrap();
        let b = text_from_str(&mut heap, "ç✓").unwrap();
        let c = concat_texts(&mut heap, a, b).unwrap();
        assert_eq!(text_to_string(&heap, c).unwrap(), "abç✓");
        assert_eq!(text_char_count(&heap, c).unwrap(), 4);
        for v in [a, b, c] {
            release(&mut heap, v).unwrap();
        }
        assert_eq!(heap.blocks_in_use(), 0);
    }

    #[test]
    fn a_list_word_is_not_read_as_text() {
        let mut heap = Heap::new(4).unwrap();
        let a = text_from_str(&mut heap, "ab").unwrap();
        let forged = Value::heap(Kind::List, a.heap_address().unwrap());
        let error = text_to_string(&heap, forged).unwrap_err();
        assert_eq!(error.code, crate::error::ErrorCode::RT0404);
    }
}
