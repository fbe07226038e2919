//! Reference counts and chains: head checks, guarded increments and decrements, freeing a
//! chain, and copying one (a whole chain, docs/MEMORY.md, "Reference counts").

use super::*;

impl Heap {
    /// Checks that `block` is an allocated head (bounds, state, count).
    pub fn check_head(&self, block: u32) -> Result<(), HeapError> {
        match self.state(block) {
            Some(BlockState::Head) if self.memory.ref_count(block) > 0 => Ok(()),
            Some(BlockState::Head) => Err(HeapError::Integrity(format!(
                "head block {block} has REF_COUNT 0"
            ))),
            Some(BlockState::Tail) => Err(HeapError::Integrity(format!(
                "block {block} is a chain tail, not a head"
            ))),
            Some(BlockState::Free) => Err(HeapError::Integrity(format!("block {block} is free"))),
            None => Err(HeapError::Integrity(format!(
                "block {block} is out of range (heap has {} blocks)",
                self.block_count()
            ))),
        }
    }

    /// [`Heap::check_head`] for an operation about to change the heap: in audit mode a
    /// failure is recorded as an integrity violation (RT0801) with the block's site.
    #[inline(always)]
    pub(super) fn check_head_recording(&mut self, block: u32) -> Result<(), HeapError> {
        // The common case in one branch; the failure (and its message) is out of line.
        if self.is_head_state(block) && self.memory.ref_count(block) > 0 {
            return Ok(());
        }
        self.head_check_failed(block)
    }

    #[cold]
    #[inline(never)]
    pub(super) fn head_check_failed(&mut self, block: u32) -> Result<(), HeapError> {
        match self.check_head(block) {
            Ok(()) => Ok(()),
            Err(HeapError::Integrity(detail)) => Err(self.integrity_error(block, detail)),
            Err(other) => Err(other),
        }
    }

    #[inline]
    pub fn ref_count(&self, block: u32) -> u16 {
        self.memory.ref_count(block)
    }

    /// Increments a head's count. `Saturated` when it is already `MAX_REF_COUNT`.
    pub fn inc_ref(&mut self, block: u32) -> Result<(), HeapError> {
        self.check_head_recording(block)?;
        let old = self.memory.ref_count(block);
        if AUDIT_COMPILED && self.observing {
            self.check_shadow(block, old, "incRef")?;
        }
        if old >= MAX_REF_COUNT {
            return Err(HeapError::Saturated);
        }
        self.memory.set_ref_count(block, old + 1);
        self.record(RefOp::IncRef, block, old, old + 1);
        Ok(())
    }

    /// Decrements a head's count. Returns `true` when it reached zero: the object layer must
    /// then release the object's children and call [`Heap::free_chain`]. The count is left
    /// at 1 in that case so the object's payload stays readable until it is freed.
    pub fn dec_ref(&mut self, block: u32) -> Result<bool, HeapError> {
        self.check_head_recording(block)?;
        let old = self.memory.ref_count(block);
        if AUDIT_COMPILED && self.observing {
            self.check_shadow(block, old, "decRef")?;
        }
        if old == 1 {
            return Ok(true);
        }
        self.memory.set_ref_count(block, old - 1);
        self.record(RefOp::DecRef, block, old, old - 1);
        Ok(false)
    }

    /// Frees the chain headed by `head` (its count must be 1: see [`Heap::dec_ref`]).
    pub fn free_chain(&mut self, head: u32) -> Result<(), HeapError> {
        self.check_head_recording(head)?;
        let old = self.memory.ref_count(head);
        if AUDIT_COMPILED && self.observing {
            self.check_shadow(head, old, "free")?;
        }
        self.record(RefOp::Free, head, old, 0);
        let mut block = head;
        let mut freed = 0u64;
        while block != NO_BLOCK {
            let next = self.memory.next(block);
            if block != head && self.state(block) != Some(BlockState::Tail) {
                let detail =
                    format!("chain of head {head} reaches block {block} which is not its tail");
                self.counters.total_freed += freed;
                return Err(self.integrity_error(head, detail));
            }
            self.push_free(block);
            freed += 1;
            block = next;
        }
        self.counters.total_freed += freed;
        if AUDIT_COMPILED && self.observing {
            self.after_free_audit();
        }
        Ok(())
    }

    /// The blocks of a chain, head first. A corrupt chain (one that loops or leaves the
    /// heap) is cut where it goes wrong; the integrity checks report it.
    pub fn chain(&self, head: u32) -> Vec<u32> {
        let mut blocks = Vec::new();
        let mut block = head;
        while block != NO_BLOCK
            && self.memory.contains(block)
            && blocks.len() <= SEGMENT_BLOCKS as usize
        {
            blocks.push(block);
            block = self.memory.next(block);
        }
        blocks
    }

    /// A copy of a whole chain (docs/MEMORY.md, "Reference counts": tails are never
    /// shared, so copying an object copies its chain). Records `cow` on the source, then the
    /// copy's `malloc`. The copy has count 1; children are *not* retained here.
    pub fn copy_chain(&mut self, head: u32) -> Result<u32, HeapError> {
        self.copy_chain_as(head, false)
    }

    /// [`Heap::copy_chain`]; a `critical` copy ignores the soft quota (the copy a retain
    /// makes instead of saturating a count is the runtime's bookkeeping, not new data).
    pub fn copy_chain_as(&mut self, head: u32, critical: bool) -> Result<u32, HeapError> {
        self.check_head_recording(head)?;
        let source = self.chain(head);
        // Room first (quota, free count, the failure handler): `cow` is recorded only for
        // a copy that will happen.
        self.reserve(source.len() as u32, critical)?;
        self.count_injected_failure(source.len() as u32)?;
        let count = self.memory.ref_count(head);
        self.record(RefOp::Cow, head, count, count);
        let copy = self.take_blocks(source.len() as u32)?;
        let mut target = copy;
        for &from in &source {
            self.memory.copy_payload(from, target);
            target = self.memory.next(target);
        }
        Ok(copy)
    }
}
