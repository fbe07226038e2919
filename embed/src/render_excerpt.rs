//! What codespan-reporting is shown of a source: not the whole text, but the few lines one
//! diagnostic echoes, each as `cairn_lang::excerpt` shows it (invisible characters escaped,
//! tabs expanded, a long line cut to a window around the span with `…` marks), with the
//! real line numbers and the real column of the span's start. Rendering one diagnostic
//! therefore costs the same on a 64 KB line as on a short one, and the line index of the
//! source is built once for all its diagnostics.

use std::ops::Range;

use cairn_lang::excerpt::{excerpt, floor_char_boundary};
use cairn_lang::source::LineIndex;
use codespan_reporting::files::{Error, Files};

/// The lines codespan-reporting shows of a multi-line span after its first line
/// (`Config::start_context_lines`) and before its last (`end_context_lines`); the renderer's
/// config sets both from these.
pub(crate) const START_CONTEXT_LINES: usize = 3;
pub(crate) const END_CONTEXT_LINES: usize = 1;

/// One shown line: its range in [`ExcerptFile::text`] and its real 1-based number.
struct ShownLine {
    range: Range<usize>,
    number: usize,
}

/// The shown lines of one diagnostic as a codespan file (its one file id is `()`).
pub(crate) struct ExcerptFile<'a> {
    name: &'a str,
    text: String,
    lines: Vec<ShownLine>,
    /// The span in `text`.
    pub(crate) label: Range<usize>,
    /// The real 1-based column (in chars) of the span's start.
    start_column: usize,
}

impl<'a> ExcerptFile<'a> {
    /// The excerpt of `source` (indexed by `index`) for the byte span `span`.
    pub(crate) fn new(
        name: &'a str,
        source: &str,
        index: &LineIndex,
        span: Range<usize>,
    ) -> ExcerptFile<'a> {
        let start = floor_char_boundary(source, span.start);
        let end = floor_char_boundary(source, span.end.max(start));
        let first = index.line_index(start);
        let last = index.line_index(end);
        let line_range = |line: usize| index.line_range(source, line).unwrap_or(0..0);
        let first_range = line_range(first);
        let start_column = source[first_range.start..start.max(first_range.start)]
            .chars()
            .count()
            + 1;
        let mut file = ExcerptFile {
            name,
            text: String::new(),
            lines: Vec::new(),
            label: 0..0,
            start_column,
        };
        for line in shown_lines(first, last) {
            let Some(line) = line else {
                // A gap of hidden lines: two empty lines codespan does not render, so it
                // draws its break marker there.
                let empty = first_range.start..first_range.start;
                for _ in 0..2 {
                    file.push_line(empty.clone(), first, source, 0..0);
                }
                continue;
            };
            let range = line_range(line);
            let within = |offset: usize| offset.clamp(range.start, range.end) - range.start;
            let focus = if line == first && line == last {
                within(start)..within(end)
            } else if line == first {
                within(start)..range.len()
            } else if line == last {
                within(end)..within(end)
            } else {
                0..0
            };
            let shown = file.push_line(range, line, source, focus);
            if line == first {
                file.label.start = shown.start;
            }
            if line == last {
                file.label.end = shown.end;
            }
        }
        file.label.end = file.label.end.max(file.label.start);
        file
    }

    /// Appends real line `line` (`range` of `source`) shown around `focus`; returns where
    /// the focus is in `text`.
    fn push_line(
        &mut self,
        range: Range<usize>,
        line: usize,
        source: &str,
        focus: Range<usize>,
    ) -> Range<usize> {
        if !self.lines.is_empty() {
            self.text.push('\n');
        }
        let shown = excerpt(&source[range], focus);
        let at = self.text.len();
        self.text.push_str(&shown.text);
        self.lines.push(ShownLine {
            range: at..self.text.len(),
            number: line + 1,
        });
        at + shown.focus.start..at + shown.focus.end
    }
}

/// The real lines codespan-reporting shows for a span from line `first` to line `last`
/// (0-based), in order, `None` standing for a gap of two or more hidden lines: the first
/// line and up to [`START_CONTEXT_LINES`] after it, up to [`END_CONTEXT_LINES`] before the
/// last and the last, and a single hidden line between them (codespan shows that one
/// rather than a break).
fn shown_lines(first: usize, last: usize) -> Vec<Option<usize>> {
    let head_end = (first + START_CONTEXT_LINES).min(last);
    let tail_start = last.saturating_sub(END_CONTEXT_LINES).max(first);
    if tail_start <= head_end + 2 {
        return (first..=last).map(Some).collect();
    }
    let mut lines: Vec<Option<usize>> = (first..=head_end).map(Some).collect();
    lines.push(None);
    lines.extend((tail_start..=last).map(Some));
    lines
}

impl<'f> Files<'f> for ExcerptFile<'_> {
    type FileId = ();
    type Name = &'f str;
    type Source = &'f str;

    fn name(&'f self, (): ()) -> Result<&'f str, Error> {
        Ok(self.name)
    }

    fn source(&'f self, (): ()) -> Result<&'f str, Error> {
        Ok(&self.text)
    }

    fn line_index(&'f self, (): (), byte_index: usize) -> Result<usize, Error> {
        Ok(self
            .lines
            .partition_point(|line| line.range.start <= byte_index)
            .saturating_sub(1))
    }

    fn line_number(&'f self, (): (), line_index: usize) -> Result<usize, Error> {
        self.lines
            .get(line_index)
            .map(|line| line.number)
            .ok_or(Error::LineTooLarge {
                given: line_index,
                max: self.lines.len(),
            })
    }

    fn column_number(
        &'f self,
        (): (),
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, Error> {
        if byte_index == self.label.start {
            return Ok(self.start_column);
        }
        let range = self.line_range((), line_index)?;
        let to = byte_index.clamp(range.start, range.end);
        Ok(self.text[range.start..to].chars().count() + 1)
    }

    fn line_range(&'f self, (): (), line_index: usize) -> Result<Range<usize>, Error> {
        self.lines
            .get(line_index)
            .map(|line| line.range.clone())
            .ok_or(Error::LineTooLarge {
                given: line_index,
                max: self.lines.len(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shown_lines_of_a_span_follow_codespan_reporting() {
        assert_eq!(shown_lines(4, 4), [Some(4)]);
        assert_eq!(shown_lines(0, 6), (0..=6).map(Some).collect::<Vec<_>>());
        assert_eq!(
            shown_lines(0, 20),
            [Some(0), Some(1), Some(2), Some(3), None, Some(19), Some(20)]
        );
    }
}
