//! Diagnostic rendering for the CLI: one error (compile-time or runtime) as
//! `error[CODE]: message`, a `--> file:line:col` pointer, the source line underlined, and
//! notes (for runtime errors, the call stack), via codespan-reporting with ASCII chars. The
//! source lines it is shown are excerpts (`render_excerpt.rs`): invisible characters
//! escaped, tabs expanded, long lines cut around the span (docs/LANGUAGE.md, "Diagnostics").

use std::borrow::Cow;
use std::ops::Range;

use cairn_lang::source::LineIndex;
use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::term::{self, Chars, Config, termcolor::NoColor};

use crate::render_excerpt::{END_CONTEXT_LINES, ExcerptFile, START_CONTEXT_LINES};

/// One source file as the renderer sees it: the name shown after `-->` and its text.
pub struct RenderSource<'a> {
    /// The file name shown after `-->`.
    pub name: &'a str,
    /// The whole source text the spans index into.
    pub text: &'a str,
}

/// What to render: a stable code, a one-line message, the primary byte span (if any) and
/// notes printed after the snippet as `= note`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiagnosticView {
    /// The stable code, e.g. `E0101` or `RT0302`.
    pub code: String,
    /// The one-line message.
    pub message: String,
    /// The primary byte range in [`RenderSource::text`], underlined; `None` renders no
    /// snippet.
    pub span: Option<Range<usize>>,
    /// Lines printed after the snippet as `= note` (for runtime errors, the call stack).
    pub notes: Vec<String>,
}

/// 1-based line and column (in chars) of a byte offset, clamped into the text.
pub fn line_and_column(source: &RenderSource<'_>, byte_offset: usize) -> (usize, usize) {
    Renderer::new(source).line_and_column(byte_offset)
}

/// Renders many diagnostics against one source: its line index is built once (or borrowed
/// from the `SourceFile` that already has it).
pub(crate) struct Renderer<'s> {
    name: &'s str,
    text: &'s str,
    lines: Cow<'s, LineIndex>,
}

impl<'s> Renderer<'s> {
    pub(crate) fn new(source: &RenderSource<'s>) -> Renderer<'s> {
        Renderer {
            name: source.name,
            text: source.text,
            lines: Cow::Owned(LineIndex::new(source.text)),
        }
    }

    /// A renderer of `file` (its name, text and line index).
    pub(crate) fn of_file(file: &'s cairn_lang::SourceFile) -> Renderer<'s> {
        Renderer {
            name: &file.name,
            text: &file.text,
            lines: Cow::Borrowed(file.lines()),
        }
    }

    /// The file name shown after `-->`.
    pub(crate) fn name(&self) -> &'s str {
        self.name
    }

    /// 1-based line and column (in chars) of a byte offset, clamped into the text.
    pub(crate) fn line_and_column(&self, byte_offset: usize) -> (usize, usize) {
        let offset = clamp_to_char_boundary(self.text, byte_offset);
        let line = self.lines.line_index(offset);
        let start = self
            .lines
            .line_range(self.text, line)
            .map_or(0, |r| r.start);
        let column = self.text[start.min(offset)..offset].chars().count() + 1;
        (line + 1, column)
    }

    /// [`render_diagnostic`] with this renderer's source.
    pub(crate) fn render(&self, view: &DiagnosticView) -> String {
        let mut diagnostic = Diagnostic::error()
            .with_code(view.code.clone())
            .with_message(view.message.clone())
            .with_notes(view.notes.clone());
        let span = view.span.clone().unwrap_or(0..0);
        let file = ExcerptFile::new(self.name, self.text, &self.lines, span);
        if view.span.is_some() {
            diagnostic = diagnostic.with_labels(vec![Label::primary((), file.label.clone())]);
        }
        let config = Config {
            chars: Chars::ascii(),
            start_context_lines: START_CONTEXT_LINES,
            end_context_lines: END_CONTEXT_LINES,
            ..Config::default()
        };
        let mut writer = NoColor::new(Vec::<u8>::new());
        match term::emit(&mut writer, &config, &file, &diagnostic) {
            Ok(()) => String::from_utf8_lossy(&writer.into_inner()).into_owned(),
            // The span cannot be shown: still print code and message.
            Err(error) => format!(
                "error[{}]: {}\n  = note: source location unavailable ({error})\n",
                view.code, view.message
            ),
        }
    }
}

/// The line that ends a failed compilation's diagnostics (no newline), as `cairn check` and
/// `cairn run` print it and [`crate::CompileError`]'s `Display` ends: `error: could not
/// compile `NAME` due to N previous errors` (`1 previous error` for one).
///
/// ```
/// use cairn::render::compile_summary;
/// assert_eq!(compile_summary("a.cairn", 1), "error: could not compile `a.cairn` due to 1 previous error");
/// assert_eq!(compile_summary("a.cairn", 3), "error: could not compile `a.cairn` due to 3 previous errors");
/// ```
pub fn compile_summary(name: &str, errors: usize) -> String {
    let plural = if errors == 1 { "" } else { "s" };
    format!("error: could not compile `{name}` due to {errors} previous error{plural}")
}

/// Renders `view` against `source` as plain text (no colour), ending in a newline.
///
/// ```
/// use cairn::render::{DiagnosticView, RenderSource, render_diagnostic};
///
/// let source = RenderSource { name: "x.cairn", text: "fn main() = 1 / 0\n" };
/// let view = DiagnosticView {
///     code: "RT0302".into(),
///     message: "division by zero".into(),
///     span: Some(12..17),
///     notes: vec!["in main at 1:13".into()],
/// };
/// assert_eq!(
///     render_diagnostic(&source, &view),
///     "error[RT0302]: division by zero
///   --> x.cairn:1:13
///   |
/// 1 | fn main() = 1 / 0
///   |             ^^^^^
///   |
///   = in main at 1:13
///
/// "
/// );
/// ```
pub fn render_diagnostic(source: &RenderSource<'_>, view: &DiagnosticView) -> String {
    Renderer::new(source).render(view)
}

fn clamp_to_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "fn main() = {\n  xs = [1, 2, 3];\n  xs[5]\n}\n";

