//! Growing an allocated chain in place by tail blocks (an in-place Text append). A chain never
//! leaves its head's segment (docs/MEMORY.md, "Blocks"), so the new tails come from that segment's
//! free list or not at all: when the segment has too few free blocks the chain is left as it was
//! and the caller copies the object into a segment that fits instead (deterministic: the same on
//! both engines). Tails carry no count and are never traced, so growing records no event; the
//! blocks are counted in `blocks_in_use` and the counters like any allocation.

use super::{AUDIT_COMPILED, BlockState, Heap, HeapError, NO_BLOCK, split_address};

/// What [`Heap::grow_chain_in_place`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainGrowth {
    /// The chain now ends with the new (zeroed) tails, the first of which is `first_new`.
    Grown { first_new: u32 },
    /// The head's segment has fewer free blocks than asked for: nothing was changed.
    SegmentFull,
}

impl Heap {
    /// Appends `extra` (≥ 1) zeroed tail blocks after `last`, the last block of the chain of
    /// `head`, taking them from the head's segment. Checks `head` (an allocated head) and
    /// `last` (that head itself or a tail of its segment, ending its chain) first. Room is
    /// checked before anything changes (the soft quota, a watchdog refusal, the free count,
    /// the allocation-failure handler, as `malloc` does), so on `Err` and on
    /// [`ChainGrowth::SegmentFull`] the heap is exactly as it was.
    pub fn grow_chain_in_place(
        &mut self,
        head: u32,
        last: u32,
        extra: u32,
    ) -> Result<ChainGrowth, HeapError> {
        self.check_head_recording(head)?;
        let (segment, _) = split_address(head);
        let last_is_end = last == head
            || (split_address(last).0 == segment && self.state(last) == Some(BlockState::Tail));
        if !last_is_end || self.memory.next(last) != NO_BLOCK {
            let detail = format!("block {last} is not the last block of the chain of head {head}");
            return Err(self.integrity_error(head, detail));
        }
        if self.segments[segment].free_count < extra {
            return Ok(ChainGrowth::SegmentFull);
        }
        self.reserve(extra, false)?;
        if self.segments[segment].free_count < extra {
            // The allocation-failure handler ran and changed the segment's free list.
            return Ok(ChainGrowth::SegmentFull);
        }
        let mut first_new = NO_BLOCK;
        let mut previous = last;
        for _ in 0..extra {
            let block = match self.pop_free(segment) {
                Ok(block) => block,
                Err(error) => {
                    // Rollback: give back the tails taken so far and end the chain at `last`.
                    self.memory.set_next(last, NO_BLOCK);
                    self.rollback(first_new);
                    return Err(error);
                }
            };
            self.memory.clear_payload(block);
            self.memory.set_ref_count(block, 0);
            self.set_state(block, BlockState::Tail);
            self.memory.set_next(previous, block);
            self.memory.set_next(block, NO_BLOCK);
            if first_new == NO_BLOCK {
                first_new = block;
            }
            previous = block;
        }
        self.counters.total_allocated += u64::from(extra);
        self.counters.peak_usage = self.counters.peak_usage.max(self.blocks_in_use());
        if AUDIT_COMPILED && self.observing {
            self.after_allocation_audit();
        }
        Ok(ChainGrowth::Grown { first_new })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growing_links_zeroed_tails_from_the_heads_segment() {
        let mut heap = Heap::new(16).unwrap();
        let head = heap.malloc(61).unwrap(); // two blocks
        let last = heap.chain(head)[1];
        heap.memory_mut().payload_mut(last)[0] = 7;
        let before = heap.blocks_in_use();
        let growth = heap.grow_chain_in_place(head, last, 2).unwrap();
        let chain = heap.chain(head);
        assert_eq!(chain.len(), 4);
        assert_eq!(
            growth,
            ChainGrowth::Grown {
                first_new: chain[2]
            }
        );
        assert_eq!(heap.memory().payload(last)[0], 7);
        assert!(heap.memory().payload(chain[3]).iter().all(|&b| b == 0));
        assert_eq!(heap.state(chain[3]), Some(BlockState::Tail));
        assert_eq!(heap.blocks_in_use(), before + 2);
        heap.free_chain(head).unwrap();
        assert_eq!(heap.blocks_in_use(), 0);
        heap.validate_free_list().unwrap();
    }

    #[test]
    fn a_quota_failure_changes_nothing() {
        let mut heap = Heap::new(16).unwrap();
        let head = heap.malloc(10).unwrap();
        heap.set_quota(Some(2));
        let before = heap.snapshot();
        let error = heap.grow_chain_in_place(head, head, 2).unwrap_err();
        assert!(matches!(error, HeapError::QuotaExceeded { .. }));
        assert!(super::super::compare_snapshots(&before, &heap.snapshot()).is_clean());
        assert_eq!(heap.chain(head), vec![head]);
    }

    #[test]
    fn a_full_segment_changes_nothing() {
        let mut heap = Heap::new(3).unwrap();
        let head = heap.malloc(10).unwrap();
        let before = heap.snapshot();
        assert_eq!(
            heap.grow_chain_in_place(head, head, 3).unwrap(),
            ChainGrowth::SegmentFull
        );
        assert!(super::super::compare_snapshots(&before, &heap.snapshot()).is_clean());
    }

    #[test]
    fn a_block_that_does_not_end_the_chain_is_refused() {
        let mut heap = Heap::new(8).unwrap();
        let head = heap.malloc(100).unwrap();
        let other = heap.malloc(10).unwrap();
        assert!(matches!(
            heap.grow_chain_in_place(head, head, 1),
            Err(HeapError::Integrity(_))
        ));
        assert!(matches!(
            heap.grow_chain_in_place(head, other, 1),
            Err(HeapError::Integrity(_))
        ));
    }
}
