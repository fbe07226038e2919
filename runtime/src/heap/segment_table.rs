//! A table of every segment's block and state memory at a stable address, for code that
//! reads heads and list trees inline (the JIT's `xs[i]` and `len` fast paths; layout in
//! `crate::inline_heap_layout`). Entry `s` describes segment `s`: the address of its block
//! mapping, of its state bytes (one `BlockState` per block) and its block count. Segments
//! not mapped yet have an all-zero entry, so a block count of 0 makes every index of them
//! out of range. The table is a boxed fixed-size array: its address never changes while the
//! heap lives, and neither do the mappings and state arrays it points to (a segment's
//! `states` vector is never resized and a mapping never moves), so compiled code can load
//! the table pointer from the context and index it directly.
//!
//! The entries are plain addresses (`usize`), not pointers: the runtime itself never
//! dereferences them, and the heap stays `Send`.

/// The most segments a heap can have (`MAX_HEAP_BLOCKS / SEGMENT_BLOCKS`).
pub const MAX_SEGMENTS: usize = 1024;

/// One segment's memory, as compiled code reads it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct SegmentTableEntry {
    /// Address of block 0 of the segment's mapping (block `i` is at `blocks + 64 * i`).
    pub blocks_address: usize,
    /// Address of the segment's state bytes (`BlockState as u8`, one per block).
    pub states_address: usize,
    /// Blocks in the segment; 0 for a segment not mapped yet.
    pub block_count: u64,
    /// Unused: pads an entry to 32 bytes so compiled code indexes the table with a shift.
    pub reserved: u64,
}

/// The table itself: `MAX_SEGMENTS` entries in one allocation that never moves.
pub struct SegmentTable {
    entries: Box<[SegmentTableEntry; MAX_SEGMENTS]>,
}

impl Default for SegmentTable {
    fn default() -> SegmentTable {
        let entries: Box<[SegmentTableEntry]> =
            vec![SegmentTableEntry::default(); MAX_SEGMENTS].into_boxed_slice();
        SegmentTable {
            entries: entries
                .try_into()
                .expect("the vector has exactly MAX_SEGMENTS entries"),
        }
    }
}

impl SegmentTable {
    /// Records segment `number`'s memory (called when it is mapped).
    pub(crate) fn set(&mut self, number: usize, entry: SegmentTableEntry) {
        self.entries[number] = entry;
    }

    /// Segment `number`'s entry (all zero when it is not mapped).
    pub fn entry(&self, number: usize) -> SegmentTableEntry {
        self.entries.get(number).copied().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_table_has_every_segment_empty_and_keeps_its_address() {
        let mut table = SegmentTable::default();
        let address = std::ptr::from_ref(&*table.entries) as usize;
        assert_eq!(table.entry(0), SegmentTableEntry::default());
        assert_eq!(table.entry(MAX_SEGMENTS), SegmentTableEntry::default());
        let entry = SegmentTableEntry {
            blocks_address: 64,
            states_address: 128,
            block_count: 3,
            reserved: 0,
        };
        table.set(5, entry);
        assert_eq!(table.entry(5), entry);
        let moved = table;
        assert_eq!(std::ptr::from_ref(&*moved.entries) as usize, address);
        assert_eq!(std::mem::size_of::<SegmentTableEntry>(), 32);
    }
}
