//! `cairn run FILE`: compile with the `cairn` facade, run on the chosen engine with the given limits, stream the
//! program's output, print main's result (unless Unit), optionally write the refcount trace.
//! The trace file is created before anything runs, so an unwritable path is exit 2 up front.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use cairn::{Engine, Limits, Runtime, Value};

use crate::cli_args::RunArgs;
use crate::frontend::compile_or_report;
use crate::outcome::{Outcome, UsageError};
use crate::source_input::read_source;
use crate::stdout_output::{emit_line, flush, stdout_failure};

pub fn limits_from_args(args: &RunArgs) -> Limits {
    args.limits.applied_to(Limits::default())
}

pub fn run_command(args: &RunArgs) -> Result<Outcome, UsageError> {
    let trace_file = args.trace.as_deref().map(create_output_file).transpose()?;
    let source = read_source(&args.file)?;
    let engine = Engine::new(args.engine.kind());
    let Some(module) = compile_or_report(&engine, &source) else {
        return Ok(Outcome::Failure);
    };
    let mut runtime = match engine.runtime(limits_from_args(args)) {
        Ok(runtime) => runtime,
        Err(error) => {
            eprint!("{error}");
            return Ok(Outcome::Failure);
        }
    };
    let blocks_before = runtime.blocks_in_use();
    runtime.set_echo_output(true);
    if trace_file.is_some() {
        runtime.start_trace();
    }
    let result = runtime.call::<Value>(&module, "main", ());
    let mut outcome = match (result, runtime.echo_failure()) {
        (_, Some(failure)) => {
            // The program's `print` could not write: an I/O problem, reported in one line.
            let failure = stdout_failure(&failure);
            report_heap_problems(&mut runtime, blocks_before);
            return Err(failure);
        }
        (Ok(value), None) => {
            if value != Value::Unit {
                emit_line(&value.to_string())?;
            }
            Outcome::Success
        }
        (Err(error), None) => {
            flush()?;
            eprint!("{error}");
            Outcome::Failure
        }
    };

    if let Some((path, file)) = trace_file {
        let events = runtime.take_trace();
        write_trace(&path, file, &events)?;
    }
    if report_heap_problems(&mut runtime, blocks_before) {
        outcome = Outcome::Failure;
    }
    Ok(outcome)
}

/// Creates (truncates) an output file before the run, so a bad path is a usage error (exit
/// 2) before the program prints anything.
pub fn create_output_file(path: &Path) -> Result<(std::path::PathBuf, File), UsageError> {
    File::create(path)
        .map(|file| (path.to_path_buf(), file))
        .map_err(|error| {
            UsageError(format!(
                "cannot create output file `{}`: {error}",
                path.display()
            ))
        })
}

fn write_trace(path: &Path, file: File, events: &[cairn::TraceEvent]) -> Result<(), UsageError> {
    let cannot = |error: std::io::Error| {
        UsageError(format!(
            "cannot write trace to `{}`: {error}",
            path.display()
        ))
    };
    let mut writer = std::io::BufWriter::new(file);
    cairn::write_trace_json_lines(events, &mut writer).map_err(cannot)?;
    writer.flush().map_err(cannot)
}

/// Integrity violations or blocks still in use after the result was released are runtime
/// bugs; they are reported (exit 1), never ignored.
fn report_heap_problems(runtime: &mut Runtime, blocks_before: u32) -> bool {
    let mut found = false;
    for violation in runtime.integrity_violations() {
        eprintln!("error[RT0404]: heap integrity violation: {violation}");
        found = true;
    }
    let blocks_after = runtime.blocks_in_use();
    if blocks_after != blocks_before {
        eprintln!(
            "error: the run left {blocks_after} heap blocks in use (expected {blocks_before}): a leak in the runtime"
        );
        found = true;
    }
    found
}
