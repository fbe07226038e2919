//! Source files with a line index: byte offset -> 1-based line and column (in chars), and the
//! text of a line for underlining diagnostics; and decoding a file's bytes into one (the
//! source size limit, a leading byte order mark, invalid UTF-8).

use crate::diagnostic::{self, Diagnostic};
use crate::ir::Span;

/// The largest source [`compile`](crate::compile) accepts, in bytes (64 MiB): larger is
/// `E0004 source too large`. Readers should read at most one byte more than this.
pub const MAX_SOURCE_BYTES: usize = 64 << 20;

/// U+FEFF: at the very start of a file, a byte order mark, skipped by the lexer.
pub const BYTE_ORDER_MARK: char = '\u{feff}';

/// Why bytes could not become a [`SourceFile`]: the diagnostic (E0004 or E0005) and a file to
/// render it against (the text decoded lossily, or empty for a too-large source).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceError {
    pub diagnostic: Diagnostic,
    pub file: SourceFile,
}

/// The byte offset at which each line of a text starts. A line ends at LF (a CR before it
/// is not shown); a lone CR is not a line break, as for the lexer, and is shown escaped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, byte)| byte == b'\n')
                .map(|(offset, _)| offset + 1),
        );
        LineIndex { starts }
    }

    /// The number of lines (a final line without a newline counts; an empty text has one).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The 0-based index of the line holding `offset` (past the end: the last line).
    pub fn line_index(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(index) => index,
            Err(insertion) => insertion - 1,
        }
    }

    /// The byte range of 0-based line `index` of `text` without its line terminator (LF or
    /// CRLF); `None` past the last line.
    pub fn line_range(&self, text: &str, index: usize) -> Option<std::ops::Range<usize>> {
        let start = *self.starts.get(index)?;
        let end = self
            .starts
            .get(index + 1)
            .map_or(text.len(), |next| next - 1);
        let end = if end > start && text.as_bytes()[end - 1] == b'\r' && end < text.len() {
            end - 1
        } else {
            end
        };
        Some(start..end.max(start))
    }
}

/// One source file and the byte offset at which each of its lines starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    line_starts: LineIndex,
    /// Every byte is ASCII, so a column is a byte distance (no count of characters along a
    /// line, which made locating every op of a one-line million-element literal quadratic).
    ascii: bool,
}

/// A 1-based line and column; the column counts Unicode scalar values, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineColumn {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let line_starts = LineIndex::new(&text);
        SourceFile {
            name: name.into(),
            ascii: text.is_ascii(),
            text,
            line_starts,
        }
    }

    /// Decodes a file's bytes: at most [`MAX_SOURCE_BYTES`] (else E0004 `source too large`,
    /// spanning the first byte past the limit), valid UTF-8 (else E0005 `invalid UTF-8 at byte
    /// N (line L)`, starting at that byte). A leading byte order mark stays in `text` (spans are
    /// offsets into the file's bytes); the lexer skips it.
    pub fn from_bytes(
        name: impl Into<String>,
        bytes: Vec<u8>,
    ) -> Result<SourceFile, Box<SourceError>> {
        let name = name.into();
        if let Some(diagnostic) = size_problem(bytes.len()) {
            return Err(Box::new(SourceError {
                diagnostic,
                file: SourceFile::new(name, ""),
            }));
        }
        match String::from_utf8(bytes) {
            Ok(text) => Ok(SourceFile::new(name, text)),
            Err(error) => {
                let bytes = error.into_bytes();
                let offset = match std::str::from_utf8(&bytes) {
                    Err(utf8) => utf8.valid_up_to(),
                    Ok(_) => 0,
                };
                let line = 1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count();
                let diagnostic = Diagnostic::new(
                    diagnostic::INVALID_UTF8,
                    format!("invalid UTF-8 at byte {offset} (line {line})"),
                    // Empty, so it is on a char boundary in the lossily decoded text as well.
                    Span::new(offset as u32, offset as u32),
                );
                // Lossy decoding keeps every byte before the first invalid one where it was,
                // so the span underlines the replacement character standing for it.
                let text = String::from_utf8_lossy(&bytes).into_owned();
                Err(Box::new(SourceError {
                    diagnostic,
                    file: SourceFile::new(name, text),
                }))
            }
        }
    }

    /// The number of lines (a final line without a newline counts; an empty file has one).
    pub fn line_count(&self) -> usize {
        self.line_starts.line_count()
    }

    /// The line index of the text.
    pub fn lines(&self) -> &LineIndex {
        &self.line_starts
    }

    /// Line and column of a byte offset. Offsets are clamped to the text and to char boundaries.
    pub fn line_column(&self, offset: u32) -> LineColumn {
        let mut offset = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let index = self.line_starts.line_index(offset);
        let start = self.line_starts.starts[index];
        let characters = if self.ascii {
            offset - start
        } else {
            self.text[start..offset].chars().count()
        };
        LineColumn {
            line: index + 1,
            column: characters + 1,
        }
    }

    /// The text of 1-based line `line`, without its line terminator (`""` when out of range).
    pub fn line_text(&self, line: usize) -> &str {
        match line.checked_sub(1) {
            Some(index) => self
                .line_starts
                .line_range(&self.text, index)
                .map_or("", |range| &self.text[range]),
            None => "",
        }
    }
}

