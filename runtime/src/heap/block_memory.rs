//! The one audited module that touches heap block bytes: headers and payloads of 64-byte
//! blocks in a single `memmap2` anonymous mapping.
//!
//! Every access is bounds-checked slice indexing (no `unsafe`), so a corrupt index can at
//! worst panic inside a shim, where `catch_unwind` turns it into a diagnostic. Callers
//! validate indices first (see `Heap::check_head`) so that path is never the normal one.

use memmap2::MmapMut;

pub const BLOCK_SIZE: usize = 64;
pub const HEADER_SIZE: usize = 4;
pub const USABLE_BLOCK_SIZE: usize = 60;
pub const INVALID: u16 = 0xFFFF;
/// The largest number of blocks one heap segment may hold (`INVALID` is never an index).
pub const MAX_BLOCKS: u32 = 65_535;

/// Raw block storage. Offsets given to payload accessors are relative to the payload
/// (byte 4 of the block) and must stay within `USABLE_BLOCK_SIZE`.
pub struct BlockMemory {
    map: MmapMut,
    block_count: u32,
}

impl BlockMemory {
    /// Maps `block_count` zeroed blocks. `block_count` must be in `1..=MAX_BLOCKS`.
    pub fn new(block_count: u32) -> std::io::Result<BlockMemory> {
        assert!(
            (1..=MAX_BLOCKS).contains(&block_count),
            "block count out of range"
        );
        let map = MmapMut::map_anon(block_count as usize * BLOCK_SIZE)?;
        Ok(BlockMemory { map, block_count })
    }

    #[inline]
    pub fn block_count(&self) -> u32 {
        self.block_count
    }

    /// The address of block 0 (for the segment table compiled code reads; the mapping
    /// never moves while this `BlockMemory` lives).
    pub fn base_address(&self) -> usize {
        self.map.as_ptr() as usize
    }

    #[inline]
    fn base(block: u16) -> usize {
        block as usize * BLOCK_SIZE
    }

    #[inline]
    pub fn next(&self, block: u16) -> u16 {
        let at = Self::base(block);
        u16::from_le_bytes(self.map[at..at + 2].try_into().expect("2 bytes"))
    }

    #[inline]
    pub fn set_next(&mut self, block: u16, next: u16) {
        let at = Self::base(block);
        self.map[at..at + 2].copy_from_slice(&next.to_le_bytes());
    }

    #[inline]
    pub fn ref_count(&self, block: u16) -> u16 {
        let at = Self::base(block) + 2;
        u16::from_le_bytes(self.map[at..at + 2].try_into().expect("2 bytes"))
    }

    #[inline]
    pub fn set_ref_count(&mut self, block: u16, count: u16) {
        let at = Self::base(block) + 2;
        self.map[at..at + 2].copy_from_slice(&count.to_le_bytes());
    }

    /// The header of `block`: `(BLOCK_NEXT, REF_COUNT)`, with one bounds check.
    #[inline]
    pub fn header(&self, block: u16) -> (u16, u16) {
        let at = Self::base(block);
        let h: [u8; HEADER_SIZE] = self.map[at..at + HEADER_SIZE].try_into().expect("4 bytes");
        (
            u16::from_le_bytes([h[0], h[1]]),
            u16::from_le_bytes([h[2], h[3]]),
        )
    }

    /// Writes the header of `block` (`BLOCK_NEXT`, `REF_COUNT`), with one bounds check.
    #[inline]
    pub fn set_header(&mut self, block: u16, next: u16, count: u16) {
        let at = Self::base(block);
        let [n0, n1] = next.to_le_bytes();
        let [c0, c1] = count.to_le_bytes();
        self.map[at..at + HEADER_SIZE].copy_from_slice(&[n0, n1, c0, c1]);
    }

    /// Writes the header of `block` and zeroes its payload: a freshly allocated block, with
    /// one bounds check.
    #[inline]
    pub fn init_block(&mut self, block: u16, next: u16, count: u16) {
        let at = Self::base(block);
        let bytes: &mut [u8; BLOCK_SIZE] = (&mut self.map[at..at + BLOCK_SIZE])
            .try_into()
            .expect("64 bytes");
        let [n0, n1] = next.to_le_bytes();
        let [c0, c1] = count.to_le_bytes();
        bytes[..HEADER_SIZE].copy_from_slice(&[n0, n1, c0, c1]);
        bytes[HEADER_SIZE..].fill(0);
    }

    /// Whether `block` has a count above zero and payload byte `kind_offset` equal to
    /// `kind`; one bounds check for the block.
    #[inline]
    pub fn has_live_count_and_kind(&self, block: u16, kind_offset: usize, kind: u8) -> bool {
        let at = Self::base(block);
        let Some(bytes) = self.map.get(at..at + BLOCK_SIZE) else {
            return false;
        };
        let Ok(bytes): Result<&[u8; BLOCK_SIZE], _> = bytes.try_into() else {
            return false;
        };
        kind_offset < USABLE_BLOCK_SIZE
            && bytes[HEADER_SIZE + kind_offset] == kind
            && u16::from_le_bytes([bytes[2], bytes[3]]) > 0
    }

