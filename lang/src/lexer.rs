//! The lexer: source text -> tokens with byte spans, one at a time ([`TokenStream`]: the
//! parser pulls them as it goes, so no vector of every token of a 64 MiB source is built).
//! Each token records whether a newline preceded it, which the parser uses to separate
//! block items (the token types are in `token.rs`). `//` comments run to the end of the
//! line. Integer literals are range-checked by the parser (after folding unary minus).

use crate::diagnostic::{self, Diagnostic};
use crate::ir::Span;

pub use crate::token::{Token, TokenKind};

/// Splits `text` into tokens, ending with one `Eof` token. The first lexical error is returned.
pub fn tokenize(text: &str) -> Result<Vec<Token>, Diagnostic> {
    let mut stream = TokenStream::new(text);
    let mut tokens = Vec::new();
    loop {
        let token = stream.next_token()?;
        let is_eof = token.kind == TokenKind::Eof;
        tokens.push(token);
        if is_eof {
            return Ok(tokens);
        }
    }
}

/// The tokens of a text, one at a time; after the `Eof` token it keeps returning `Eof`.
pub struct TokenStream<'a> {
    lexer: Lexer<'a>,
    first: bool,
    /// Added to every span: where this file starts in the program's [`crate::source::SourceMap`]
    /// (0 for the root file).
    base: u32,
}

impl<'a> TokenStream<'a> {
    pub fn new(text: &'a str) -> TokenStream<'a> {
        TokenStream::at_base(text, 0)
    }

    /// The tokens of `text`, their spans (and errors' spans) offset by `base`: the text is a
    /// file of a program's source map starting at that offset.
    pub fn at_base(text: &'a str, base: u32) -> TokenStream<'a> {
        TokenStream {
            base,
            lexer: Lexer {
                text,
                bytes: text.as_bytes(),
                // A leading UTF-8 byte order mark is not part of the program (spans stay
                // offsets into `text`, BOM included).
                position: if text.starts_with(crate::source::BYTE_ORDER_MARK) {
                    crate::source::BYTE_ORDER_MARK.len_utf8()
                } else {
                    0
                },
            },
            first: true,
        }
    }

    /// The next token, or the lexical error at the current position.
    pub fn next_token(&mut self) -> Result<Token, Diagnostic> {
        let base = self.base;
        self.next_local_token().map_err(|mut error| {
            error.span = Span::new(error.span.start + base, error.span.end + base);
            error
        })
    }

    fn next_local_token(&mut self) -> Result<Token, Diagnostic> {
        let base = self.base;
        let lexer = &mut self.lexer;
        let first = std::mem::take(&mut self.first);
        let newline_before = lexer.skip_trivia() || first;
        let start = lexer.position;
        let kind = match lexer.bytes.get(start) {
            None => TokenKind::Eof,
            Some(_) => lexer.next_token()?,
        };
        Ok(Token {
            kind,
            span: Span::new(start as u32 + base, lexer.position as u32 + base),
            newline_before,
        })
    }
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    position: usize,
}

fn syntax_error(message: impl Into<String>, start: usize, end: usize) -> Diagnostic {
    Diagnostic::new(
        diagnostic::SYNTAX,
        message,
        Span::new(start as u32, end as u32),
    )
}

impl Lexer<'_> {
    fn peek_byte(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.position + ahead).copied()
    }

    /// Skips the rest of an identifier's letters, digits and `_`.
    fn skip_word(&mut self) {
        while matches!(self.peek_byte(0), Some(b) if b.is_ascii_alphanumeric() || b == b'_') {
            self.position += 1;
        }
    }

    /// Skips whitespace and comments; reports whether a newline was skipped.
    fn skip_trivia(&mut self) -> bool {
        let mut saw_newline = false;
        while let Some(byte) = self.peek_byte(0) {
            match byte {
                b'\n' => {
                    saw_newline = true;
                    self.position += 1;
                }
                b' ' | b'\t' | b'\r' => self.position += 1,
                b'/' if self.peek_byte(1) == Some(b'/') => {
                    while let Some(byte) = self.peek_byte(0) {
                        if byte == b'\n' {
                            break;
                        }
                        self.position += 1;
                    }
                }
                _ => break,
            }
        }
        saw_newline
    }

