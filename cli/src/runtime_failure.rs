//! Turns a runtime failure (error + frames, innermost first) into a renderable diagnostic:
//! the innermost frame's op span is the primary span; every frame becomes a call-stack note
//! `in NAME at LINE:COL`.

use cairn_lang::ir::Module;
use cairn_runtime::{ErrorFrame, RunFailure};

use crate::render::{DiagnosticView, RenderSource, line_and_column};

pub fn failure_view(
    module: &Module,
    source: &RenderSource<'_>,
    failure: &RunFailure,
) -> DiagnosticView {
    let span = failure
        .frames
        .first()
        .and_then(|frame| frame_span(module, *frame));
    let notes = failure
        .frames
        .iter()
        .map(|frame| frame_note(module, source, *frame))
        .collect();
    DiagnosticView {
        code: failure.error.code.as_str().to_string(),
        message: failure.error.message.clone(),
        span,
        notes,
    }
}

fn frame_span(module: &Module, frame: ErrorFrame) -> Option<std::ops::Range<usize>> {
    let function = module.functions.get(frame.function as usize)?;
    let span = function.op_at(frame.op)?.span();
    Some(span.start as usize..span.end as usize)
}

fn frame_note(module: &Module, source: &RenderSource<'_>, frame: ErrorFrame) -> String {
    let name = module
        .functions
        .get(frame.function as usize)
        .map(|function| function.name.as_str())
        .unwrap_or("<unknown function>");
    match frame_span(module, frame) {
        Some(span) => {
            let (line, column) = line_and_column(source, span.start);
            format!("in {name} at {line}:{column}")
        }
        None => format!("in {name} at op {}", frame.op),
    }
}