    /// Steps the count of `block` when its payload byte `kind_offset` is `kind` and
    /// `step` accepts the count; returns whether it did. One bounds check for the block.
    #[inline]
    pub fn try_step_count_of_kind(
        &mut self,
        block: u16,
        kind_offset: usize,
        kind: u8,
        step: super::count_fast_path::CountStep,
    ) -> bool {
        let at = Self::base(block);
        let Some(bytes) = self.map.get_mut(at..at + BLOCK_SIZE) else {
            return false;
        };
        let Ok(bytes): Result<&mut [u8; BLOCK_SIZE], _> = bytes.try_into() else {
            return false;
        };
        if kind_offset >= USABLE_BLOCK_SIZE || bytes[HEADER_SIZE + kind_offset] != kind {
            return false;
        }
        let Some(count) = step.apply(u16::from_le_bytes([bytes[2], bytes[3]])) else {
            return false;
        };
        bytes[2..4].copy_from_slice(&count.to_le_bytes());
        true
    }

    #[inline]
    pub fn payload(&self, block: u16) -> &[u8] {
        let at = Self::base(block) + HEADER_SIZE;
        &self.map[at..at + USABLE_BLOCK_SIZE]
    }

    #[inline]
    pub fn payload_mut(&mut self, block: u16) -> &mut [u8] {
        let at = Self::base(block) + HEADER_SIZE;
        &mut self.map[at..at + USABLE_BLOCK_SIZE]
    }

    #[inline]
    pub fn read_u8(&self, block: u16, offset: usize) -> u8 {
        self.payload(block)[offset]
    }

    #[inline]
    pub fn write_u8(&mut self, block: u16, offset: usize, byte: u8) {
        self.payload_mut(block)[offset] = byte;
    }

    #[inline]
    pub fn read_u32(&self, block: u16, offset: usize) -> u32 {
        let p = self.payload(block);
        u32::from_le_bytes(p[offset..offset + 4].try_into().expect("4 bytes"))
    }

    #[inline]
    pub fn write_u32(&mut self, block: u16, offset: usize, word: u32) {
        self.payload_mut(block)[offset..offset + 4].copy_from_slice(&word.to_le_bytes());
    }

    #[inline]
    pub fn read_u64(&self, block: u16, offset: usize) -> u64 {
        // One bounds check against the mapping (the hot path of every container walk);
        // offsets come from the object layouts' constants, never from heap contents.
        debug_assert!(offset + 8 <= USABLE_BLOCK_SIZE, "payload offset {offset}");
        let at = Self::base(block) + HEADER_SIZE + offset;
        let bytes: [u8; 8] = self.map[at..at + 8].try_into().expect("8 bytes");
        u64::from_le_bytes(bytes)
    }

    #[inline]
    pub fn write_u64(&mut self, block: u16, offset: usize, word: u64) {
        self.payload_mut(block)[offset..offset + 8].copy_from_slice(&word.to_le_bytes());
    }

    /// Copies the payload of `from` into `to` (headers untouched).
    pub fn copy_payload(&mut self, from: u16, to: u16) {
        let src = Self::base(from) + HEADER_SIZE;
        let dst = Self::base(to) + HEADER_SIZE;
        self.map.copy_within(src..src + USABLE_BLOCK_SIZE, dst);
    }

    /// Zeroes a block's payload.
    pub fn clear_payload(&mut self, block: u16) {
        self.payload_mut(block).fill(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_payload_fields_do_not_overlap() {
        let mut memory = BlockMemory::new(4).unwrap();
        memory.set_next(2, 0x1234);
        memory.set_ref_count(2, 0xFFFE);
        memory.write_u64(2, 52, u64::MAX);
        memory.write_u8(2, 0, 7);
        assert_eq!(memory.next(2), 0x1234);
        assert_eq!(memory.ref_count(2), 0xFFFE);
        assert_eq!(memory.read_u64(2, 52), u64::MAX);
        assert_eq!(memory.read_u8(2, 0), 7);
        assert_eq!(memory.next(3), 0, "neighbour untouched");
        assert_eq!(memory.next(1), 0, "neighbour untouched");
        memory.copy_payload(2, 3);
        assert_eq!(memory.read_u64(3, 52), u64::MAX);
        assert_eq!(memory.ref_count(3), 0);
    }

    #[test]
    fn header_accessors_match_the_field_accessors() {
        let mut memory = BlockMemory::new(3).unwrap();
        memory.write_u64(1, 52, u64::MAX);
        memory.set_header(1, 0xABCD, 7);
        assert_eq!((memory.next(1), memory.ref_count(1)), (0xABCD, 7));
        assert_eq!(memory.header(1), (0xABCD, 7));
        assert_eq!(memory.read_u64(1, 52), u64::MAX, "payload untouched");
        memory.init_block(1, INVALID, 1);
        assert_eq!(memory.header(1), (INVALID, 1));
        assert!(memory.payload(1).iter().all(|&byte| byte == 0));
        assert_eq!(memory.header(0), (0, 0), "neighbour untouched");
        assert_eq!(memory.header(2), (0, 0), "neighbour untouched");
    }
}
