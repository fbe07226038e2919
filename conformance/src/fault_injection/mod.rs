//! Allocation-failure injection over a program (`Limits::fail_alloc_at`): the program runs
//! normally on both engines to count its allocations M, and for every N in 1..=M (or a
//! budgeted selection) each engine runs it with the Nth allocation failing. Every such run
//! must end in RT0401 on both engines with identical output, diagnostic and refcount trace,
//! and leave the heap exactly as it was found. Two ways to get there: replaying the run from
//! the start for each N (`replay.rs`, which also proves the trace before the failure is the
//! normal run's), or forking the one normal run at every allocation (`fork_each.rs`, Unix,
//! linear instead of quadratic). Each engine loads or compiles the program once.

#[cfg(unix)]
mod fork_each;
mod replay;

use std::time::{Duration, Instant};

use cairn_lang::ir;
use cairn_runtime::{Context, Limits, RunFailure, Value};

use crate::program::{FrontEnd, Program};
use crate::run::Engine;

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

/// Which allocations to fail and how. Replayed: every one, or as many as a budget of
/// replayed trace events allows (a run that fails at allocation N replays the trace up to
/// it, so failing every allocation of a program costs about M x L / 2 events; the whole
/// corpus about 5 x 10^11). Forked: every one, for one run's cost plus M forks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coverage {
    /// Every N in 1..=M, each replayed from the start.
    Every,
    /// Per program and engine: every N from 1 up while the events they replay fit half the
    /// budget, then N spread evenly over the rest (always M itself) within the other half.
    Budget(u64),
    /// By forking the normal run at each allocation, with up to `jobs` children at a time
    /// (Unix only; elsewhere a program is reported skipped): every N in 1..=M, or with
    /// `at_most` that many N spread evenly over 1..=M (always M itself). M is counted by a
    /// run of its own unless `allocations` gives it (from a replay report, say).
    Fork {
        jobs: usize,
        at_most: Option<u64>,
        allocations: Option<u64>,
    },
}

/// What `cargo test` forks at per program and engine (`Coverage::Fork::at_most`).
pub const TEST_FORKS: u64 = 100;

/// The budget of `cargo test` (per program and engine, in trace events replayed).
pub const TEST_BUDGET_EVENTS: u64 = 20_000;

impl Coverage {
    /// `CAIRN_FAIL_ALLOC_BUDGET` (a number of events, `all` to replay every allocation, or
    /// `fork` to fork at every one), else the test budget.
    pub fn from_env() -> Coverage {
        match std::env::var("CAIRN_FAIL_ALLOC_BUDGET") {
            Ok(value) if value == "all" => Coverage::Every,
            Ok(value) if value == "fork" => Coverage::Fork {
                jobs: 1,
                at_most: None,
                allocations: None,
            },
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
            // `Every`, and `Fork` (which spreads its own).
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
        chosen.extend(spread(rest, samples).into_iter().map(|k| k + n - 1));
        chosen
    }
}

/// Injects a failure at every allocation of `program` on both engines (see the module):
/// forking where that is possible, else replaying.
pub fn inject_every_allocation(program: &Program) -> InjectionReport {
    let coverage = if cfg!(unix) {
        Coverage::Fork {
            jobs: 1,
            at_most: None,
            allocations: None,
        }
    } else {
        Coverage::Every
    };
    inject_allocation_failures(program, coverage)
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

fn inject(
    program: &Program,
    module: &ir::Module,
    engines: &mut [(Engine, Loaded, Context)],
    coverage: Coverage,
    report: &mut InjectionReport,
) {
    match coverage {
        #[cfg(unix)]
        Coverage::Fork {
            jobs,
            at_most,
            allocations,
        } => fork_each::inject(program, module, engines, jobs, at_most, allocations, report),
        #[cfg(not(unix))]
        Coverage::Fork { .. } => {
            report.skipped = Some("forking at every allocation needs Unix".into())
        }
        Coverage::Every | Coverage::Budget(_) => {
            replay::inject(program, module, engines, coverage, report)
        }
    }
}

/// Runs `main` once on `ctx` with `fail_alloc_at` as given and the cancel flag reset (the
/// caller starts a trace if it wants one): the outcome, or `None` when the run panicked.
fn run_main_observed(
    program: &Program,
    module: &ir::Module,
    loaded: &Loaded,
    ctx: &mut Context,
    fail_at: Option<u64>,
) -> Option<crate::run::Outcome> {
    use crate::run::{Outcome, observe_failure, print_and_release};
    ctx.limits.fail_alloc_at = fail_at;
    ctx.cancel.reset();
    crate::run::install_host_methods(ctx, module);
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        match loaded.run_main(ctx) {
            Ok(value) => Outcome::Returned(print_and_release(ctx, value)),
            Err(failure) => Outcome::Failed(observe_failure(program, module, failure)),
        }
    }));
    ran.ok()
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

/// `at_most` numbers spread evenly over 1..=`count`, ascending, always ending with `count`
/// (all of them when `count <= at_most`).
fn spread(count: u64, at_most: u64) -> Vec<u64> {
    if count <= at_most {
        return (1..=count).collect();
    }
    let mut chosen: Vec<u64> = (0..at_most).map(|i| count - i * count / at_most).collect();
    chosen.reverse();
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_ends_with_the_last_and_stays_in_range() {
        assert_eq!(spread(3, 10), vec![1, 2, 3]);
        assert_eq!(spread(10, 3), vec![4, 7, 10]);
        let chosen = spread(400_004, 200);
        assert_eq!(chosen.len(), 200);
        assert!(chosen.windows(2).all(|w| w[0] < w[1]));
        assert!(chosen[0] >= 1 && *chosen.last().unwrap() == 400_004);
    }

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
