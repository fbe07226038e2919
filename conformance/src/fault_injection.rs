//! Allocation-failure injection over a program (`Limits::fail_alloc_at`): the program runs
//! once normally on both engines to count its allocations M, then once for every N in
//! 1..=M on each engine with the Nth allocation failing. Every such run must end in RT0401
//! on both engines with identical output, diagnostic and refcount trace, the trace before
//! the failure must be the normal run's, and the heap must be left exactly as it was found.
//! Each engine loads or compiles the program once and reuses one context for all the runs.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use cairn_lang::ir;
use cairn_runtime::heap::{RefOp, TraceEvent};
use cairn_runtime::{Context, Limits, RunFailure, Value};

use crate::program::{FrontEnd, Program};
use crate::run::{Engine, Outcome, observe_failure, print_and_release};
use crate::trace_diff::first_divergence;

/// What injecting a failure at every allocation of one program found.
#[derive(Clone, Debug, Default)]
pub struct InjectionReport {
    pub name: String,
    /// Why the program was not run (a compile error, or IR the engines refuse).
    pub skipped: Option<String>,
    /// Allocations of the normal run (`malloc` events): the injected runs are 1..=M.
    pub mallocs: u64,
    /// Refcount events of the normal run.
    pub trace_events: usize,
    /// Allocations failed (injected runs per engine): M, or fewer under a budget.
    pub injected: u64,
    /// Injected runs per engine that ended in RT0401.
    pub ended_in_rt0401: u64,
    /// Injected runs that ended otherwise (each one also listed in `problems`).
    pub other_outcomes: u64,
    /// Everything that went wrong: divergences, leaks, panics, unexpected outcomes.
    pub problems: Vec<String>,
    pub elapsed: Duration,
}

impl InjectionReport {
    /// Every field in one line, for reports.
    pub fn summary(&self) -> String {
        match &self.skipped {
            Some(reason) => format!("{}: skipped ({reason})", self.name),
            None => format!(
                "{}: {} of {} allocations failed in turn, {} events, {} RT0401, {} other, {:.2?}",
                self.name,
                self.injected,
                self.mallocs,
                self.trace_events,
                self.ended_in_rt0401,
                self.other_outcomes,
                self.elapsed
            ),
        }
    }

    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Stop reporting a program's problems after this many (the first ones say enough).
const MAX_PROBLEMS: usize = 12;

/// One engine's loaded program.
enum Loaded {
    Interpreter(cairn_interp::InterpProgram),
    Jit(Box<cairn_jit::JitProgram>),
}

impl Loaded {
    fn load(module: &ir::Module, engine: Engine) -> Result<Loaded, RunFailure> {
        Ok(match engine {
            Engine::Interpreter => Loaded::Interpreter(cairn_interp::load(module)?),
            Engine::Jit => Loaded::Jit(Box::new(cairn_jit::compile(module)?)),
        })
    }

    fn run_main(&self, ctx: &mut Context) -> Result<Value, RunFailure> {
        match self {
            Loaded::Interpreter(program) => program.run_main(ctx),
            Loaded::Jit(program) => program.run_main(ctx),
        }
    }
}

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
    ctx.limits.fail_alloc_at = fail_at;
    ctx.cancel.reset();
    ctx.heap.start_trace();
    let ran = catch_unwind(AssertUnwindSafe(|| match loaded.run_main(ctx) {
        Ok(value) => Outcome::Returned(print_and_release(ctx, value)),
        Err(failure) => Outcome::Failed(observe_failure(program, module, failure)),
    }));
    let trace = ctx.heap.take_trace();
    let outcome = ran.map_err(|_| "panicked".to_string())?;
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

/// How many allocations to fail: every one, or as many as a budget of replayed trace events
/// allows (a run that fails at allocation N replays the trace up to it, so failing every
/// allocation of a program costs about M x L / 2 events; the whole corpus about 5 x 10^11).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coverage {
    /// Every N in 1..=M.
    Every,
    /// Per program and engine: every N from 1 up while the events they replay fit half the
    /// budget, then N spread evenly over the rest (always M itself) within the other half.
    Budget(u64),
}

/// The budget of `cargo test` (per program and engine, in trace events replayed).
pub const TEST_BUDGET_EVENTS: u64 = 20_000;

