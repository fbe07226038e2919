//! Allocation: `malloc` of whole chains in the lowest segment that can hold them, the room
//! checks (heap size, soft quota, refused allocations, the failure handler's retry), the
//! LIFO free list of each segment, and rollback of a partly taken chain.

use super::*;

impl Heap {
    /// Blocks needed for `bytes` payload bytes (at least one).
    /// Saturates at `u32::MAX` (far past any object's limit, so never mistaken for a small
    /// request).
    pub fn blocks_for(bytes: usize) -> u32 {
        u32::try_from(bytes.div_ceil(USABLE_BLOCK_SIZE).max(1)).unwrap_or(u32::MAX)
    }

    /// One object's chain stays in its head's segment: at most [`SEGMENT_BLOCKS`] blocks,
    /// whatever the heap's size (RT0406 past it).
    #[inline]
    pub fn check_object_size(needed: u32) -> Result<(), HeapError> {
        if needed > SEGMENT_BLOCKS {
            return Err(HeapError::ObjectTooLarge { requested: needed });
        }
        Ok(())
    }

    /// Allocates a chain holding `bytes` bytes: payloads zeroed, `REF_COUNT = 1` on the head,
    /// 0 on the tails, last `BLOCK_NEXT = INVALID`. On failure nothing is left allocated.
    pub fn malloc(&mut self, bytes: usize) -> Result<u32, HeapError> {
        self.malloc_blocks(Self::blocks_for(bytes), false)
    }

    /// Like [`Heap::malloc`] for a block count; `critical` allocations ignore the soft quota.
    /// An object larger than a segment is refused (RT0406) before any other check, and the
    /// allocation-failure handler is not called for it (nothing it frees could help).
    pub fn malloc_blocks(&mut self, needed: u32, critical: bool) -> Result<u32, HeapError> {
        Self::check_object_size(needed)?;
        self.reserve(needed, critical)?;
        self.count_injected_failure(needed)?;
        self.take_blocks(needed)
    }

    /// Checks that `needed` blocks can be allocated now — the soft quota (unless `critical`),
    /// a watchdog refusal, then the free count — calling the allocation-failure handler
    /// once when they cannot (it may free blocks or raise the quota; then the check is
    /// retried once). Multi-step updates call this first with their worst case so that they
    /// never fail half-way for lack of memory.
    pub fn reserve(&mut self, needed: u32, critical: bool) -> Result<(), HeapError> {
        match self.check_room(needed, critical) {
            Ok(()) => Ok(()),
            Err(error) => self.retry_after_failure_handler(needed, critical, error),
        }
    }

    #[inline]
    pub(super) fn check_room(&self, needed: u32, critical: bool) -> Result<(), HeapError> {
        if !critical {
            if let Some(quota) = self.quota {
                let used = self.blocks_in_use();
                if used + needed > quota {
                    return Err(HeapError::QuotaExceeded {
                        used,
                        quota,
                        requested: needed,
                    });
                }
            }
            if self.refusing_allocations {
                let used = self.blocks_in_use();
                return Err(HeapError::QuotaExceeded {
                    used,
                    quota: used,
                    requested: needed,
                });
            }
        }
        let free = self.free_count();
        if needed > free {
            return Err(HeapError::Exhausted {
                requested: needed,
                free,
            });
        }
        Ok(())
    }

    /// The segment an allocation of `needed` blocks goes to: the lowest mapped one with
    /// room for the whole chain, else a new one if the heap has room for it.
    pub(super) fn segment_for(&mut self, needed: u32) -> Result<usize, HeapError> {
        Self::check_object_size(needed)?;
        let exhausted = |heap: &Heap| HeapError::Exhausted {
            requested: needed,
            free: heap.free_count(),
        };
        // The common case first: the search's first candidate has room.
        if self
            .segments
            .get(self.first_with_free)
            .is_some_and(|segment| segment.free_count >= needed)
        {
            return Ok(self.first_with_free);
        }
        if let Some(found) = (self.first_with_free..self.segments.len())
            .find(|&number| self.segments[number].free_count >= needed)
        {
            return Ok(found);
        }
        let planned = self.segments.len() as u32 * SEGMENT_BLOCKS;
        let next_capacity = self.capacity.saturating_sub(planned).min(SEGMENT_BLOCKS);
        if next_capacity < needed {
            return Err(exhausted(self));
        }
        self.add_segment().map_err(|_| exhausted(self))
    }

