//! Compile-time and verifier diagnostics: a stable code, a one-line message, a source span
//! and notes, rendered with the source line underlined. The codes are listed in
//! docs/LANGUAGE.md.

use crate::ir::Span;
use crate::source::SourceFile;

/// Syntax error (also: bad escapes, unterminated text, unexpected characters).
pub const SYNTAX: &str = "E0001";
/// An integer literal outside the 48-bit signed range.
pub const INTEGER_LITERAL_OUT_OF_RANGE: &str = "E0003";
/// A source longer than [`crate::source::MAX_SOURCE_BYTES`].
pub const SOURCE_TOO_LARGE: &str = "E0004";
/// Source bytes that are not UTF-8.
pub const INVALID_UTF8: &str = "E0005";
pub const UNKNOWN_NAME: &str = "E0101";
pub const DUPLICATE_DEFINITION: &str = "E0102";
pub const NO_MAIN: &str = "E0103";
pub const MAIN_TAKES_NO_PARAMS: &str = "E0104";
pub const ARITY_MISMATCH: &str = "E0105";
/// An `import` the resolver cannot provide (docs/LANGUAGE.md, "Modules").
pub const UNKNOWN_MODULE: &str = "E0106";
/// An `import` that closes a cycle of imports.
pub const IMPORT_CYCLE: &str = "E0107";
/// `m::f` where module `m` has no function (or native function) `f`.
pub const NO_SUCH_MODULE_FUNCTION: &str = "E0108";
/// `m::f` where `f` is a plain `fn` of module `m` (not `pub fn`).
pub const PRIVATE_FUNCTION: &str = "E0109";
/// `m::f` in a file that does not `import m`.
pub const MODULE_NOT_IMPORTED: &str = "E0110";
/// A generator-only block item in a plain block.
pub const BLOCK_ITEM_OUTSIDE_ITS_BLOCK: &str = "E0201";
pub const UNSUPPORTED_FEATURE: &str = "E0202";
/// A function with more variables than the engines load (`limits.rs`).
pub const TOO_MANY_VARIABLES: &str = "E0401";
/// A module with more functions than [`crate::limits::MAX_MODULE_FUNCTIONS`].
pub const TOO_MANY_FUNCTIONS: &str = "E0402";
/// A literal with more elements than [`crate::limits::MAX_LITERAL_ELEMENTS`].
pub const LITERAL_TOO_LARGE: &str = "E0403";
/// Too many parameters of one function or arguments of one call for the engines (E0404).
pub const TOO_MANY_CALL_WORDS: &str = "E0404";
/// The IR verifier rejected a module (malformed IR or unbalanced reference counts).
pub const INVALID_IR: &str = "E0301";
/// IR JSON that does not deserialise.
pub const MALFORMED_IR_JSON: &str = "E0302";
/// A generator item in IR (same code and wording as the engines' load-time check).
pub const RT_UNSUPPORTED_BLOCK_ITEM: &str = "RT0201";

/// More diagnostics than [`MAX_REPORTED`] were found; the last one reported says how many
/// more (docs/LANGUAGE.md, "Diagnostics").
pub const MORE_NOT_SHOWN: &str = "E0006";

/// The most diagnostics a compilation reports (then one E0006 with the count of the rest).
pub const MAX_REPORTED: usize = 100;

/// The diagnostics one compilation collects: the first [`MAX_REPORTED`] kept, the rest only
/// counted, so a hostile source with millions of errors costs no memory per error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiagnosticList {
    kept: Vec<Diagnostic>,
    /// How many were found past the kept ones, and where the earliest of them is.
    more: usize,
    first_more: Option<Span>,
}

