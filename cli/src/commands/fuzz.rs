//! `cairn fuzz [--seed S] [--count N] [--jobs J] [--out DIR] [--no-shrink] [--no-oracle]
//! [--show I]`: differential fuzzing (docs/FUZZING.md). Generates N programs from the seed,
//! runs each on both engines and compares output, result or diagnostic, trace and heap, and
//! (unless `--no-oracle`) on the reference evaluator, compared with the interpreter on
//! output, result or diagnostic code and message; each divergence
//! is shrunk and written to DIR. Progress is a bar on a terminal, a line every 10,000
//! programs otherwise. Prints programs/s and the divergences; exit 1 on any divergence.

use std::io::IsTerminal;
use std::time::Instant;

use cairn_conformance::fuzz::{FuzzConfig, generate_program, program_source, run_fuzz};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli_args::FuzzArgs;
use crate::outcome::{Outcome, UsageError};

/// Without a terminal, a progress line is printed every this many programs.
const LOG_EVERY: u64 = 10_000;

pub fn fuzz_command(args: &FuzzArgs) -> Result<Outcome, UsageError> {
    if let Some(index) = args.show {
        print!(
            "{}",
            program_source(&generate_program(args.seed, index).program)
        );
        return Ok(Outcome::Success);
    }
    let config = FuzzConfig {
        seed: args.seed,
        count: args.count,
        jobs: usize::from(args.jobs),
        out: Some(args.out.clone()),
        shrink: !args.no_shrink,
        oracle: !args.no_oracle,
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(args.count);
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} eta {eta} {wide_msg}")
        {
            bar.set_style(style);
        }
        bar
    });
    let started = Instant::now();
    let stats = run_fuzz(&config, &|done, divergences| match &bar {
        Some(bar) => {
            bar.set_position(done);
            bar.set_message(format!("{divergences} divergences"));
        }
        None if done % LOG_EVERY == 0 => {
            let seconds = started.elapsed().as_secs_f64();
            eprintln!(
                "{done}/{} programs, {:.0} programs/s, {divergences} divergences",
                args.count,
                done as f64 / seconds.max(1e-9)
            );
        }
        None => {}
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    for found in &stats.found {
        println!(
            "DIVERGENCE program {} ({}), shrunk from {} to {} nodes{}",
            found.index,
            found.kind,
            found.nodes.0,
            found.nodes.1,
            found
                .written_to
                .as_ref()
                .map(|p| format!(": {}", p.display()))
                .unwrap_or_default()
        );
        for line in found.detail.lines().take(12) {
            println!("  {line}");
        }
    }
    let outcomes: Vec<String> = stats
        .outcomes
        .iter()
        .map(|(code, n)| format!("{code} {n}"))
        .collect();
    println!(
        "seed {}: {} programs in {:.1} s ({:.0} programs/s, {} jobs), {} divergences",
        args.seed,
        stats.programs,
        stats.elapsed.as_secs_f64(),
        stats.programs_per_second(),
        args.jobs,
        stats.found.len()
    );
    println!("interpreter outcomes: {}", outcomes.join(", "));
    if config.oracle {
        let skipped: Vec<String> = stats
            .oracle_skipped
            .iter()
            .map(|(reason, n)| format!("{n} {reason}"))
            .collect();
        println!(
            "reference evaluator: {} agreed, skipped: {}",
            stats.oracle_agreed,
            if skipped.is_empty() {
                "none".to_string()
            } else {
                skipped.join(", ")
            }
        );
    }
    Ok(if stats.found.is_empty() {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}
