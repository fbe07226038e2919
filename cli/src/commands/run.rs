//! `cairn run FILE`: compile with the `cairn` facade, run on the chosen engine with the given limits, stream the
//! program's output, print main's result (unless Unit), optionally stream the refcount trace.
//! The trace file is created once the source is read (it may not be the source:
//! `output_file`) and before anything runs, so an unwritable path is exit 2 up front; the
//! events are written as they happen (`JsonLinesSink`), in bounded memory.

use std::path::Path;

use cairn::{Engine, JsonLinesSink, Limits, Runtime, SinkStatus, Value};

use crate::cli_args::RunArgs;
use crate::frontend::compile_or_report;
use crate::outcome::{Outcome, UsageError};
use crate::output_file::create_output_file;
use crate::source_input::read_source;
use crate::stdout_output::{emit_line, flush, stdout_failure};

pub fn limits_from_args(args: &RunArgs) -> Limits {
    args.limits.applied_to(Limits::default())
}

pub fn run_command(args: &RunArgs) -> Result<Outcome, UsageError> {
    let source = read_source(&args.file)?;
    let trace_file = match args.trace.as_deref() {
        Some(path) => Some((path, create_output_file(path, source.input().as_slice())?)),
        None => None,
    };
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
    let trace_status = trace_file.map(|(path, file)| {
        let (sink, status) = JsonLinesSink::new(file);
        runtime.start_trace_to(Box::new(sink));
        (path, status)
    });
    let result = runtime.call::<Value>(&module, "main", ());
    let mut outcome = match (result, runtime.echo_failure()) {
        (_, Some(failure)) => {
            // The program's `print` could not write: an I/O problem, reported in one line.
            let failure = stdout_failure(&failure);
            runtime.take_trace();
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

    if let Some((path, status)) = trace_status {
        finish_trace(&mut runtime, path, &status)?;
    }
    if report_heap_problems(&mut runtime, blocks_before) {
        outcome = Outcome::Failure;
    }
    Ok(outcome)
}

/// Hands the last events to the trace sink and flushes it; a write error met at any point
/// of the run is reported now (exit 2).
fn finish_trace(runtime: &mut Runtime, path: &Path, status: &SinkStatus) -> Result<(), UsageError> {
    runtime.take_trace();
    match status.take_error() {
        Some(error) => Err(UsageError(format!(
            "cannot write trace to `{}`: {error}",
            path.display()
        ))),
        None => Ok(()),
    }
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
