//! `cairn check FILE [--ir]`: compile only; print `ok` or the post-RC IR.

use cairn::{Engine, EngineKind};

use crate::cli_args::CheckArgs;
use crate::frontend::compile_or_report;
use crate::outcome::{Outcome, UsageError};
use crate::source_input::read_source;
use crate::stdout_output::{emit, emit_line};

pub fn check_command(args: &CheckArgs) -> Result<Outcome, UsageError> {
    let source = read_source(&args.file)?;
    let engine = Engine::new(EngineKind::Interpreter);
    let Some(module) = compile_or_report(&engine, &source) else {
        return Ok(Outcome::Failure);
    };
    if args.ir {
        emit(&module.ir_text())?;
    } else {
        emit_line("ok")?;
    }
    Ok(Outcome::Success)
}
