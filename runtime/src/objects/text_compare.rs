//! Text equality and ordering on the blocks: both chains are read in place, one block's bytes
//! at a time, without copying either Text into host memory (docs/MEMORY.md, "Comparing
//! Texts"). Identical handles are equal at once, and Texts of different byte lengths are
//! unequal without reading their bytes. Ordering is by UTF-8 bytes, which is the order of
//! Unicode scalar values (docs/LANGUAGE.md, "Text").
//!
//! The bytes are not re-checked for UTF-8 here: every Text is built from a `str` or from the
//! bytes of other Texts (`text.rs`, `text_append.rs`, `text_scalars.rs`), so a chain holds
//! valid UTF-8 by construction; the printed form and host copies still check it
//! (`text::text_to_string`).

use std::cmp::Ordering;

use crate::error::RuntimeError;
use crate::heap::{BlockState, Heap, USABLE_BLOCK_SIZE};
use crate::value::{Kind, Value};

use super::header::checked_head;
use super::text::{TEXT_BYTE_LENGTH_OFFSET, TEXT_BYTES_OFFSET};

/// A forward reader of a (validated) Text's UTF-8 bytes, one block's worth at a time.
struct TextBytes<'h> {
    heap: &'h Heap,
    head: u32,
    /// The block holding logical byte `position`, and the logical offset of its first byte.
    block: u32,
    block_start: usize,
    /// The next logical byte to hand out, and the end of the Text's bytes.
    position: usize,
    end: usize,
}

impl<'h> TextBytes<'h> {
    fn new(heap: &'h Heap, head: u32) -> TextBytes<'h> {
        let length = heap.memory().read_u32(head, TEXT_BYTE_LENGTH_OFFSET) as usize;
        TextBytes {
            heap,
            head,
            block: head,
            block_start: 0,
            position: TEXT_BYTES_OFFSET,
            end: TEXT_BYTES_OFFSET + length,
        }
    }

    /// The next run of bytes (never empty), or `None` at the end. A chain shorter than the
    /// length its header claims is RT0404.
    fn next_chunk(&mut self) -> Result<Option<&'h [u8]>, RuntimeError> {
        if self.position >= self.end {
            return Ok(None);
        }
        if self.position >= self.block_start + USABLE_BLOCK_SIZE {
            let next = self.heap.memory().next(self.block);
            if self.heap.state(next) != Some(BlockState::Tail) {
                return Err(RuntimeError::invalid_reference(&format!(
                    "Text at block {} has a chain too short for its {} bytes",
                    self.head,
                    self.end - TEXT_BYTES_OFFSET
                )));
            }
            self.block = next;
            self.block_start += USABLE_BLOCK_SIZE;
        }
        let to = self.end.min(self.block_start + USABLE_BLOCK_SIZE);
        let payload = self.heap.memory().payload(self.block);
        let chunk = &payload[self.position - self.block_start..to - self.block_start];
        self.position = to;
        Ok(Some(chunk))
    }
}

fn byte_length(heap: &Heap, head: u32) -> u32 {
    heap.memory().read_u32(head, TEXT_BYTE_LENGTH_OFFSET)
}

/// Compares two readers' bytes lexicographically.
fn compare_bytes(mut a: TextBytes<'_>, mut b: TextBytes<'_>) -> Result<Ordering, RuntimeError> {
    let (mut x, mut y): (&[u8], &[u8]) = (&[], &[]);
    loop {
        if x.is_empty() {
            x = a.next_chunk()?.unwrap_or(&[]);
        }
        if y.is_empty() {
            y = b.next_chunk()?.unwrap_or(&[]);
        }
        if x.is_empty() || y.is_empty() {
            // One (or both) ended: the shorter is the lesser.
            return Ok(x.len().cmp(&y.len()));
        }
        let n = x.len().min(y.len());
        match x[..n].cmp(&y[..n]) {
            Ordering::Equal => (x, y) = (&x[n..], &y[n..]),
            order => return Ok(order),
        }
    }
}

/// `left == right` for two Text words (both validated: RT0404 for a bad word).
pub fn texts_equal(heap: &Heap, left: Value, right: Value) -> Result<bool, RuntimeError> {
    if left == right {
        checked_head(heap, left, Some(Kind::Text))?;
        return Ok(true);
    }
    let (a, b) = (
        checked_head(heap, left, Some(Kind::Text))?,
        checked_head(heap, right, Some(Kind::Text))?,
    );
    let length = byte_length(heap, a) as usize;
    if length != byte_length(heap, b) as usize {
        return Ok(false);
    }
    if TEXT_BYTES_OFFSET + length <= USABLE_BLOCK_SIZE {
        // Both Texts fit in their head blocks: one slice comparison, no reader.
        let bytes = TEXT_BYTES_OFFSET..TEXT_BYTES_OFFSET + length;
        let memory = heap.memory();
        return Ok(memory.payload(a)[bytes.clone()] == memory.payload(b)[bytes]);
    }
    Ok(compare_bytes(TextBytes::new(heap, a), TextBytes::new(heap, b))? == Ordering::Equal)
}

/// The order of two Text words by their UTF-8 bytes (both validated).
pub fn compare_texts(heap: &Heap, left: Value, right: Value) -> Result<Ordering, RuntimeError> {
    let (a, b) = (
        checked_head(heap, left, Some(Kind::Text))?,
        checked_head(heap, right, Some(Kind::Text))?,
    );
    if a == b {
        return Ok(Ordering::Equal);
    }
    compare_bytes(TextBytes::new(heap, a), TextBytes::new(heap, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::release;
    use crate::objects::text::text_from_str;

    #[test]
    fn compares_like_strings_across_block_boundaries() {
        let mut heap = Heap::new(256).unwrap();
        let samples = [
            String::new(),
            "a".into(),
            "b".into(),
            "ab".into(),
            "x".repeat(48),
            "x".repeat(49),
            format!("{}y", "x".repeat(48)),
            "x".repeat(200),
            format!("{}z", "x".repeat(199)),
            "ü✓".repeat(40),
        ];
        let words: Vec<Value> = samples
            .iter()
            .map(|s| text_from_str(&mut heap, s).unwrap())
            .collect();
        for (i, a) in samples.iter().enumerate() {
            for (j, b) in samples.iter().enumerate() {
                let (x, y) = (words[i], words[j]);
                assert_eq!(texts_equal(&heap, x, y).unwrap(), a == b, "{a:?} == {b:?}");
                assert_eq!(
                    compare_texts(&heap, x, y).unwrap(),
                    a.cmp(b),
                    "{a:?} cmp {b:?}"
                );
            }
            // A separately built copy: another chain, the same bytes.
            let copy = text_from_str(&mut heap, a).unwrap();
            assert!(texts_equal(&heap, words[i], copy).unwrap());
            assert_eq!(
                compare_texts(&heap, copy, words[i]).unwrap(),
                Ordering::Equal
            );
            release(&mut heap, copy).unwrap();
        }
        for word in words {
            release(&mut heap, word).unwrap();
        }
        assert_eq!(heap.blocks_in_use(), 0);
    }

    #[test]
    fn a_list_word_is_rejected() {
        let mut heap = Heap::new(4).unwrap();
        let a = text_from_str(&mut heap, "ab").unwrap();
        let forged = Value::heap(Kind::List, a.heap_address().unwrap());
        let error = texts_equal(&heap, a, forged).unwrap_err();
        assert_eq!(error.code, crate::error::ErrorCode::RT0404);
        release(&mut heap, a).unwrap();
    }
}
