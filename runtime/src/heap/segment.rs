//! One heap segment's bookkeeping beside its blocks: the state of each block and its free list
//! (docs/MEMORY.md, "Free list and allocation"), initialised lazily. A fresh segment's free list is
//! every block in index order; instead of writing 65,535 `BLOCK_NEXT` fields up front, the blocks
//! never handed out (`untouched..capacity`) are implicitly that tail of the list. Freed blocks are
//! pushed on the front (LIFO reuse), and the last of them links to the first untouched block —
//! exactly the list an eager initialisation would hold, so the same program gets the same block
//! numbers either way.

use super::BlockState;
use super::block_memory::INVALID;

pub(crate) struct Segment {
    /// State of every block of the segment.
    pub(crate) states: Vec<BlockState>,
    /// First block of the explicit part of the free list (`INVALID`: it is empty and the
    /// list continues at `untouched`).
    pub(crate) free_head: u16,
    /// Blocks `untouched..capacity` have never been allocated.
    pub(crate) untouched: u32,
    pub(crate) free_count: u32,
    pub(crate) capacity: u32,
}

impl Segment {
    pub(crate) fn new(capacity: u32) -> Segment {
        Segment {
            states: vec![BlockState::Free; capacity as usize],
            free_head: INVALID,
            untouched: 0,
            free_count: capacity,
            capacity,
        }
    }

    /// The index the next single-block allocation takes (`INVALID` when none is free).
    pub(crate) fn first_free(&self) -> u16 {
        if self.free_head != INVALID {
            self.free_head
        } else if self.untouched < self.capacity {
            self.untouched as u16
        } else {
            INVALID
        }
    }

    /// What a freed block's `BLOCK_NEXT` must hold: the current first free block.
    pub(crate) fn link_for_push(&self) -> u16 {
        self.first_free()
    }

    /// After popping the explicit head whose `BLOCK_NEXT` was `next`.
    pub(crate) fn advance_explicit(&mut self, next: u16) {
        self.free_head = if next != INVALID && u32::from(next) == self.untouched {
            // The explicit list ends by linking into the untouched tail.
            INVALID
        } else {
            next
        };
    }
}
