//! The part of a source line a diagnostic echoes, as it is shown: invisible characters
//! escaped (`display_text.rs`), tabs expanded to spaces, and a line wider than
//! [`EXCERPT_COLUMNS`] display columns cut to a window around the span with `…` marks. Both
//! renderers (`Diagnostic::render` here, codespan-reporting in the `cairn` facade) show
//! these excerpts, so echo and underline agree, and a diagnostic costs the same on a 64 KB
//! line as on a short one (docs/LANGUAGE.md, "Diagnostics").

use std::ops::Range;

use unicode_width::UnicodeWidthChar;

use crate::display_text::is_shown_escaped;

/// The widest excerpt of one line, in display columns (the `…` marks included).
pub const EXCERPT_COLUMNS: usize = 120;

/// At most this many display columns before the span are kept when a line is cut.
pub const EXCERPT_LEFT_CONTEXT: usize = 40;

/// Tabs are expanded to the next multiple of this many columns.
pub const TAB_STOP: usize = 4;

/// The most characters looked at on either side of the span: zero-width characters take no
/// column, so a column budget alone would not bound the work.
const MAX_SCANNED_CHARS: usize = 4 * EXCERPT_COLUMNS;

const ELLIPSIS: char = '…';

/// One line as it is shown, and the span's part of it as byte offsets into `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excerpt {
    pub text: String,
    pub focus: Range<usize>,
}

/// The display width of `c` shown at display column `column` of its excerpt.
fn shown_width(c: char, column: usize) -> usize {
    if c == '\t' {
        TAB_STOP - column % TAB_STOP
    } else if is_shown_escaped(c) {
        c.escape_unicode().len()
    } else {
        c.width().unwrap_or(0)
    }
}

/// The excerpt of `line` (one line's text, without its line break) around `focus` (byte
/// offsets into `line`, on char boundaries; an end past the window is shown as reaching the
/// closing `…`). Looks at no more than a window's worth of characters either side of
/// `focus.start`.
pub fn excerpt(line: &str, focus: Range<usize>) -> Excerpt {
    let start = floor_char_boundary(line, focus.start);
    let end = floor_char_boundary(line, focus.end.max(start));
    let window = if fits(line) {
        0..line.len()
    } else {
        window_around(line, start)
    };
    let mut text = String::new();
    let mut column = 0;
    if window.start > 0 {
        text.push(ELLIPSIS);
        column += 1;
    }
    let mut shown_focus = 0..0;
    for (offset, c) in line[window.clone()].char_indices() {
        let offset = window.start + offset;
        if offset == start {
            shown_focus.start = text.len();
        }
        if offset == end {
            shown_focus.end = text.len();
        }
        let width = shown_width(c, column);
        if c == '\t' {
            text.extend(std::iter::repeat_n(' ', width));
        } else if is_shown_escaped(c) {
            text.extend(c.escape_unicode());
        } else {
            text.push(c);
        }
        column += width;
    }
    if start >= window.end {
        shown_focus.start = text.len();
    }
    if end >= window.end {
        shown_focus.end = text.len();
    }
    if window.end < line.len() {
        text.push(ELLIPSIS);
        if end > window.end {
            shown_focus.end = text.len();
        }
    }
    shown_focus.end = shown_focus.end.max(shown_focus.start);
    Excerpt {
        text,
        focus: shown_focus,
    }
}

/// Whether all of `line` fits in [`EXCERPT_COLUMNS`] (looking at no more than that).
fn fits(line: &str) -> bool {
    let mut column = 0;
    for (count, c) in line.chars().enumerate() {
        column += shown_width(c, column);
        if column > EXCERPT_COLUMNS || count >= MAX_SCANNED_CHARS {
            return false;
        }
    }
    true
}

/// The byte range of a too-wide `line` to show around `at`: up to
/// [`EXCERPT_LEFT_CONTEXT`] columns before it, then as far right as the window allows (room
/// left for both `…` marks; a tab counted at its widest).
fn window_around(line: &str, at: usize) -> Range<usize> {
    let widest = |c: char| {
        if c == '\t' {
            TAB_STOP
        } else {
            shown_width(c, 0)
        }
    };
    let mut start = at;
    let mut used = 0;
    for (count, (offset, c)) in line[..at].char_indices().rev().enumerate() {
        if used + widest(c) > EXCERPT_LEFT_CONTEXT || count >= MAX_SCANNED_CHARS {
            break;
        }
        used += widest(c);
        start = offset;
    }
    let mut end = start;
    let mut used = 0;
    for (count, (offset, c)) in line[start..].char_indices().enumerate() {
        if used + widest(c) > EXCERPT_COLUMNS - 2 || count >= 2 * MAX_SCANNED_CHARS {
            break;
        }
        used += widest(c);
        end = start + offset + c.len_utf8();
    }
    start..end
}

/// The display width of shown text (no tabs or controls left in it): the sum of its
/// characters' widths, as codespan-reporting counts them.
pub fn display_width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// `offset` clamped into `text` and moved back to a char boundary.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_line_is_shown_whole_with_tabs_expanded_and_invisibles_escaped() {
        let line = "a\tb = \u{202e}x";
        let shown = excerpt(line, 8..9);
        assert_eq!(shown.text, "a   b = \\u{202e}x");
        assert_eq!(&shown.text[shown.focus.clone()], "\\u{202e}");
    }

    #[test]
    fn a_long_line_is_cut_around_the_span() {
        let line = format!("{}target{}", "x".repeat(1000), "y".repeat(1000));
        let shown = excerpt(&line, 1000..1006);
        assert!(
            shown.text.starts_with('…') && shown.text.ends_with('…'),
            "{}",
            shown.text
        );
        assert_eq!(&shown.text[shown.focus.clone()], "target");
        let prefix = &shown.text[..shown.focus.start];
        assert_eq!(prefix.chars().count(), 1 + EXCERPT_LEFT_CONTEXT);
        assert!(shown.text.chars().count() <= EXCERPT_COLUMNS);
        // A span running past the window is underlined up to the closing mark.
        let shown = excerpt(&line, 1000..2006);
        assert!(shown.text[shown.focus.clone()].ends_with('…'));
        // Near the start of the line no opening mark is needed.
        let shown = excerpt(&line, 3..4);
        assert!(shown.text.starts_with("xxx") && shown.text.ends_with('…'));
        assert_eq!(shown.focus, 3..4);
    }
}
