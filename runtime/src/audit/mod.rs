//! Audit tools that understand objects, not just blocks (docs/MEMORY.md, "Audit mode and the
//! integrity toolkit"): the ownership graph and its checks, heap statistics, and `checkpoint()`.
//! The block-level parts of audit mode (event log, shadow counts, sites, hooks, watchdog) live in
//! `crate::heap`.

#[cfg(feature = "corruption")]
pub mod corruption;
pub mod graph;
mod graph_build;
pub mod graph_checks;
mod graph_export;
pub mod stats;

pub use graph::{
    DanglingReference, DanglingTarget, GraphEdge, GraphNode, OwnershipGraph, StructuralProblem,
};
pub use graph_checks::{OwnershipProblem, OwnershipReport, run_ownership_check};
pub use stats::HeapStats;

use crate::context::Context;

/// `checkpoint()`: in audit mode with checkpoints on, records the ownership graph of the
/// heap as it is now in `context.checkpoints`; otherwise does nothing.
pub fn checkpoint(context: &mut Context) {
    let enabled = context
        .heap
        .audit()
        .is_some_and(|audit| audit.config().checkpoints);
    if enabled {
        context.heap.audit_free_list();
        let graph = OwnershipGraph::build(&context.heap);
        context.checkpoints.push(graph);
    }
}