    fn next_token(&mut self) -> Result<TokenKind, Diagnostic> {
        let start = self.position;
        let byte = self.bytes[start];
        if byte.is_ascii_digit() {
            return self.number();
        }
        if byte == b'"' {
            return self.text_literal();
        }
        if byte.is_ascii_alphabetic() || byte == b'_' {
            self.skip_word();
            // A qualified name `module::name` (or `a::b::name`) is one identifier token.
            if self.peek_byte(0) == Some(b':')
                && self.peek_byte(1) == Some(b':')
                && matches!(self.peek_byte(2), Some(b) if b.is_ascii_alphabetic() || b == b'_')
            {
                while self.peek_byte(0) == Some(b':')
                    && self.peek_byte(1) == Some(b':')
                    && matches!(self.peek_byte(2), Some(b) if b.is_ascii_alphabetic() || b == b'_')
                {
                    self.position += 2;
                    self.skip_word();
                }
                let word = &self.text[start..self.position];
                if word.split("::").any(is_keyword) {
                    return Err(syntax_error(
                        format!("a part of the qualified name `{word}` is a keyword"),
                        start,
                        self.position,
                    ));
                }
                return Ok(TokenKind::Ident(word.to_string()));
            }
            return Ok(keyword_or_ident(&self.text[start..self.position]));
        }
        let two = (byte, self.peek_byte(1).unwrap_or(0));
        let (kind, length) = match two {
            (b'.', b'.') if self.peek_byte(2) == Some(b'.') => (TokenKind::Ellipsis, 3),
            (b'.', _) if self.peek_byte(1) != Some(b'.') => (TokenKind::Dot, 1),
            (b'#', b'{') => (TokenKind::HashBrace, 2),
            (b'=', b'=') => (TokenKind::EqualEqual, 2),
            (b'!', b'=') => (TokenKind::BangEqual, 2),
            (b'<', b'=') => (TokenKind::LessEqual, 2),
            (b'<', b'-') => (TokenKind::LeftArrow, 2),
            (b'>', b'=') => (TokenKind::GreaterEqual, 2),
            (b'+', b'+') => (TokenKind::PlusPlus, 2),
            (b'|', b'>') => (TokenKind::Pipe, 2),
            (b'-', b'>') => (TokenKind::RightArrow, 2),
            (b':', b'=') => (TokenKind::ColonEqual, 2),
            (b'(', _) => (TokenKind::LeftParen, 1),
            (b')', _) => (TokenKind::RightParen, 1),
            (b'[', _) => (TokenKind::LeftBracket, 1),
            (b']', _) => (TokenKind::RightBracket, 1),
            (b'{', _) => (TokenKind::LeftBrace, 1),
            (b'}', _) => (TokenKind::RightBrace, 1),
            (b',', _) => (TokenKind::Comma, 1),
            (b';', _) => (TokenKind::Semicolon, 1),
            (b':', _) => (TokenKind::Colon, 1),
            (b'=', _) => (TokenKind::Assign, 1),
            (b'<', _) => (TokenKind::Less, 1),
            (b'>', _) => (TokenKind::Greater, 1),
            (b'+', _) => (TokenKind::Plus, 1),
            (b'-', _) => (TokenKind::Minus, 1),
            (b'*', _) => (TokenKind::Star, 1),
            (b'/', _) => (TokenKind::Slash, 1),
            (b'%', _) => (TokenKind::Percent, 1),
            (b'\\', _) => (TokenKind::Backslash, 1),
            (b'!', _) => (TokenKind::Bang, 1),
            _ => {
                let character = self.text[start..].chars().next().unwrap_or('?');
                // Invisible, reordering and control characters (a BOM, a zero-width space,
                // a bidi override) and any whitespace are shown as escapes.
                let shown = if character.is_whitespace() {
                    character.escape_unicode().to_string()
                } else {
                    crate::display_text::shown(&character.to_string())
                };
                return Err(syntax_error(
                    format!("unexpected character `{shown}`"),
                    start,
                    start + character.len_utf8(),
                ));
            }
        };
        self.position += length;
        Ok(kind)
    }

