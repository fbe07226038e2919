//! The `cairn` binary: parses the command line and dispatches to `run`, `check`, `conform`,
//! `bench`, `stress`, `fuzz`, `soak` (one file each under `commands/`) and the `heap` tools
//! (`commands/heap/`).

mod bench_timing;
mod cli_args;
mod commands;
mod engine_choice;
mod frontend;
mod limit_args;
mod outcome;
mod output_file;
mod source_input;
mod stdout_output;

use std::process::ExitCode;

use clap::Parser;

use crate::cli_args::{Cli, Command};
use crate::outcome::{Outcome, UsageError, exit_code};

fn main() -> ExitCode {
    stdout_output::restore_default_sigpipe();
    let cli = Cli::parse();
    let result: Result<Outcome, UsageError> = match &cli.command {
        Command::Run(args) => commands::run::run_command(args),
        Command::Check(args) => commands::check::check_command(args),
        Command::Bench(args) => commands::bench::bench_command(args),
        Command::Conform(args) => commands::conform::conform_command(args),
        Command::Stress(args) => commands::stress::stress_command(args),
        Command::Heap(args) => commands::heap::heap_command(args),
        Command::Fuzz(args) => commands::fuzz::fuzz_command(args),
        Command::Soak(args) => commands::soak::soak_command(args),
    };
    exit_code(result)
}
