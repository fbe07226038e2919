//! `cairn heap check FILE`: runs `main` in full audit mode, releases its result, then checks
//! the heap is exactly as it was before the run (snapshots), that nothing leaked, that the
//! ownership graph is valid with no roots, that every shadow count matches, and that audit
//! mode recorded no violation and no hook failed. Prints `Heap clean ✓`, `Leaks: 0 ✓`,
//! `Graph valid ✓` when all is well; each failed line is `✗` followed by its details. The
//! checks run after a failed program too: a failed run must also leave the heap clean.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use cairn::{
    AllocationSite, GraphNode, HeapDelta, HookFailure, IntegrityViolation, OwnershipReport,
    RefCountMismatch, Runtime,
};

use super::args::HeapRunArgs;
use super::{Echo, emit, load, site_label};
use crate::outcome::{Outcome, UsageError};

/// Details listed per finding kind at most (then `... and N more`).
const MAX_LISTED: usize = 20;

/// Everything the checks found after the run.
#[derive(Debug, Default)]
pub struct CheckFindings {
    pub delta: HeapDelta,
    /// Heads live after the run that were not before (the ownership graph's nodes).
    pub leaked: Vec<GraphNode>,
    pub ownership: Option<OwnershipReport>,
    pub shadow_mismatches: Vec<RefCountMismatch>,
    pub audit_violations: Vec<IntegrityViolation>,
    pub hook_failures: Vec<HookFailure>,
    pub integrity_violations: Vec<String>,
}

pub fn check_command(args: &HeapRunArgs) -> Result<Outcome, UsageError> {
    let Some(mut program) = load(args)? else {
        return Ok(Outcome::Failure);
    };
    let before = program.runtime.capture_snapshot();
    let (succeeded, ()) = program.run_main(Echo::Stdout, |_| ());
    let findings = collect(&mut program.runtime, &before);
    let (report, clean) = render(&findings, &|site| site_label(&program.module, site));
    emit(&report)?;
    Ok(super::outcome(succeeded && clean))
}

fn collect(runtime: &mut Runtime, before: &cairn::HeapSnapshot) -> CheckFindings {
    let after = runtime.capture_snapshot();
    let delta = Runtime::compare_snapshots(before, &after);
    let new_heads: BTreeSet<u32> = delta.newly_allocated.iter().copied().collect();
    let leaked = runtime
        .export_ref_graph()
        .nodes
        .into_iter()
        .filter(|node| new_heads.contains(&node.block))
        .collect();
    CheckFindings {
        delta,
        leaked,
        ownership: Some(runtime.run_ownership_check()),
        // Audit mode is on, so shadow counts exist; `None` would itself be a fault.
        shadow_mismatches: runtime.validate_ref_counts().unwrap_or_else(|| {
            vec![RefCountMismatch {
                block: 0,
                expected: 0,
                actual: 0,
                site: AllocationSite::UNKNOWN,
            }]
        }),
        audit_violations: runtime.audit_violations().to_vec(),
        hook_failures: runtime.hook_failures().to_vec(),
        integrity_violations: runtime.integrity_violations().to_vec(),
    }
}

fn mark(ok: bool) -> &'static str {
    if ok { "✓" } else { "✗" }
}

/// Lists `items` indented, at most [`MAX_LISTED`] of them.
fn list<T>(out: &mut String, items: &[T], line: impl Fn(&T) -> String) {
    for item in items.iter().take(MAX_LISTED) {
        let _ = writeln!(out, "  {}", line(item));
    }
    if items.len() > MAX_LISTED {
        let _ = writeln!(out, "  ... and {} more", items.len() - MAX_LISTED);
    }
}