    fn source() -> RenderSource<'static> {
        RenderSource {
            name: "demo.cairn",
            text: SOURCE,
        }
    }

    #[test]
    fn renders_code_pointer_and_underline() {
        let start = SOURCE.find("xs[5]").unwrap();
        let view = DiagnosticView {
            code: "RT0103".into(),
            message: "index out of bounds: index 5, length 3".into(),
            span: Some(start..start + 5),
            notes: vec!["in main at 3:3".into()],
        };
        let text = render_diagnostic(&source(), &view);
        assert!(
            text.starts_with("error[RT0103]: index out of bounds: index 5, length 3\n"),
            "{text}"
        );
        assert!(text.contains("--> demo.cairn:3:3"), "{text}");
        assert!(text.contains("  xs[5]"), "{text}");
        assert!(text.contains("^^^^^"), "{text}");
        assert!(text.contains("= in main at 3:3"), "{text}");
    }

    #[test]
    fn line_and_column_count_chars() {
        let src = RenderSource {
            name: "u.cairn",
            text: "\"é\" + x\n",
        };
        let plus = src.text.find('+').unwrap();
        assert_eq!(line_and_column(&src, plus), (1, 5));
        assert_eq!(line_and_column(&src, 0), (1, 1));
    }

    #[test]
    fn out_of_range_span_is_clamped_not_dropped() {
        let view = DiagnosticView {
            code: "E0001".into(),
            message: "unexpected end of input".into(),
            span: Some(10_000..10_001),
            notes: vec![],
        };
        let text = render_diagnostic(&source(), &view);
        assert!(
            text.starts_with("error[E0001]: unexpected end of input"),
            "{text}"
        );
        assert!(text.contains("-->"), "{text}");
    }

    /// On a source of short, plain lines the excerpts change nothing: the output is what
    /// codespan-reporting prints from the whole file, for one-line and multi-line spans
    /// (with a hidden line shown, and with a break) and a span at the end.
    #[test]
    fn plain_sources_render_exactly_as_codespan_renders_the_whole_file() {
        use codespan_reporting::files::SimpleFile;
        let text: String = (1..=30)
            .map(|i| format!("line number {i} = {i}\n"))
            .collect();
        let offset = |line: usize| {
            let starts = text.match_indices('\n').map(|(i, _)| i + 1);
            std::iter::once(0).chain(starts).nth(line - 1).unwrap()
        };
        let spans = [
            offset(3) + 5..offset(3) + 11,
            offset(2)..offset(8) + 4,
            offset(2) + 3..offset(9) + 2,
            offset(1)..offset(30) + 6,
            text.len()..text.len(),
        ];
        let source = RenderSource {
            name: "plain.cairn",
            text: &text,
        };
        for span in spans {
            let view = DiagnosticView {
                code: "E0001".into(),
                message: "m".into(),
                span: Some(span.clone()),
                notes: vec!["a note".into()],
            };
            let config = Config {
                chars: Chars::ascii(),
                start_context_lines: START_CONTEXT_LINES,
                end_context_lines: END_CONTEXT_LINES,
                ..Config::default()
            };
            let diagnostic = Diagnostic::error()
                .with_code("E0001")
                .with_message("m")
                .with_notes(vec!["a note".into()])
                .with_labels(vec![Label::primary((), span.clone())]);
            let mut writer = NoColor::new(Vec::<u8>::new());
            let file = SimpleFile::new("plain.cairn", text.as_str());
            term::emit(&mut writer, &config, &file, &diagnostic).unwrap();
            let expected = String::from_utf8(writer.into_inner()).unwrap();
            assert_eq!(render_diagnostic(&source, &view), expected, "{span:?}");
        }
    }
}