/// The source files of one program (the root file and the modules it imports,
/// docs/LANGUAGE.md "Modules") in one offset space, as rustc's and codespan's source maps:
/// file `k` occupies the offsets `base_k..=base_k + len_k`, the root file starting at 0, so a
/// [`Span`] of any file of the program names its file by where it lies. A single-file
/// program's spans are plain offsets into its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceMap {
    /// Each file with its base offset, ascending.
    files: Vec<(u32, SourceFile)>,
}

impl SourceMap {
    /// The map of a program whose root file is `root` (at offset 0).
    pub fn new(root: SourceFile) -> SourceMap {
        SourceMap {
            files: vec![(0, root)],
        }
    }

    /// Adds a file after the others and returns its base offset; `None` when the program's
    /// files together would not fit the 32-bit offsets of spans.
    pub fn add(&mut self, file: SourceFile) -> Option<u32> {
        let base = self.next_base(file.text.len())?;
        self.files.push((base, file));
        Some(base)
    }

    /// The base offset the next file of `len` bytes would get ([`SourceMap::add`]).
    pub fn next_base(&self, len: usize) -> Option<u32> {
        let (last_base, last) = self.files.last().expect("a map has its root file");
        // One offset past a file's end (a span at its end) still belongs to it.
        let base = u64::from(*last_base) + last.text.len() as u64 + 1;
        let end = base + len as u64 + 1;
        (end <= u64::from(u32::MAX)).then_some(base as u32)
    }

    /// The root file.
    pub fn root(&self) -> &SourceFile {
        &self.files[0].1
    }

    /// Every file with its base offset, the root first.
    pub fn files(&self) -> impl Iterator<Item = (u32, &SourceFile)> {
        self.files.iter().map(|(base, file)| (*base, file))
    }

    /// The number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Always false: a map holds at least its root file.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The file an offset lies in and its base offset.
    pub fn file_at(&self, offset: u32) -> (u32, &SourceFile) {
        let index = match self.files.binary_search_by_key(&offset, |(base, _)| *base) {
            Ok(index) => index,
            Err(insertion) => insertion.saturating_sub(1),
        };
        let (base, file) = &self.files[index];
        (*base, file)
    }

    /// The file a span lies in and the span as offsets into that file's text.
    pub fn locate(&self, span: Span) -> (&SourceFile, Span) {
        let (base, file) = self.file_at(span.start);
        let local = Span::new(
            span.start - base,
            span.end.saturating_sub(base).max(span.start - base),
        );
        (file, local)
    }

    /// The file of a span's start and its line and column there.
    pub fn line_column(&self, offset: u32) -> (&SourceFile, LineColumn) {
        let (base, file) = self.file_at(offset);
        (file, file.line_column(offset - base))
    }
}

