//! `cairn bench [--iterations N] [PROGRAMS...]`: each program is compiled once, loaded once
//! per engine, then timed on the interpreter and on the JIT; prints both medians and the
//! speed-up, and checks that both engines return the same result.

use std::time::Duration;

use cairn_benches::CLI_DEFAULT_PROGRAMS;

use crate::bench_timing::{EngineTiming, format_duration, time_program};
use crate::cli_args::BenchArgs;
use crate::engine_choice::EngineChoice;
use crate::frontend::compile_or_report;
use crate::outcome::{Outcome, UsageError};
use crate::source_input::{LoadedSource, read_source};

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
                    text: program.source.to_string(),
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
    println!(
        "median of {} timed runs after 1 warm-up (compile excluded)",
        args.iterations
    );
    println!(
        "{:<32} {:>12} {:>12} {:>10}",
        "program", "interp", "jit", "speed-up"
    );
    let mut outcome = Outcome::Success;
    for input in &inputs {
        match bench_one(input, args.iterations) {
            Some((interp, jit)) => println!(
                "{:<32} {:>12} {:>12} {:>9.2}x",
                input.name,
                format_duration(interp),
                format_duration(jit),
                speed_up(interp, jit)
            ),
            None => outcome = Outcome::Failure,
        }
    }
    Ok(outcome)
}

/// Times `input` on both engines; `None` after reporting a diagnostic or a disagreement.
fn bench_one(input: &BenchInput, iterations: u32) -> Option<(Duration, Duration)> {
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
    Some((interp.median, jit.median))
}

fn speed_up(interp: Duration, jit: Duration) -> f64 {
    interp.as_secs_f64() / jit.as_secs_f64().max(1e-9)
}
