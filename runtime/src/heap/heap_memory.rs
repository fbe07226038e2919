//! The heap's blocks across segments, addressed by 32-bit heap address (`segment << 16 | index`,
//! docs/MEMORY.md, "Blocks"): each segment is one `BlockMemory` (its own `memmap2` mapping, a heap
//! of at most 65,535 blocks). Chains never leave their head's segment, so `BLOCK_NEXT` stays a
//! 16-bit index and `next` adds the segment back.
//!
//! Like `BlockMemory`, every access is bounds-checked indexing (no `unsafe`): a corrupt
//! address can at worst panic inside a shim, where `catch_unwind` turns it into a
//! diagnostic; callers validate addresses first (`Heap::check_head`).

use super::block_memory::{BlockMemory, INVALID, USABLE_BLOCK_SIZE};

/// "No block": the end of a chain or of a list, at the address level.
pub const NO_BLOCK: u32 = u32::MAX;

/// The segment and in-segment index of a heap address.
#[inline]
pub fn split_address(address: u32) -> (usize, u16) {
    ((address >> 16) as usize, address as u16)
}

/// The heap address of block `index` of segment `segment`.
#[inline]
pub fn join_address(segment: usize, index: u16) -> u32 {
    ((segment as u32) << 16) | u32::from(index)
}

/// The block bytes of every segment created so far.
#[derive(Default)]
pub struct HeapMemory {
    segments: Vec<BlockMemory>,
}

impl HeapMemory {
    /// Maps a new segment of `block_count` zeroed blocks; returns its number.
    pub(crate) fn add_segment(&mut self, block_count: u32) -> std::io::Result<usize> {
        self.segments.push(BlockMemory::new(block_count)?);
        Ok(self.segments.len() - 1)
    }

    /// The address of block 0 of segment `number` (see `BlockMemory::base_address`).
    pub fn segment_base_address(&self, number: usize) -> usize {
        self.segments[number].base_address()
    }