    fn digits(&mut self, accept: fn(u8) -> bool) -> String {
        let mut digits = String::new();
        while let Some(byte) = self.peek_byte(0) {
            if accept(byte) {
                digits.push(byte as char);
            } else if byte != b'_' {
                break;
            }
            self.position += 1;
        }
        digits
    }

    fn number(&mut self) -> Result<TokenKind, Diagnostic> {
        let start = self.position;
        if self.peek_byte(0) == Some(b'0') && matches!(self.peek_byte(1), Some(b'x' | b'X')) {
            self.position += 2;
            let digits = self.digits(|b| b.is_ascii_hexdigit());
            if digits.is_empty() {
                return Err(syntax_error(
                    "hexadecimal literal has no digits",
                    start,
                    self.position,
                ));
            }
            return u128::from_str_radix(&digits, 16)
                .map(TokenKind::Int)
                .map_err(|_| self.out_of_range(start));
        }
        let mut literal = self.digits(|b| b.is_ascii_digit());
        let mut is_float = false;
        if self.peek_byte(0) == Some(b'.')
            && matches!(self.peek_byte(1), Some(b) if b.is_ascii_digit())
        {
            self.position += 1;
            literal.push('.');
            literal.push_str(&self.digits(|b| b.is_ascii_digit()));
            is_float = true;
        }
        if matches!(self.peek_byte(0), Some(b'e' | b'E')) {
            let sign = matches!(self.peek_byte(1), Some(b'+' | b'-'));
            let digit_at = if sign { 2 } else { 1 };
            if matches!(self.peek_byte(digit_at), Some(b) if b.is_ascii_digit()) {
                literal.push('e');
                if sign {
                    literal.push(self.bytes[self.position + 1] as char);
                }
                self.position += digit_at;
                literal.push_str(&self.digits(|b| b.is_ascii_digit()));
                is_float = true;
            }
        }
        if matches!(self.peek_byte(0), Some(b) if b.is_ascii_alphabetic() || b == b'_') {
            return Err(syntax_error(
                "invalid character in number literal",
                start,
                self.position + 1,
            ));
        }
        if is_float {
            literal
                .parse::<f64>()
                .map(TokenKind::Float)
                .map_err(|_| syntax_error("invalid float literal", start, self.position))
        } else {
            literal
                .parse::<u128>()
                .map(TokenKind::Int)
                .map_err(|_| self.out_of_range(start))
        }
    }

    fn out_of_range(&self, start: usize) -> Diagnostic {
        Diagnostic::new(
            diagnostic::INTEGER_LITERAL_OUT_OF_RANGE,
            "integer literal out of range",
            Span::new(start as u32, self.position as u32),
        )
    }

    fn text_literal(&mut self) -> Result<TokenKind, Diagnostic> {
        let start = self.position;
        self.position += 1;
        let mut value = String::new();
        loop {
            let Some(character) = self.text[self.position..].chars().next() else {
                return Err(syntax_error(
                    "unterminated text literal",
                    start,
                    self.position,
                ));
            };
            let at = self.position;
            self.position += character.len_utf8();
            match character {
                '"' => return Ok(TokenKind::Text(value)),
                '\\' => value.push(self.escape(at)?),
                other => value.push(other),
            }
        }
    }

