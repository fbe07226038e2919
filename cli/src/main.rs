//! The `cairn` binary: parses the command line and dispatches to `run`, `check`, `conform`
//! and `bench` (one file each under `commands/`).

mod cli_args;
mod engine_choice;
mod outcome;
mod render;
mod source_input;

use std::process::ExitCode;

use clap::Parser;

use crate::cli_args::{Cli, Command};
use crate::outcome::{Outcome, UsageError, exit_code};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Result<Outcome, UsageError> = match cli.command {
        Command::Run(args) => source_input::read_source(&args.file).map(|_| Outcome::Success),
        Command::Check(args) => source_input::read_source(&args.file).map(|_| Outcome::Success),
        Command::Conform(_) | Command::Bench(_) => Err(UsageError(
            "this command is being wired to the engines".into(),
        )),
    };
    exit_code(result)
}
