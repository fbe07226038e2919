//! Text by scalar position: `t[i]` and `slice(t, a, b)` (docs/LANGUAGE.md, "Text"), the
//! "contiguous chain" flag that makes them O(1) to locate on an ASCII-only Text, and the
//! size pre-flight every Text-building builtin runs before it builds a result in host memory.
//!
//! A Text whose byte length equals its scalar count is all ASCII: scalar `i` is byte `i`.
//! When its chain is also one contiguous run of blocks (head, head + 1, ... of one
//! segment), which [`FLAG_TEXT_CONTIGUOUS`] records, logical byte `k` of the object is in
//! block `head + k / 60`, so a scalar is found without walking the chain. Any other Text is
//! read by one forward scan (docs/MEMORY.md, "Indexing and slicing a Text").

use crate::error::RuntimeError;
use crate::heap::{Heap, USABLE_BLOCK_SIZE};
use crate::value::{Kind, Value};

use super::header::{FLAGS_OFFSET, checked_head, object_flags};
use super::text::{
    ChainPosition, TEXT_BYTE_LENGTH_OFFSET, TEXT_BYTES_OFFSET, TEXT_CHAR_COUNT_OFFSET, scalar_at,
    text_from_str,
};

/// Flag bit 2 of a Text's header: its chain is `head, head + 1, ..., head + n - 1`. Set by
/// whoever builds the chain when that holds ([`mark_text_contiguity`]), cleared by an
/// in-place append whose new tails break the run. Never inherited by containers.
pub const FLAG_TEXT_CONTIGUOUS: u8 = 0b0000_0100;

/// Whether the chain of `head` is one contiguous run of blocks.
fn chain_is_contiguous(heap: &Heap, head: u32) -> bool {
    heap.chain(head)
        .iter()
        .enumerate()
        .all(|(position, &block)| block == head.wrapping_add(position as u32))
}

/// Sets or clears [`FLAG_TEXT_CONTIGUOUS`] of the Text at `head` by walking its chain.
pub fn mark_text_contiguity(heap: &mut Heap, head: u32) {
    let contiguous = chain_is_contiguous(heap, head);
    set_contiguity(heap, head, contiguous);
}

/// Sets [`FLAG_TEXT_CONTIGUOUS`] of the Text at `head` to `contiguous`.
pub fn set_contiguity(heap: &mut Heap, head: u32, contiguous: bool) {
    let flags = object_flags(heap, head) & !FLAG_TEXT_CONTIGUOUS;
    let flags = if contiguous {
        flags | FLAG_TEXT_CONTIGUOUS
    } else {
        flags
    };
    heap.memory_mut().write_u8(head, FLAGS_OFFSET, flags);
}

/// Whether the Text at `head` carries [`FLAG_TEXT_CONTIGUOUS`].
pub fn is_contiguous(heap: &Heap, head: u32) -> bool {
    object_flags(heap, head) & FLAG_TEXT_CONTIGUOUS != 0
}

/// Fails as allocating a Text of `bytes` UTF-8 bytes would (RT0406 past one segment, RT0401
/// or RT0402 without room), before anything is built: a builtin whose result could be huge
/// (`repeat`, `pad_start`, `join`, `replace`) calls it with the result's length first.
pub fn ensure_text_room(heap: &mut Heap, bytes: usize) -> Result<(), RuntimeError> {
    let blocks = Heap::blocks_for(TEXT_BYTES_OFFSET.saturating_add(bytes));
    Heap::check_object_size(blocks)?;
    heap.reserve(blocks, false)?;
    Ok(())
}

/// A validated Text's head, byte length and scalar count.
#[derive(Clone, Copy, Debug)]
pub struct TextShape {
    pub head: u32,
    pub bytes: usize,
    pub chars: usize,
}

