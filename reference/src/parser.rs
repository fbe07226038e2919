//! A recursive-descent parser for the grammar of docs/LANGUAGE.md: precedence (lowest
//! first) `:=`, `|>`, `or`, `and`, `not`, comparisons (non-associative), `++`, `+ -`,
//! `* / %`, prefix `-` and `!`, postfix call and index; blocks whose items end at line
//! breaks (a line starting with `(`, `[` or `-` begins a new item); the 256-level nesting
//! limit. The first syntax error stops the parse; E0003 and duplicate pattern names are
//! collected and parsing goes on.

use std::rc::Rc;

use crate::Diagnostic;
use crate::ast::*;
use crate::lexer::{Tok, Token, tokenize};
use crate::value::{INT_MAX, INT_MIN};

const MAX_NESTING: usize = 256;

pub(crate) type Parse<T> = Result<T, Diagnostic>;

pub struct Parser<'a> {
    text: &'a str,
    pub(crate) tokens: Vec<Token>,
    pub(crate) at: usize,
    newlines: bool,
    nesting: usize,
    pub errors: Vec<Diagnostic>,
}

/// `LINE:COL` (1-based; the column counts characters) of byte `offset`.
pub fn position(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    format!("{line}:{}", before[line_start..].chars().count() + 1)
}

/// The functions of `text`, or the diagnostics that stop compilation at the parse.
pub fn parse(text: &str) -> Result<(Vec<Function>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let tokens = tokenize(text).map_err(|d| vec![d])?;
    let mut p = Parser {
        text,
        tokens,
        at: 0,
        newlines: false,
        nesting: 0,
        errors: Vec::new(),
    };
    let mut functions = Vec::new();
    while p.peek() != &Tok::Eof {
        match p.function() {
            Ok(f) => functions.push(f),
            Err(fatal) => {
                p.errors.push(fatal);
                return Err(p.errors);
            }
        }
    }
    Ok((functions, p.errors))
}

pub(crate) fn syntax(message: impl Into<String>, start: usize, end: usize) -> Diagnostic {
    Diagnostic::new("E0001", message.into(), start, end)
}

pub(crate) fn expr(kind: ExprKind, start: usize, end: usize) -> Expr {
    Expr { kind, start, end }
}

fn binary(op: BinOp, l: Expr, r: Expr) -> Expr {
    let (start, end) = (l.start, r.end);
    expr(ExprKind::Binary(op, Box::new(l), Box::new(r)), start, end)
}

