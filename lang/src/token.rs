//! The tokens the lexer produces: their kinds (with how "expected X, found Y" messages show
//! them), byte spans, and whether a newline preceded them.

use crate::ir::Span;

#[derive(Clone, Debug, PartialEq)]
pub enum TokenKind {
    /// An unsigned integer literal (decimal or `0x`), unchecked magnitude.
    Int(u128),
    Float(f64),
    Text(String),
    Ident(String),
    // Keywords.
    Fn,
    If,
    Then,
    Else,
    True,
    False,
    And,
    Or,
    Not,
    When,
    Yield,
    Recurse,
    Generate,
    Loop,
    // Punctuation.
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    LeftBrace,
    RightBrace,
    /// `#{`
    HashBrace,
    Comma,
    Semicolon,
    Colon,
    Assign,
    EqualEqual,
    BangEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    Plus,
    PlusPlus,
    Minus,
    Star,
    Slash,
    Percent,
    /// `|>`
    Pipe,
    /// `<-`
    LeftArrow,
    /// `->`
    RightArrow,
    /// `...`
    Ellipsis,
    /// `.` (a method call: `receiver.name(args)`)
    Dot,
    Backslash,
    Bang,
    /// `:=`
    ColonEqual,
    Eof,
}

impl TokenKind {
    /// How the token is shown in "expected X, found Y" messages.
    pub fn describe(&self) -> String {
        match self {
            TokenKind::Int(_) => "integer literal".into(),
            TokenKind::Float(_) => "float literal".into(),
            TokenKind::Text(_) => "text literal".into(),
            TokenKind::Ident(name) => format!("`{name}`"),
            TokenKind::Eof => "end of file".into(),
            other => format!("`{}`", other.spelling()),
        }
    }

    fn spelling(&self) -> &'static str {
        match self {
            TokenKind::Fn => "fn",
            TokenKind::If => "if",
            TokenKind::Then => "then",
            TokenKind::Else => "else",
            TokenKind::True => "true",
            TokenKind::False => "false",
            TokenKind::And => "and",
            TokenKind::Or => "or",
            TokenKind::Not => "not",
            TokenKind::When => "when",
            TokenKind::Yield => "yield",
            TokenKind::Recurse => "recurse",
            TokenKind::Generate => "generate",
            TokenKind::Loop => "loop",
            TokenKind::LeftParen => "(",
            TokenKind::RightParen => ")",
            TokenKind::LeftBracket => "[",
            TokenKind::RightBracket => "]",
            TokenKind::LeftBrace => "{",
            TokenKind::RightBrace => "}",
            TokenKind::HashBrace => "#{",
            TokenKind::Comma => ",",
            TokenKind::Semicolon => ";",
            TokenKind::Colon => ":",
            TokenKind::Assign => "=",
            TokenKind::EqualEqual => "==",
            TokenKind::BangEqual => "!=",
            TokenKind::Less => "<",
            TokenKind::LessEqual => "<=",
            TokenKind::Greater => ">",
            TokenKind::GreaterEqual => ">=",
            TokenKind::Plus => "+",
            TokenKind::PlusPlus => "++",
            TokenKind::Minus => "-",
            TokenKind::Star => "*",
            TokenKind::Slash => "/",
            TokenKind::Percent => "%",
            TokenKind::Pipe => "|>",
            TokenKind::LeftArrow => "<-",
            TokenKind::RightArrow => "->",
            TokenKind::Ellipsis => "...",
            TokenKind::Dot => ".",
            TokenKind::Backslash => "\\",
            TokenKind::Bang => "!",
            TokenKind::ColonEqual => ":=",
            TokenKind::Int(_)
            | TokenKind::Float(_)
            | TokenKind::Text(_)
            | TokenKind::Ident(_)
            | TokenKind::Eof => "",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
    /// A newline (or the start of the file) separates this token from the previous one.
    pub newline_before: bool,
}
