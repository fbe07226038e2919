//! The checks over an ownership graph (docs/MEMORY.md, "Ownership graph"): cycles found by an
//! iterative depth-first search with back-edge detection, references counted against `REF_COUNT`,
//! and the full ownership check of a heap against the values its program or host holds
//! (`run_ownership_check`), reported in the JSON shape that section gives.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::graph::{OwnershipGraph, StructuralProblem, index_in_heap, kind_name};
use crate::heap::{BlockState, Heap};
use crate::objects::header::KIND_OFFSET;
use crate::value::Value;

/// The problems of one block, in the report shape of docs/MEMORY.md, "Ownership graph".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnershipProblem {
    /// The block's address (`segment << 16 | index`).
    pub block: u32,
    /// References found: payload references naming the block plus roots naming it.
    pub expected_refs: u32,
    /// `REF_COUNT` of the block (0 for a block outside the heap).
    pub actual_refs: u16,
    /// One precise sentence per finding.
    pub diagnostics: Vec<String>,
}

/// The result of [`run_ownership_check`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnershipReport {
    pub valid: bool,
    pub nodes: usize,
    pub edges: usize,
    pub roots: usize,
    pub problems: Vec<OwnershipProblem>,
}

impl std::fmt::Display for OwnershipReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verdict = if self.valid { "valid" } else { "INVALID" };
        write!(
            f,
            "ownership check: {verdict} ({} nodes, {} edges, {} roots, {} problem blocks)",
            self.nodes,
            self.edges,
            self.roots,
            self.problems.len()
        )?;
        for problem in &self.problems {
            write!(
                f,
                "\nblock {}: expected refs {}, REF_COUNT {}: {}",
                problem.block,
                problem.expected_refs,
                problem.actual_refs,
                problem.diagnostics.join("; ")
            )?;
        }
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Visit {
    New,
    OnPath,
    Done,
}

impl OwnershipGraph {
    /// The problems that do not depend on the roots: everything found while building, every
    /// cycle, and every head with more payload references than `REF_COUNT` (negative
    /// [`GraphNode::external_refs`](super::graph::GraphNode::external_refs)). Sorted by block.
    pub fn check_structure(&self) -> Vec<StructuralProblem> {
        let mut problems = self.structure_without_counts();
        let parents = self.parents();
        for node in &self.nodes {
            if node.external_refs < 0 {
                problems.push(StructuralProblem {
                    block: node.block,
                    diagnostic: format!(
                        "in-degree {} exceeds REF_COUNT {} (parents: {})",
                        node.in_degree,
                        node.ref_count,
                        parents
                            .get(&node.block)
                            .map(|p| p.join(", "))
                            .unwrap_or_default()
                    ),
                });
            }
        }
        problems.sort_by_key(|problem| problem.block);
        problems
    }

    fn structure_without_counts(&self) -> Vec<StructuralProblem> {
        let mut problems = self.build_problems.clone();
        problems.extend(self.cycles());
        problems
    }

    /// `block F slot S` for every payload reference (edge or dangling), by the block named.
    fn parents(&self) -> BTreeMap<u32, Vec<String>> {
        let edges = self.edges.iter().map(|e| (e.to, e.from, e.slot));
        let dangling = self.dangling.iter().map(|d| (d.to, d.from, d.slot));
        let mut parents: BTreeMap<u32, Vec<String>> = BTreeMap::new();
        for (to, from, slot) in edges.chain(dangling) {
            parents
                .entry(to)
                .or_default()
                .push(format!("block {from} slot {slot}"));
        }
        parents
    }

