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
/// The imports of a source read from a file are resolved relative to the importing file
/// (`cairn::FileResolver`, docs/LANGUAGE.md "Modules").
pub fn compile_or_report(engine: &Engine, source: &LoadedSource) -> Option<Module> {
    let engine = with_file_imports(engine, source);
    report_errors(source, |text| engine.compile(&source.name, text))
}

/// `Engine::check` (front end and load check: the post-RC IR), errors on stderr.
pub fn check_or_report(
    engine: &Engine,
    source: &LoadedSource,
) -> Option<(cairn_lang::ir::Module, cairn_lang::SourceMap)> {
    let engine = with_file_imports(engine, source);
    report_errors(source, |text| engine.check(&source.name, text))
}

/// `engine` with a file resolver for the imports of `source` when it was read from a file.
fn with_file_imports(engine: &Engine, source: &LoadedSource) -> Engine {
    let mut engine = engine.clone();
    if let Some((path, _)) = &source.file {
        engine.set_resolver(cairn::FileResolver::for_root_file(path));
    }
    engine
}

fn report_errors<T>(
    source: &LoadedSource,
    compile: impl FnOnce(&str) -> Result<T, cairn::CompileError>,
) -> Option<T> {
    let text = match &source.text {
        Ok(text) => text,
        Err(rendered) => {
            eprint!("{rendered}");
            return None;
        }
    };
    match compile(text) {
        Ok(compiled) => Some(compiled),
        Err(error) => {
            eprint!("{error}");
            None
        }
    }
}
