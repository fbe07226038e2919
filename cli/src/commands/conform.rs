//! `cairn conform [DIR]`: runs every corpus program on both engines (progress bar on
//! stderr), then prints the conformance runner's summary table; exit 1 on any failure.

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
