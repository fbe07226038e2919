//! Running many generated programs: program `i` of a run with seed `S` is generated from
//! (S, i), checked on both engines and the reference evaluator (unless turned off), and on a divergence shrunk and written to the output
//! directory. `--jobs` workers (each with its own contexts and JIT modules, on a thread
//! with a large stack) take program numbers from a shared counter.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::check::{Checked, DivergenceKind, check_source_with};
use super::gen_program::generate_program;
use super::print::program_source;
use super::reproducer::{reproducer_text, write_reproducer};
use super::shrink::shrink;
use crate::oracle::Verdict;
use crate::run::Outcome;

/// Stack of each worker thread: deep (bounded) recursion in the engines must fit.
const WORKER_STACK: usize = 256 << 20;

/// Predicate calls the shrinker may make for one divergence.
const SHRINK_CHECKS: usize = 3_000;

#[derive(Clone, Debug)]
pub struct FuzzConfig {
    pub seed: u64,
    pub count: u64,
    pub jobs: usize,
    /// Where reproducers go; `None` = not written.
    pub out: Option<PathBuf>,
    /// Shrink divergences before reporting them.
    pub shrink: bool,
    /// Also run the reference evaluator (three-way; the default). Off: engines only.
    pub oracle: bool,
}

/// One divergence found.
#[derive(Clone, Debug)]
pub struct Found {
    pub index: u64,
    pub kind: DivergenceKind,
    pub detail: String,
    /// Node counts before and after shrinking.
    pub nodes: (usize, usize),
    pub reproducer: String,
    pub written_to: Option<PathBuf>,
}

/// What a run saw.
#[derive(Clone, Debug, Default)]
pub struct FuzzStats {
    pub programs: u64,
    pub found: Vec<Found>,
    /// Every construct and builtin the generator used.
    pub features: BTreeSet<&'static str>,
    /// How programs ended on the interpreter: `ok` or the diagnostic code.
    pub outcomes: BTreeMap<String, u64>,
    /// Programs the reference evaluator judged and agreed with.
    pub oracle_agreed: u64,
    /// Programs the reference evaluator skipped, by reason (docs/FUZZING.md).
    pub oracle_skipped: BTreeMap<String, u64>,
    pub elapsed: Duration,
}

impl FuzzStats {
    pub fn programs_per_second(&self) -> f64 {
        self.programs as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn merge(&mut self, other: FuzzStats) {
        self.programs += other.programs;
        self.found.extend(other.found);
        self.features.extend(other.features);
        for (code, n) in other.outcomes {
            *self.outcomes.entry(code).or_default() += n;
        }
        self.oracle_agreed += other.oracle_agreed;
        for (reason, n) in other.oracle_skipped {
            *self.oracle_skipped.entry(reason).or_default() += n;
        }
    }
}

/// Runs `config.count` programs; `progress(done, divergences)` is called after each one
/// (from the worker threads).
pub fn run_fuzz(config: &FuzzConfig, progress: &(dyn Fn(u64, u64) + Sync)) -> FuzzStats {
    let started = Instant::now();
    let next = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    let divergences = AtomicU64::new(0);
    let total = Mutex::new(FuzzStats::default());
    std::thread::scope(|scope| {
        for worker in 0..config.jobs.max(1) {
            let (next, done, divergences, total) = (&next, &done, &divergences, &total);
            let spawned = std::thread::Builder::new()
                .name(format!("fuzz-{worker}"))
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, move || {
                    let mut stats = FuzzStats::default();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        if index >= config.count {
                            break;
                        }
                        if let Some(found) = fuzz_one(config, index, &mut stats) {
                            divergences.fetch_add(1, Ordering::Relaxed);
                            stats.found.push(found);
                        }
                        let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
                        progress(finished, divergences.load(Ordering::Relaxed));
                    }
                    if let Ok(mut total) = total.lock() {
                        total.merge(stats);
                    }
                });
            if let Err(e) = spawned {
                panic!("cannot start fuzz worker {worker}: {e}");
            }
        }
    });
    let mut stats = total.into_inner().unwrap_or_default();
    stats.found.sort_by_key(|f| f.index);
    stats.elapsed = started.elapsed();
    stats
}

/// Generates, checks and (on a divergence) shrinks program `index`.
pub fn fuzz_one(config: &FuzzConfig, index: u64, stats: &mut FuzzStats) -> Option<Found> {
    let generated = generate_program(config.seed, index);
    stats.programs += 1;
    stats.features.extend(generated.features.iter().copied());
    let name = format!("fuzz_{}_{index}.cairn", config.seed);
    let source = program_source(&generated.program);
    let checked = check_source_with(&name, &source, config.oracle);
    match &checked.oracle {
        Some(Verdict::Agrees) => stats.oracle_agreed += 1,
        Some(Verdict::Skipped(reason)) => {
            *stats.oracle_skipped.entry(reason.to_string()).or_default() += 1
        }
        Some(Verdict::Differs(_)) | None => {}
    }
    if let Some(run) = &checked.interp {
        let key = match &run.outcome {
            Outcome::Returned(_) => "ok".to_string(),
            Outcome::Failed(e) | Outcome::RejectedAtLoad(e) => e.code.clone(),
        };
        *stats.outcomes.entry(key).or_default() += 1;
    }
    let divergence = checked.divergence?;
    let original_nodes = generated.program.size();
    let (program, checked) = if config.shrink {
        let kind = divergence.kind;
        let shrunk = shrink(
            &generated.program,
            |candidate| {
                check_source_with(&name, &program_source(candidate), config.oracle)
                    .divergence
                    .is_some_and(|d| d.kind == kind)
            },
            SHRINK_CHECKS,
        );
        let rechecked = check_source_with(&name, &program_source(&shrunk), config.oracle);
        if rechecked.divergence.is_some() {
            (shrunk, rechecked)
        } else {
            (
                generated.program,
                Checked {
                    divergence: Some(divergence),
                    ..checked
                },
            )
        }
    } else {
        (
            generated.program,
            Checked {
                divergence: Some(divergence),
                ..checked
            },
        )
    };
    let divergence = checked.divergence.clone()?;
    let shrunk_source = program_source(&program);
    let reproducer = reproducer_text(&shrunk_source, &divergence, checked.interp.as_ref());
    let written_to = config
        .out
        .as_ref()
        .and_then(|dir| write_reproducer(dir, config.seed, index, &reproducer).ok());
    Some(Found {
        index,
        kind: divergence.kind,
        detail: divergence.detail,
        nodes: (original_nodes, program.size()),
        reproducer,
        written_to,
    })
}