    /// Takes `needed` blocks off one segment's free list (room already checked by
    /// `reserve`, the injected failure by `count_injected_failure`).
    pub(super) fn take_blocks(&mut self, needed: u32) -> Result<u32, HeapError> {
        let segment = self.segment_for(needed)?;
        let head = if needed == 1 {
            // One block: nothing to roll back if the pop fails, and the header and payload
            // are written at once (the same bytes as the chain loop leaves).
            let block = self.pop_free(segment)?;
            self.memory.init_block(block, INVALID, 1);
            self.set_state(block, BlockState::Head);
            block
        } else {
            self.take_chain(segment, needed)?
        };
        self.counters.total_allocated += needed as u64;
        self.counters.peak_usage = self.counters.peak_usage.max(self.blocks_in_use());
        self.record(RefOp::Malloc, head, 0, 1);
        if AUDIT_COMPILED && self.observing {
            self.after_allocation_audit();
        }
        Ok(head)
    }

    /// Links `needed` blocks of segment `segment` into a chain, rolling back on failure.
    pub(super) fn take_chain(&mut self, segment: usize, needed: u32) -> Result<u32, HeapError> {
        let mut head = NO_BLOCK;
        let mut tail = NO_BLOCK;
        for _ in 0..needed {
            let block = match self.pop_free(segment) {
                Ok(block) => block,
                Err(error) => {
                    // Rollback: return every block taken so far.
                    self.rollback(head);
                    return Err(error);
                }
            };
            self.memory.clear_payload(block);
            self.memory.set_ref_count(block, 0);
            if head == NO_BLOCK {
                head = block;
                self.set_state(block, BlockState::Head);
            } else {
                self.memory.set_next(tail, block);
                self.set_state(block, BlockState::Tail);
            }
            tail = block;
        }
        self.memory.set_next(tail, NO_BLOCK);
        self.memory.set_ref_count(head, 1);
        Ok(head)
    }

    /// Pops the first free block of segment `number` (checking it as docs/MEMORY.md, "Integrity
    /// violations (RT0801)" says).
    #[inline(always)]
    pub(super) fn pop_free(&mut self, number: usize) -> Result<u32, HeapError> {
        let segment = &self.segments[number];
        let index = segment.first_free();
        if index == INVALID || segment.free_count == 0 {
            return Err(HeapError::Exhausted {
                requested: 1,
                free: 0,
            });
        }
        let block = join_address(number, index);
        if segment.free_head == INVALID {
            // The untouched tail: never allocated, still zero.
            let segment = &mut self.segments[number];
            segment.untouched += 1;
        } else {
            let (next, count) = self.memory.header(block);
            if segment.states.get(index as usize) != Some(&BlockState::Free) || count != 0 {
                let detail = format_args!(
                    "free list holds block {block} which is not free (REF_COUNT {count})"
                );
                return Err(self.cold_integrity_error(block, detail));
            }
            if next != INVALID && u32::from(next) >= segment.capacity {
                let detail = format_args!("free block {block} has BLOCK_NEXT {next}, out of range");
                return Err(self.cold_integrity_error(block, detail));
            }
            self.segments[number].advance_explicit(next);
        }
        let segment = &mut self.segments[number];
        segment.free_count -= 1;
        self.in_use += 1;
        if segment.free_count == 0 && self.first_with_free == number {
            self.first_with_free = (number + 1..self.segments.len())
                .find(|&n| self.segments[n].free_count > 0)
                .unwrap_or(self.segments.len());
        }
        Ok(block)
    }

    #[inline(always)]
    pub(super) fn push_free(&mut self, block: u32) {
        let (number, index) = split_address(block);
        let link = self.segments[number].link_for_push();
        self.memory.set_header(block, link, 0);
        let segment = &mut self.segments[number];
        segment.states[index as usize] = BlockState::Free;
        segment.free_head = index;
        segment.free_count += 1;
        self.in_use = self.in_use.saturating_sub(1);
        self.first_with_free = self.first_with_free.min(number);
    }

    /// Test-only (feature `corruption`): pushes `block` on the free list with no event and
    /// no check, whatever its state — how `audit::corruption` frees a block twice or behind
    /// the heap's back. The caller checks that `block` is in range.
    #[cfg(feature = "corruption")]
    pub(crate) fn push_free_for_corruption(&mut self, block: u32) {
        self.push_free(block);
    }

    /// [`Heap::integrity_error`] out of line, for hot paths.
    #[cold]
    #[inline(never)]
    pub(super) fn cold_integrity_error(
        &mut self,
        block: u32,
        detail: std::fmt::Arguments,
    ) -> HeapError {
        self.integrity_error(block, detail.to_string())
    }

    pub(super) fn rollback(&mut self, head: u32) {
        let mut block = head;
        while block != NO_BLOCK {
            let next = self.memory.next(block);
            self.push_free(block);
            block = next;
        }
    }
}
