//! Failing allocations by replay: the program runs again from the start for every N,
//! with `Limits::fail_alloc_at = N`. That also proves each run deterministic (the trace
//! before the failure must be the normal run's), at a cost of about M x L / 2 events.

use cairn_lang::ir;
use cairn_runtime::Context;
use cairn_runtime::heap::{RefOp, TraceEvent};

use super::{Coverage, InjectionReport, Loaded, MAX_PROBLEMS, run_main_observed};
use crate::program::Program;
use crate::run::{Engine, Outcome};
use crate::trace_diff::first_divergence;

/// What one run showed.
struct Observed {
    output: String,
    outcome: Outcome,
    trace: Vec<TraceEvent>,
}

/// Runs `main` once on a reused context; the heap must be empty before (it is after every
/// clean run). `Err` describes a panic, a leak or an integrity violation.
fn run_once(
    program: &Program,
    module: &ir::Module,
    loaded: &Loaded,
    ctx: &mut Context,
    fail_at: Option<u64>,
) -> Result<Observed, String> {
    ctx.heap.start_trace();
    let ran = run_main_observed(program, module, loaded, ctx, fail_at);
    let trace = ctx.heap.take_trace();
    let outcome = ran.ok_or_else(|| "panicked".to_string())?;
    if ctx.heap.blocks_in_use() != 0 {
        return Err(format!(
            "leaked {} blocks ({outcome})",
            ctx.heap.blocks_in_use()
        ));
    }
    if !ctx.heap.integrity_violations.is_empty() {
        return Err(format!(
            "integrity violations: {}",
            ctx.heap.integrity_violations.join("; ")
        ));
    }
    Ok(Observed {
        output: String::from_utf8_lossy(&ctx.output).into_owned(),
        outcome,
        trace,
    })
}

/// Where the `n`th (1-based) malloc of `trace` would have been recorded: its index, less
/// one when a `cow` event announced it (an injected failure records neither).
fn failure_point(trace: &[TraceEvent], n: u64) -> Option<usize> {
    let index = trace
        .iter()
        .enumerate()
        .filter(|(_, event)| event.op == RefOp::Malloc)
        .nth(n.checked_sub(1)? as usize)?
        .0;
    let announced = index > 0 && trace[index - 1].op == RefOp::Cow;
    Some(index - usize::from(announced))
}

pub(super) fn inject(
    program: &Program,
    module: &ir::Module,
    engines: &mut [(Engine, Loaded, Context)],
    coverage: Coverage,
    report: &mut InjectionReport,
) {
    let mut baseline = Vec::new();
    for (engine, loaded, ctx) in engines.iter_mut() {
        match run_once(program, module, loaded, ctx, None) {
            Ok(observed) => baseline.push(observed),
            Err(problem) => {
                report
                    .problems
                    .push(format!("{engine}, normal run: {problem}"));
                return;
            }
        }
    }
    let normal = &baseline[0];
    report.trace_events = normal.trace.len();
    let positions: Vec<usize> = (normal.trace.iter().enumerate())
        .filter(|(_, event)| event.op == RefOp::Malloc)
        .map(|(index, _)| index)
        .collect();
    report.mallocs = positions.len() as u64;
    let selected = coverage.select(&positions);
    report.injected = selected.len() as u64;
    for n in selected {
        if report.problems.len() >= MAX_PROBLEMS {
            report
                .problems
                .push("... (stopped after this many problems)".into());
            return;
        }
        let mut runs = Vec::new();
        for (engine, loaded, ctx) in engines.iter_mut() {
            match run_once(program, module, loaded, ctx, Some(n)) {
                Ok(observed) => runs.push(observed),
                Err(problem) => {
                    report
                        .problems
                        .push(format!("{engine}, failure at allocation {n}: {problem}"));
                    // A leaking run leaves the context dirty: start the engine afresh.
                    match Context::new(program.expectations.limits.to_limits()) {
                        Ok(fresh) => *ctx = fresh,
                        Err(_) => return,
                    }
                }
            }
        }
        if let [interp, jit] = runs.as_slice() {
            check_injected_runs(normal, interp, jit, n, report);
        }
    }
}

/// Checks the two engines' runs with allocation `n` failing.
fn check_injected_runs(
    normal: &Observed,
    interp: &Observed,
    jit: &Observed,
    n: u64,
    report: &mut InjectionReport,
) {
    let at = format!("failure at allocation {n}");
    if interp.outcome != jit.outcome || interp.output != jit.output {
        report.problems.push(format!(
            "{at}: engines disagree: interp {} / jit {}",
            interp.outcome, jit.outcome
        ));
    }
    if let Some(index) = first_divergence(&interp.trace, &jit.trace) {
        report.problems.push(format!(
            "{at}: traces differ from event {index} (interp {:?}, jit {:?})",
            interp.trace.get(index),
            jit.trace.get(index)
        ));
    }
    match &interp.outcome {
        Outcome::Failed(error) if error.code == "RT0401" => report.ended_in_rt0401 += 1,
        other => {
            report.other_outcomes += 1;
            report
                .problems
                .push(format!("{at}: expected RT0401, the run ended with {other}"));
        }
    }
    // Block addresses differ (the reused heap's free list is in another order than the
    // normal run's fresh one); the operations and counts must not.
    let shape = |trace: &[TraceEvent]| -> Vec<(u64, RefOp, u16, u16)> {
        (trace.iter())
            .map(|event| (event.seq, event.op, event.old, event.new))
            .collect()
    };
    if let Some(point) = failure_point(&normal.trace, n)
        && interp.trace.get(..point).map(shape) != normal.trace.get(..point).map(shape)
    {
        report.problems.push(format!(
            "{at}: the trace before the failure (event {point}) is not the normal run's"
        ));
    }
}