impl Coverage {
    /// `CAIRN_FAIL_ALLOC_BUDGET` (a number of events, or `all`), else the test budget.
    pub fn from_env() -> Coverage {
        match std::env::var("CAIRN_FAIL_ALLOC_BUDGET") {
            Ok(value) if value == "all" => Coverage::Every,
            Ok(value) => value
                .parse()
                .map_or(Coverage::Budget(TEST_BUDGET_EVENTS), Coverage::Budget),
            Err(_) => Coverage::Budget(TEST_BUDGET_EVENTS),
        }
    }

    /// The allocation numbers to fail, ascending, given where each malloc of the normal
    /// run is in its trace.
    pub fn select(self, malloc_positions: &[usize]) -> Vec<u64> {
        let count = malloc_positions.len() as u64;
        let Coverage::Budget(budget) = self else {
            return (1..=count).collect();
        };
        let cost = |n: u64| malloc_positions[n as usize - 1] as u64 + 1;
        let mut chosen = Vec::new();
        let mut spent = 0;
        let mut n = 1;
        while n <= count && spent + cost(n) <= budget / 2 {
            spent += cost(n);
            chosen.push(n);
            n += 1;
        }
        if n > count {
            return chosen;
        }
        // The rest, evenly spaced from the end (so that M itself is always tried).
        let rest = count - n + 1;
        let per_run = cost(count);
        let samples = ((budget - spent) / per_run).min(rest);
        let mut sampled: Vec<u64> = (0..samples).map(|i| count - i * rest / samples).collect();
        sampled.reverse();
        chosen.extend(sampled);
        chosen
    }
}

/// Injects a failure at every allocation of `program` on both engines (see the module).
pub fn inject_every_allocation(program: &Program) -> InjectionReport {
    inject_allocation_failures(program, Coverage::Every)
}

/// Injects a failure at the allocations `coverage` selects, on both engines.
pub fn inject_allocation_failures(program: &Program, coverage: Coverage) -> InjectionReport {
    let started = Instant::now();
    let mut report = InjectionReport {
        name: program.name.clone(),
        ..InjectionReport::default()
    };
    let module = match &program.front_end {
        FrontEnd::Accepted(module) => module,
        FrontEnd::CompileError(_) => {
            report.skipped = Some("compile error".into());
            return report;
        }
        FrontEnd::VerifierRejected { .. } => {
            report.skipped = Some("IR rejected by the verifier".into());
            return report;
        }
    };
    let limits = program.expectations.limits.to_limits();
    match prepare(module, &limits) {
        Ok(mut engines) => inject(program, module, &mut engines, coverage, &mut report),
        Err(reason) => report.skipped = Some(reason),
    }
    report.elapsed = started.elapsed();
    report
}

fn prepare(module: &ir::Module, limits: &Limits) -> Result<Vec<(Engine, Loaded, Context)>, String> {
    let mut engines = Vec::new();
    for engine in Engine::BOTH {
        let loaded = Loaded::load(module, engine)
            .map_err(|failure| format!("{engine} refuses it at load: {}", failure.error))?;
        let ctx = Context::new(limits.clone()).map_err(|e| format!("no context: {e}"))?;
        engines.push((engine, loaded, ctx));
    }
    Ok(engines)
}

fn inject(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_selects_all() {
        assert_eq!(Coverage::Every.select(&[0, 5, 9]), vec![1, 2, 3]);
    }

    #[test]
    fn a_budget_takes_a_prefix_then_samples_ending_with_the_last() {
        let positions: Vec<usize> = (0..100).map(|i| i * 10).collect();
        let chosen = Coverage::Budget(4_000).select(&positions);
        // Prefix: costs 1, 11, 21, ... while the sum stays within 2,000.
        assert_eq!(&chosen[..3], &[1, 2, 3]);
        assert_eq!(*chosen.last().unwrap(), 100);
        assert!(chosen.windows(2).all(|w| w[0] < w[1]));
        let spent: u64 = chosen
            .iter()
            .map(|&n| positions[n as usize - 1] as u64 + 1)
            .sum();
        assert!(spent <= 4_000, "spent {spent}");
        // A small program is covered whole.
        assert_eq!(Coverage::Budget(4_000).select(&[0, 1, 2]), vec![1, 2, 3]);
    }
}
