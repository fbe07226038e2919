//! Compile errors rendered for a person, whatever the source holds: at most 100 diagnostics
//! then one E0006 with the count of the rest, a long line cut around the span so rendering
//! is linear, invisible and reordering characters (bidi overrides, format characters, Hangul
//! fillers, a lone CR) escaped in the message and the echoed line, and the underline under
//! the span in display columns (wide characters, tabs). docs/LANGUAGE.md, "Diagnostics".

use cairn::{CompileError, Engine, EngineKind};
use unicode_width::UnicodeWidthStr;

fn compile_error(source: &str) -> CompileError {
    Engine::new(EngineKind::Interpreter)
        .compile("r.cairn", source)
        .expect_err("the source does not compile")
}

/// The display column of the first `^` of the underline and of `marker` in the echoed line
/// above it (both lines of the first snippet).
fn underline_and_marker_columns(rendered: &str, marker: &str) -> (usize, usize) {
    let lines: Vec<&str> = rendered.lines().collect();
    let underline = lines
        .iter()
        .position(|line| line.contains('^'))
        .expect("an underline");
    let echoed = lines[underline - 1];
    let caret = lines[underline].find('^').unwrap();
    let at = echoed.find(marker).expect("the marker is echoed");
    (lines[underline][..caret].width(), echoed[..at].width())
}

#[test]
fn sixteen_thousand_unknown_names_on_one_line_render_a_hundred_and_a_count() {
    let names = vec!["x"; 16_000].join(", ");
    let source = format!("fn main() = [{names}]\n");
    assert!(source.len() > 40_000);
    let error = compile_error(&source);
    let rendered = error.to_string();
    assert_eq!(error.count(), 101);
    assert_eq!(
        rendered.matches("error[E0101]: unknown name `x`").count(),
        100
    );
    assert!(
        rendered.contains(
            "error[E0006]: 15900 more errors not shown (only the first 100 are reported)"
        ),
        "{}",
        &rendered[rendered.len() - 600..]
    );
    // Each snippet is a window of at most 120 columns around its span: the output is linear
    // in the number of diagnostics shown, not in the line's length times that number.
    let longest = rendered.lines().map(str::width).max().unwrap();
    assert!(longest <= 130, "a line of {longest} columns");
    assert!(
        rendered.len() <= 101 * 400,
        "{} bytes rendered",
        rendered.len()
    );
    // The window keeps the underline under its own `x`: the 100th is at column 14 + 3 * 99.
    assert!(rendered.contains("--> r.cairn:1:311"), "{rendered}");
    for snippet in rendered.split("\n\n").filter(|s| s.contains("E0101")) {
        let (caret, x) = underline_and_marker_columns(snippet, "x");
        assert!(caret >= x, "{snippet}");
    }
}

#[test]
fn a_span_far_along_a_long_line_is_shown_in_a_window_with_marks() {
    let source = format!(
        "fn main() = [{}nope, {}]\n",
        "1, ".repeat(5_000),
        "2, ".repeat(5_000)
    );
    let rendered = compile_error(&source).to_string();
    let echoed = rendered.lines().nth(3).unwrap();
    assert!(
        echoed.starts_with("1 | …") && echoed.ends_with('…'),
        "{echoed}"
    );
    assert!(echoed.width() <= 4 + 120, "{echoed}");
    let (caret, name) = underline_and_marker_columns(&rendered, "nope");
    assert_eq!(caret, name, "{rendered}");
    assert!(rendered.contains("^^^^\n"), "{rendered}");
}

/// Every character of the issue: bidi embeddings and overrides, soft hyphen, Arabic letter
/// mark, Mongolian vowel separator, Hangul fillers, interlinear annotation, a tag, and the
/// ones escaped before (zero-width space, bidi isolates).
const INVISIBLE: [char; 18] = [
    '\u{202a}',
    '\u{202b}',
    '\u{202c}',
    '\u{202d}',
    '\u{202e}',
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
    '\u{2066}',
    '\u{2069}',
    '\u{2028}',
];

#[test]
fn each_invisible_character_is_escaped_in_the_message_and_the_echoed_line() {
    for c in INVISIBLE {
        let escape = c.escape_unicode().to_string();
        let error = compile_error(&format!("fn main() = 1 +{c} 2\n"));
        let rendered = error.to_string();
        assert_eq!(error.code(), "E0001", "{escape}: {rendered}");
        assert_eq!(error.message(), format!("unexpected character `{escape}`"));
        assert!(!rendered.contains(c), "{escape} raw in: {rendered}");
        assert!(
            rendered.contains(&format!("1 | fn main() = 1 +{escape} 2\n")),
            "{rendered}"
        );
        let (caret, at) = underline_and_marker_columns(&rendered, &escape);
        assert_eq!(caret, at, "{rendered}");
        assert!(
            rendered.contains(&format!(" {}\n", "^".repeat(escape.len()))),
            "{rendered}"
        );
    }
}

