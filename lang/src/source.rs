//! Source files with a line index: byte offset -> 1-based line and column (in chars), and the
//! text of a line for underlining diagnostics.

/// One source file and the byte offset at which each of its lines starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
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
        let mut line_starts = vec![0];
        for (offset, byte) in text.bytes().enumerate() {
            if byte == b'\n' {
                line_starts.push(offset + 1);
            }
        }
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// The number of lines (a final line without a newline counts; an empty file has one).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 0-based index of the line holding `offset` (offsets past the end map to the last line).
    fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(index) => index,
            Err(insertion) => insertion - 1,
        }
    }

    /// Line and column of a byte offset. Offsets are clamped to the text and to char boundaries.
    pub fn line_column(&self, offset: u32) -> LineColumn {
        let mut offset = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let index = self.line_index(offset);
        let start = self.line_starts[index];
        LineColumn {
            line: index + 1,
            column: self.text[start..offset].chars().count() + 1,
        }
    }

    /// The text of 1-based line `line`, without its line terminator (`""` when out of range).
    pub fn line_text(&self, line: usize) -> &str {
        if line == 0 || line > self.line_starts.len() {
            return "";
        }
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |next| next - 1);
        self.text[start..end].trim_end_matches('\r')
    }
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
}
