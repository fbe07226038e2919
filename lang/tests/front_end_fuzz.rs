//! Front-end fuzzing on stable Rust (proptest, fixed seed): a byte-level target (arbitrary
//! bytes -> `SourceFile::from_bytes` -> lex -> parse -> compile) and a token-level target
//! (random sequences of Cairn's tokens, deep nesting and long chains, joined into source).
//! Every input must compile or be rejected without a panic or a stack overflow (`compile`
//! runs on its own big-stack thread, as the CLI's does), and every rejection must carry a
//! documented E code (docs/LANGUAGE.md "Diagnostics") and a span inside the source, on char
//! boundaries.
//!
//! The case count is `CAIRN_FUZZ_CASES` (default 500 per target, a few seconds in a debug
//! build); `CAIRN_FUZZ_SEED` picks another seed. A long run, in release:
//! `CAIRN_FUZZ_CASES=1000000 cargo test --release -p cairn-lang --test front_end_fuzz`.

use cairn_lang::{Diagnostic, SourceFile, compile};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};

/// Every code a source may be rejected with (E0301, "the compiler produced invalid IR", is
/// a compiler bug, so it is not here).
const DOCUMENTED_CODES: &[&str] = &[
    "E0001", "E0003", "E0004", "E0005", "E0101", "E0102", "E0103", "E0104", "E0105", "E0201",
    "E0401", "E0402", "E0403",
];

fn runner() -> TestRunner {
    let cases = std::env::var("CAIRN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let seed = std::env::var("CAIRN_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x0ca1_2f00);
    TestRunner::new(Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    })
}

/// Checks one rejection: a documented code and a span inside `text` on char boundaries.
fn check_diagnostic(text: &str, diagnostic: &Diagnostic) -> Result<(), TestCaseError> {
    prop_assert!(
        DOCUMENTED_CODES.contains(&diagnostic.code.as_str()),
        "undocumented code: {diagnostic:?}"
    );
    let (start, end) = (diagnostic.span.start as usize, diagnostic.span.end as usize);
    prop_assert!(
        start <= end && end <= text.len(),
        "span out of bounds ({} bytes): {diagnostic:?}",
        text.len()
    );
    prop_assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "span not on char boundaries: {diagnostic:?}"
    );
    Ok(())
}

/// Compiles `text`, checking every diagnostic; a panic fails the case.
fn compile_and_check(text: &str) -> Result<(), TestCaseError> {
    match compile(&SourceFile::new("fuzz.cairn", text)) {
        Ok(_) => Ok(()),
        Err(diagnostics) => {
            prop_assert!(!diagnostics.is_empty(), "rejected without a diagnostic");
            for diagnostic in &diagnostics {
                check_diagnostic(text, diagnostic)?;
            }
            Ok(())
        }
    }
}

/// The byte-level target: decode, then compile what decodes.
fn bytes_case(bytes: Vec<u8>) -> Result<(), TestCaseError> {
    let len = bytes.len();
    match SourceFile::from_bytes("fuzz.cairn", bytes) {
        Ok(file) => compile_and_check(&file.text),
        Err(error) => {
            prop_assert_eq!(error.diagnostic.code.as_str(), "E0005");
            let at = error.diagnostic.span.start as usize;
            prop_assert!(at < len, "E0005 past the end: {:?}", error.diagnostic);
            check_diagnostic(&error.file.text, &error.diagnostic)
        }
    }
}

/// Bytes that are mostly Cairn-ish (so the parser gets past the first token) with arbitrary
/// bytes mixed in.
fn source_bytes() -> impl Strategy<Value = Vec<u8>> {
    let alphabet: &[u8] = b"fn main()=1+-*/%[]{}#,;:\\->|!<>\"xab0123 \n\t.e_";
    let byte = prop_oneof![
        6 => proptest::sample::select(alphabet),
        1 => any::<u8>(),
    ];
    let body = proptest::collection::vec(byte, 0..200);
    (any::<bool>(), body).prop_map(|(with_main, body)| {
        let mut bytes = if with_main {
            b"fn main() = ".to_vec()
        } else {
            Vec::new()
        };
        bytes.extend(body);
        bytes
    })
}

const TOKENS: &[&str] = &[
    "fn",
    "main",
    "(",
    ")",
    "=",
    "if",
    "then",
    "else",
    "loop",
    "generate",
    "yield",
    "when",
    "recurse",
    "true",
    "false",
    "and",
    "or",
    "not",
    "x",
    "y",
    "f",
    "len",
    "map",
    "push",
    "pop",
    "ref",
    "collect",
    "range",
    "0",
    "1",
    "-1",
    "42",
    "140737488355328",
    "1.5",
    "1e3",
    "\"s\"",
    "\"\\u{41}\"",
    "\"\\q\"",
    "\"",
    "[",
    "]",
    "{",
    "}",
    "#{",
    ",",
    ";",
    ":",
    "->",
    "\\",
    "+",
    "-",
    "*",
    "/",
    "%",
    "++",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "|>",
    ":=",
    "!",
    "...",
    "<-",
    "\n",
    "// c\n",
    "_",
    "é",
    "\u{feff}",
];

/// One fragment: a token, a deep nest of one opener, or a long chain of one operator.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => proptest::sample::select(TOKENS).prop_map(str::to_string),
        1 => (proptest::sample::select(&["(", "[", "{ ", "-", "not ", "\\x -> ", "if true then "][..]), 1..400usize)
            .prop_map(|(opener, depth)| opener.repeat(depth)),
        1 => (proptest::sample::select(&[" + 1", ", 1", "; 1", " |> f", "(1)", "[0]"][..]), 1..3000usize)
            .prop_map(|(link, length)| link.repeat(length)),
    ]
}

/// The token-level target's sources: fragments joined with spaces, often after `fn main() =`.
fn token_source() -> impl Strategy<Value = String> {
    (any::<bool>(), proptest::collection::vec(fragment(), 0..40)).prop_map(|(with_main, parts)| {
        let body = parts.join(" ");
        if with_main {
            format!("fn main() = {body}")
        } else {
            body
        }
    })
}

#[test]
fn arbitrary_bytes_never_panic_and_every_rejection_is_documented() {
    runner().run(&source_bytes(), bytes_case).unwrap();
}

#[test]
fn random_token_sequences_never_panic_and_every_rejection_is_documented() {
    runner()
        .run(&token_source(), |text| compile_and_check(&text))
        .unwrap();
}

/// Shapes the fuzzers found or that guard a fixed defect, kept as plain regressions.
#[test]
fn regression_inputs() {
    for text in [
        "fn main() = { (a, a) = (1, 2); a }",
        "fn main() = \u{feff}",
        "\u{feff}",
        "\u{feff}fn main() = 1",
        "fn main() = \"\\u{110000}\"",
        "fn main() = \"\\u{d800}\"",
    ] {
        compile_and_check(text).unwrap();
    }
}