    fn escape(&mut self, backslash_at: usize) -> Result<char, Diagnostic> {
        let Some(character) = self.text[self.position..].chars().next() else {
            return Err(syntax_error(
                "unterminated text literal",
                backslash_at,
                self.position,
            ));
        };
        self.position += character.len_utf8();
        Ok(match character {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            '0' => '\0',
            '\\' => '\\',
            '"' => '"',
            'u' => return self.unicode_escape(backslash_at),
            other => {
                return Err(syntax_error(
                    format!("invalid escape sequence `\\{other}`"),
                    backslash_at,
                    self.position,
                ));
            }
        })
    }

    fn unicode_escape(&mut self, backslash_at: usize) -> Result<char, Diagnostic> {
        let invalid = |lexer: &Lexer| {
            syntax_error(
                "invalid unicode escape (expected `\\u{XXXX}`)",
                backslash_at,
                lexer.position,
            )
        };
        if self.peek_byte(0) != Some(b'{') {
            return Err(invalid(self));
        }
        self.position += 1;
        let digits_start = self.position;
        while matches!(self.peek_byte(0), Some(b) if b.is_ascii_hexdigit()) {
            self.position += 1;
        }
        let digits = &self.text[digits_start..self.position];
        if self.peek_byte(0) != Some(b'}') || digits.is_empty() || digits.len() > 6 {
            return Err(invalid(self));
        }
        self.position += 1;
        u32::from_str_radix(digits, 16)
            .ok()
            .and_then(char::from_u32)
            .ok_or_else(|| invalid(self))
    }
}

/// Whether `word` is a keyword (not usable as a name).
pub fn is_keyword(word: &str) -> bool {
    !matches!(keyword_or_ident(word), TokenKind::Ident(_))
}

fn keyword_or_ident(word: &str) -> TokenKind {
    match word {
        "fn" => TokenKind::Fn,
        "if" => TokenKind::If,
        "then" => TokenKind::Then,
        "else" => TokenKind::Else,
        "true" => TokenKind::True,
        "false" => TokenKind::False,
        "and" => TokenKind::And,
        "or" => TokenKind::Or,
        "not" => TokenKind::Not,
        "when" => TokenKind::When,
        "yield" => TokenKind::Yield,
        "recurse" => TokenKind::Recurse,
        "generate" => TokenKind::Generate,
        "loop" => TokenKind::Loop,
        _ => TokenKind::Ident(word.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        tokenize(text)
            .unwrap()
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn numbers_text_and_operators() {
        assert_eq!(
            kinds("1_000 0xff 1.5e3 2.0 \"a\\n\\u{e9}\" x++ |> <- ... #{"),
            vec![
                TokenKind::Int(1000),
                TokenKind::Int(255),
                TokenKind::Float(1500.0),
                TokenKind::Float(2.0),
                TokenKind::Text("a\n\u{e9}".into()),
                TokenKind::Ident("x".into()),
                TokenKind::PlusPlus,
                TokenKind::Pipe,
                TokenKind::LeftArrow,
                TokenKind::Ellipsis,
                TokenKind::HashBrace,
                TokenKind::Eof,
            ]
        );
    }

    #[test]
    fn newlines_and_comments_are_recorded() {
        let tokens = tokenize("a // note\n  b c").unwrap();
        assert!(tokens[0].newline_before);
        assert!(tokens[1].newline_before);
        assert!(!tokens[2].newline_before);
        assert_eq!(tokens[1].span, Span::new(12, 13));
    }

    #[test]
    fn lexical_errors_have_spans() {
        let error = tokenize("x = \"abc").unwrap_err();
        assert_eq!(
            (error.code.as_str(), error.span),
            ("E0001", Span::new(4, 8))
        );
        let error = tokenize("\"\\q\"").unwrap_err();
        assert_eq!(error.message, "invalid escape sequence `\\q`");
        let error = tokenize("a $").unwrap_err();
        assert_eq!(error.span, Span::new(2, 3));
        let error = tokenize("99999999999999999999999999999999999999999").unwrap_err();
        assert_eq!(error.code, "E0003");
    }
}
