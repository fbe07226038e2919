//! The CLI as a host of the `cairn` facade: compile a loaded source with an [`Engine`] of the
//! chosen kind, printing every compile-time diagnostic to stderr as the facade renders it.

use cairn::{Engine, EngineKind, Module};

use crate::engine_choice::EngineChoice;
use crate::source_input::LoadedSource;

impl EngineChoice {
    pub fn kind(self) -> EngineKind {
        match self {
            EngineChoice::Jit => EngineKind::Jit,
            EngineChoice::Interp => EngineKind::Interpreter,
        }
    }
}

/// Compiles `source` for `engine`, or prints its diagnostics to stderr and returns `None`.
pub fn compile_or_report(engine: &Engine, source: &LoadedSource) -> Option<Module> {
    let text = match &source.text {
        Ok(text) => text,
        Err(rendered) => {
            eprint!("{rendered}");
            return None;
        }
    };
    match engine.compile(&source.name, text) {
        Ok(module) => Some(module),
        Err(error) => {
            eprint!("{error}");
            None
        }
    }
}
