//! The recursive-descent parser: tokens -> [`ast::Program`].
//!
//! Precedence, low to high: `|>`, `or`, `and`, `not`, comparisons (non-associative), `++`,
//! `+ -`, `* / %`, unary `-`, postfix call/index. Directly inside a block, a newline ends a
//! block item, and a `(`, `[` or `-` at the start of a line starts a new item rather than
//! continuing the previous expression (inside parentheses, brackets and map literals newlines
//! are insignificant). Syntax errors stop the parse (first error wins); unsupported features
//! (E0202) and out-of-range integers (E0003) are collected and parsing continues.

use crate::ast::{Expr, ExprKind, FunctionDef, Import, Name, Program};
use crate::diagnostic::{self, Diagnostic, DiagnosticList};
use crate::ir::Span;
use crate::lexer::{Token, TokenKind, TokenStream};
use crate::limits::FrontEndLimits;

/// The largest Int (2^47 - 1); the smallest is `-2^47`.
pub const INT_MAX: i64 = (1 << 47) - 1;
pub const INT_MIN: i64 = -(1 << 47);

/// Parses a whole program; any diagnostic (fatal or not) makes it an error.
pub fn parse(text: &str) -> Result<Program, Vec<Diagnostic>> {
    match parse_recovering(text) {
        (Some(program), errors) if errors.is_empty() => Ok(program),
        (_, errors) => Err(errors),
    }
}

/// Parses a program, also returning the non-fatal diagnostics (E0202, E0003) so later
/// phases can report more errors. `None` when a syntax error stopped the parse.
pub fn parse_recovering(text: &str) -> (Option<Program>, Vec<Diagnostic>) {
    let (program, errors) = parse_collecting(text, FrontEndLimits::DEFAULT);
    (program, errors.into_sorted())
}

/// [`parse_recovering`] with the diagnostics still open for later phases to add to, and
/// the limits the parser enforces as it goes (E0402, E0403; [`FrontEndLimits::DEFAULT`] for
/// [`crate::compile`], lower ones in tests).
pub fn parse_collecting(text: &str, limits: FrontEndLimits) -> (Option<Program>, DiagnosticList) {
    parse_collecting_at(text, 0, limits)
}

/// [`parse_collecting`] of a file that starts at offset `base` of its program's source map:
/// every span of the tree and of the diagnostics is offset by `base`.
pub fn parse_collecting_at(
    text: &str,
    base: u32,
    limits: FrontEndLimits,
) -> (Option<Program>, DiagnosticList) {
    let mut parser = Parser {
        tokens: TokenStream::at_base(text, base),
        current: eof_at(0),
        next: eof_at(0),
        lex_error: None,
        newlines_significant: false,
        errors: DiagnosticList::default(),
        nesting: 0,
        functions: 0,
        limits,
    };
    parser.current = parser.pull();
    parser.next = parser.pull();
    let outcome = parser.program();
    // A lexical error ends the token stream with an `Eof` where it is; the parse stopped
    // there (or got no further) unless a syntax error before it stopped it first.
    let fatal = match (outcome, parser.lex_error.take()) {
        (Err(fatal), Some(lexical)) if fatal.span.start < lexical.span.start => Some(fatal),
        (_, Some(lexical)) => Some(lexical),
        (Err(fatal), None) => Some(fatal),
        (Ok(program), None) => return (Some(program), parser.errors),
    };
    parser.errors.extend(fatal);
    (None, parser.errors)
}

fn eof_at(offset: u32) -> Token {
    Token {
        kind: TokenKind::Eof,
        span: Span::new(offset, offset),
        newline_before: true,
    }
}

pub(crate) type Parse<T> = Result<T, Diagnostic>;

/// How deeply expressions may nest (parentheses, blocks, prefix operators) before the parse
/// is refused with E0001, so that neither the parser nor lowering can overflow the stack.
pub const MAX_NESTING: usize = 256;

