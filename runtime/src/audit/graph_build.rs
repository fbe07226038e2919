//! Building the ownership graph (see `graph`): walking every head's chain, reading its
//! child slots, classifying each reference as an edge or a dangling reference, and walking
//! the free list. Every read is of a block whose index was checked first, so a corrupt heap
//! produces `StructuralProblem`s, never a panic.

use crate::heap::{BlockState, Heap, HeapError, INVALID};
use crate::objects::children::{SlotLocation, child_slots};
use crate::objects::header::KIND_OFFSET;
use crate::objects::tuple;
use crate::value::{Kind, Value};

use super::graph::{
    DanglingReference, DanglingTarget, GraphEdge, OwnershipGraph, StructuralProblem, index_in_heap,
    kind_name,
};

pub(super) struct Builder<'h> {
    pub(super) heap: &'h Heap,
    pub(super) block_count: u32,
    /// The head whose chain claimed each tail.
    pub(super) tail_owner: Vec<Option<u16>>,
    pub(super) problems: Vec<StructuralProblem>,
}

impl Builder<'_> {
    pub(super) fn problem(&mut self, block: u32, diagnostic: String) {
        self.problems.push(StructuralProblem { block, diagnostic });
    }

    /// Walks the chain of `head` through tails it may claim. Returns the well-formed prefix
    /// and whether the chain ended at `INVALID`.
    pub(super) fn walk_chain(&mut self, head: u16) -> (Vec<u16>, bool) {
        let mut chain = vec![head];
        let mut current = head;
        loop {
            let next = self.heap.memory().next(current);
            if next == INVALID {
                return (chain, true);
            }
            let Some(state) = self.heap.state(next) else {
                self.problem(
                    u32::from(head),
                    format!(
                        "chain of head {head} leaves the heap: block {current} has BLOCK_NEXT {next} (heap has {} blocks)",
                        self.block_count
                    ),
                );
                return (chain, false);
            };
            let owner = self.tail_owner[usize::from(next)];
            if next == head || owner == Some(head) {
                self.problem(
                    u32::from(head),
                    format!(
                        "chain of head {head} loops: block {current} links back to block {next}"
                    ),
                );
                return (chain, false);
            }
            match (state, owner) {
                (BlockState::Tail, None) => {
                    self.tail_owner[usize::from(next)] = Some(head);
                    chain.push(next);
                    current = next;
                }
                (BlockState::Tail, Some(other)) => {
                    self.problem(
                        u32::from(next),
                        format!("tail block {next} is owned by two heads: {other} and {head}"),
                    );
                    return (chain, false);
                }
                (BlockState::Free | BlockState::Head, _) => {
                    let what = if state == BlockState::Free {
                        "free"
                    } else {
                        "a head"
                    };
                    self.problem(
                        u32::from(head),
                        format!(
                            "chain of head {head} reaches block {next} which is not a tail (it is {what})"
                        ),
                    );
                    return (chain, false);
                }
            }
        }
    }

    /// The child slots of a head, limited to its well-formed chain.
    pub(super) fn slots_of(
        &mut self,
        head: u16,
        kind: Kind,
        chain: &[u16],
        intact: bool,
    ) -> Vec<SlotLocation> {
        let tuple_layout = matches!(kind, Kind::Tuple | Kind::Seq | Kind::Closure | Kind::Ref);
        if tuple_layout {
            let length = tuple::tuple_length(self.heap, head);
            let capacity = tuple::TUPLE_HEAD_SLOTS + tuple::TUPLE_TAIL_SLOTS * (chain.len() - 1);
            if length > capacity {
                self.problem(
                    u32::from(head),
                    format!(
                        "head block {head} ({kind:?}) has length {length} but its chain of {} blocks holds {capacity} words",
                        chain.len()
                    ),
                );
            }
            if !intact || length > capacity {
                // `child_slots` walks the whole chain; read only the well-formed prefix.
                return (0..length.min(capacity))
                    .filter_map(|index| tuple::slot_at(self.heap, head, index))
                    .collect();
            }
        }
        match child_slots(self.heap, head, kind) {
            Ok(slots) => slots,
            Err(error) => {
                self.problem(
                    u32::from(head),
                    format!("head block {head}: {}", error.message),
                );
                Vec::new()
            }
        }
    }

    /// Classifies the word in `slot` of `holder`: an edge, a dangling reference, or nothing.
    pub(super) fn reference(
        &mut self,
        graph: &mut OwnershipGraph,
        holder: u16,
        position: usize,
        word: Value,
    ) {
        if word.bits() == 0 {
            return;
        }
        let slot = position as u32;
        if !word.is_well_formed() {
            self.problem(
                u32::from(holder),
                format!(
                    "block {holder} slot {slot} holds malformed word {:#018x}",
                    word.bits()
                ),
            );
            return;
        }
        let Some(word_kind) = word.heap_kind() else {
            return; // an immediate
        };
        let to = word.bits() as u32;
        let from = u32::from(holder);
        let Some(index) = index_in_heap(to, self.block_count) else {
            graph.dangling.push(DanglingReference {
                from,
                slot,
                to,
                target: DanglingTarget::OutOfRange,
            });
            self.problem(
                from,
                format!(
                    "block {holder} slot {slot} references block {to} which is out of range (heap has {} blocks)",
                    self.block_count
                ),
            );
            return;
        };
        match self.heap.state(index) {
            Some(BlockState::Head) => {
                graph.edges.push(GraphEdge { from, to, slot });
                let stored = self.heap.memory().read_u8(index, KIND_OFFSET);
                if stored != word_kind as u8 {
                    self.problem(
                        to,
                        format!(
                            "referenced by block {holder} slot {slot} as a {word_kind:?} but block {to} holds kind {}",
                            kind_name(stored)
                        ),
                    );
                }
            }
            Some(BlockState::Free) => {
                graph.dangling.push(DanglingReference {
                    from,
                    slot,
                    to,
                    target: DanglingTarget::Free,
                });
                self.problem(
                    to,
                    format!("referenced by block {holder} slot {slot} but block {to} is free"),
                );
            }
            Some(BlockState::Tail) | None => {
                graph.dangling.push(DanglingReference {
                    from,
                    slot,
                    to,
                    target: DanglingTarget::Tail,
                });
                let owner = match self.tail_owner[usize::from(index)] {
                    Some(owner) => format!("of head {owner}"),
                    None => "owned by no head".to_string(),
                };
                self.problem(
                    to,
                    format!("referenced by block {holder} slot {slot} but block {to} is a tail ({owner})"),
                );
            }
        }
    }

    /// Walks the free list (seed 004 §2.2, §5.1.1) naming the block at fault, then asks
    /// `Heap::validate_free_list` so that nothing it finds is missed.
    pub(super) fn check_free_list(&mut self) {
        let free_head = self.heap.snapshot().free_list_head;
        let mut on_list = vec![false; self.block_count as usize];
        let mut walked = 0u32;
        let mut previous: Option<u16> = None;
        let mut block = free_head;
        let mut complete = true;
        let before = self.problems.len();
        while block != INVALID {
            if u32::from(block) >= self.block_count {
                let (at, detail) = match previous {
                    Some(p) => (
                        u32::from(p),
                        format!("free block {p} has BLOCK_NEXT {block}"),
                    ),
                    None => (
                        u32::from(block),
                        format!("the free list starts at block {block}"),
                    ),
                };
                self.problem(
                    at,
                    format!(
                        "{detail}, out of range (heap has {} blocks)",
                        self.block_count
                    ),
                );
                complete = false;
                break;
            }
            if on_list[usize::from(block)] {
                self.problem(
                    u32::from(block),
                    format!("free list loops back to block {block}"),
                );
                complete = false;
                break;
            }
            on_list[usize::from(block)] = true;
            match self.heap.state(block) {
                Some(BlockState::Free) => {
                    let count = self.heap.ref_count(block);
                    if count != 0 {
                        self.problem(
                            u32::from(block),
                            format!("free block {block} has REF_COUNT {count}"),
                        );
                    }
                }
                Some(state) => {
                    let what = if state == BlockState::Head {
                        "a head"
                    } else {
                        "a tail"
                    };
                    self.problem(
                        u32::from(block),
                        format!("free list holds block {block} which is {what}"),
                    );
                }
                None => {}
            }
            walked += 1;
            previous = Some(block);
            block = self.heap.memory().next(block);
        }
        if complete {
            for index in 0..self.block_count {
                let index = index as u16;
                if self.heap.state(index) == Some(BlockState::Free) && !on_list[usize::from(index)]
                {
                    self.problem(
                        u32::from(index),
                        format!("free block {index} is not on the free list"),
                    );
                }
            }
            if walked != self.heap.free_count() {
                self.problem(
                    u32::from(free_head),
                    format!(
                        "free list has {walked} blocks, free count says {}",
                        self.heap.free_count()
                    ),
                );
            }
        }
        if self.problems.len() == before
            && let Err(error) = self.heap.validate_free_list()
        {
            let detail = match error {
                HeapError::Integrity(detail) => detail,
                other => format!("{other:?}"),
            };
            self.problem(u32::from(free_head), format!("free list: {detail}"));
        }
    }
}