impl Parser<'_> {
    pub(crate) fn peek(&self) -> &Tok {
        &self.tokens[self.at].tok
    }
    pub(crate) fn peek_at(&self, ahead: usize) -> &Tok {
        &self.tokens[(self.at + ahead).min(self.tokens.len() - 1)].tok
    }
    pub(crate) fn is(&self, sym: &str) -> bool {
        matches!(self.peek(), Tok::Sym(s) if *s == sym)
    }
    pub(crate) fn advance(&mut self) -> Token {
        let token = self.tokens[self.at].clone();
        if token.tok != Tok::Eof {
            self.at += 1;
        }
        token
    }
    pub(crate) fn eat(&mut self, sym: &str) -> bool {
        let found = self.is(sym);
        if found {
            self.advance();
        }
        found
    }
    pub(crate) fn unexpected(&self, what: &str) -> Diagnostic {
        let t = &self.tokens[self.at];
        syntax(
            format!("expected {what}, found {}", t.tok.describe()),
            t.start,
            t.end,
        )
    }
    pub(crate) fn expect(&mut self, sym: &str, what: &str) -> Parse<usize> {
        if self.is(sym) {
            Ok(self.advance().end)
        } else {
            Err(self.unexpected(what))
        }
    }
    pub(crate) fn name(&mut self, what: &str) -> Parse<Name> {
        match self.peek().clone() {
            Tok::Name(text) => Ok(Name {
                text,
                start: self.advance().start,
            }),
            _ => Err(self.unexpected(what)),
        }
    }
    fn line_break(&self) -> bool {
        self.newlines && self.tokens[self.at].newline_before
    }
    pub(crate) fn with_newlines<T>(&mut self, on: bool, body: impl FnOnce(&mut Self) -> T) -> T {
        let saved = std::mem::replace(&mut self.newlines, on);
        let result = body(self);
        self.newlines = saved;
        result
    }
    fn deepen(&mut self) -> Parse<()> {
        if self.nesting >= MAX_NESTING {
            let t = &self.tokens[self.at];
            return Err(syntax(
                format!("expression nested more than {MAX_NESTING} levels deep"),
                t.start,
                t.end,
            ));
        }
        self.nesting += 1;
        Ok(())
    }
    /// Runs `body` one level deeper; the level is given back afterwards.
    fn nested<T>(&mut self, body: impl FnOnce(&mut Self) -> Parse<T>) -> Parse<T> {
        let base = self.nesting;
        self.deepen()?;
        let result = body(self);
        self.nesting = base;
        result
    }
    /// A left-associative chain: every link is one level deeper, all given back after.
    fn chain(
        &mut self,
        operand: fn(&mut Self) -> Parse<Expr>,
        op: fn(&Self) -> Option<BinOp>,
    ) -> Parse<Expr> {
        let base = self.nesting;
        let result = (|| {
            let mut lhs = operand(self)?;
            while let Some(op) = op(self) {
                self.advance();
                self.deepen()?;
                let rhs = operand(self)?;
                lhs = binary(op, lhs, rhs);
            }
            Ok(lhs)
        })();
        self.nesting = base;
        result
    }

    fn function(&mut self) -> Parse<Function> {
        self.expect("fn", "`fn`")?;
        let name = self.name("a function name")?;
        self.expect("(", "`(`")?;
        let mut params = Vec::new();
        while !self.is(")") {
            params.push(self.name("a parameter name")?);
            if !self.eat(",") {
                break;
            }
        }
        self.expect(")", "`,` or `)`")?;
        self.expect("=", "`=`")?;
        let body = Rc::new(self.with_newlines(false, |p| p.expr())?);
        Ok(Function { name, params, body })
    }

    pub fn expr(&mut self) -> Parse<Expr> {
        let target = self.nested(|p| p.pipeline())?;
        if !self.is(":=") || self.line_break() {
            return Ok(target);
        }
        self.advance();
        let value = self.nested(|p| p.expr())?;
        let (start, end) = (target.start, value.end);
        Ok(expr(
            ExprKind::Assign(Box::new(target), Box::new(value)),
            start,
            end,
        ))
    }

    fn pipeline(&mut self) -> Parse<Expr> {
        let base = self.nesting;
        let result = (|| {
            let mut lhs = self.or_expr()?;
            while self.is("|>") {
                let pipe = self.advance().start;
                self.deepen()?;
                let rhs = self.or_expr()?;
                let (start, end) = (lhs.start, rhs.end);
                lhs = match rhs.kind {
                    ExprKind::Call(callee, mut args) => {
                        args.insert(0, lhs);
                        expr(ExprKind::Call(callee, args), start, end)
                    }
                    ExprKind::Name(_) => expr(ExprKind::Call(Box::new(rhs), vec![lhs]), start, end),
                    _ => {
                        return Err(syntax(
                            "the right side of `|>` must be a call such as `f(a)` or a name",
                            pipe,
                            end,
                        ));
                    }
                };
            }
            Ok(lhs)
        })();
        self.nesting = base;
        result
    }

    fn logical(&mut self, word: &str, operand: fn(&mut Self) -> Parse<Expr>) -> Parse<Expr> {
        let base = self.nesting;
        let result = (|| {
            let mut lhs = operand(self)?;
            while self.eat(word) {
                self.deepen()?;
                let rhs = operand(self)?;
                let (start, end) = (lhs.start, rhs.end);
                let (l, r) = (Box::new(lhs), Box::new(rhs));
                let kind = if word == "or" {
                    ExprKind::Or(l, r)
                } else {
                    ExprKind::And(l, r)
                };
                lhs = expr(kind, start, end);
            }
            Ok(lhs)
        })();
        self.nesting = base;
        result
    }

    fn or_expr(&mut self) -> Parse<Expr> {
        self.logical("or", |p| p.logical("and", Self::not_expr))
    }

    fn not_expr(&mut self) -> Parse<Expr> {
        if self.is("not") {
            let start = self.advance().start;
            let operand = self.nested(|p| p.not_expr())?;
            let end = operand.end;
            return Ok(expr(ExprKind::Not(Box::new(operand)), start, end));
        }
        self.comparison()
    }

    fn comparison_op(&self) -> Option<BinOp> {
        Some(match self.peek() {
            Tok::Sym("==") => BinOp::Eq,
            Tok::Sym("!=") => BinOp::Ne,
            Tok::Sym("<") => BinOp::Lt,
            Tok::Sym("<=") => BinOp::Le,
            Tok::Sym(">") => BinOp::Gt,
            Tok::Sym(">=") => BinOp::Ge,
            _ => return None,
        })
    }

    fn comparison(&mut self) -> Parse<Expr> {
        let lhs = self.concat()?;
        let Some(op) = self.comparison_op() else {
            return Ok(lhs);
        };
        self.advance();
        let rhs = self.concat()?;
        if self.comparison_op().is_some() {
            let t = &self.tokens[self.at];
            return Err(syntax(
                "comparison operators are non-associative; use parentheses or `and`",
                t.start,
                t.end,
            ));
        }
        Ok(binary(op, lhs, rhs))
    }

    fn concat(&mut self) -> Parse<Expr> {
        self.chain(Self::additive, |p| p.is("++").then_some(BinOp::Concat))
    }

    fn additive(&mut self) -> Parse<Expr> {
        self.chain(Self::multiplicative, |p| match p.peek() {
            Tok::Sym("+") => Some(BinOp::Add),
            Tok::Sym("-") if !p.line_break() => Some(BinOp::Sub),
            _ => None,
        })
    }

    fn multiplicative(&mut self) -> Parse<Expr> {
        self.chain(Self::unary, |p| match p.peek() {
            Tok::Sym("*") => Some(BinOp::Mul),
            Tok::Sym("/") => Some(BinOp::Div),
            Tok::Sym("%") => Some(BinOp::Rem),
            _ => None,
        })
    }

    fn int_literal(&mut self, value: i128, start: usize, end: usize) -> Expr {
        if value < INT_MIN as i128 || value > INT_MAX as i128 {
            self.errors.push(Diagnostic::new(
                "E0003",
                "integer literal out of range".into(),
                start,
                end,
            ));
            return expr(ExprKind::Invalid, start, end);
        }
        expr(ExprKind::Int(value as i64), start, end)
    }

    fn unary(&mut self) -> Parse<Expr> {
        if self.is("-") {
            let start = self.advance().start;
            // `-` directly before an Int literal is folded into it (not before `(` or `[`).
            if let Tok::Int(magnitude) = *self.peek()
                && !matches!(self.peek_at(1), Tok::Sym("(" | "["))
            {
                let end = self.advance().end;
                return Ok(self.int_literal(-(magnitude as i128), start, end));
            }
            let operand = self.nested(|p| p.unary())?;
            let end = operand.end;
            return Ok(expr(ExprKind::Negate(Box::new(operand)), start, end));
        }
        if self.is("!") {
            let start = self.advance().start;
            let operand = self.nested(|p| p.unary())?;
            let end = operand.end;
            return Ok(expr(ExprKind::Deref(Box::new(operand)), start, end));
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Parse<Expr> {
        let mut e = self.primary()?;
        while !self.line_break() {
            if self.eat("(") {
                let args = self.with_newlines(false, |p| p.comma_list(")", |p| p.expr()))?;
                let end = self.expect(")", "`,` or `)`")?;
                let start = e.start;
                e = expr(ExprKind::Call(Box::new(e), args), start, end);
            } else if self.eat("[") {
                let index = self.with_newlines(false, |p| p.expr())?;
                let end = self.expect("]", "`]`")?;
                let start = e.start;
                e = expr(ExprKind::Index(Box::new(e), Box::new(index)), start, end);
            } else if self.eat(".") {
                let method = self.name("a method name")?;
                self.expect("(", "`(`")?;
                let args = self.with_newlines(false, |p| p.comma_list(")", |p| p.expr()))?;
                let end = self.expect(")", "`,` or `)`")?;
                let start = e.start;
                e = expr(
                    ExprKind::MethodCall(Box::new(e), method.text, args),
                    start,
                    end,
                );
            } else {
                break;
            }
        }
        Ok(e)
    }

    fn comma_list<T>(
        &mut self,
        close: &str,
        mut element: impl FnMut(&mut Self) -> Parse<T>,
    ) -> Parse<Vec<T>> {
        let mut out = Vec::new();
        while !self.is(close) {
            out.push(element(self)?);
            if !self.eat(",") {
                break;
            }
        }
        Ok(out)
    }

    fn primary(&mut self) -> Parse<Expr> {
        let t = self.tokens[self.at].clone();
        let simple = |p: &mut Self, kind| {
            p.advance();
            Ok(expr(kind, t.start, t.end))
        };
        match t.tok {
            Tok::Int(n) => {
                self.advance();
                Ok(self.int_literal(n as i128, t.start, t.end))
            }
            Tok::Float(x) => simple(self, ExprKind::Float(x)),
            Tok::Text(s) => simple(self, ExprKind::Text(Rc::from(s.as_str()))),
            Tok::Sym("true") => simple(self, ExprKind::Bool(true)),
            Tok::Sym("false") => simple(self, ExprKind::Bool(false)),
            Tok::Name(n) => simple(self, ExprKind::Name(n)),
            Tok::Sym("(") => self.parenthesised(),
            Tok::Sym("[") => {
                self.advance();
                let elements = self.with_newlines(false, |p| {
                    p.comma_list("]", |p| Ok((p.eat("..."), p.expr()?)))
                })?;
                let end = self.expect("]", "`,` or `]`")?;
                Ok(expr(ExprKind::List(elements), t.start, end))
            }
            Tok::Sym("#{") => {
                self.advance();
                let entries = self.with_newlines(false, |p| {
                    p.comma_list("}", |p| {
                        let key = p.expr()?;
                        p.expect(":", "`:` after a map key")?;
                        Ok((key, p.expr()?))
                    })
                })?;
                let end = self.expect("}", "`,` or `}`")?;
                Ok(expr(ExprKind::Map(entries), t.start, end))
            }
            Tok::Sym("{") => {
                let (items, end) = self.block()?;
                Ok(expr(ExprKind::Block(items), t.start, end))
            }
            Tok::Sym("if") => {
                self.advance();
                let (c, a) = self.with_newlines(false, |p| {
                    let c = p.expr()?;
                    p.expect("then", "`then`")?;
                    Ok::<_, Diagnostic>((c, p.expr()?))
                })?;
                self.expect("else", "`else` (every `if` needs one)")?;
                let b = self.expr()?;
                let end = b.end;
                Ok(expr(
                    ExprKind::If(Box::new(c), Box::new(a), Box::new(b)),
                    t.start,
                    end,
                ))
            }
            Tok::Sym("\\") => {
                self.advance();
                let params = self.with_newlines(false, |p| {
                    p.comma_list("->", |p| p.name("a lambda parameter"))
                })?;
                self.expect("->", "`->`")?;
                let body = self.nested(|p| p.expr())?;
                let end = body.end;
                let name = Rc::from(format!("lambda@{}", position(self.text, t.start)));
                let free = Rc::new(crate::resolve::free_names(&body, &params));
                let lambda = ExprKind::Lambda {
                    name,
                    params: Rc::new(params),
                    body: Rc::new(body),
                    free,
                };
                Ok(expr(lambda, t.start, end))
            }
            Tok::Sym("generate") => {
                self.advance();
                let (items, end) = self.block()?;
                Ok(expr(ExprKind::Generate(Rc::new(items)), t.start, end))
            }
            Tok::Sym("loop") => {
                self.advance();
                let target = self.with_newlines(false, |p| p.expr())?;
                self.expect("=", "`=` after the loop pattern")?;
                let init = self.with_newlines(false, |p| p.expr())?;
                let (body, end) = self.block()?;
                let Some(pattern) = self.pattern(target) else {
                    return Err(syntax(
                        "the pattern of `loop` must be a name or a tuple of names",
                        t.start,
                        end,
                    ));
                };
                let name = Rc::from(format!("loop@{}", position(self.text, t.start)));
                let pattern = Rc::new(pattern);
                Ok(expr(
                    ExprKind::Loop {
                        name,
                        pattern,
                        init: Box::new(init),
                        body: Rc::new(body),
                    },
                    t.start,
                    end,
                ))
            }
            _ => Err(self.unexpected("an expression")),
        }
    }

    fn parenthesised(&mut self) -> Parse<Expr> {
        let start = self.advance().start;
        self.with_newlines(false, |p| {
            if p.is(")") {
                let end = p.advance().end;
                return Ok(expr(ExprKind::Unit, start, end));
            }
            let first = p.expr()?;
            if p.eat(")") {
                return Ok(first);
            }
            p.expect(",", "`,` or `)`")?;
            let mut elements = vec![first];
            elements.extend(p.comma_list(")", |p| p.expr())?);
            let end = p.expect(")", "`,` or `)`")?;
            Ok(expr(ExprKind::Tuple(elements), start, end))
        })
    }
}
