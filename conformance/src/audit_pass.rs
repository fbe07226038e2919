//! The audit pass: every program runs a second time on both engines with audit mode fully
//! on. Audit mode must change nothing observable (same output, outcome and trace as the plain
//! run), find nothing wrong (no violation, shadow counts equal to `REF_COUNT`, hooks see
//! every event), and record the same thing on both engines (event log with allocation sites,
//! checkpoints, warnings).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use cairn_runtime::Context;
use cairn_runtime::Limits;
use cairn_runtime::audit::{OwnershipGraph, OwnershipReport, run_ownership_check};
use cairn_runtime::heap::audit::AuditWarning;
use cairn_runtime::heap::{AuditConfig, EventLogConfig, HeapEvent, RefOp};

use crate::run::EngineRun;

/// Entries the audit pass keeps in the event log: enough to hold most corpus runs whole.
pub const AUDIT_PASS_LOG_CAPACITY: usize = 1 << 14;

/// The audit configuration of the pass: everything on, every event logged.
pub fn audit_pass_limits(limits: &Limits) -> Limits {
    Limits {
        audit: AuditConfig {
            event_log: Some(EventLogConfig {
                capacity: AUDIT_PASS_LOG_CAPACITY,
                sample_every: 1,
            }),
            ..AuditConfig::full()
        },
        ..limits.clone()
    }
}

/// What audit mode recorded in one run.
#[derive(Clone, Debug)]
pub struct AuditRecord {
    pub event_log: Vec<HeapEvent>,
    pub violations: Vec<String>,
    /// `validate_ref_counts` after the run (empty when every count matches its shadow).
    pub ref_count_mismatches: Vec<String>,
    /// Events a hook registered for all five ops saw.
    pub hook_events: u64,
    pub hook_failures: Vec<String>,
    /// The ownership graphs `checkpoint()` recorded.
    pub checkpoints: Vec<OwnershipGraph>,
    pub warnings: Vec<AuditWarning>,
    /// The ownership check after the run, with no roots (the result was released).
    pub ownership: OwnershipReport,
}

/// In audit mode with hooks, registers a hook counting every event; `None` otherwise.
pub fn install_counting_hook(ctx: &mut Context) -> Option<Arc<AtomicU64>> {
    ctx.heap.audit()?;
    let counter = Arc::new(AtomicU64::new(0));
    let seen = Arc::clone(&counter);
    ctx.heap.register_audit_hook(
        &RefOp::ALL,
        Box::new(move |_event| {
            seen.fetch_add(1, Ordering::Relaxed);
        }),
    )?;
    Some(counter)
}

impl AuditRecord {
    pub fn collect(ctx: &Context, hook_counter: &AtomicU64) -> AuditRecord {
        let heap = &ctx.heap;
        AuditRecord {
            event_log: heap.event_log(),
            violations: heap
                .audit_violations()
                .iter()
                .map(ToString::to_string)
                .collect(),
            ref_count_mismatches: heap
                .validate_ref_counts()
                .unwrap_or_default()
                .iter()
                .map(ToString::to_string)
                .collect(),
            hook_events: hook_counter.load(Ordering::Relaxed),
            hook_failures: heap
                .hook_failures()
                .iter()
                .map(|f| f.message.clone())
                .collect(),
            checkpoints: ctx.checkpoints.clone(),
            warnings: heap.audit_warnings().to_vec(),
            ownership: run_ownership_check(heap, &[]),
        }
    }
}

/// Checks one engine's audit run against its plain run. Returns whether it passed.
pub fn check_audit_run(plain: &EngineRun, audited: &EngineRun, problems: &mut Vec<String>) -> bool {
    let engine = audited.engine;
    let before = problems.len();
    if plain.output != audited.output {
        problems.push(format!("{engine}: audit mode changed the output"));
    }
    if plain.outcome != audited.outcome {
        problems.push(format!(
            "{engine}: audit mode changed the outcome: {} vs {}",
            plain.outcome, audited.outcome
        ));
    }
    if plain.trace != audited.trace {
        problems.push(format!(
            "{engine}: audit mode changed the trace ({} vs {} events)",
            plain.trace.len(),
            audited.trace.len()
        ));
    }
    if !audited.heap.is_clean() {
        problems.push(format!(
            "{engine}: audit run left the heap changed: {}",
            audited.heap
        ));
    }
    let Some(record) = &audited.audit else {
        problems.push(format!("{engine}: audit mode recorded nothing"));
        return false;
    };
    for violation in &record.violations {
        problems.push(format!("{engine}: audit violation: {violation}"));
    }
    for mismatch in &record.ref_count_mismatches {
        problems.push(format!("{engine}: shadow count mismatch: {mismatch}"));
    }
    if !record.ownership.valid {
        problems.push(format!(
            "{engine}: the ownership check after the run failed:\n{}",
            record.ownership
        ));
    }
    for graph in &record.checkpoints {
        for problem in graph.check_structure() {
            problems.push(format!(
                "{engine}: checkpoint graph problem at block {}: {}",
                problem.block, problem.diagnostic
            ));
        }
    }
    for failure in &record.hook_failures {
        problems.push(format!("{engine}: hook failed: {failure}"));
    }
    // The hook was registered before the trace started, so it saw every traced event.
    if record.hook_events != audited.trace.len() as u64 {
        problems.push(format!(
            "{engine}: the hook saw {} events, the trace has {}",
            record.hook_events,
            audited.trace.len()
        ));
    }
    let logged_tail = audited.trace.len().min(AUDIT_PASS_LOG_CAPACITY);
    let trace_tail = &audited.trace[audited.trace.len() - logged_tail..];
    let log_matches = record.event_log.len() == logged_tail
        && record
            .event_log
            .iter()
            .zip(trace_tail)
            .all(|(logged, traced)| {
                (logged.op, logged.block, logged.old, logged.new)
                    == (traced.op, traced.block, traced.old, traced.new)
            });
    if !log_matches {
        problems.push(format!(
            "{engine}: the event log ({} entries) is not the tail of the trace",
            record.event_log.len()
        ));
    }
    problems.len() == before
}

/// The two engines' audit records must be identical (sites included).
pub fn compare_audit_records(a: &EngineRun, b: &EngineRun, problems: &mut Vec<String>) -> bool {
    let (Some(left), Some(right)) = (&a.audit, &b.audit) else {
        return false;
    };
    let before = problems.len();
    if left.event_log != right.event_log {
        let index = left
            .event_log
            .iter()
            .zip(&right.event_log)
            .position(|(x, y)| x != y)
            .unwrap_or(left.event_log.len().min(right.event_log.len()));
        problems.push(format!(
            "engines disagree on the audit event log at entry {index}: {} {:?} vs {} {:?}",
            a.engine,
            left.event_log.get(index),
            b.engine,
            right.event_log.get(index)
        ));
    }
    if left.checkpoints != right.checkpoints {
        problems.push(format!(
            "engines disagree on the checkpoint graphs ({} vs {} graphs)",
            left.checkpoints.len(),
            right.checkpoints.len()
        ));
    }
    if left.warnings != right.warnings {
        problems.push(format!(
            "engines disagree on audit warnings: {:?} vs {:?}",
            left.warnings, right.warnings
        ));
    }
    problems.len() == before
}
