//! `cairn stress SCENARIO|all [--iterations N] ... [--json]` and `cairn stress --list`: runs the
//! stress scenarios (docs/MEMORY.md, "Stress scenarios") in audit mode on the chosen engines and
//! prints a table per scenario (or JSON); exit 1 when any checkpoint fails. A spinner shows the
//! scenario running when stderr is a terminal.

use std::io::IsTerminal;
use std::time::Duration;

use cairn_conformance::run::Engine;
use cairn_conformance::stress::{
    DisposalPolicy, Scenario, StressConfig, StressParams, StressReport, run_scenario,
};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli_args::{DisposalChoice, StressArgs, StressEngineChoice};
use crate::outcome::{Outcome, UsageError};
use crate::stdout_output::{emit, emit_line};

pub fn stress_command(args: &StressArgs) -> Result<Outcome, UsageError> {
    if args.list {
        for scenario in Scenario::ALL {
            emit_line(&format!(
                "{:<22} {:<10} {}",
                scenario.name(),
                scenario.group(),
                scenario.summary()
            ))?;
        }
        return Ok(Outcome::Success);
    }
    let scenarios = selected_scenarios(args.scenario.as_deref().unwrap_or("all"))?;
    let params = params_of(args);
    let config = StressConfig {
        engines: match args.engine {
            StressEngineChoice::Both => Engine::BOTH.to_vec(),
            StressEngineChoice::Interp => vec![Engine::Interpreter],
            StressEngineChoice::Jit => vec![Engine::Jit],
        },
        heap_blocks: args
            .heap_blocks
            .or(args.heap_mib.map(cairn::Limits::heap_blocks_for_mib))
            .unwrap_or(StressConfig::default().heap_blocks),
        ..StressConfig::default()
    };
    let progress = progress_bar(scenarios.len());
    let mut reports: Vec<StressReport> = Vec::new();
    for scenario in scenarios {
        if let Some(bar) = &progress {
            bar.set_message(format!("{scenario} ({params})"));
        }
        let report = run_scenario(scenario, &params, &config);
        if let Some(bar) = &progress {
            bar.inc(1);
        }
        if !args.json {
            match &progress {
                Some(bar) => bar.suspend(|| emit(&report.render()))?,
                None => emit(&report.render())?,
            }
        }
        reports.push(report);
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if args.json {
        let json = if reports.len() == 1 {
            serde_json::to_string_pretty(&reports[0])
        } else {
            serde_json::to_string_pretty(&reports)
        };
        emit_line(&json.map_err(|e| UsageError(format!("cannot write JSON: {e}")))?)?;
    }
    Ok(if reports.iter().all(|r| r.passed) {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}

fn selected_scenarios(name: &str) -> Result<Vec<Scenario>, UsageError> {
    if name == "all" {
        return Ok(Scenario::ALL.to_vec());
    }
    Scenario::from_name(name).map(|s| vec![s]).ok_or_else(|| {
        let names: Vec<&str> = Scenario::ALL.iter().map(|s| s.name()).collect();
        UsageError(format!(
            "unknown scenario `{name}` (one of: all, {})",
            names.join(", ")
        ))
    })
}

fn params_of(args: &StressArgs) -> StressParams {
    let defaults = StressParams::default();
    StressParams {
        iterations: args.iterations.unwrap_or(defaults.iterations),
        max_vector_size: args.max_vector_size.unwrap_or(defaults.max_vector_size),
        chain_depth: args.chain_depth.unwrap_or(defaults.chain_depth),
        allocation_rate: args.allocation_rate.unwrap_or(defaults.allocation_rate),
        disposal: match args.disposal {
            DisposalChoice::Immediate => DisposalPolicy::Immediate,
            DisposalChoice::Delayed => DisposalPolicy::Delayed,
            DisposalChoice::Batched => DisposalPolicy::Batched,
        },
    }
}

/// A bar over the scenarios with a ticking spinner, only when stderr is a terminal.
fn progress_bar(len: usize) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) = ProgressStyle::with_template("{spinner} {pos}/{len} {elapsed} {wide_msg}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    Some(bar)
}