    /// Every back edge of a depth-first search started from every node in turn (mid-run the
    /// roots are unknown, so every node is a start), as `cycle: a -> b -> a`. Iterative:
    /// a path as deep as the heap is large needs no Rust stack.
    fn cycles(&self) -> Vec<StructuralProblem> {
        let mut successors: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        for edge in &self.edges {
            if let (Some(from), Some(to)) =
                (self.node_position(edge.from), self.node_position(edge.to))
            {
                successors[from].push(to);
            }
        }
        let mut visit = vec![Visit::New; self.nodes.len()];
        let mut path_position = vec![0usize; self.nodes.len()];
        let mut problems = Vec::new();
        for start in 0..self.nodes.len() {
            if visit[start] != Visit::New {
                continue;
            }
            // (node, index of its next successor to follow)
            let mut path: Vec<(usize, usize)> = vec![(start, 0)];
            visit[start] = Visit::OnPath;
            while let Some(&(node, next)) = path.last() {
                let Some(&target) = successors[node].get(next) else {
                    visit[node] = Visit::Done;
                    path.pop();
                    continue;
                };
                if let Some(top) = path.last_mut() {
                    top.1 += 1;
                }
                match visit[target] {
                    Visit::New => {
                        visit[target] = Visit::OnPath;
                        path_position[target] = path.len();
                        path.push((target, 0));
                    }
                    Visit::OnPath => {
                        let blocks: Vec<String> = path[path_position[target]..]
                            .iter()
                            .map(|&(member, _)| self.nodes[member].block.to_string())
                            .chain(std::iter::once(self.nodes[target].block.to_string()))
                            .collect();
                        problems.push(StructuralProblem {
                            block: self.nodes[target].block,
                            diagnostic: format!("cycle: {}", blocks.join(" -> ")),
                        });
                    }
                    Visit::Done => {}
                }
            }
        }
        problems
    }
}

/// The ownership check (docs/MEMORY.md, "Ownership graph") for a heap whose only outside owners are
/// `roots` (one entry per reference held; immediates are ignored): for every head, payload
/// references plus roots must equal `REF_COUNT`; no cycles; no reference to a free block, a
/// tail, a block outside the heap or a head of another kind; every chain ends at `INVALID`
/// through tails only; every tail is owned by exactly one chain; the free list is valid.
pub fn run_ownership_check(heap: &Heap, roots: &[Value]) -> OwnershipReport {
    let graph = OwnershipGraph::build(heap);
    let mut diagnostics: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for problem in graph.structure_without_counts() {
        diagnostics
            .entry(problem.block)
            .or_default()
            .push(problem.diagnostic);
    }
    let mut root_holders: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (position, root) in roots.iter().enumerate() {
        let Some(word_kind) = root.heap_kind() else {
            continue;
        };
        let address = root.bits() as u32;
        root_holders.entry(address).or_default().push(position);
        let finding = match index_in_heap(heap, address) {
            None => Some(format!(
                "root {position} names block {address} which is out of range (heap has {} blocks)",
                graph.block_count
            )),
            Some(index) => match heap.state(index) {
                Some(BlockState::Head) => {
                    let stored = heap.memory().read_u8(index, KIND_OFFSET);
                    (stored != word_kind as u8).then(|| {
                        format!(
                            "root {position} is a {word_kind:?} reference but block {address} holds kind {}",
                            kind_name(stored)
                        )
                    })
                }
                Some(BlockState::Free) => Some(format!(
                    "root {position} names block {address} which is free"
                )),
                _ => Some(format!(
                    "root {position} names block {address} which is a tail"
                )),
            },
        };
        if let Some(finding) = finding {
            diagnostics.entry(address).or_default().push(finding);
        }
    }
    let parents = graph.parents();
    let holders_of = |block: u32| -> Vec<String> {
        let mut holders = parents.get(&block).cloned().unwrap_or_default();
        if let Some(positions) = root_holders.get(&block) {
            holders.extend(positions.iter().map(|position| format!("root {position}")));
        }
        holders
    };
    for node in &graph.nodes {
        let holders = holders_of(node.block);
        let found = holders.len();
        let count = usize::from(node.ref_count);
        if found == count {
            continue;
        }
        let listed = if holders.is_empty() {
            "none".to_string()
        } else {
            holders.join(", ")
        };
        let diagnostic = if count > found {
            format!("missing parent: REF_COUNT {count} but {found} holders found ({listed})")
        } else {
            format!("uncounted holder: REF_COUNT {count} but {found} holders found ({listed})")
        };
        diagnostics.entry(node.block).or_default().push(diagnostic);
    }
    let problems: Vec<OwnershipProblem> = diagnostics
        .into_iter()
        .map(|(block, diagnostics)| OwnershipProblem {
            block,
            expected_refs: holders_of(block).len() as u32,
            actual_refs: index_in_heap(heap, block).map_or(0, |index| heap.ref_count(index)),
            diagnostics,
        })
        .collect();
    OwnershipReport {
        valid: problems.is_empty(),
        nodes: graph.nodes.len(),
        edges: graph.edges.len(),
        roots: roots.len(),
        problems,
    }
}