pub fn text_shape(heap: &Heap, text: Value) -> Result<TextShape, RuntimeError> {
    let head = checked_head(heap, text, Some(Kind::Text))?;
    let memory = heap.memory();
    Ok(TextShape {
        head,
        bytes: memory.read_u32(head, TEXT_BYTE_LENGTH_OFFSET) as usize,
        chars: memory.read_u32(head, TEXT_CHAR_COUNT_OFFSET) as usize,
    })
}

/// Whether scalar positions of this Text are byte offsets into one contiguous run.
fn is_direct(heap: &Heap, shape: TextShape) -> bool {
    shape.bytes == shape.chars && is_contiguous(heap, shape.head)
}

/// The ASCII bytes `from..to` of a direct Text (see [`is_direct`]), read block by block from
/// the block computed for `from`: no chain walk.
fn direct_bytes(heap: &Heap, shape: TextShape, from: usize, to: usize) -> String {
    let mut out = String::with_capacity(to - from);
    let mut at = TEXT_BYTES_OFFSET + from;
    let end = TEXT_BYTES_OFFSET + to;
    while at < end {
        let block = shape.head + (at / USABLE_BLOCK_SIZE) as u32;
        let offset = at % USABLE_BLOCK_SIZE;
        let length = (end - at).min(USABLE_BLOCK_SIZE - offset);
        let payload = &heap.memory().payload(block)[offset..offset + length];
        out.extend(payload.iter().map(|&byte| char::from(byte)));
        at += length;
    }
    out
}

/// The scalars `from..to` (scalar positions, `from <= to <= chars`) of a Text: located in
/// O(1) when direct, else by one forward scan from the head.
pub fn scalars_between(
    heap: &Heap,
    text: Value,
    shape: TextShape,
    from: usize,
    to: usize,
) -> Result<String, RuntimeError> {
    if is_direct(heap, shape) {
        return Ok(direct_bytes(heap, shape, from, to));
    }
    let mut position = ChainPosition {
        block: shape.head,
        start: 0,
    };
    let (mut offset, mut index) = (0usize, 0usize);
    let mut out = String::new();
    while index < to {
        let Some(scalar) = scalar_at(heap, text, offset, &mut position)? else {
            return Err(RuntimeError::invalid_reference(&format!(
                "Text at block {} has fewer scalars than its count {}",
                shape.head, shape.chars
            )));
        };
        if index >= from {
            out.push(scalar);
        }
        offset += scalar.len_utf8();
        index += 1;
    }
    Ok(out)
}

/// Checks one scalar position of `op` on a Text of `length` scalars: an Int (RT0101 `list
/// index expects an Int, got {kind}`) in `0..limit` or `0..=limit` (RT0103 with the index
/// as given).
pub fn scalar_bound(bound: Value, length: usize, inclusive: bool) -> Result<usize, RuntimeError> {
    let Some(index) = bound.as_int() else {
        return Err(RuntimeError::list_index_type(super::kind_name_of(bound)?));
    };
    match usize::try_from(index) {
        Ok(position) if position < length || (inclusive && position == length) => Ok(position),
        _ => Err(RuntimeError::index_out_of_bounds(index, length)),
    }
}

/// `t[i]`: a new one-scalar Text (the same RT0101/RT0103 rules as a List index).
pub fn text_index(heap: &mut Heap, text: Value, index: Value) -> Result<Value, RuntimeError> {
    let shape = text_shape(heap, text)?;
    let at = scalar_bound(index, shape.chars, false)?;
    let scalar = scalars_between(heap, text, shape, at, at + 1)?;
    text_from_str(heap, &scalar)
}

