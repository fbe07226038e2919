//! `cairn heap check|leaks|graph|stats|watch FILE`: the heap tools over the toolkit of
//! docs/MEMORY.md, "Audit mode and the integrity toolkit". Every subcommand runs the program's
//! `main` once on the chosen engine in full audit mode (`AuditConfig::full()`: shadow counts,
//! allocation sites, free-list checks, hooks, checkpoints) through the `cairn` facade, then reports
//! on the heap. This module holds what they share: loading, the audited run, site labels and
//! writing to stdout.

pub mod args;
mod check;
mod graph;
mod leaks;
mod sites;
mod stats;
mod watch;
mod watch_draw;
mod watch_state;

use std::io::Write;

use cairn::{AllocationSite, AuditConfig, Engine, Limits, Module, Runtime, Value};

use crate::frontend::compile_or_report;
use crate::outcome::{Outcome, UsageError};
use crate::source_input::{LoadedSource, read_source};
pub use crate::stdout_output::emit;
use args::{HeapArgs, HeapCommand, HeapRunArgs};

pub fn heap_command(args: &HeapArgs) -> Result<Outcome, UsageError> {
    match &args.command {
        HeapCommand::Check(args) => check::check_command(args),
        HeapCommand::Leaks(args) => leaks::leaks_command(args),
        HeapCommand::Graph(args) => graph::graph_command(args),
        HeapCommand::Stats(args) => stats::stats_command(args),
        HeapCommand::Watch(args) => watch::watch_command(args),
    }
}

/// The limits of `args` with full audit mode on.
pub fn audited_limits(args: &HeapRunArgs) -> Limits {
    args.limits.applied_to(Limits {
        audit: AuditConfig::full(),
        ..Limits::default()
    })
}

/// Where the program's own output (its `print`s and main's result) goes: stdout as `run`
/// prints it, or stderr for the commands whose stdout is a document (DOT, JSON, metrics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Echo {
    Stdout,
    Stderr,
}

/// A compiled program and a fresh audited runtime for it.
pub struct Program {
    pub module: Module,
    pub runtime: Runtime,
}

/// Reads and compiles `args.file` and creates its audited runtime; `None` after printing a
/// compile-time diagnostic (or a runtime that could not be created).
pub fn load(args: &HeapRunArgs) -> Result<Option<Program>, UsageError> {
    load_source(args, &read_source(&args.file)?)
}

/// [`load`] of a source already read.
pub fn load_source(
    args: &HeapRunArgs,
    source: &LoadedSource,
) -> Result<Option<Program>, UsageError> {
    let engine = Engine::new(args.engine.kind());
    let Some(module) = compile_or_report(&engine, source) else {
        return Ok(None);
    };
    match engine.runtime(audited_limits(args)) {
        Ok(runtime) => Ok(Some(Program { module, runtime })),
        Err(error) => {
            write_stderr(&error.to_string());
            Ok(None)
        }
    }
}

impl Program {
    /// Runs `main`, printing its output and result where `echo` says (or its diagnostic on
    /// stderr), and `inspect`s the runtime after the call, before the result is released.
    /// Returns whether the program succeeded, and what `inspect` returned.
    pub fn run_main<T>(
        &mut self,
        echo: Echo,
        inspect: impl FnOnce(&mut Runtime) -> T,
    ) -> (bool, T) {
        self.runtime.set_echo_output(echo == Echo::Stdout);
        let (result, inspected) =
            self.runtime
                .call_value_inspecting(&self.module, "main", Vec::new(), inspect);
        if echo == Echo::Stderr {
            write_stderr(&String::from_utf8_lossy(self.runtime.output()));
        }
        let succeeded = match result {
            Ok(value) => {
                if value != Value::Unit {
                    let line = format!("{value}\n");
                    match echo {
                        // A closed stdout is the reader's choice, not the program's failure.
                        Echo::Stdout => drop(emit(&line)),
                        Echo::Stderr => write_stderr(&line),
                    }
                }
                true
            }
            Err(error) => {
                // A failing stdout is reported by the next `emit`, if any.
                let _ = crate::stdout_output::flush();
                write_stderr(&error.to_string());
                false
            }
        };
        (succeeded, inspected)
    }
}

/// `fn NAME at LINE:COL` for a site of `module`, or `unknown site`.
pub fn site_label(module: &Module, site: AllocationSite) -> String {
    match module.site_location(site) {
        Some(location) => location.to_string(),
        None => "unknown site".to_string(),
    }
}

/// Writes `text` to stderr; there is nowhere left to report a failure to.
pub fn write_stderr(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
}

pub fn outcome(succeeded: bool) -> Outcome {
    if succeeded {
        Outcome::Success
    } else {
        Outcome::Failure
    }
}
