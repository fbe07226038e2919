//! `cairn check FILE [--ir]`: compile only; print `ok` or the post-RC IR.

use crate::cli_args::CheckArgs;
use crate::frontend::{compile_or_report, ir_text};
use crate::outcome::{Outcome, UsageError};
use crate::source_input::read_source;

pub fn check_command(args: &CheckArgs) -> Result<Outcome, UsageError> {
    let source = read_source(&args.file)?;
    let Some(module) = compile_or_report(&source) else {
        return Ok(Outcome::Failure);
    };
    if args.ir {
        print!("{}", ir_text(&module, &source));
    } else {
        println!("ok");
    }
    Ok(Outcome::Success)
}
