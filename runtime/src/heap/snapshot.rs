//! Heap snapshots (docs/MEMORY.md, "Traces and snapshots"): the live blocks with their counts, and
//! the comparison that proves a run left the heap exactly as it found it.

use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeapSnapshot {
    /// Head block address -> REF_COUNT, for every allocated head.
    pub allocated_heads: BTreeMap<u32, u16>,
    /// Every allocated block (heads and tails).
    pub blocks_in_use: u32,
    /// The block the next single-block allocation would take (`NO_BLOCK` if none).
    pub free_list_head: u32,
    pub total_free: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeapDelta {
    /// Heads live after but not before (leaks, if the run should have been balanced).
    pub newly_allocated: Vec<u32>,
    /// Heads live before but freed since.
    pub freed: Vec<u32>,
    /// Heads live in both whose count differs: (block, before, after).
    pub count_changed: Vec<(u32, u16, u16)>,
    pub blocks_in_use_before: u32,
    pub blocks_in_use_after: u32,
}

impl HeapDelta {
    /// True when the heap after equals the heap before: no leaked block, every count restored.
    pub fn is_clean(&self) -> bool {
        self.newly_allocated.is_empty()
            && self.freed.is_empty()
            && self.count_changed.is_empty()
            && self.blocks_in_use_before == self.blocks_in_use_after
    }
}

impl std::fmt::Display for HeapDelta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_clean() {
            return write!(f, "heap clean ({} blocks in use)", self.blocks_in_use_after);
        }
        write!(
            f,
            "blocks in use {} -> {}; leaked heads {:?}; freed heads {:?}; counts changed {:?}",
            self.blocks_in_use_before,
            self.blocks_in_use_after,
            self.newly_allocated,
            self.freed,
            self.count_changed
        )
    }
}

pub fn compare_snapshots(before: &HeapSnapshot, after: &HeapSnapshot) -> HeapDelta {
    let mut delta = HeapDelta {
        blocks_in_use_before: before.blocks_in_use,
        blocks_in_use_after: after.blocks_in_use,
        ..HeapDelta::default()
    };
    for (&block, &count) in &after.allocated_heads {
        match before.allocated_heads.get(&block) {
            None => delta.newly_allocated.push(block),
            Some(&old) if old != count => delta.count_changed.push((block, old, count)),
            Some(_) => {}
        }
    }
    for &block in before.allocated_heads.keys() {
        if !after.allocated_heads.contains_key(&block) {
            delta.freed.push(block);
        }
    }
    delta
}
