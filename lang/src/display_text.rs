//! How source text is shown to a person (in messages and in the source lines diagnostics
//! echo): characters that are invisible or that reorder or hide text on a terminal are
//! written as `\u{...}` escapes (docs/LANGUAGE.md, "Source files").

use unicode_general_category::{GeneralCategory, get_general_category};

/// Whether `c` is shown as a `\u{...}` escape rather than as itself: every character of
/// Unicode general category Cc (controls, a lone CR among them; a tab is expanded by the
/// renderer instead), Cf (format: bidi overrides and isolates U+202A-202E and U+2066-2069,
/// zero-width characters, U+00AD, U+061C, U+180E, U+FEFF, U+FFF9-FFFB, tags U+E0001-E007F),
/// Zl and Zp (U+2028, U+2029), and the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0,
/// which are letters that render as blank space.
pub fn is_shown_escaped(c: char) -> bool {
    matches!(
        get_general_category(c),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    ) || matches!(
        c,
        '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}' | '\u{180e}'
    )
}

/// Appends `c` to `out` as it is shown: itself, or its `\u{...}` escape.
pub fn push_shown(out: &mut String, c: char) {
    if is_shown_escaped(c) {
        out.extend(c.escape_unicode());
    } else {
        out.push(c);
    }
}

/// `text` as it is shown (see [`is_shown_escaped`]).
pub fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_shown(&mut out, c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_and_reordering_characters_are_escaped() {
        let escaped = [
            '\u{202a}',
            '\u{202b}',
            '\u{202c}',
            '\u{202d}',
            '\u{202e}',
            '\u{2066}',
            '\u{2069}',
            '\u{00ad}',
            '\u{061c}',
            '\u{180e}',
            '\u{115f}',
            '\u{1160}',
            '\u{3164}',
            '\u{ffa0}',
            '\u{fff9}',
            '\u{e0001}',
            '\u{200b}',
            '\u{feff}',
            '\u{2028}',
            '\u{2029}',
            '\r',
            '\u{7f}',
            '\u{85}',
            '\0',
        ];
        for c in escaped {
            assert!(is_shown_escaped(c), "{:?}", c);
            assert_eq!(shown(&c.to_string()), c.escape_unicode().to_string());
        }
        for c in ['a', ' ', '\u{e9}', '\u{4e2d}', '\u{1f600}', '\u{a0}'] {
            assert!(!is_shown_escaped(c), "{:?}", c);
        }
        assert_eq!(shown("a\u{202e}b"), "a\\u{202e}b");
    }
}
