//! The CLI's use of the front end: compile a loaded source with `cairn_lang::compile`,
//! printing every compile-time diagnostic to stderr in the shared rendering.

use cairn_lang::SourceFile;
use cairn_lang::ir::Module;

use crate::render::{DiagnosticView, RenderSource, render_diagnostic};
use crate::source_input::LoadedSource;

pub fn render_source(source: &LoadedSource) -> RenderSource<'_> {
    RenderSource {
        name: &source.name,
        text: &source.text,
    }
}

pub fn diagnostic_view(diagnostic: &cairn_lang::Diagnostic) -> DiagnosticView {
    DiagnosticView {
        code: diagnostic.code.clone(),
        message: diagnostic.message.clone(),
        span: Some(diagnostic.span.start as usize..diagnostic.span.end as usize),
        notes: diagnostic.notes.clone(),
    }
}

/// Compiles `source`; `Err` holds the diagnostics in the lang crate's order.
pub fn compile(source: &LoadedSource) -> Result<Module, Vec<DiagnosticView>> {
    let file = SourceFile::new(source.name.clone(), source.text.clone());
    cairn_lang::compile(&file)
        .map_err(|diagnostics| diagnostics.iter().map(diagnostic_view).collect())
}

/// Compiles `source`, or prints its diagnostics to stderr and returns `None`.
pub fn compile_or_report(source: &LoadedSource) -> Option<Module> {
    match compile(source) {
        Ok(module) => Some(module),
        Err(views) => {
            let render = render_source(source);
            for view in &views {
                eprint!("{}", render_diagnostic(&render, view));
            }
            None
        }
    }
}

/// The post-RC IR as the lang crate's printer shows it, with line:col spans.
pub fn ir_text(module: &Module, source: &LoadedSource) -> String {
    let file = SourceFile::new(source.name.clone(), source.text.clone());
    cairn_lang::print_module(module, Some(&file))
}