/// E0004 when a source of `len` bytes exceeds [`MAX_SOURCE_BYTES`].
pub fn size_problem(len: usize) -> Option<Diagnostic> {
    (len > MAX_SOURCE_BYTES).then(|| {
        let at = MAX_SOURCE_BYTES as u32;
        Diagnostic::new(
            diagnostic::SOURCE_TOO_LARGE,
            format!(
                "source too large: it exceeds the limit of {MAX_SOURCE_BYTES} bytes ({} MiB)",
                MAX_SOURCE_BYTES >> 20
            ),
            Span::new(at, at),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_lines_and_char_columns() {
        let file = SourceFile::new("t.cairn", "ab\n\u{e9}x = 1\n\nlast");
        assert_eq!(file.line_count(), 4);
        assert_eq!(file.line_column(0), LineColumn { line: 1, column: 1 });
        assert_eq!(file.line_column(2), LineColumn { line: 1, column: 3 });
        assert_eq!(file.line_column(3), LineColumn { line: 2, column: 1 });
        // `x` follows a two-byte char: byte 5, column 2.
        assert_eq!(file.line_column(5), LineColumn { line: 2, column: 2 });
        assert_eq!(file.line_column(11), LineColumn { line: 3, column: 1 });
        assert_eq!(file.line_text(2), "\u{e9}x = 1");
        assert_eq!(file.line_text(3), "");
        assert_eq!(file.line_text(4), "last");
        assert_eq!(file.line_text(5), "");
        assert_eq!(file.line_column(999), LineColumn { line: 4, column: 5 });
    }

    #[test]
    fn an_ascii_file_counts_columns_in_bytes() {
        let file = SourceFile::new("t.cairn", "ab\ncd = 1");
        assert_eq!(file.line_column(5), LineColumn { line: 2, column: 3 });
        assert_eq!(file.line_column(999), LineColumn { line: 2, column: 7 });
    }

    #[test]
    fn invalid_utf8_is_reported_at_its_byte_and_line() {
        let bytes = b"fn main() =\n  \"a\xffb\"\n".to_vec();
        let error = SourceFile::from_bytes("bad.cairn", bytes).unwrap_err();
        assert_eq!(error.diagnostic.code, "E0005");
        assert_eq!(
            error.diagnostic.message,
            "invalid UTF-8 at byte 16 (line 2)"
        );
        assert_eq!(error.diagnostic.span, Span::new(16, 16));
        let rendered = error.diagnostic.render(&error.file);
        assert!(rendered.contains("--> bad.cairn:2:5"), "{rendered}");
        // A truncated multi-byte sequence at the very end.
        let error = SourceFile::from_bytes("end.cairn", vec![b'x', 0xe2, 0x82]).unwrap_err();
        assert_eq!(error.diagnostic.message, "invalid UTF-8 at byte 1 (line 1)");
    }

    #[test]
    fn a_source_over_the_limit_is_refused_before_decoding() {
        let error = SourceFile::from_bytes("big", vec![0xff; MAX_SOURCE_BYTES + 1]).unwrap_err();
        assert_eq!(error.diagnostic.code, "E0004");
        assert!(error.diagnostic.message.starts_with("source too large"));
    }

    #[test]
    fn a_byte_order_mark_stays_in_the_text_and_the_program_compiles() {
        let file =
            SourceFile::from_bytes("bom", b"\xef\xbb\xbffn main() = 1 + 2".to_vec()).unwrap();
        assert!(file.text.starts_with(BYTE_ORDER_MARK));
        assert!(crate::compile(&file).is_ok());
        // A BOM anywhere else is still an unexpected (and visibly escaped) character.
        let file = SourceFile::new("mid", "fn main() = \u{feff}1");
        let errors = crate::compile(&file).unwrap_err();
        assert_eq!(errors[0].message, "unexpected character `\\u{feff}`");
        assert_eq!(errors[0].span, Span::new(12, 15));
    }
}