/// The report and whether everything is clean. Pure: `label` maps sites to source places.
pub fn render(
    findings: &CheckFindings,
    label: &dyn Fn(AllocationSite) -> String,
) -> (String, bool) {
    let mut out = String::new();
    let delta = &findings.delta;
    let heap_clean = delta.is_clean();
    let _ = writeln!(out, "Heap clean {}", mark(heap_clean));
    if !heap_clean {
        let _ = writeln!(
            out,
            "  blocks in use: {} before, {} after",
            delta.blocks_in_use_before, delta.blocks_in_use_after
        );
        list(&mut out, &delta.count_changed, |(block, was, is)| {
            format!("block {block}: REF_COUNT {was} before, {is} after")
        });
        list(&mut out, &delta.freed, |block| {
            format!("block {block}: live before the run, freed by it")
        });
    }

    let leaks = delta.newly_allocated.len();
    let _ = writeln!(out, "Leaks: {leaks} {}", mark(leaks == 0));
    list(&mut out, &delta.newly_allocated, |&block| {
        match findings.leaked.iter().find(|node| node.block == block) {
            Some(node) => format!(
                "block {block}: {}, REF_COUNT {}, {} blocks, allocated in {}",
                node.kind,
                node.ref_count,
                node.chain_length,
                label(node.site)
            ),
            None => format!("block {block}: not a head any more"),
        }
    });

    let graph_valid = findings
        .ownership
        .as_ref()
        .is_some_and(|report| report.valid);
    let _ = writeln!(out, "Graph valid {}", mark(graph_valid));
    if let Some(report) = findings.ownership.as_ref().filter(|_| !graph_valid) {
        list(&mut out, &report.problems, |problem| {
            format!(
                "block {}: expected refs {}, REF_COUNT {}: {}",
                problem.block,
                problem.expected_refs,
                problem.actual_refs,
                problem.diagnostics.join("; ")
            )
        });
    }

    let extras = [
        section(
            "Shadow count mismatches",
            &findings.shadow_mismatches,
            |m| {
                format!(
                    "block {}: shadow count {}, REF_COUNT {} (allocated in {})",
                    m.block,
                    m.expected,
                    m.actual,
                    label(m.site)
                )
            },
        ),
        section(
            "Audit violations (RT0801)",
            &findings.audit_violations,
            |v| {
                format!(
                    "block {}: {} (allocated in {})",
                    v.block,
                    v.detail,
                    label(v.site)
                )
            },
        ),
        section("Hook failures", &findings.hook_failures, |f| {
            format!(
                "hook {}: {} (at {:?} of block {})",
                f.hook.0, f.message, f.event.op, f.event.block
            )
        }),
        section(
            "Integrity violations",
            &findings.integrity_violations,
            |v| v.clone(),
        ),
    ];
    let mut extras_clean = true;
    for extra in extras.into_iter().flatten() {
        out.push_str(&extra);
        extras_clean = false;
    }
    (out, heap_clean && leaks == 0 && graph_valid && extras_clean)
}

/// `TITLE: N ✗` and the items, or `None` when there are none.
fn section<T>(title: &str, items: &[T], line: impl Fn(&T) -> String) -> Option<String> {
    if items.is_empty() {
        return None;
    }
    let mut out = String::new();
    let _ = writeln!(out, "{title}: {} ✗", items.len());
    list(&mut out, items, line);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn::OwnershipProblem;

    fn valid_report() -> OwnershipReport {
        OwnershipReport {
            valid: true,
            nodes: 0,
            edges: 0,
            roots: 0,
            problems: Vec::new(),
        }
    }

    #[test]
    fn all_clean_is_exactly_three_lines() {
        let findings = CheckFindings {
            ownership: Some(valid_report()),
            ..CheckFindings::default()
        };
        let (report, clean) = render(&findings, &|site| site.to_string());
        assert!(clean);
        assert_eq!(report, "Heap clean ✓\nLeaks: 0 ✓\nGraph valid ✓\n");
    }

    #[test]
    fn each_failure_is_a_cross_with_its_details() {
        let site = AllocationSite::op(0, 4);
        let findings = CheckFindings {
            delta: HeapDelta {
                newly_allocated: vec![5],
                count_changed: vec![(2, 1, 2)],
                blocks_in_use_before: 1,
                blocks_in_use_after: 3,
                ..HeapDelta::default()
            },
            leaked: vec![GraphNode {
                block: 5,
                kind: "List".to_string(),
                chain_length: 2,
                chain: vec![5, 6],
                ref_count: 1,
                in_degree: 0,
                external_refs: 1,
                site,
            }],
            ownership: Some(OwnershipReport {
                valid: false,
                nodes: 2,
                edges: 0,
                roots: 0,
                problems: vec![OwnershipProblem {
                    block: 5,
                    expected_refs: 0,
                    actual_refs: 1,
                    diagnostics: vec!["REF_COUNT 1 but 0 references".to_string()],
                }],
            }),
            audit_violations: vec![IntegrityViolation {
                block: 5,
                detail: "reference count drift".to_string(),
                site,
            }],
            ..CheckFindings::default()
        };
        let (report, clean) = render(&findings, &|_| "fn main at 2:3".to_string());
        assert!(!clean);
        assert_eq!(
            report,
            "Heap clean ✗\n  blocks in use: 1 before, 3 after\n  block 2: REF_COUNT 1 before, 2 after\n\
             Leaks: 1 ✗\n  block 5: List, REF_COUNT 1, 2 blocks, allocated in fn main at 2:3\n\
             Graph valid ✗\n  block 5: expected refs 0, REF_COUNT 1: REF_COUNT 1 but 0 references\n\
             Audit violations (RT0801): 1 ✗\n  block 5: reference count drift (allocated in fn main at 2:3)\n"
        );
    }
}
