//! `cairn soak [--calls N] [--threads T] [--seed S] [--report-every N] [--json]`: a soak test
//! of the embedding (docs/EMBEDDING.md, "Soak test"). `--threads` workers, each with its own
//! runtimes, make `--calls` calls in all against a shared pool of modules (every program of
//! `scripts.rs` on both engines, recompiled as the run goes), driven by `--seed`: successes,
//! script and host failures, host panics, callbacks, limits, cancellations from another
//! thread, injected allocation failures and opaque handles held, passed and dropped. Every
//! outcome is checked against the model and every call against the heap invariant; the RSS is
//! sampled every `--report-every` calls. Exit 1 on any leak, unexpected outcome or RSS growth
//! past the tolerance of `memory.rs`.

mod cases;
mod memory;
mod model;
mod scripts;
mod special_cases;
mod worker;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use cairn::EngineKind;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::cli_args::SoakArgs;
use crate::outcome::{Outcome, UsageError};
use crate::stdout_output::emit_line;
use memory::{MemoryVerdict, Sample, judge, rss_kib};
use worker::{Pool, Progress, Worker, WorkerReport, helper_loop};

/// How often the reporting thread looks at the call count.
const POLL: Duration = Duration::from_millis(20);

/// The machine-readable report (`--json`).
#[derive(Debug, Serialize)]
struct SoakReport {
    calls: u64,
    threads: usize,
    seed: u64,
    elapsed_s: f64,
    calls_per_second: f64,
    outcomes: BTreeMap<String, u64>,
    mismatches: u64,
    leaks: u64,
    problems: Vec<String>,
    runtimes_created: u64,
    modules_compiled: u64,
    handles_created: u64,
    cancels: u64,
    samples: Vec<Sample>,
    memory: MemoryVerdict,
    passed: bool,
}

