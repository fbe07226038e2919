//! Running a stress program on each engine in audit mode and checking the checkpoints of
//! docs/MEMORY.md, "Checkpoints" on every run: snapshot before == after, the event-log delta
//! (trace, hook count, sampled log and counters agree; mallocs balance frees), the ownership check
//! with no roots once the result is released, shadow validation and violations, block reuse, the
//! `checkpoint()` graphs, the expected `cow` events, and the two engines' traces identical.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use cairn_runtime::audit::run_ownership_check;
use cairn_runtime::heap::{
    AuditConfig, EventLogConfig, HeapDelta, HeapEvent, TraceEvent, compare_snapshots,
};
use cairn_runtime::{Context, Limits};

use super::params::StressParams;
use super::report::{EngineStressReport, StressReport};
use super::scenarios::{CowExpectation, Scenario};
use super::trace_stream::StressTraceStream;
use super::trace_summary::TraceSummary;
use crate::audit_pass::install_counting_hook;
use crate::program::{Program, program_from_source};
use crate::run::{Engine, Outcome, execute};

/// How stress programs are run.
#[derive(Clone, Debug)]
pub struct StressConfig {
    pub engines: Vec<Engine>,
    /// Heap size in blocks (at most 65,535).
    pub heap_blocks: u32,
    /// The event log keeps every Nth event ...
    pub log_sample_every: u64,
    /// ... in a ring of this many entries, so its memory is bounded at any run length.
    pub log_capacity: usize,
}

impl Default for StressConfig {
    fn default() -> StressConfig {
        StressConfig {
            engines: Engine::BOTH.to_vec(),
            heap_blocks: cairn_runtime::context::DEFAULT_HEAP_BLOCKS,
            log_sample_every: 64,
            log_capacity: 1024,
        }
    }
}

impl StressConfig {
    /// Audit mode fully on (shadow counts, sites, hooks, checkpoints) with a sampled log.
    pub fn limits(&self) -> Limits {
        Limits {
            heap_blocks: self.heap_blocks,
            audit: AuditConfig {
                event_log: Some(EventLogConfig {
                    capacity: self.log_capacity,
                    sample_every: self.log_sample_every.max(1),
                }),
                ..AuditConfig::full()
            },
            ..Limits::default()
        }
    }
}

/// What a program must show beyond the checks every run gets.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunExpectations {
    pub cows: Option<CowExpectation>,
    /// Exactly this many `checkpoint()` graphs recorded.
    pub checkpoints: Option<usize>,
}

/// Runs `scenario` with `params` and checks everything.
pub fn run_scenario(
    scenario: Scenario,
    params: &StressParams,
    config: &StressConfig,
) -> StressReport {
    let rounds = scenario.loop_rounds(params);
    let every = (rounds / 3).max(1);
    let expectations = RunExpectations {
        cows: scenario.cow_expectation(params),
        checkpoints: Some(2 + rounds.div_ceil(every) as usize),
    };
    let source = scenario.source(params);
    let mut report = run_source(scenario.name(), &source, &expectations, config);
    report.group = scenario.group().to_string();
    report.params = Some(params.clamped());
    report
}

/// Runs a stress program given as Cairn text on the configured engines and checks it.
pub fn run_source(
    name: &str,
    source: &str,
    expectations: &RunExpectations,
    config: &StressConfig,
) -> StressReport {
    let mut report = StressReport {
        scenario: name.to_string(),
        group: String::new(),
        params: None,
        engines: Vec::new(),
        engines_agree: None,
        passed: false,
        problems: Vec::new(),
    };
    let program = match program_from_source(&format!("{name}.cairn"), source) {
        Ok(program) if program.module().is_some() => program,
        Ok(_) => {
            report.problems.push(format!("{name}: does not compile"));
            return report;
        }
        Err(problem) => {
            report.problems.push(problem);
            return report;
        }
    };
    let limits = config.limits();
    for &engine in &config.engines {
        let run = run_engine(&program, engine, &limits, expectations);
        report
            .problems
            .extend(run.problems.iter().map(|p| format!("{engine}: {p}")));
        report.engines.push(run);
    }
    if let [left, right] = report.engines.as_slice() {
        let differences = compare_engines(left, right);
        report.engines_agree = Some(differences.is_empty());
        report.problems.extend(differences);
    }
    report.passed = report.problems.is_empty() && !report.engines.is_empty();
    report
}

