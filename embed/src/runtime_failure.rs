//! Turns a runtime failure (error + frames, innermost first) into a renderable diagnostic:
//! the innermost frame's op span is the primary span; every frame becomes a call-stack note
//! `in NAME at LINE:COL`, with a run of identical frames (deep recursion) collapsed into one
//! note and a `(repeated N more times)` count, as Python and Rust backtraces do.

use cairn_lang::ir::{Module, Span};
use cairn_lang::{SourceFile, SourceMap};
use cairn_runtime::{ErrorFrame, RunFailure};

use crate::render::DiagnosticView;

/// The view of a failure and the file its primary span is in (the span is that file's):
/// the file of the innermost frame (the root file when there is none).
pub fn failure_view<'s>(
    module: &Module,
    sources: &'s SourceMap,
    failure: &RunFailure,
) -> (DiagnosticView, &'s SourceFile) {
    let located = failure
        .frames
        .first()
        .and_then(|frame| frame_span(module, *frame))
        .map(|span| sources.locate(span));
    let file = located.map_or(sources.root(), |(file, _)| file);
    let span = located.map(|(_, span)| span.start as usize..span.end as usize);
    // A note is rendered once per run of identical frames (a million-deep recursion has a
    // million frames; locating each one in the source took seconds).
    let notes = collapse_repeats(failure.frames.chunk_by(|a, b| a == b).flat_map(|run| {
        let note = frame_note(module, sources, run[0]);
        std::iter::repeat_n(note, run.len())
    }));
    let view = DiagnosticView {
        code: failure.error.code.as_str().to_string(),
        message: failure.error.message.clone(),
        span,
        notes,
    };
    (view, file)
}

fn frame_span(module: &Module, frame: ErrorFrame) -> Option<Span> {
    let function = module.functions.get(frame.function as usize)?;
    Some(function.op_at(frame.op)?.span())
}

/// `in NAME at LINE:COL`, with the file's name before the line when it is not the root
/// file (`in util::f at util.cairn:2:9`).
fn frame_note(module: &Module, sources: &SourceMap, frame: ErrorFrame) -> String {
    let name = module
        .functions
        .get(frame.function as usize)
        .map(|function| function.name.as_str())
        .unwrap_or("<unknown function>");
    match frame_span(module, frame) {
        Some(span) => {
            let (base, file) = sources.file_at(span.start);
            let at = file.line_column(span.start - base);
            if base == 0 {
                format!("in {name} at {}:{}", at.line, at.column)
            } else {
                format!("in {name} at {}:{}:{}", file.name, at.line, at.column)
            }
        }
        None => format!("in {name} at op {}", frame.op),
    }
}

/// Collapses runs of three or more identical notes into `note (repeated N more times)`.
fn collapse_repeats(notes: impl Iterator<Item = String>) -> Vec<String> {
    let mut runs: Vec<(String, usize)> = Vec::new();
    for note in notes {
        match runs.last_mut() {
            Some((last, count)) if *last == note => *count += 1,
            _ => runs.push((note, 1)),
        }
    }
    let mut collapsed = Vec::new();
    for (note, count) in runs {
        if count >= 3 {
            collapsed.push(format!("{note} (repeated {} more times)", count - 1));
        } else {
            collapsed.extend(std::iter::repeat_n(note, count));
        }
    }
    collapsed
}

#[cfg(test)]
mod tests {
    use super::collapse_repeats;

    fn notes(items: &[&str]) -> Vec<String> {
        collapse_repeats(items.iter().map(|s| s.to_string()))
    }

    #[test]
    fn runs_of_identical_frames_are_counted() {
        assert_eq!(
            notes(&[
                "in f at 1:1",
                "in f at 1:9",
                "in f at 1:9",
                "in f at 1:9",
                "in main at 2:1"
            ]),
            vec![
                "in f at 1:1",
                "in f at 1:9 (repeated 2 more times)",
                "in main at 2:1"
            ]
        );
    }

    #[test]
    fn a_single_repeat_is_shown_twice_and_distinct_frames_untouched() {
        assert_eq!(notes(&["a", "a", "b"]), vec!["a", "a", "b"]);
        assert_eq!(notes(&["a", "b", "a"]), vec!["a", "b", "a"]);
        assert!(notes(&[]).is_empty());
    }
}