impl DiagnosticList {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        if self.kept.len() < MAX_REPORTED {
            self.kept.push(diagnostic);
        } else {
            self.count_more(1, diagnostic.span);
        }
    }

    fn count_more(&mut self, count: usize, span: Span) {
        self.more += count;
        let earlier = self
            .first_more
            .is_none_or(|first| (span.start, span.end) < (first.start, first.end));
        if earlier {
            self.first_more = Some(span);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// Takes in another phase's diagnostics, keeping all that either kept (a compilation
    /// merges its phases once each), so [`DiagnosticList::into_sorted`] picks the earliest.
    pub fn append(&mut self, mut other: DiagnosticList) {
        if let Some(span) = other.first_more {
            self.count_more(other.more, span);
        }
        self.kept.append(&mut other.kept);
    }

    /// The diagnostics in source order, each reported once (a diagnostic equal to an
    /// earlier one in code, message and span is dropped): at most [`MAX_REPORTED`], then
    /// (when more were found) one E0006 saying how many more, at the earliest of them.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.kept.sort_by_key(|d| (d.span.start, d.span.end));
        let mut unique: Vec<Diagnostic> = Vec::with_capacity(self.kept.len());
        for diagnostic in std::mem::take(&mut self.kept) {
            // Sorted by span, so an equal one is among the last few with the same span.
            let repeated = unique
                .iter()
                .rev()
                .take_while(|earlier| earlier.span == diagnostic.span)
                .any(|earlier| earlier == &diagnostic);
            if !repeated {
                unique.push(diagnostic);
            }
        }
        self.kept = unique;
        for dropped in self.kept.split_off(self.kept.len().min(MAX_REPORTED)) {
            self.count_more(1, dropped.span);
        }
        let mut list = self.kept;
        if let Some(span) = self.first_more {
            list.push(Diagnostic::new(
                MORE_NOT_SHOWN,
                format!(
                    "{} more errors not shown (only the first {MAX_REPORTED} are reported)",
                    self.more
                ),
                span,
            ));
        }
        list
    }
}

/// How many errors a list from [`DiagnosticList::into_sorted`] stands for: the diagnostics
/// in it, with a final E0006 counted as the errors it says were not shown.
pub fn error_total(reported: &[Diagnostic]) -> usize {
    let not_shown = |d: &Diagnostic| {
        let count = d.message.split(' ').next()?;
        count.parse::<usize>().ok()
    };
    reported
        .iter()
        .map(|d| match d.code.as_str() {
            MORE_NOT_SHOWN => not_shown(d).unwrap_or(1),
            _ => 1,
        })
        .sum()
}