/// One engine's audited run of `program`, checked.
fn run_engine(
    program: &Program,
    engine: Engine,
    limits: &Limits,
    expectations: &RunExpectations,
) -> EngineStressReport {
    let mut run = empty_engine_report(engine);
    let mut ctx = match Context::new(limits.clone()) {
        Ok(ctx) => ctx,
        Err(error) => {
            run.problems
                .push(format!("cannot create a context: {error}"));
            return run;
        }
    };
    let Some(module) = program.module() else {
        run.problems.push("no module to run".to_string());
        return run;
    };
    let before = ctx.heap.snapshot();
    let counters_before = ctx.heap.counters().clone();
    let hook_counter = install_counting_hook(&mut ctx);
    // The trace is folded into its summary as it happens (bounded memory at any length).
    let stream = StressTraceStream::new(limits);
    ctx.heap.start_trace_to(Box::new(stream.clone()));
    let started = Instant::now();
    let ran = catch_unwind(AssertUnwindSafe(|| {
        execute(program, module, engine, &mut ctx)
    }));
    run.run_ms = started.elapsed().as_secs_f64() * 1e3;
    let checks_started = Instant::now();
    ctx.heap.take_trace();
    let (summary, sampled) = stream.finish();
    let after = ctx.heap.snapshot();
    match ran {
        Ok(Outcome::Returned(text)) => run.outcome = format!("result {text}"),
        Ok(other) => {
            run.outcome = other.to_string();
            run.problems
                .push(format!("the program did not return: {other}"));
        }
        Err(_) => {
            run.outcome = "panicked".to_string();
            run.problems.push("the engine panicked".to_string());
        }
    }
    run.output = String::from_utf8_lossy(&ctx.output).into_owned();
    let logged = ctx.heap.event_log();
    if let Some(problem) = check_sampled_events(summary.events, &sampled, &logged, limits) {
        run.problems.push(problem);
    }

    // Snapshot before/after.
    let delta = compare_snapshots(&before, &after);
    if let Some(problem) = check_snapshots(&delta) {
        run.problems.push(problem);
    }
    run.leaked_heads = delta.newly_allocated.len();
    run.leaked_blocks =
        i64::from(delta.blocks_in_use_after) - i64::from(delta.blocks_in_use_before);

    // Event-log delta: counters, hook and trace agree; mallocs balance frees.
    let counters = ctx.heap.counters();
    run.blocks_allocated = counters.total_allocated - counters_before.total_allocated;
    run.blocks_freed = counters.total_freed - counters_before.total_freed;
    run.peak_blocks = counters.peak_usage;
    let head_delta = after.allocated_heads.len() as i64 - before.allocated_heads.len() as i64;
    if summary.mallocs as i64 - summary.frees as i64 != head_delta {
        run.problems.push(format!(
            "trace has {} mallocs and {} frees, but live heads changed by {head_delta}",
            summary.mallocs, summary.frees
        ));
    }
    if run.blocks_allocated as i64 - run.blocks_freed as i64 != run.leaked_blocks {
        run.problems.push(format!(
            "counters: {} blocks allocated, {} freed, but blocks in use changed by {}",
            run.blocks_allocated, run.blocks_freed, run.leaked_blocks
        ));
    }
    match &hook_counter {
        Some(counter) => {
            let seen = counter.load(std::sync::atomic::Ordering::Relaxed);
            if seen != summary.events {
                run.problems.push(format!(
                    "the audit hook saw {seen} events, the trace has {}",
                    summary.events
                ));
            }
        }
        None => run.problems.push("audit mode is off: no hook".to_string()),
    }

    // Ownership graph with no roots: the result has been released.
    let ownership = run_ownership_check(&ctx.heap, &[]);
    run.ownership_valid = ownership.valid;
    run.ownership_problems = ownership.problems.len();
    if !ownership.valid {
        run.problems.push(ownership.to_string());
    }
    for (index, graph) in ctx.checkpoints.iter().enumerate() {
        for problem in graph.check_structure() {
            run.problems.push(format!(
                "checkpoint {index}: block {}: {}",
                problem.block, problem.diagnostic
            ));
        }
    }
    run.checkpoints = ctx.checkpoints.len();
    if let Some(expected) = expectations.checkpoints
        && expected != run.checkpoints
    {
        run.problems.push(format!(
            "{} checkpoints recorded, expected {expected}",
            run.checkpoints
        ));
    }

    // Shadow validation and violations.
    let mut violations: Vec<String> = Vec::new();
    violations.extend(
        ctx.heap
            .audit_violations()
            .iter()
            .map(|v| format!("audit violation: {v}")),
    );
    violations.extend(
        ctx.heap
            .integrity_violations
            .iter()
            .map(|v| format!("integrity violation: {v}")),
    );
    match ctx.heap.validate_ref_counts() {
        Some(mismatches) => violations.extend(
            mismatches
                .iter()
                .map(|m| format!("shadow count mismatch: {m}")),
        ),
        None => violations.push("shadow counts are off".to_string()),
    }
    violations.extend(
        ctx.heap
            .hook_failures()
            .iter()
            .map(|f| format!("hook failed: {}", f.message)),
    );
    if let Err(error) = ctx.heap.validate_free_list() {
        violations.push(format!("free list: {error:?}"));
    }
    run.violations = violations.len();
    run.problems.extend(violations);

    // Block reuse: freed blocks were handed out again.
    if u64::from(run.peak_blocks) >= run.blocks_allocated || summary.reused_mallocs == 0 {
        run.problems.push(format!(
            "no block reuse: peak {} blocks of {} allocated, {} mallocs of a reused address",
            run.peak_blocks, run.blocks_allocated, summary.reused_mallocs
        ));
    }
    if let Some(expected) = expectations.cows
        && !expected.admits(summary.cows)
    {
        run.problems.push(format!(
            "{} cow events, expected {}..={} ({})",
            summary.cows,
            expected.min,
            expected.max.map_or("".to_string(), |m| m.to_string()),
            expected.reason
        ));
    }

    run.heap_operations = summary.events;
    run.mallocs = summary.mallocs;
    run.frees = summary.frees;
    run.inc_refs = summary.inc_refs;
    run.dec_refs = summary.dec_refs;
    run.cows = summary.cows;
    run.reused_mallocs = summary.reused_mallocs;
    run.trace_hash = format!("{:016x}", summary.hash);
    run.summary = summary;
    run.event_log_entries = logged.len();
    run.event_log = logged;
    run.warnings = ctx.heap.audit_warnings().to_vec();
    run.check_ms = checks_started.elapsed().as_secs_f64() * 1e3;
    run.passed = run.problems.is_empty();
    run
}