/// `slice(t, a, b)`: the new Text of scalars `a..b` (the List rules: bounds in `0..=len`,
/// `a > b` is RT0103 on `a`).
pub fn text_slice(
    heap: &mut Heap,
    text: Value,
    start: Value,
    end: Value,
) -> Result<Value, RuntimeError> {
    let shape = text_shape(heap, text)?;
    let first = scalar_bound(start, shape.chars, true)?;
    let last = scalar_bound(end, shape.chars, true)?;
    if first > last {
        return Err(RuntimeError::index_out_of_bounds(first as i64, shape.chars));
    }
    let piece = scalars_between(heap, text, shape, first, last)?;
    text_from_str(heap, &piece)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::release;
    use crate::objects::text::text_to_string;

    fn int(n: i64) -> Value {
        Value::int(n).unwrap()
    }

    #[test]
    fn a_fresh_ascii_text_is_direct_and_indexes_without_a_scan() {
        let mut heap = Heap::new(64).unwrap();
        let sample: String = (0..200)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        let text = text_from_str(&mut heap, &sample).unwrap();
        let shape = text_shape(&heap, text).unwrap();
        assert!(is_direct(&heap, shape));
        for i in [0usize, 47, 48, 59, 60, 107, 108, 199] {
            let one = text_index(&mut heap, text, int(i as i64)).unwrap();
            assert_eq!(text_to_string(&heap, one).unwrap(), &sample[i..=i]);
            release(&mut heap, one).unwrap();
        }
        let piece = text_slice(&mut heap, text, int(40), int(130)).unwrap();
        assert_eq!(text_to_string(&heap, piece).unwrap(), &sample[40..130]);
        release(&mut heap, piece).unwrap();
        release(&mut heap, text).unwrap();
        assert_eq!(heap.blocks_in_use(), 0);
    }

    #[test]
    fn a_scattered_or_non_ascii_text_is_scanned_with_the_same_result() {
        let mut heap = Heap::new(64).unwrap();
        // Free every other block so the next chain is scattered.
        let fillers: Vec<Value> = (0..8)
            .map(|_| text_from_str(&mut heap, "x").unwrap())
            .collect();
        for filler in fillers.iter().step_by(2) {
            release(&mut heap, *filler).unwrap();
        }
        let sample = "é✓a".repeat(40);
        let text = text_from_str(&mut heap, &sample).unwrap();
        let ascii = text_from_str(&mut heap, &"q".repeat(150)).unwrap();
        for (value, expected) in [(text, sample.clone()), (ascii, "q".repeat(150))] {
            let scalars: Vec<char> = expected.chars().collect();
            for i in [0usize, 1, 2, 59, 60, 119] {
                let one = text_index(&mut heap, value, int(i as i64)).unwrap();
                assert_eq!(text_to_string(&heap, one).unwrap(), scalars[i].to_string());
                release(&mut heap, one).unwrap();
            }
        }
        let head = crate::objects::header::block_of(ascii);
        assert_eq!(is_contiguous(&heap, head), chain_is_contiguous(&heap, head));
        for value in [text, ascii] {
            release(&mut heap, value).unwrap();
        }
        for filler in fillers.iter().skip(1).step_by(2) {
            release(&mut heap, *filler).unwrap();
        }
        assert_eq!(heap.blocks_in_use(), 0);
    }

    #[test]
    fn bounds_follow_the_list_rules() {
        let mut heap = Heap::new(16).unwrap();
        let text = text_from_str(&mut heap, "añb").unwrap();
        let code = |r: Result<Value, RuntimeError>| r.unwrap_err().code.as_str();
        assert_eq!(code(text_index(&mut heap, text, int(3))), "RT0103");
        assert_eq!(code(text_index(&mut heap, text, int(-1))), "RT0103");
        assert_eq!(code(text_index(&mut heap, text, Value::TRUE)), "RT0101");
        assert_eq!(code(text_slice(&mut heap, text, int(2), int(1))), "RT0103");
        let empty = text_slice(&mut heap, text, int(3), int(3)).unwrap();
        assert_eq!(text_to_string(&heap, empty).unwrap(), "");
        for value in [empty, text] {
            release(&mut heap, value).unwrap();
        }
        assert_eq!(heap.blocks_in_use(), 0);
    }
}
