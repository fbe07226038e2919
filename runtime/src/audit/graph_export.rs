//! Exports of an ownership graph (docs/MEMORY.md, "Ownership graph"): Graphviz DOT for a picture of
//! who owns what, and JSON for tools.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::graph::{DanglingTarget, OwnershipGraph};

/// Escapes text for a double-quoted DOT string.
fn dot_escaped(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

impl OwnershipGraph {
    /// The graph in Graphviz DOT: one box per head labelled with its block, kind and
    /// `REF_COUNT` (and references held outside the heap), one arrow per edge labelled with
    /// the slot; dangling references are red dashed arrows to red nodes named after their
    /// target. Renders with `dot -Tsvg`.
    pub fn to_dot(&self) -> String {
        let mut dot = String::from("digraph ownership {\n");
        dot.push_str("  node [shape=box, fontname=\"monospace\"];\n");
        for node in &self.nodes {
            let label = format!(
                "{}\\n{}\\nREF_COUNT {}\\nexternal {}",
                node.block,
                dot_escaped(&node.kind),
                node.ref_count,
                node.external_refs
            );
            let _ = writeln!(dot, "  b{} [label=\"{label}\"];", node.block);
        }
        let mut dangling_targets = BTreeSet::new();
        for reference in &self.dangling {
            if dangling_targets.insert(reference.to) {
                let what = match reference.target {
                    DanglingTarget::Free => "free",
                    DanglingTarget::Tail => "tail",
                    DanglingTarget::OutOfRange => "out of range",
                };
                let _ = writeln!(
                    dot,
                    "  b{} [label=\"{}\\n{what}\", color=red, fontcolor=red];",
                    reference.to, reference.to
                );
            }
        }
        for edge in &self.edges {
            let _ = writeln!(
                dot,
                "  b{} -> b{} [label=\"{}\"];",
                edge.from, edge.to, edge.slot
            );
        }
        for reference in &self.dangling {
            let _ = writeln!(
                dot,
                "  b{} -> b{} [label=\"{}\", color=red, style=dashed];",
                reference.from, reference.to, reference.slot
            );
        }
        dot.push_str("}\n");
        dot
    }

    /// The graph as JSON: `{"blockCount", "nodes": [{"block", "kind", "chainLength",
    /// "chain", "refCount", "inDegree", "externalRefs", "site"}], "edges": [{"from", "to",
    /// "slot"}], "dangling": [...], "buildProblems": [{"block", "diagnostic"}]}`.
    pub fn to_json(&self) -> serde_json::Value {
        // Serializing plain derived structs cannot fail; keep the reason if it ever does.
        serde_json::to_value(self)
            .unwrap_or_else(|error| serde_json::json!({ "error": error.to_string() }))
    }
}