pub fn soak_command(args: &SoakArgs) -> Result<Outcome, UsageError> {
    quiet_deliberate_panics();
    let threads = usize::from(args.threads);
    let engines = [
        scripts::engine(EngineKind::Interpreter),
        scripts::engine(EngineKind::Jit),
    ];
    let pool = Pool::new(engines).map_err(UsageError)?;
    let initial_modules = pool.len() as u64;
    let progress = Progress::default();
    let bar = progress_bar(args.calls, args.json);
    let started = Instant::now();
    let mut samples = vec![sample(0, started, None, true)];
    let (helper, jobs) = std::sync::mpsc::channel();
    let reports: Vec<Result<WorkerReport, String>> = std::thread::scope(|scope| {
        scope.spawn(move || helper_loop(jobs));
        let workers: Vec<_> = (0..threads)
            .map(|index| {
                let share = args.calls / threads as u64
                    + u64::from((index as u64) < args.calls % threads as u64);
                let (pool, progress, helper) = (&pool, &progress, helper.clone());
                scope.spawn(move || {
                    Worker::new(index, args.seed, pool, progress, helper)?.run(share)
                })
            })
            .collect();
        drop(helper);
        let mut next_report = args.report_every;
        while !workers.iter().all(|w| w.is_finished()) {
            std::thread::sleep(POLL);
            let calls = progress.calls.load(Ordering::Relaxed);
            if let Some(bar) = &bar {
                bar.set_position(calls);
                bar.set_message(format!(
                    "{} leaks, {} unexpected",
                    progress.leaks.load(Ordering::Relaxed),
                    progress.mismatches.load(Ordering::Relaxed)
                ));
            }
            if calls >= next_report && calls < args.calls {
                let s = sample(calls, started, samples.last(), true);
                if !args.json {
                    print_sample(&s, bar.as_ref());
                }
                samples.push(s);
                next_report = (calls / args.report_every + 1) * args.report_every;
            }
        }
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|_| Err("a worker panicked".into())))
            .collect()
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let last = sample(
        progress.calls.load(Ordering::Relaxed),
        started,
        samples.last(),
        false,
    );
    if !args.json {
        print_sample(&last, None);
    }
    samples.push(last);
    let mut merged = WorkerReport::default();
    for report in reports {
        let report = report.map_err(UsageError)?;
        merged.calls += report.calls;
        for (code, n) in report.outcomes {
            *merged.outcomes.entry(code).or_insert(0) += n;
        }
        merged.mismatches += report.mismatches;
        merged.leaks += report.leaks;
        merged.problems.extend(report.problems);
        merged.runtimes_created += report.runtimes_created;
        merged.modules_compiled += report.modules_compiled;
        merged.handles_created += report.handles_created;
        merged.cancels += report.cancels;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let memory = judge(&samples, args.calls);
    let passed = merged.leaks == 0 && merged.mismatches == 0 && memory.flat != Some(false);
    let report = SoakReport {
        calls: merged.calls,
        threads,
        seed: args.seed,
        elapsed_s: elapsed,
        calls_per_second: merged.calls as f64 / elapsed.max(1e-9),
        outcomes: merged.outcomes,
        mismatches: merged.mismatches,
        leaks: merged.leaks,
        problems: merged.problems,
        runtimes_created: merged.runtimes_created,
        modules_compiled: merged.modules_compiled + initial_modules,
        handles_created: merged.handles_created,
        cancels: merged.cancels,
        samples,
        memory,
        passed,
    };
    if args.json {
        let json = serde_json::to_string_pretty(&report)
            .map_err(|e| UsageError(format!("cannot write JSON: {e}")))?;
        emit_line(&json)?;
    } else {
        print_summary(&report)?;
    }
    Ok(if passed {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}

fn sample(calls: u64, started: Instant, previous: Option<&Sample>, running: bool) -> Sample {
    let elapsed_s = started.elapsed().as_secs_f64();
    let calls_per_second = previous.map_or(0.0, |p| {
        (calls - p.calls) as f64 / (elapsed_s - p.elapsed_s).max(1e-9)
    });
    Sample {
        calls,
        elapsed_s,
        rss_kib: rss_kib(),
        calls_per_second,
        running,
    }
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// One progress line on stderr (above the bar, when there is one).
fn print_sample(s: &Sample, bar: Option<&ProgressBar>) {
    let line = format!(
        "{:>12} calls  {:>8.1} s  rss {:>10}  {:>9.0} calls/s",
        s.calls,
        s.elapsed_s,
        s.rss_kib.map_or("?".into(), mib),
        s.calls_per_second
    );
    match bar {
        Some(bar) => bar.println(line),
        None => eprintln!("{line}"),
    }
}

fn print_summary(report: &SoakReport) -> Result<(), UsageError> {
    let outcomes: Vec<String> = report
        .outcomes
        .iter()
        .map(|(code, n)| format!("{code} {n}"))
        .collect();
    emit_line(&format!(
        "soak: {} calls on {} threads (seed {}) in {:.1} s, {:.0} calls/s",
        report.calls, report.threads, report.seed, report.elapsed_s, report.calls_per_second
    ))?;
    emit_line(&format!("outcomes: {}", outcomes.join(", ")))?;
    emit_line(&format!(
        "{} runtimes created, {} modules compiled, {} handles held, {} calls cancelled from another thread",
        report.runtimes_created, report.modules_compiled, report.handles_created, report.cancels
    ))?;
    for problem in &report.problems {
        emit_line(&format!("  {problem}"))?;
    }
    let m = &report.memory;
    let memory = match (m.baseline_kib, m.final_kib, m.growth_kib) {
        (Some(baseline), Some(last), Some(growth)) => format!(
            "rss baseline {} (after the warm-up), last while running {}, peak {}, growth {:+.1} MiB (tolerance {})",
            mib(baseline),
            mib(last),
            mib(m.peak_kib.unwrap_or(last)),
            growth as f64 / 1024.0,
            mib(m.tolerance_kib.unwrap_or(0))
        ),
        _ => "rss unavailable on this platform".to_string(),
    };
    emit_line(&memory)?;
    let flat = match m.flat {
        Some(true) => "memory flat",
        Some(false) => "MEMORY GROWS",
        None => "memory not judged (run too short)",
    };
    emit_line(&format!(
        "{}: {} leaks, {} unexpected outcomes, {flat}",
        if report.passed { "PASS" } else { "FAIL" },
        report.leaks,
        report.mismatches
    ))
}

/// A bar over the calls, only when stderr is a terminal and the report is not JSON.
fn progress_bar(calls: u64, json: bool) -> Option<ProgressBar> {
    if json || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(calls);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} eta {eta} {wide_msg}")
    {
        bar.set_style(style);
    }
    Some(bar)
}

/// The soak's host functions panic on purpose: keep those quiet, print any other panic.
fn quiet_deliberate_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied());
        if !payload.is_some_and(|p| p.starts_with(scripts::DELIBERATE_PANIC)) {
            default(info);
        }
    }));
}
