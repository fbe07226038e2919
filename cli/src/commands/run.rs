//! `cairn run FILE`: compile, run on the chosen engine with the given limits, stream the
//! program's output, print main's result (unless Unit), optionally write the refcount trace.

use std::io::Write;

use cairn_runtime::{Context, Limits, canonical_form};

use crate::cli_args::RunArgs;
use crate::engine::{LoadedProgram, release_result};
use crate::frontend::{compile_or_report, render_source};
use crate::outcome::{Outcome, UsageError};
use crate::render::{DiagnosticView, render_diagnostic};
use crate::runtime_failure::failure_view;
use crate::source_input::read_source;

pub fn limits_from_args(args: &RunArgs) -> Limits {
    let mut limits = Limits::default();
    if let Some(depth) = args.max_depth {
        limits.max_call_depth = depth;
    }
    if let Some(blocks) = args.heap_blocks {
        limits.heap_blocks = blocks;
    }
    limits.fuel = args.fuel;
    limits
}

pub fn run_command(args: &RunArgs) -> Result<Outcome, UsageError> {
    let source = read_source(&args.file)?;
    let render = render_source(&source);
    let Some(module) = compile_or_report(&source) else {
        return Ok(Outcome::Failure);
    };
    let mut ctx = match Context::new(limits_from_args(args)) {
        Ok(ctx) => ctx,
        Err(error) => {
            let view = DiagnosticView {
                code: error.code.as_str().to_string(),
                message: error.message,
                span: None,
                notes: vec![],
            };
            eprint!("{}", render_diagnostic(&render, &view));
            return Ok(Outcome::Failure);
        }
    };
    let program = match LoadedProgram::load(args.engine, &module) {
        Ok(program) => program,
        Err(failure) => {
            eprint!(
                "{}",
                render_diagnostic(&render, &failure_view(&module, &render, &failure))
            );
            return Ok(Outcome::Failure);
        }
    };

    let blocks_before = ctx.heap.blocks_in_use();
    ctx.echo_output = true;
    if args.trace.is_some() {
        ctx.heap.start_trace();
    }
    let result = program.run_main(&mut ctx);
    let mut outcome = match result {
        Ok(value) => {
            if !value.is_unit() {
                println!("{}", canonical_form(&ctx.heap, value, true));
            }
            release_result(&mut ctx, value);
            Outcome::Success
        }
        Err(failure) => {
            flush_stdout();
            eprint!(
                "{}",
                render_diagnostic(&render, &failure_view(&module, &render, &failure))
            );
            Outcome::Failure
        }
    };
    flush_stdout();

    if let Some(path) = &args.trace {
        let events = ctx.heap.take_trace();
        write_trace(path, &events)?;
    }
    if report_heap_problems(&ctx, blocks_before) {
        outcome = Outcome::Failure;
    }
    Ok(outcome)
}

fn flush_stdout() {
    // A closed stdout (e.g. `| head`) is not a reason to fail the run's own reporting.
    let _ = std::io::stdout().flush();
}

fn write_trace(
    path: &std::path::Path,
    events: &[cairn_runtime::heap::TraceEvent],
) -> Result<(), UsageError> {
    let cannot = |error: std::io::Error| {
        UsageError(format!(
            "cannot write trace to `{}`: {error}",
            path.display()
        ))
    };
    let file = std::fs::File::create(path).map_err(cannot)?;
    let mut writer = std::io::BufWriter::new(file);
    cairn_runtime::heap::trace::write_json_lines(events, &mut writer).map_err(cannot)?;
    writer.flush().map_err(cannot)
}

/// Integrity violations or blocks still in use after the result was released are runtime
/// bugs; they are reported (exit 1), never ignored.
fn report_heap_problems(ctx: &Context, blocks_before: u32) -> bool {
    let mut found = false;
    for violation in &ctx.integrity_violations {
        eprintln!("error[RT0404]: heap integrity violation: {violation}");
        found = true;
    }
    let blocks_after = ctx.heap.blocks_in_use();
    if blocks_after != blocks_before {
        eprintln!(
            "error: the run left {blocks_after} heap blocks in use (expected {blocks_before}): a leak in the runtime"
        );
        found = true;
    }
    found
}