#[test]
fn an_invisible_character_inside_a_text_literal_is_escaped_in_the_echo() {
    for c in INVISIBLE {
        let rendered = compile_error(&format!("fn main() = \"a{c}b\" ++ y\n")).to_string();
        assert!(!rendered.contains(c), "{rendered}");
        let (caret, y) = underline_and_marker_columns(&rendered, "y");
        assert_eq!(caret, y, "{rendered}");
    }
}

#[test]
fn a_lone_cr_is_escaped_and_does_not_break_the_line() {
    let rendered = compile_error("fn main() =\r  1 + y\r").to_string();
    assert!(!rendered.contains('\r'), "{rendered:?}");
    assert!(rendered.contains("--> r.cairn:1:19"), "{rendered}");
    assert!(
        rendered.contains("1 | fn main() =\\u{d}  1 + y\\u{d}\n"),
        "{rendered}"
    );
    let (caret, y) = underline_and_marker_columns(&rendered, "y");
    assert_eq!(caret, y, "{rendered}");
    // CRLF line endings are line breaks, and their CR is not shown.
    let rendered = compile_error("fn main() =\r\n  1 + y\r\n").to_string();
    assert!(rendered.contains("2 |   1 + y\n"), "{rendered:?}");
}

#[test]
fn wide_characters_and_tabs_keep_the_underline_under_the_span() {
    for source in [
        "fn main() = \"\u{4e2d}\u{6587}\"\t++ y\n",
        "fn main() =\t\t\"\u{1f600}\" ++ y\n",
        "\tfn main() = \"\u{e9}\u{301}\"\t++\ty\n",
    ] {
        let rendered = compile_error(source).to_string();
        assert!(!rendered.contains('\t'), "{rendered}");
        let (caret, y) = underline_and_marker_columns(&rendered, "y");
        assert_eq!(caret, y, "{rendered}");
    }
}

/// Three errors in three functions (an unknown name, an arity mismatch, an unknown callee):
/// all three, in source order, each with its code, message, file, position and byte span;
/// the first is what the single-diagnostic accessors describe, and `Display` ends with the
/// count line.
#[test]
fn every_error_of_every_function_is_a_diagnostic_with_its_span() {
    let source = "fn main() = helper(1) + other()\nfn helper(x) = x + nope\n\
                  fn other() = helper(1, 2)\nfn third() = missing(3)\n";
    for kind in [EngineKind::Interpreter, EngineKind::Jit] {
        let error = Engine::new(kind)
            .compile("three.cairn", source)
            .expect_err("three errors");
        let found: Vec<_> = error
            .diagnostics()
            .iter()
            .map(|d| {
                let span = d.span().expect("a compile error has a span");
                (
                    d.code(),
                    d.message(),
                    d.file(),
                    (d.line(), d.column()),
                    &source[span.clone()],
                    span,
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                (
                    "E0101",
                    "unknown name `nope`",
                    "three.cairn",
                    (2, 20),
                    "nope",
                    51..55
                ),
                (
                    "E0105",
                    "arity mismatch: helper expects 1 argument, got 2",
                    "three.cairn",
                    (3, 14),
                    "helper(1, 2)",
                    69..81
                ),
                (
                    "E0101",
                    "unknown name `missing`",
                    "three.cairn",
                    (4, 14),
                    "missing",
                    95..102
                ),
            ]
        );
        assert_eq!((error.count(), error.error_total()), (3, 3));
        assert_eq!(
            (error.code(), error.line(), error.column()),
            ("E0101", 2, 20)
        );
        let rendered = error.to_string();
        assert_eq!(rendered.matches("\nerror[").count() + 1, 3, "{rendered}");
        assert!(
            rendered
                .ends_with("\nerror: could not compile `three.cairn` due to 3 previous errors\n"),
            "{rendered}"
        );
    }
}

/// Past 100 diagnostics the count line counts every error found, not the 101 shown.
#[test]
fn the_count_line_counts_the_errors_not_shown() {
    let source = format!("fn main() = [{}]\n", vec!["x"; 250].join(", "));
    let error = compile_error(&source);
    assert_eq!((error.count(), error.error_total()), (101, 250));
    assert_eq!(
        error.summary(),
        "error: could not compile `r.cairn` due to 250 previous errors"
    );
}

/// Duplicate definitions do not hide the unknown names of the functions' bodies.
#[test]
fn a_duplicate_definition_does_not_hide_the_other_errors() {
    let error = compile_error("fn main() = f(1)\nfn f(x) = y\nfn f(x) = x\nfn g(a, a) = zz\n");
    let codes: Vec<_> = error
        .diagnostics()
        .iter()
        .map(|d| (d.code(), d.line()))
        .collect();
    assert_eq!(
        codes,
        [("E0101", 2), ("E0102", 3), ("E0102", 4), ("E0101", 4)]
    );
}