fn empty_engine_report(engine: Engine) -> EngineStressReport {
    EngineStressReport {
        engine: engine.name().to_string(),
        outcome: String::new(),
        output: String::new(),
        heap_operations: 0,
        mallocs: 0,
        frees: 0,
        inc_refs: 0,
        dec_refs: 0,
        cows: 0,
        blocks_allocated: 0,
        blocks_freed: 0,
        peak_blocks: 0,
        reused_mallocs: 0,
        trace_hash: String::new(),
        checkpoints: 0,
        event_log_entries: 0,
        leaked_heads: 0,
        leaked_blocks: 0,
        violations: 0,
        ownership_valid: false,
        ownership_problems: 0,
        run_ms: 0.0,
        check_ms: 0.0,
        passed: false,
        problems: Vec::new(),
        summary: TraceSummary::default(),
        event_log: Vec::new(),
        warnings: Vec::new(),
    }
}

/// `None` when the heap after the run equals the heap before it.
pub fn check_snapshots(delta: &HeapDelta) -> Option<String> {
    (!delta.is_clean()).then(|| format!("heap changed by the run: {delta}"))
}

/// The sampled event log must be exactly the trace's events whose position is a multiple of
/// the sampling interval, the most recent `capacity` of them.
pub fn check_sampled_log(
    trace: &[TraceEvent],
    log: &[HeapEvent],
    limits: &Limits,
) -> Option<String> {
    let config = limits.audit.event_log?;
    let every = config.sample_every.max(1);
    let sampled = (trace.len() as u64).div_ceil(every);
    let kept = sampled.min(config.capacity as u64);
    let recent: Vec<TraceEvent> = trace
        .iter()
        .step_by(every as usize)
        .skip((sampled - kept) as usize)
        .copied()
        .collect();
    check_sampled_events(trace.len() as u64, &recent, log, limits)
}

/// [`check_sampled_log`] of a streamed trace: `events` in all, of which `recent` are the
/// sampled ones kept (every `sample_every`-th, the most recent `capacity`, oldest first).
pub fn check_sampled_events(
    events: u64,
    recent: &[TraceEvent],
    log: &[HeapEvent],
    limits: &Limits,
) -> Option<String> {
    let config = limits.audit.event_log?;
    let every = config.sample_every.max(1);
    let sampled = events.div_ceil(every);
    let expected_len = sampled.min(config.capacity as u64);
    if log.len() as u64 != expected_len {
        return Some(format!(
            "event log has {} entries, expected {expected_len} ({events} events sampled every {every})",
            log.len(),
        ));
    }
    let first = sampled - expected_len;
    for (offset, entry) in log.iter().enumerate() {
        let seq = (first + offset as u64) * every;
        let traced = recent.get(offset);
        let same = traced.is_some_and(|t| {
            entry.seq == seq
                && t.seq == seq
                && (t.op, t.block, t.old, t.new) == (entry.op, entry.block, entry.old, entry.new)
        });
        if !same {
            return Some(format!(
                "event log entry {offset} ({entry:?}) is not trace event {seq} ({traced:?})"
            ));
        }
    }
    None
}

/// Everything two engines' runs of one program must share; one problem per difference.
pub fn compare_engines(left: &EngineStressReport, right: &EngineStressReport) -> Vec<String> {
    let mut problems = Vec::new();
    let pair = format!("{} vs {}", left.engine, right.engine);
    if left.output != right.output {
        problems.push(format!(
            "engines disagree on the output ({pair}): {:?} vs {:?}",
            left.output, right.output
        ));
    }
    if left.outcome != right.outcome {
        problems.push(format!(
            "engines disagree on the outcome ({pair}): {} vs {}",
            left.outcome, right.outcome
        ));
    }
    if let Some(difference) = left.summary.first_difference(&right.summary) {
        problems.push(format!("engines disagree ({pair}): {difference}"));
    }
    if left.event_log != right.event_log {
        problems.push(format!(
            "engines disagree on the sampled event log ({pair})"
        ));
    }
    if left.checkpoints != right.checkpoints {
        problems.push(format!(
            "engines disagree on checkpoints ({pair}): {} vs {}",
            left.checkpoints, right.checkpoints
        ));
    }
    if left.warnings != right.warnings {
        problems.push(format!("engines disagree on audit warnings ({pair})"));
    }
    problems
}