    /// Segments created so far.
    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }

    #[inline]
    fn segment(&self, address: u32) -> (&BlockMemory, u16) {
        let (segment, index) = split_address(address);
        (&self.segments[segment], index)
    }

    #[inline]
    fn segment_mut(&mut self, address: u32) -> (&mut BlockMemory, u16) {
        let (segment, index) = split_address(address);
        (&mut self.segments[segment], index)
    }

    /// Whether `address` names a block of a created segment.
    #[inline]
    pub fn contains(&self, address: u32) -> bool {
        let (segment, index) = split_address(address);
        self.segments
            .get(segment)
            .is_some_and(|memory| u32::from(index) < memory.block_count())
    }

    /// The next block of `address`'s chain, or [`NO_BLOCK`].
    #[inline]
    pub fn next(&self, address: u32) -> u32 {
        let (memory, index) = self.segment(address);
        match memory.next(index) {
            INVALID => NO_BLOCK,
            next => (address & 0xFFFF_0000) | u32::from(next),
        }
    }

    /// The raw 16-bit `BLOCK_NEXT` field of `address`.
    #[inline]
    pub fn next_index(&self, address: u32) -> u16 {
        let (memory, index) = self.segment(address);
        memory.next(index)
    }

    /// Links `address` to `next` (in the same segment) or ends its chain ([`NO_BLOCK`]).
    #[inline]
    pub fn set_next(&mut self, address: u32, next: u32) {
        let field = if next == NO_BLOCK {
            INVALID
        } else {
            debug_assert_eq!(
                address >> 16,
                next >> 16,
                "a chain never leaves its segment"
            );
            next as u16
        };
        self.set_next_index(address, field);
    }

    /// Writes the raw 16-bit `BLOCK_NEXT` field of `address`.
    #[inline]
    pub fn set_next_index(&mut self, address: u32, next: u16) {
        let (memory, index) = self.segment_mut(address);
        memory.set_next(index, next);
    }

    #[inline]
    pub fn ref_count(&self, address: u32) -> u16 {
        let (memory, index) = self.segment(address);
        memory.ref_count(index)
    }

    /// Whether block `index` of `segment` has a count above zero and payload byte
    /// `kind_offset` equal to `kind`; one bounds check.
    #[inline]
    pub fn has_live_count_and_kind(
        &self,
        segment: usize,
        index: u16,
        kind_offset: usize,
        kind: u8,
    ) -> bool {
        self.segments
            .get(segment)
            .is_some_and(|memory| memory.has_live_count_and_kind(index, kind_offset, kind))
    }

    /// Steps the count of block `index` of `segment` when its payload byte `kind_offset`
    /// is `kind` and `step` accepts the count (see `count_fast_path`); one bounds check.
    #[inline]
    pub fn try_step_count_of_kind(
        &mut self,
        segment: usize,
        index: u16,
        kind_offset: usize,
        kind: u8,
        step: super::count_fast_path::CountStep,
    ) -> bool {
        self.segments
            .get_mut(segment)
            .is_some_and(|memory| memory.try_step_count_of_kind(index, kind_offset, kind, step))
    }

    /// The raw header of `address`: `(BLOCK_NEXT, REF_COUNT)`, one block access.
    #[inline]
    pub fn header(&self, address: u32) -> (u16, u16) {
        let (memory, index) = self.segment(address);
        memory.header(index)
    }

    /// Writes the raw header of `address` (`BLOCK_NEXT`, `REF_COUNT`), one block access.
    #[inline]
    pub fn set_header(&mut self, address: u32, next: u16, count: u16) {
        let (memory, index) = self.segment_mut(address);
        memory.set_header(index, next, count);
    }

    /// Writes the raw header of `address` and zeroes its payload, one block access.
    #[inline]
    pub fn init_block(&mut self, address: u32, next: u16, count: u16) {
        let (memory, index) = self.segment_mut(address);
        memory.init_block(index, next, count);
    }

    #[inline]
    pub fn set_ref_count(&mut self, address: u32, count: u16) {
        let (memory, index) = self.segment_mut(address);
        memory.set_ref_count(index, count);
    }

    #[inline]
    pub fn payload(&self, address: u32) -> &[u8] {
        let (memory, index) = self.segment(address);
        memory.payload(index)
    }

    #[inline]
    pub fn payload_mut(&mut self, address: u32) -> &mut [u8] {
        let (memory, index) = self.segment_mut(address);
        memory.payload_mut(index)
    }

    #[inline]
    pub fn read_u8(&self, address: u32, offset: usize) -> u8 {
        let (memory, index) = self.segment(address);
        memory.read_u8(index, offset)
    }

    #[inline]
    pub fn write_u8(&mut self, address: u32, offset: usize, byte: u8) {
        let (memory, index) = self.segment_mut(address);
        memory.write_u8(index, offset, byte);
    }

    #[inline]
    pub fn read_u32(&self, address: u32, offset: usize) -> u32 {
        let (memory, index) = self.segment(address);
        memory.read_u32(index, offset)
    }

    #[inline]
    pub fn write_u32(&mut self, address: u32, offset: usize, word: u32) {
        let (memory, index) = self.segment_mut(address);
        memory.write_u32(index, offset, word);
    }

    #[inline]
    pub fn read_u64(&self, address: u32, offset: usize) -> u64 {
        let (memory, index) = self.segment(address);
        memory.read_u64(index, offset)
    }

    #[inline]
    pub fn write_u64(&mut self, address: u32, offset: usize, word: u64) {
        let (memory, index) = self.segment_mut(address);
        memory.write_u64(index, offset, word);
    }

    /// Copies the payload of `from` into `to` (headers untouched); the blocks may be in
    /// different segments.
    pub fn copy_payload(&mut self, from: u32, to: u32) {
        let (from_segment, from_index) = split_address(from);
        let (to_segment, to_index) = split_address(to);
        if from_segment == to_segment {
            self.segments[from_segment].copy_payload(from_index, to_index);
        } else {
            let mut bytes = [0u8; USABLE_BLOCK_SIZE];
            bytes.copy_from_slice(self.segments[from_segment].payload(from_index));
            self.segments[to_segment]
                .payload_mut(to_index)
                .copy_from_slice(&bytes);
        }
    }

    /// Zeroes a block's payload.
    pub fn clear_payload(&mut self, address: u32) {
        let (memory, index) = self.segment_mut(address);
        memory.clear_payload(index);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_name_a_segment_and_an_index_and_chains_stay_in_their_segment() {
        let mut memory = HeapMemory::default();
        assert_eq!(memory.add_segment(4).unwrap(), 0);
        assert_eq!(memory.add_segment(4).unwrap(), 1);
        let a = join_address(1, 2);
        assert_eq!(a, 0x0001_0002);
        assert_eq!(split_address(a), (1, 2));
        memory.set_next(a, join_address(1, 3));
        assert_eq!(memory.next(a), 0x0001_0003);
        memory.set_next(a, NO_BLOCK);
        assert_eq!(memory.next(a), NO_BLOCK);
        assert_eq!(memory.next_index(a), INVALID);
        memory.write_u64(a, 8, 42);
        memory.copy_payload(a, join_address(0, 1));
        assert_eq!(memory.read_u64(join_address(0, 1), 8), 42);
        assert!(memory.contains(join_address(1, 3)));
        assert!(!memory.contains(join_address(1, 4)));
        assert!(!memory.contains(join_address(2, 0)));
    }
}
