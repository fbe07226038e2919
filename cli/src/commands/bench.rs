//! `cairn bench [--iterations N] [--json] [PROGRAMS...]`: each program is compiled once,
//! loaded once per engine, then timed on the interpreter and on the JIT; prints both medians
//! and the speed-up (a table, or with `--json` a JSON array for machines), and checks that
//! both engines return the same result.

use std::time::Duration;

use cairn_benches::CLI_DEFAULT_PROGRAMS;

use crate::bench_timing::{EngineTiming, format_duration, time_program};
use crate::cli_args::BenchArgs;
use crate::engine_choice::EngineChoice;
use crate::frontend::compile_or_report;
use crate::outcome::{Outcome, UsageError};
use crate::source_input::{LoadedSource, read_source};
use crate::stdout_output::emit_line;

struct BenchInput {
    name: String,
    source: LoadedSource,
    expected_result: Option<String>,
}

fn bench_inputs(args: &BenchArgs) -> Result<Vec<BenchInput>, UsageError> {
    if args.programs.is_empty() {
        return Ok(CLI_DEFAULT_PROGRAMS
            .iter()
            .map(|program| BenchInput {
                name: program.name.to_string(),
                source: LoadedSource {
                    name: format!("<bench {}>", program.name),
                    text: Ok(program.source.to_string()),
                    file: None,
                },
                expected_result: Some(program.expected_result.to_string()),
            })
            .collect());
    }
    args.programs
        .iter()
        .map(|path| {
            Ok(BenchInput {
                name: path.display().to_string(),
                source: read_source(path)?,
                expected_result: None,
            })
        })
        .collect()
}

pub fn bench_command(args: &BenchArgs) -> Result<Outcome, UsageError> {
    let inputs = bench_inputs(args)?;
    if !args.json {
        emit_line(&format!(
            "median of {} timed runs after 1 warm-up (compile excluded)",
            args.iterations
        ))?;
        emit_line(&format!(
            "{:<32} {:>12} {:>12} {:>10}",
            "program", "interp", "jit", "speed-up"
        ))?;
    }
    let mut outcome = Outcome::Success;
    let mut rows = Vec::new();
    for input in &inputs {
        match bench_one(input, args.iterations) {
            Some(timed) if args.json => rows.push(json_row(&input.name, args.iterations, &timed)),
            Some(timed) => emit_line(&format!(
                "{:<32} {:>12} {:>12} {:>9.2}x",
                input.name,
                format_duration(timed.interp),
                format_duration(timed.jit),
                speed_up(timed.interp, timed.jit)
            ))?,
            None => outcome = Outcome::Failure,
        }
    }
    if args.json {
        // Programs that failed are reported on stderr and left out (exit status 1).
        let json = serde_json::to_string_pretty(&serde_json::Value::Array(rows))
            .map_err(|e| UsageError(format!("cannot write JSON: {e}")))?;
        emit_line(&json)?;
    }
    Ok(outcome)
}

/// One program's medians on both engines and main's (agreed) result.
struct Timed {
    interp: Duration,
    jit: Duration,
    result: String,
}

/// `{"name", "iterations", "result", "interp_median_ns", "jit_median_ns", "speed_up"}`.
fn json_row(name: &str, iterations: u32, timed: &Timed) -> serde_json::Value {
    serde_json::json!({
        "name": name,
        "iterations": iterations,
        "result": timed.result,
        "interp_median_ns": u64::try_from(timed.interp.as_nanos()).unwrap_or(u64::MAX),
        "jit_median_ns": u64::try_from(timed.jit.as_nanos()).unwrap_or(u64::MAX),
        "speed_up": speed_up(timed.interp, timed.jit),
    })
}

/// Times `input` on both engines; `None` after reporting a diagnostic or a disagreement.
fn bench_one(input: &BenchInput, iterations: u32) -> Option<Timed> {
    let mut timings: Vec<EngineTiming> = Vec::with_capacity(2);
    for choice in [EngineChoice::Interp, EngineChoice::Jit] {
        let engine = cairn::Engine::new(choice.kind());
        let module = compile_or_report(&engine, &input.source)?;
        match time_program(&engine, &module, iterations) {
            Ok(timing) => timings.push(timing),
            Err(error) => {
                eprintln!("{} on {}:", input.name, choice.label());
                eprint!("{error}");
                return None;
            }
        }
    }
    let (interp, jit) = (&timings[0], &timings[1]);
    if interp.result != jit.result {
        eprintln!(
            "error: {}: the engines disagree: interp returned {}, jit returned {}",
            input.name, interp.result, jit.result
        );
        return None;
    }
    if let Some(expected) = &input.expected_result
        && &interp.result != expected
    {
        eprintln!(
            "error: {}: expected result {expected}, got {}",
            input.name, interp.result
        );
        return None;
    }
    Some(Timed {
        interp: interp.median,
        jit: jit.median,
        result: interp.result.clone(),
    })
}

fn speed_up(interp: Duration, jit: Duration) -> f64 {
    interp.as_secs_f64() / jit.as_secs_f64().max(1e-9)
}
