//! Tokens of a Cairn source (docs/LANGUAGE.md, *Programs*, *Expressions*, *Source files*):
//! `//` comments, Int literals (`1_000`, `0xff`), Floats (`1.5`, `1e3`), Texts with their
//! escapes, names and keywords, operators. Each token records whether a newline precedes it
//! (block items end at line breaks).

use crate::Diagnostic;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Int(u128),
    Float(f64),
    Text(String),
    Name(String),
    /// A keyword or an operator, spelled as in the source.
    Sym(&'static str),
    Eof,
}

impl Tok {
    /// How a syntax error names the token (`expected X, found Y`).
    pub fn describe(&self) -> String {
        match self {
            Tok::Int(_) => "integer literal".into(),
            Tok::Float(_) => "float literal".into(),
            Tok::Text(_) => "text literal".into(),
            Tok::Name(n) => format!("`{n}`"),
            Tok::Sym(s) => format!("`{s}`"),
            Tok::Eof => "end of file".into(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
    pub newline_before: bool,
}

const KEYWORDS: [&str; 14] = [
    "fn", "if", "then", "else", "true", "false", "and", "or", "not", "when", "yield", "recurse",
    "generate", "loop",
];

/// Longest first, so `...` wins over `.` and `<=` over `<`.
const SYMBOLS: &[&str] = &[
    "...", "#{", "==", "!=", "<=", "<-", ">=", "++", "|>", "->", ":=", "(", ")", "[", "]", "{",
    "}", ",", ";", ":", "=", "<", ">", "+", "-", "*", "/", "%", "\\", "!", ".",
];

fn syntax(message: String, start: usize, end: usize) -> Diagnostic {
    Diagnostic::new("E0001", message, start, end)
}

pub fn tokenize(text: &str) -> Result<Vec<Token>, Diagnostic> {
    let bytes = text.as_bytes();
    let mut at = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut tokens: Vec<Token> = Vec::new();
    loop {
        let mut newline = tokens.is_empty();
        loop {
            match bytes.get(at) {
                Some(b'\n') => {
                    newline = true;
                    at += 1;
                }
                Some(b' ' | b'\t' | b'\r') => at += 1,
                Some(b'/') if bytes.get(at + 1) == Some(&b'/') => {
                    while bytes.get(at).is_some_and(|&b| b != b'\n') {
                        at += 1;
                    }
                }
                _ => break,
            }
        }
        let start = at;
        let Some(&byte) = bytes.get(at) else {
            tokens.push(Token {
                tok: Tok::Eof,
                start,
                end: start,
                newline_before: newline,
            });
            return Ok(tokens);
        };
        let tok = if byte.is_ascii_digit() {
            number(text, &mut at)?
        } else if byte == b'"' {
            text_literal(text, &mut at)?
        } else if byte.is_ascii_alphabetic() || byte == b'_' {
            while bytes
                .get(at)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
            {
                at += 1;
            }
            let word = &text[start..at];
            match KEYWORDS.iter().find(|k| **k == word) {
                Some(k) => Tok::Sym(k),
                None => Tok::Name(word.to_string()),
            }
        } else if let Some(sym) = SYMBOLS.iter().find(|s| text[at..].starts_with(**s)) {
            at += sym.len();
            Tok::Sym(sym)
        } else {
            let c = text[at..].chars().next().unwrap_or('?');
            let shown = if shown_escaped(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            };
            return Err(syntax(
                format!("unexpected character `{shown}`"),
                at,
                at + c.len_utf8(),
            ));
        };
        tokens.push(Token {
            tok,
            start,
            end: at,
            newline_before: newline,
        });
    }
}

fn digits(bytes: &[u8], at: &mut usize, accept: fn(&u8) -> bool) -> String {
    let mut out = String::new();
    while let Some(b) = bytes.get(*at) {
        if accept(b) {
            out.push(*b as char);
        } else if *b != b'_' {
            break;
        }
        *at += 1;
    }
    out
}

fn number(text: &str, at: &mut usize) -> Result<Tok, Diagnostic> {
    let bytes = text.as_bytes();
    let start = *at;
    let out_of_range =
        |end| Diagnostic::new("E0003", "integer literal out of range".into(), start, end);
    if bytes[start] == b'0' && matches!(bytes.get(start + 1), Some(b'x' | b'X')) {
        *at += 2;
        let hex = digits(bytes, at, u8::is_ascii_hexdigit);
        if hex.is_empty() {
            return Err(syntax(
                "hexadecimal literal has no digits".into(),
                start,
                *at,
            ));
        }
        return u128::from_str_radix(&hex, 16)
            .map(Tok::Int)
            .map_err(|_| out_of_range(*at));
    }
    let mut literal = digits(bytes, at, u8::is_ascii_digit);
    let mut float = false;
    if bytes.get(*at) == Some(&b'.') && bytes.get(*at + 1).is_some_and(u8::is_ascii_digit) {
        *at += 1;
        literal.push('.');
        literal += &digits(bytes, at, u8::is_ascii_digit);
        float = true;
    }
    if matches!(bytes.get(*at), Some(b'e' | b'E')) {
        let sign = matches!(bytes.get(*at + 1), Some(b'+' | b'-'));
        let first = *at + 1 + sign as usize;
        if bytes.get(first).is_some_and(u8::is_ascii_digit) {
            literal.push('e');
            if sign {
                literal.push(bytes[*at + 1] as char);
            }
            *at = first;
            literal += &digits(bytes, at, u8::is_ascii_digit);
            float = true;
        }
    }
    if bytes
        .get(*at)
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
    {
        return Err(syntax(
            "invalid character in number literal".into(),
            start,
            *at + 1,
        ));
    }
    if float {
        literal
            .parse()
            .map(Tok::Float)
            .map_err(|_| syntax("invalid float literal".into(), start, *at))
    } else {
        literal.parse().map(Tok::Int).map_err(|_| out_of_range(*at))
    }
}

fn text_literal(text: &str, at: &mut usize) -> Result<Tok, Diagnostic> {
    let start = *at;
    *at += 1;
    let mut value = String::new();
    let unterminated = |at| syntax("unterminated text literal".into(), start, at);
    loop {
        let Some(c) = text[*at..].chars().next() else {
            return Err(unterminated(*at));
        };
        let backslash = *at;
        *at += c.len_utf8();
        match c {
            '"' => return Ok(Tok::Text(value)),
            '\\' => {
                let Some(e) = text[*at..].chars().next() else {
                    return Err(syntax("unterminated text literal".into(), backslash, *at));
                };
                *at += e.len_utf8();
                value.push(match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '0' => '\0',
                    '\\' => '\\',
                    '"' => '"',
                    'u' => unicode_escape(text, at, backslash)?,
                    other => {
                        return Err(syntax(
                            format!("invalid escape sequence `\\{other}`"),
                            backslash,
                            *at,
                        ));
                    }
                });
            }
            other => value.push(other),
        }
    }
}

fn unicode_escape(text: &str, at: &mut usize, backslash: usize) -> Result<char, Diagnostic> {
    let bytes = text.as_bytes();
    let invalid = |at: usize| {
        syntax(
            "invalid unicode escape (expected `\\u{XXXX}`)".into(),
            backslash,
            at,
        )
    };
    if bytes.get(*at) != Some(&b'{') {
        return Err(invalid(*at));
    }
    *at += 1;
    let first = *at;
    while bytes.get(*at).is_some_and(u8::is_ascii_hexdigit) {
        *at += 1;
    }
    let hex = &text[first..*at];
    if bytes.get(*at) != Some(&b'}') || hex.is_empty() || hex.len() > 6 {
        return Err(invalid(*at));
    }
    *at += 1;
    u32::from_str_radix(hex, 16)
        .ok()
        .and_then(char::from_u32)
        .ok_or_else(|| invalid(*at))
}

/// Whether a diagnostic shows `c` as its `\u{...}` escape (docs/LANGUAGE.md, "Source files",
/// "Decision — what is shown escaped"): general categories Cc, Cf, Zl and Zp, and the Hangul fillers.
fn shown_escaped(c: char) -> bool {
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    matches!(
        get_general_category(c),
        G::Control | G::Format | G::LineSeparator | G::ParagraphSeparator
    ) || matches!(
        c,
        '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}' | '\u{180e}'
    )
}
