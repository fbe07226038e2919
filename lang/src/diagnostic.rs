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

    /// `error[E0101]: unknown name `x`` plus location, the source line and a `^^^` underline.
    pub fn render(&self, file: &SourceFile) -> String {
        let start = file.line_column(self.span.start);
        let end = file.line_column(self.span.end.max(self.span.start));
        let line_text = file.line_text(start.line);
        let gutter = start.line.to_string();
        let pad = " ".repeat(gutter.len());
        let underline_len = if end.line == start.line {
            (end.column.saturating_sub(start.column)).max(1)
        } else {
            (line_text.chars().count() + 1)
                .saturating_sub(start.column)
                .max(1)
        };
        let mut out = format!(
            "error[{}]: {}\n{pad}--> {}:{}:{}\n{pad} |\n{gutter} | {line_text}\n{pad} | {}{}\n",
            self.code,
            self.message,
            file.name,
            start.line,
            start.column,
            " ".repeat(start.column - 1),
            "^".repeat(underline_len),
        );
        for note in &self.notes {
            out.push_str(&format!("{pad} = note: {note}\n"));
        }
        out
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error[{}]: {}", self.code, self.message)
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
}