pub(crate) struct Parser<'a> {
    tokens: TokenStream<'a>,
    /// The token being looked at and the one after it (the parser looks no further ahead).
    current: Token,
    next: Token,
    /// The lexical error that ended the token stream (an `Eof` stands where it is).
    lex_error: Option<Diagnostic>,
    newlines_significant: bool,
    pub(crate) errors: DiagnosticList,
    pub(crate) nesting: usize,
    /// Functions met so far (named ones, lambdas, generator blocks and loops: each becomes
    /// at least one function of the module), checked against `limits.functions` as each is.
    functions: usize,
    pub(crate) limits: FrontEndLimits,
}

pub(crate) fn syntax(message: impl Into<String>, span: Span) -> Diagnostic {
    Diagnostic::new(diagnostic::SYNTAX, message, span)
}

impl Parser<'_> {
    /// The next token of the stream (`Eof` for ever after the end or a lexical error).
    fn pull(&mut self) -> Token {
        if let Some(error) = &self.lex_error {
            return eof_at(error.span.start);
        }
        match self.tokens.next_token() {
            Ok(token) => token,
            Err(error) => {
                let eof = eof_at(error.span.start);
                self.lex_error = Some(error);
                eof
            }
        }
    }

    pub(crate) fn peek(&self) -> &Token {
        &self.current
    }

    pub(crate) fn peek_kind(&self) -> &TokenKind {
        &self.peek().kind
    }

    /// The kind of the token after the current one.
    pub(crate) fn peek_next_kind(&self) -> &TokenKind {
        &self.next.kind
    }

    pub(crate) fn advance(&mut self) -> Token {
        if self.current.kind == TokenKind::Eof {
            return self.current.clone();
        }
        let following = self.pull();
        let next = std::mem::replace(&mut self.next, following);
        std::mem::replace(&mut self.current, next)
    }

    /// Counts one more function of the module (at `span`), refusing past the limit (E0402
    /// as the parser reaches it, before anything more is built).
    pub(crate) fn count_function(&mut self, span: Span) -> Parse<()> {
        self.functions += 1;
        match crate::limits::function_count_problem(self.functions, self.limits.functions, span) {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }

    pub(crate) fn eat(&mut self, kind: &TokenKind) -> bool {
        if self.peek_kind() == kind {
            self.advance();
            true
        } else {
            false
        }
    }

    pub(crate) fn expect(&mut self, kind: TokenKind, what: &str) -> Parse<Span> {
        if self.peek_kind() == &kind {
            Ok(self.advance().span)
        } else {
            Err(self.unexpected(what))
        }
    }

    pub(crate) fn unexpected(&self, what: &str) -> Diagnostic {
        let token = self.peek();
        syntax(
            format!("expected {what}, found {}", token.kind.describe()),
            token.span,
        )
    }

    pub(crate) fn ident(&mut self, what: &str) -> Parse<Name> {
        match self.peek_kind().clone() {
            TokenKind::Ident(text) if text.contains("::") => Err(syntax(
                format!("expected {what}, found the qualified name `{text}`"),
                self.peek().span,
            )),
            TokenKind::Ident(text) => Ok(Name {
                text,
                span: self.advance().span,
            }),
            _ => Err(self.unexpected(what)),
        }
    }

    /// True when the next token starts a new line inside a block (so it cannot continue).
    pub(crate) fn at_line_break(&self) -> bool {
        self.newlines_significant && self.peek().newline_before
    }

    /// Runs `body` with newline significance set to `significant`, restoring it afterwards.
    pub(crate) fn with_newlines<T>(
        &mut self,
        significant: bool,
        body: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let saved = std::mem::replace(&mut self.newlines_significant, significant);
        let result = body(self);
        self.newlines_significant = saved;
        result
    }

    fn program(&mut self) -> Parse<Program> {
        let mut imports = Vec::new();
        // `import` and `pub` are words only at the top level of a file (not keywords): an
        // `import` line comes before the first function (docs/LANGUAGE.md, "Modules").
        while self.peek_kind() == &TokenKind::Ident("import".into()) {
            self.advance();
            match self.peek_kind().clone() {
                TokenKind::Ident(path) => imports.push(Import {
                    path,
                    span: self.advance().span,
                }),
                _ => return Err(self.unexpected("a module name")),
            }
        }
        let mut functions = Vec::new();
        while self.peek_kind() != &TokenKind::Eof {
            if self.peek_kind() == &TokenKind::Ident("import".into()) {
                return Err(syntax(
                    "an `import` must come before the first function of the file",
                    self.peek().span,
                ));
            }
            functions.push(self.function()?);
        }
        Ok(Program { imports, functions })
    }

    fn function(&mut self) -> Parse<FunctionDef> {
        let public = self.peek_kind() == &TokenKind::Ident("pub".into())
            && self.peek_next_kind() == &TokenKind::Fn;
        let pub_span = public.then(|| self.advance().span);
        let start = self.expect(TokenKind::Fn, "`fn`")?;
        let start = pub_span.unwrap_or(start);
        self.count_function(start)?;
        let name = self.ident("a function name")?;
        self.expect(TokenKind::LeftParen, "`(`")?;
        let mut params = Vec::new();
        while self.peek_kind() != &TokenKind::RightParen {
            params.push(self.ident("a parameter name")?);
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        self.expect(TokenKind::RightParen, "`,` or `)`")?;
        self.expect(TokenKind::Assign, "`=`")?;
        let body = self.with_newlines(false, |p| p.expr())?;
        let span = start.to(body.span);
        Ok(FunctionDef {
            public,
            name,
            params,
            body,
            span,
        })
    }

    /// Runs `body` one nesting level deeper, refusing to go past [`MAX_NESTING`].
    pub(crate) fn nested<T>(&mut self, body: impl FnOnce(&mut Self) -> Parse<T>) -> Parse<T> {
        let base = self.nesting;
        self.deepen()?;
        let result = body(self);
        self.nesting = base;
        result
    }

    /// Counts one more level of nesting (restored by the caller), refusing past the limit.
    pub(crate) fn deepen(&mut self) -> Parse<()> {
        if self.nesting >= MAX_NESTING {
            return Err(syntax(
                format!("expression nested more than {MAX_NESTING} levels deep"),
                self.peek().span,
            ));
        }
        self.nesting += 1;
        Ok(())
    }

    /// An expression: a pipeline, optionally followed by `:= value` (the lowest precedence,
    /// right side a whole expression: `r := !r + 1`).
    pub fn expr(&mut self) -> Parse<Expr> {
        let target = self.nested(|p| p.pipeline())?;
        if self.peek_kind() != &TokenKind::ColonEqual || self.at_line_break() {
            return Ok(target);
        }
        self.advance();
        let value = self.nested(|p| p.expr())?;
        let span = target.span.to(value.span);
        Ok(Expr {
            kind: ExprKind::Assign(Box::new(target), Box::new(value)),
            span,
        })
    }

    pub(crate) fn unary(&mut self) -> Parse<Expr> {
        match self.peek_kind() {
            TokenKind::Minus => {
                let start = self.advance().span;
                let literal_follows = matches!(self.peek_kind(), TokenKind::Int(_))
                    && !matches!(
                        self.peek_next_kind(),
                        TokenKind::LeftParen | TokenKind::LeftBracket
                    );
                if literal_follows {
                    let token = self.advance();
                    let TokenKind::Int(magnitude) = token.kind else {
                        unreachable!("checked above")
                    };
                    let span = start.to(token.span);
                    return Ok(self.int_literal(-(magnitude as i128), span));
                }
                let operand = self.nested(|p| p.unary())?;
                let span = start.to(operand.span);
                Ok(Expr {
                    kind: ExprKind::Negate(Box::new(operand)),
                    span,
                })
            }
            TokenKind::Bang => {
                let start = self.advance().span;
                let operand = self.nested(|p| p.unary())?;
                let span = start.to(operand.span);
                Ok(Expr {
                    kind: ExprKind::Deref(Box::new(operand)),
                    span,
                })
            }
            _ => self.postfix(),
        }
    }

    fn int_literal(&mut self, value: i128, span: Span) -> Expr {
        if value < INT_MIN as i128 || value > INT_MAX as i128 {
            self.errors.push(Diagnostic::new(
                diagnostic::INTEGER_LITERAL_OUT_OF_RANGE,
                "integer literal out of range",
                span,
            ));
            return Expr {
                kind: ExprKind::Unsupported,
                span,
            };
        }
        Expr {
            kind: ExprKind::Int(value as i64),
            span,
        }
    }

    fn postfix(&mut self) -> Parse<Expr> {
        let mut expr = self.primary()?;
        loop {
            if self.at_line_break() {
                return Ok(expr);
            }
            match self.peek_kind() {
                TokenKind::LeftParen => {
                    self.advance();
                    let args = self.with_newlines(false, |p| {
                        p.comma_list(TokenKind::RightParen, |p| p.expr())
                    })?;
                    let end = self.expect(TokenKind::RightParen, "`,` or `)`")?;
                    let span = expr.span.to(end);
                    expr = Expr {
                        kind: ExprKind::Call {
                            callee: Box::new(expr),
                            args,
                        },
                        span,
                    };
                }
                TokenKind::LeftBracket => {
                    self.advance();
                    let index = self.with_newlines(false, |p| p.expr())?;
                    let end = self.expect(TokenKind::RightBracket, "`]`")?;
                    let span = expr.span.to(end);
                    expr = Expr {
                        kind: ExprKind::Index {
                            base: Box::new(expr),
                            index: Box::new(index),
                        },
                        span,
                    };
                }
                TokenKind::Dot => {
                    self.advance();
                    let method = self.ident("a method name")?;
                    self.expect(TokenKind::LeftParen, "`(`")?;
                    let args = self.with_newlines(false, |p| {
                        p.comma_list(TokenKind::RightParen, |p| p.expr())
                    })?;
                    let end = self.expect(TokenKind::RightParen, "`,` or `)`")?;
                    let span = expr.span.to(end);
                    expr = Expr {
                        kind: ExprKind::MethodCall {
                            receiver: Box::new(expr),
                            method,
                            args,
                        },
                        span,
                    };
                }
                _ => return Ok(expr),
            }
        }
    }

    /// Parses `element (, element)* ,?` up to (not including) `close`.
    pub(crate) fn comma_list<T>(
        &mut self,
        close: TokenKind,
        mut element: impl FnMut(&mut Self) -> Parse<T>,
    ) -> Parse<Vec<T>> {
        let mut elements = Vec::new();
        while self.peek_kind() != &close {
            elements.push(element(self)?);
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        Ok(elements)
    }

    fn primary(&mut self) -> Parse<Expr> {
        let token = self.peek().clone();
        let span = token.span;
        let simple = |kind| Ok(Expr { kind, span });
        match token.kind {
            TokenKind::Int(magnitude) => {
                self.advance();
                Ok(self.int_literal(magnitude as i128, span))
            }
            TokenKind::Float(value) => {
                self.advance();
                simple(ExprKind::Float(value))
            }
            TokenKind::Text(text) => {
                self.advance();
                simple(ExprKind::Text(text))
            }
            TokenKind::True | TokenKind::False => {
                self.advance();
                simple(ExprKind::Bool(token.kind == TokenKind::True))
            }
            TokenKind::Ident(name) => {
                self.advance();
                simple(ExprKind::Name(name))
            }
            TokenKind::LeftParen => self.parenthesised(),
            TokenKind::LeftBracket => self.list(),
            TokenKind::HashBrace => self.map(),
            TokenKind::LeftBrace => {
                let (items, span) = self.block()?;
                Ok(Expr {
                    kind: ExprKind::Block(items),
                    span,
                })
            }
            TokenKind::If => self.if_expr(),
            TokenKind::Backslash => self.lambda(),
            TokenKind::Generate => {
                self.advance();
                self.count_function(span)?;
                let (items, block_span) = self.block()?;
                Ok(Expr {
                    kind: ExprKind::Generate(items),
                    span: span.to(block_span),
                })
            }
            TokenKind::Loop => self.loop_expr(),
            _ => Err(self.unexpected("an expression")),
        }
    }
}
