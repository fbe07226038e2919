//! `cairn run FILE`: compile with the `cairn` facade, run on the chosen engine with the given limits, stream the
//! program's output, print main's result (unless Unit), optionally write the refcount trace.

use std::io::Write;

use cairn::{Engine, Limits, Runtime, Value};

use crate::cli_args::RunArgs;
use crate::frontend::compile_or_report;
use crate::outcome::{Outcome, UsageError};
use crate::source_input::read_source;

pub fn limits_from_args(args: &RunArgs) -> Limits {
    args.limits.applied_to(Limits::default())
}

pub fn run_command(args: &RunArgs) -> Result<Outcome, UsageError> {
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
    if args.trace.is_some() {
        runtime.start_trace();
    }
    let mut outcome = match runtime.call::<Value>(&module, "main", ()) {
        Ok(value) => {
            if value != Value::Unit {
                println!("{value}");
            }
            Outcome::Success
        }
        Err(error) => {
            flush_stdout();
            eprint!("{error}");
            Outcome::Failure
        }
    };
    flush_stdout();

    if let Some(path) = &args.trace {
        let events = runtime.take_trace();
        write_trace(path, &events)?;
    }
    if report_heap_problems(&mut runtime, blocks_before) {
        outcome = Outcome::Failure;
    }
    Ok(outcome)
}

fn flush_stdout() {
    // A closed stdout (e.g. `| head`) is not a reason to fail the run's own reporting.
    let _ = std::io::stdout().flush();
}

fn write_trace(path: &std::path::Path, events: &[cairn::TraceEvent]) -> Result<(), UsageError> {
    let cannot = |error: std::io::Error| {
        UsageError(format!(
            "cannot write trace to `{}`: {error}",
            path.display()
        ))
    };
    let file = std::fs::File::create(path).map_err(cannot)?;
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
