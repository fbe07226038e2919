//! `cairn conform [DIR]`: runs every corpus program on both engines and every source
//! program on the reference evaluator (progress bar on stderr), then prints the
//! conformance runner's summary table (its `oracle` column and skip counts included); exit
//! 1 on any failure.
//! With `--fail-alloc-all` it injects an allocation failure at every allocation instead
//! (`cairn_conformance::fault_injection`: forking, or with `--replay` replaying) and prints
//! one line of figures per program.

use cairn_conformance::fault_injection::Coverage;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli_args::ConformArgs;
use crate::outcome::{Outcome, UsageError};
use crate::stdout_output::emit;

pub fn conform_command(args: &ConformArgs) -> Result<Outcome, UsageError> {
    // An unreadable corpus directory is a usage error, not a failing program.
    let files = cairn_conformance::corpus_files(&args.dir).map_err(UsageError)?;
    if files.is_empty() {
        return Err(UsageError(format!(
            "no `.cairn` or `.ir.json` programs in `{}`",
            args.dir.display()
        )));
    }
    if args.fail_alloc_all {
        return Ok(fail_alloc_all(&files, fail_alloc_coverage(args)));
    }
    let bar = ProgressBar::new(files.len() as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {wide_msg}") {
        bar.set_style(style);
    }
    let report = cairn_conformance::run_corpus(&args.dir, |program| {
        if !program.passed() {
            bar.println(format!("FAIL {}", program.name));
        }
        bar.set_message(program.name.clone());
        bar.inc(1);
    });
    bar.finish_and_clear();
    emit(&report.render_table())?;
    Ok(if report.all_passed() {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}

fn fail_alloc_coverage(args: &ConformArgs) -> Coverage {
    match (args.replay, args.fail_alloc_budget) {
        (true, Some(budget)) => Coverage::Budget(budget),
        (true, None) => Coverage::Every,
        (false, _) => Coverage::Fork {
            jobs: args.jobs.max(1),
            at_most: None,
            allocations: None,
        },
    }
}

fn fail_alloc_all(files: &[std::path::PathBuf], coverage: Coverage) -> Outcome {
    use cairn_conformance::fault_injection::inject_allocation_failures;
    let started = std::time::Instant::now();
    let (mut runs, mut mallocs, mut failed) = (0u64, 0u64, 0usize);
    for file in files {
        let report = match cairn_conformance::program::load_program(file) {
            Ok(program) => inject_allocation_failures(&program, coverage),
            Err(problem) => {
                println!("FAIL {}: {problem}", file.display());
                failed += 1;
                continue;
            }
        };
        runs += report.injected;
        mallocs += report.mallocs;
        println!("{}", report.summary());
        if !report.passed() {
            failed += 1;
            for problem in &report.problems {
                println!("  {problem}");
            }
        }
    }
    println!(
        "{} programs, {mallocs} allocations, {runs} failed in turn on each engine, {failed} \
         programs with problems, {:.1?}",
        files.len(),
        started.elapsed()
    );
    if failed == 0 {
        Outcome::Success
    } else {
        Outcome::Failure
    }
}