impl Extend<Diagnostic> for DiagnosticList {
    fn extend<T: IntoIterator<Item = Diagnostic>>(&mut self, iter: T) {
        for diagnostic in iter {
            self.push(diagnostic);
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: String,
    pub message: String,
    pub span: Span,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn new(code: &str, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            code: code.to_string(),
            message: message.into(),
            span,
            notes: Vec::new(),
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// `error[E0101]: unknown name `x`` plus location, the source line and a `^^^` underline
    /// (the line shown as [`crate::excerpt`] shows it: invisible characters escaped, tabs
    /// expanded, a long line cut around the span; the underline counts display columns).
    pub fn render(&self, file: &SourceFile) -> String {
        let start = file.line_column(self.span.start);
        let lines = file.lines();
        let index = start.line - 1;
        let range = lines.line_range(&file.text, index).unwrap_or(0..0);
        let line_text = &file.text[range.clone()];
        let from = (self.span.start as usize).clamp(range.start, range.end) - range.start;
        let to = (self.span.end as usize).clamp(range.start, range.end) - range.start;
        let shown = crate::excerpt::excerpt(line_text, from..to.max(from));
        let width = crate::excerpt::display_width;
        let indent = width(&shown.text[..shown.focus.start]);
        let underline_len = width(&shown.text[shown.focus.clone()]).max(1);
        let gutter = start.line.to_string();
        let pad = " ".repeat(gutter.len());
        let mut out = format!(
            "error[{}]: {}\n{pad}--> {}:{}:{}\n{pad} |\n{gutter} | {}\n{pad} | {}{}\n",
            self.code,
            self.message,
            file.name,
            start.line,
            start.column,
            shown.text,
            " ".repeat(indent),
            "^".repeat(underline_len),
        );
        for note in &self.notes {
            out.push_str(&format!("{pad} = note: {note}\n"));
        }
        out
    }
}

impl Diagnostic {
    /// [`Diagnostic::render`] against the file of `map` the span lies in.
    pub fn render_in(&self, map: &crate::source::SourceMap) -> String {
        let (file, span) = map.locate(self.span);
        let local = Diagnostic {
            span,
            ..self.clone()
        };
        local.render(file)
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error[{}]: {}", self.code, self.message)
    }
}

/// `1 argument`, `2 arguments`: a count of arguments as diagnostics spell it.
pub fn arguments(count: usize) -> String {
    if count == 1 {
        "1 argument".to_string()
    } else {
        format!("{count} arguments")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_underlines_the_span() {
        let file = SourceFile::new("m.cairn", "fn main() =\n  foo + 1\n");
        let diagnostic = Diagnostic::new(UNKNOWN_NAME, "unknown name `foo`", Span::new(14, 17))
            .with_note("names must be defined before use");
        let text = diagnostic.render(&file);
        assert_eq!(
            text,
            "error[E0101]: unknown name `foo`\n --> m.cairn:2:3\n  |\n2 |   foo + 1\n  |   ^^^\n  = note: names must be defined before use\n"
        );
    }

    /// The display column of the first `^` and of `marker` in the echoed line above it.
    fn columns(rendered: &str, marker: &str) -> (usize, usize) {
        let lines: Vec<&str> = rendered.lines().collect();
        let width = crate::excerpt::display_width;
        let caret = lines[4].find('^').unwrap();
        let at = lines[3].find(marker).unwrap();
        (width(&lines[4][..caret]), width(&lines[3][..at]))
    }

    #[test]
    fn render_underlines_in_display_columns_past_wide_characters_tabs_and_escapes() {
        for text in [
            "fn main() = \"\u{4e2d}\u{6587}\"\t++ y",
            "fn main() =\t\t\"\u{1f600}\" ++ y",
            "fn main() = \"a\u{202e}b\u{3164}\" ++ y",
            "fn main() =\r  1 + y\r",
        ] {
            let file = SourceFile::new("w.cairn", text);
            let y = text.rfind('y').unwrap() as u32;
            let rendered = Diagnostic::new(UNKNOWN_NAME, "unknown name `y`", Span::new(y, y + 1))
                .render(&file);
            assert!(
                !rendered.contains(['\t', '\r', '\u{202e}', '\u{3164}']),
                "{rendered:?}"
            );
            let (caret, at) = columns(&rendered, "y");
            assert_eq!(caret, at, "{rendered}");
        }
    }

    #[test]
    fn a_list_reports_an_equal_diagnostic_once() {
        let mut list = DiagnosticList::default();
        let unknown =
            |at: u32| Diagnostic::new(UNKNOWN_NAME, "unknown name `x`", Span::new(at, at + 1));
        for at in [7, 3, 7, 3] {
            list.push(unknown(at));
        }
        list.push(Diagnostic::new(
            ARITY_MISMATCH,
            "arity mismatch",
            Span::new(3, 4),
        ));
        list.push(unknown(3));
        let reported = list.into_sorted();
        let codes: Vec<(&str, u32)> = reported
            .iter()
            .map(|d| (d.code.as_str(), d.span.start))
            .collect();
        assert_eq!(
            codes,
            [(UNKNOWN_NAME, 3), (ARITY_MISMATCH, 3), (UNKNOWN_NAME, 7)]
        );
    }

    #[test]
    fn a_list_keeps_the_first_hundred_and_counts_the_rest() {
        let mut list = DiagnosticList::default();
        for at in (0..250u32).rev() {
            list.push(Diagnostic::new(
                UNKNOWN_NAME,
                "unknown name `x`",
                Span::new(at, at + 1),
            ));
        }
        let mut other = DiagnosticList::default();
        other.push(Diagnostic::new(NO_MAIN, "no `main`", Span::new(0, 0)));
        list.append(other);
        let reported = list.into_sorted();
        assert_eq!(reported.len(), MAX_REPORTED + 1);
        assert_eq!(reported[0].code, NO_MAIN);
        let last = reported.last().unwrap();
        assert_eq!(last.code, MORE_NOT_SHOWN);
        assert_eq!(
            last.message,
            "151 more errors not shown (only the first 100 are reported)"
        );
        // Kept were the first 100 found (spans 249 down to 150), then the earliest 99 of
        // those and `main`'s are shown; the earliest not shown is span 0..1 (found late).
        assert_eq!(last.span, Span::new(0, 1));
        assert_eq!(error_total(&reported), 251);
    }
}
