//! The ownership graph of seed 004 §3.4 (to be completed).

use crate::heap::Heap;

/// The ownership graph of a heap.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OwnershipGraph {}

impl OwnershipGraph {
    pub fn build(_heap: &Heap) -> OwnershipGraph {
        OwnershipGraph {}
    }
}
