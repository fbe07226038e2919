//! The ownership graph (docs/MEMORY.md, "Ownership graph"): every live head of a heap as a node,
//! every payload reference from one head to another as an edge, each head's chain, and the
//! structural findings met while building it (references to free blocks, tails or outside the heap,
//! broken or looping chains, tails no chain owns or two chains share, free-list faults). Building
//! never panics on a corrupt heap: whatever is wrong becomes a [`StructuralProblem`]. The checks
//! over the graph live in `graph_checks`, the DOT and JSON exports in `graph_export`; the walk
//! itself is in `graph_build`.
//!
//! Block addresses are `u32` (`segment << 16 | index`) so a multi-segment heap needs no API
//! change; only segment 0 exists today.

use serde::Serialize;

use super::graph_build::Builder;
use crate::heap::{AllocationSite, BlockState, Heap};
use crate::objects::header::KIND_OFFSET;
use crate::value::Kind;

/// One live head block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphNode {
    /// The head's address (`segment << 16 | index`).
    pub block: u32,
    /// The kind named by the head's kind byte (`List`, `MapNode`, ...), or `invalid(N)`.
    pub kind: String,
    /// Blocks in the head's chain as far as it is well formed (at least 1).
    pub chain_length: u32,
    /// The chain's blocks, head first, as far as it is well formed.
    pub chain: Vec<u32>,
    /// `REF_COUNT` of the head.
    pub ref_count: u16,
    /// Edges into this head (payload references held by other heads).
    pub in_degree: u32,
    /// `REF_COUNT - in_degree`: references held outside the heap (by the running program or
    /// the host). Negative only on a corrupt heap.
    pub external_refs: i64,
    /// Where the head was allocated (unknown without audit site tracking).
    pub site: AllocationSite,
}

/// A payload reference from one head to another head.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct GraphEdge {
    pub from: u32,
    pub to: u32,
    /// The position of the word in the holder's child slots (`objects::children`).
    pub slot: u32,
}

/// What a reference that is not an edge points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DanglingTarget {
    Free,
    Tail,
    OutOfRange,
}

/// A payload reference to a free block, a tail, or a block outside the heap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DanglingReference {
    pub from: u32,
    pub slot: u32,
    pub to: u32,
    pub target: DanglingTarget,
}

/// One finding that does not depend on the roots, attributed to the block it concerns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StructuralProblem {
    pub block: u32,
    pub diagnostic: String,
}

/// The ownership graph of a heap at one moment (see the module doc).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnershipGraph {
    /// Blocks in the heap (segment 0).
    pub block_count: u32,
    /// Every block in state Head, by address.
    pub nodes: Vec<GraphNode>,
    /// Every payload reference from a head to a head, by holder then slot.
    pub edges: Vec<GraphEdge>,
    /// Every payload reference to something that is not a head.
    pub dangling: Vec<DanglingReference>,
    /// What building the graph found wrong (cycles and counts are checked later).
    pub build_problems: Vec<StructuralProblem>,
}

/// The kind name of a kind byte.
pub(crate) fn kind_name(byte: u8) -> String {
    match Kind::from_u8(byte) {
        Some(kind) => format!("{kind:?}"),
        None => format!("invalid({byte})"),
    }
}

/// `Some(address)` when it names a block of a mapped segment.
pub(crate) fn index_in_heap(heap: &Heap, address: u32) -> Option<u32> {
    heap.memory().contains(address).then_some(address)
}

impl OwnershipGraph {
    /// Builds the graph of `heap` as it is now. Never panics: a corrupt heap yields
    /// [`OwnershipGraph::build_problems`].
    pub fn build(heap: &Heap) -> OwnershipGraph {
        let block_count = heap.block_count();
        let mut builder = Builder {
            heap,
            block_count,
            tail_owner: vec![None; heap.segment_count() << 16],
            problems: Vec::new(),
        };
        let mut graph = OwnershipGraph {
            block_count,
            ..OwnershipGraph::default()
        };
        // Chains first, so every tail's owner is known before references are classified.
        let mut heads = Vec::new();
        for head in heap.addresses() {
            if heap.state(head) == Some(BlockState::Head) {
                let (chain, intact) = builder.walk_chain(head);
                heads.push((head, chain, intact));
            }
        }
        for block in heap.addresses() {
            if heap.state(block) != Some(BlockState::Tail) {
                continue;
            }
            if builder.tail_owner[block as usize].is_none() {
                builder.problem(block, format!("tail block {block} is owned by no head"));
            }
            let count = heap.ref_count(block);
            if count != 0 {
                builder.problem(
                    block,
                    format!("tail block {block} has REF_COUNT {count} (tails hold no count)"),
                );
            }
        }
        for (head, chain, intact) in heads {
            let kind_byte = heap.memory().read_u8(head, KIND_OFFSET);
            let ref_count = heap.ref_count(head);
            if ref_count == 0 {
                builder.problem(head, format!("head block {head} has REF_COUNT 0"));
            }
            match Kind::from_u8(kind_byte) {
                Some(kind) => {
                    let slots = builder.slots_of(head, kind, &chain, intact);
                    for (position, slot) in slots.into_iter().enumerate() {
                        let word = slot.read(heap);
                        builder.reference(&mut graph, head, position, word);
                    }
                }
                None => builder.problem(
                    head,
                    format!("head block {head} has invalid kind byte {kind_byte}; its references cannot be read"),
                ),
            }
            graph.nodes.push(GraphNode {
                block: head,
                kind: kind_name(kind_byte),
                chain_length: chain.len() as u32,
                chain,
                ref_count,
                in_degree: 0,
                external_refs: 0,
                site: heap.site_of(head),
            });
        }
        for edge in &graph.edges {
            if let Some(position) = graph.node_position(edge.to) {
                graph.nodes[position].in_degree += 1;
            }
        }
        for node in &mut graph.nodes {
            node.external_refs = i64::from(node.ref_count) - i64::from(node.in_degree);
        }
        builder.check_free_list();
        graph.build_problems = builder.problems;
        graph
    }

    /// The position of head `block` in [`OwnershipGraph::nodes`].
    pub fn node_position(&self, block: u32) -> Option<usize> {
        self.nodes
            .binary_search_by_key(&block, |node| node.block)
            .ok()
    }

    /// The node of head `block`.
    pub fn node(&self, block: u32) -> Option<&GraphNode> {
        self.node_position(block)
            .map(|position| &self.nodes[position])
    }
}
