//! Building the ownership graph (see `graph`): walking every head's chain, reading its
//! child slots, classifying each reference as an edge or a dangling reference, and walking
//! the free list. Every read is of a block whose index was checked first, so a corrupt heap
//! produces `StructuralProblem`s, never a panic.

use crate::heap::{BlockState, Heap, HeapError, INVALID, NO_BLOCK, join_address};
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
    pub(super) tail_owner: Vec<Option<u32>>,
    pub(super) problems: Vec<StructuralProblem>,
}

impl Builder<'_> {
    pub(super) fn problem(&mut self, block: u32, diagnostic: String) {
        self.problems.push(StructuralProblem { block, diagnostic });
    }

    /// Walks the chain of `head` through tails it may claim. Returns the well-formed prefix
    /// and whether the chain ended at `INVALID`.
    pub(super) fn walk_chain(&mut self, head: u32) -> (Vec<u32>, bool) {
        let mut chain = vec![head];
        let mut current = head;
        loop {
            let next = self.heap.memory().next(current);
            if next == NO_BLOCK {
                return (chain, true);
            }
            let Some(state) = self.heap.state(next) else {
                self.problem(
                    head,
                    format!(
                        "chain of head {head} leaves the heap: block {current} has BLOCK_NEXT {next} (heap has {} blocks)",
                        self.block_count
                    ),
                );
                return (chain, false);
            };
            let owner = self.tail_owner[next as usize];
            if next == head || owner == Some(head) {
                self.problem(
                    head,
                    format!(
                        "chain of head {head} loops: block {current} links back to block {next}"
                    ),
                );
                return (chain, false);
            }
            match (state, owner) {
                (BlockState::Tail, None) => {
                    self.tail_owner[next as usize] = Some(head);
                    chain.push(next);
                    current = next;
                }
                (BlockState::Tail, Some(other)) => {
                    self.problem(
                        next,
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
                        head,
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
        head: u32,
        kind: Kind,
        chain: &[u32],
        intact: bool,
    ) -> Vec<SlotLocation> {
        let tuple_layout = matches!(kind, Kind::Tuple | Kind::Seq | Kind::Closure | Kind::Ref);
        if tuple_layout {
            let length = tuple::tuple_length(self.heap, head);
            let capacity = tuple::TUPLE_HEAD_SLOTS + tuple::TUPLE_TAIL_SLOTS * (chain.len() - 1);
            if length > capacity {
                self.problem(
                    head,
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
                self.problem(head, format!("head block {head}: {}", error.message));
                Vec::new()
            }
        }
    }

    /// Classifies the word in `slot` of `holder`: an edge, a dangling reference, or nothing.
    pub(super) fn reference(
        &mut self,
        graph: &mut OwnershipGraph,
        holder: u32,
        position: usize,
        word: Value,
    ) {
        if word.bits() == 0 {
            return;
        }
        let slot = position as u32;
        if !word.is_well_formed() {
            self.problem(
                holder,
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
        let from = holder;
        let Some(index) = index_in_heap(self.heap, to) else {
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
                let owner = match self.tail_owner[index as usize] {
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

    /// Walks every segment's free list (docs/MEMORY.md, "Free list and allocation") naming the
    /// block at fault, then asks `Heap::validate_free_list` so that nothing it finds is missed. A
    /// segment's list is its explicit part (freed blocks, LIFO) linking into the blocks never
    /// handed out, which run from `untouched` to the end of the segment.
    pub(super) fn check_free_list(&mut self) {
        let before = self.problems.len();
        let mut first_head = NO_BLOCK;
        for number in 0..self.heap.segment_count() {
            let Some((head, untouched, free_count, capacity)) = self.heap.free_list_of(number)
            else {
                continue;
            };
            if first_head == NO_BLOCK && head != INVALID {
                first_head = join_address(number, head);
            }
            self.check_segment_free_list(number, head, untouched, free_count, capacity);
        }
        if self.problems.len() == before
            && let Err(error) = self.heap.validate_free_list()
        {
            let detail = match error {
                HeapError::Integrity(detail) => detail,
                other => format!("{other:?}"),
            };
            self.problem(first_head, format!("free list: {detail}"));
        }
    }

    fn check_segment_free_list(
        &mut self,
        number: usize,
        head: u16,
        untouched: u32,
        free_count: u32,
        capacity: u32,
    ) {
        let mut on_list = vec![false; capacity as usize];
        let mut walked = 0u32;
        let mut previous: Option<u32> = None;
        let mut index = head;
        let mut complete = true;
        while index != INVALID && u32::from(index) != untouched {
            let block = join_address(number, index);
            if u32::from(index) >= capacity {
                let (at, detail) = match previous {
                    Some(p) => (p, format!("free block {p} has BLOCK_NEXT {index}")),
                    None => (block, format!("the free list starts at block {block}")),
                };
                self.problem(
                    at,
                    format!("{detail}, out of range (segment {number} has {capacity} blocks)"),
                );
                complete = false;
                break;
            }
            if on_list[usize::from(index)] {
                self.problem(block, format!("free list loops back to block {block}"));
                complete = false;
                break;
            }
            on_list[usize::from(index)] = true;
            match self.heap.state(block) {
                Some(BlockState::Free) => {
                    let count = self.heap.ref_count(block);
                    if count != 0 {
                        self.problem(block, format!("free block {block} has REF_COUNT {count}"));
                    }
                }
                Some(state) => {
                    let what = if state == BlockState::Head {
                        "a head"
                    } else {
                        "a tail"
                    };
                    self.problem(
                        block,
                        format!("free list holds block {block} which is {what}"),
                    );
                }
                None => {}
            }
            walked += 1;
            previous = Some(block);
            index = self.heap.memory().next_index(block);
        }
        if !complete {
            return;
        }
        for index in 0..capacity {
            let block = join_address(number, index as u16);
            let free = self.heap.state(block) == Some(BlockState::Free);
            if index < untouched && free && !on_list[index as usize] {
                self.problem(block, format!("free block {block} is not on the free list"));
            }
            if index >= untouched && !free {
                self.problem(
                    block,
                    format!("block {block} was never allocated but is not free"),
                );
            }
        }
        let implicit = capacity.saturating_sub(untouched);
        if walked + implicit != free_count {
            self.problem(
                join_address(number, head),
                format!(
                    "free list of segment {number} has {} blocks, free count says {free_count}",
                    walked + implicit
                ),
            );
        }
    }
}
