//! `cairn check FILE [--ir]`: compile only (front end and the engines' load check, no engine
//! program built); print `ok` or the post-RC IR.

use cairn::{Engine, EngineKind};

use crate::cli_args::CheckArgs;
use crate::frontend::check_or_report;
use crate::outcome::{Outcome, UsageError};
use crate::source_input::read_source;
use crate::stdout_output::{emit, emit_line};

pub fn check_command(args: &CheckArgs) -> Result<Outcome, UsageError> {
    let source = read_source(&args.file)?;
    let engine = Engine::new(EngineKind::Interpreter);
    let Some((ir, sources)) = check_or_report(&engine, &source) else {
        return Ok(Outcome::Failure);
    };
    if args.ir {
        emit(&cairn_lang::print::print_module_in(&ir, &sources))?;
    } else {
        emit_line("ok")?;
    }
    Ok(Outcome::Success)
}
