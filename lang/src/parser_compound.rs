//! The parser's compound forms: parenthesised expressions and tuples, list and map
//! literals, `if`, lambdas (parsed, then rejected with E0202), blocks and block items
//! (Bind, tuple destructuring, Expr, and the generator-only items). See `parser.rs` for the
//! precedence and newline rules.

use crate::ast::{Expr, ExprKind, Item, ItemKind, ListElement, LoopPattern, Name, TuplePattern};
use crate::diagnostic::Diagnostic;
use crate::ir::Span;
use crate::lexer::TokenKind;
use crate::limits;
use crate::parser::{Parse, Parser, syntax};

impl Parser<'_> {
    pub(crate) fn parenthesised(&mut self) -> Parse<Expr> {
        let start = self.advance().span;
        self.with_newlines(false, |p| {
            if p.peek_kind() == &TokenKind::RightParen {
                let end = p.advance().span;
                return Ok(Expr {
                    kind: ExprKind::Unit,
                    span: start.to(end),
                });
            }
            let first = p.expr()?;
            if p.peek_kind() == &TokenKind::RightParen {
                p.advance();
                return Ok(first);
            }
            p.expect(TokenKind::Comma, "`,` or `)`")?;
            let elements =
                p.literal_elements(TokenKind::RightParen, "tuple", start, vec![first], |p| {
                    p.expr()
                })?;
            let end = p.expect(TokenKind::RightParen, "`,` or `)`")?;
            let span = start.to(end);
            Ok(Expr {
                kind: ExprKind::Tuple(elements),
                span,
            })
        })
    }

    pub(crate) fn list(&mut self) -> Parse<Expr> {
        let start = self.advance().span;
        self.with_newlines(false, |p| {
            let elements =
                p.literal_elements(TokenKind::RightBracket, "list", start, Vec::new(), |p| {
                    if p.eat(&TokenKind::Ellipsis) {
                        Ok(ListElement::Spread(p.expr()?))
                    } else {
                        Ok(ListElement::Single(p.expr()?))
                    }
                })?;
            let end = p.expect(TokenKind::RightBracket, "`,` or `]`")?;
            let span = start.to(end);
            Ok(Expr {
                kind: ExprKind::List(elements),
                span,
            })
        })
    }

    pub(crate) fn map(&mut self) -> Parse<Expr> {
        let start = self.advance().span;
        self.with_newlines(false, |p| {
            let entries =
                p.literal_elements(TokenKind::RightBrace, "map", start, Vec::new(), |p| {
                    let key = p.expr()?;
                    p.expect(TokenKind::Colon, "`:` after a map key")?;
                    Ok((key, p.expr()?))
                })?;
            let end = p.expect(TokenKind::RightBrace, "`,` or `}`")?;
            let span = start.to(end);
            Ok(Expr {
                kind: ExprKind::Map(entries),
                span,
            })
        })
    }

    pub(crate) fn if_expr(&mut self) -> Parse<Expr> {
        let start = self.advance().span;
        let (condition, then_branch) = self.with_newlines(false, |p| {
            let condition = p.expr()?;
            p.expect(TokenKind::Then, "`then`")?;
            let then_branch = p.expr()?;
            Ok::<_, Diagnostic>((condition, then_branch))
        })?;
        self.expect(TokenKind::Else, "`else` (every `if` needs one)")?;
        let else_branch = self.expr()?;
        let span = start.to(else_branch.span);
        Ok(Expr {
            kind: ExprKind::If {
                condition: Box::new(condition),
                then_branch: Box::new(then_branch),
                else_branch: Box::new(else_branch),
            },
            span,
        })
    }

    /// `\x, y -> body` (`\ -> body` takes no params). The body extends as far as possible.
    pub(crate) fn lambda(&mut self) -> Parse<Expr> {
        let start = self.advance().span;
        self.count_function(start)?;
        let params = self.with_newlines(false, |p| {
            p.comma_list(TokenKind::RightArrow, |p| p.ident("a lambda parameter"))
        })?;
        self.expect(TokenKind::RightArrow, "`->`")?;
        let body = self.nested(|p| p.expr())?;
        let span = start.to(body.span);
        Ok(Expr {
            kind: ExprKind::Lambda {
                params,
                body: Box::new(body),
            },
            span,
        })
    }

    /// `loop pattern = init { items }`.
    pub(crate) fn loop_expr(&mut self) -> Parse<Expr> {
        let start = self.advance().span;
        self.count_function(start)?;
        let pattern_expr = self.with_newlines(false, |p| p.expr())?;
        self.expect(TokenKind::Assign, "`=` after the loop pattern")?;
        let init = self.with_newlines(false, |p| p.expr())?;
        let (body, block_span) = self.block()?;
        let pattern = match binding_pattern(&pattern_expr) {
            Some(Pattern::Single(name)) => LoopPattern::Name(name),
            Some(Pattern::Tuple(names)) => LoopPattern::Tuple(TuplePattern {
                names: self.unique_pattern_names(names),
                span: pattern_expr.span,
            }),
            None => {
                return Err(syntax(
                    "the pattern of `loop` must be a name or a tuple of names",
                    pattern_expr.span,
                ));
            }
        };
        Ok(Expr {
            kind: ExprKind::Loop {
                pattern: Box::new(pattern),
                init: Box::new(init),
                body,
            },
            span: start.to(block_span),
        })
    }

    /// `{ item (; | newline) ... }`. Returns the items and the span of the braces. Plain and
    /// generator blocks parse alike; lowering rejects generator items in plain blocks (E0201).
    pub(crate) fn block(&mut self) -> Parse<(Vec<Item>, Span)> {
        let start = self.expect(TokenKind::LeftBrace, "`{`")?;
        self.with_newlines(true, |p| {
            let mut items = Vec::new();
            loop {
                while p.eat(&TokenKind::Semicolon) {}
                if p.peek_kind() == &TokenKind::RightBrace {
                    let end = p.advance().span;
                    return Ok((items, start.to(end)));
                }
                items.push(p.item()?);
                let separated =
                    matches!(p.peek_kind(), TokenKind::Semicolon | TokenKind::RightBrace)
                        || p.peek().newline_before;
                if !separated {
                    return Err(p.unexpected("`;`, a newline or `}` after a block item"));
                }
            }
        })
    }

    fn item(&mut self) -> Parse<Item> {
        let start = self.peek().span;
        let keyword_item = |p: &mut Self, make: fn(Expr) -> ItemKind| {
            p.advance();
            let expr = p.expr()?;
            let span = start.to(expr.span);
            Ok(Item {
                kind: make(expr),
                span,
            })
        };
        match self.peek_kind() {
            TokenKind::When => return keyword_item(self, ItemKind::Filter),
            TokenKind::Yield => return keyword_item(self, ItemKind::Yield),
            TokenKind::Recurse => return keyword_item(self, ItemKind::Recurse),
            TokenKind::Ident(_) if self.peek_next_kind() == &TokenKind::LeftArrow => {
                let name = self.ident("a name")?;
                self.advance();
                let expr = self.expr()?;
                let span = start.to(expr.span);
                return Ok(Item {
                    kind: ItemKind::BindFrom(name, expr),
                    span,
                });
            }
            _ => {}
        }
        let expr = self.expr()?;
        match self.peek_kind() {
            TokenKind::Assign => {
                let assign = self.advance().span;
                let value = self.expr()?;
                let span = start.to(value.span);
                let kind = match binding_pattern(&expr) {
                    Some(Pattern::Single(name)) => ItemKind::Bind(name, value),
                    Some(Pattern::Tuple(names)) => ItemKind::Destructure(
                        TuplePattern {
                            names: self.unique_pattern_names(names),
                            span: expr.span,
                        },
                        value,
                    ),
                    None => {
                        return Err(syntax(
                            "the left side of `=` must be a name or a tuple of names",
                            expr.span.to(assign),
                        ));
                    }
                };
                Ok(Item { kind, span })
            }
            TokenKind::ColonEqual => {
                self.advance();
                let value = self.expr()?;
                let span = start.to(value.span);
                let expr = Expr {
                    kind: ExprKind::Assign(Box::new(expr), Box::new(value)),
                    span,
                };
                Ok(Item {
                    kind: ItemKind::Expr(expr),
                    span,
                })
            }
            _ => {
                let span = expr.span;
                Ok(Item {
                    kind: ItemKind::Expr(expr),
                    span,
                })
            }
        }
    }
}

impl Parser<'_> {
    /// The elements of a `kind` literal opened at `start` (after `first`), as
    /// [`Parser::comma_list`] parses them, but refused with E0403 at the first element past
    /// the limit, before the rest is parsed. Its span runs from the literal's opening
    /// bracket to that element.
    fn literal_elements<T>(
        &mut self,
        close: TokenKind,
        kind: &str,
        start: Span,
        mut elements: Vec<T>,
        mut element: impl FnMut(&mut Self) -> Parse<T>,
    ) -> Parse<Vec<T>> {
        while self.peek_kind() != &close {
            let at = self.peek().span;
            let limit = self.limits.literal_elements;
            if let Some(problem) =
                limits::literal_problem(kind, elements.len() + 1, limit, start.to(at))
            {
                return Err(problem);
            }
            elements.push(element(self)?);
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        Ok(elements)
    }

    /// `names` of a tuple pattern, after recording E0102 for each name bound twice.
    fn unique_pattern_names(&mut self, names: Vec<Name>) -> Vec<Name> {
        crate::resolve::check_pattern_names(&names, &mut self.errors);
        names
    }
}

enum Pattern {
    Single(Name),
    Tuple(Vec<Name>),
}

fn binding_pattern(expr: &Expr) -> Option<Pattern> {
    let as_name = |expr: &Expr| match &expr.kind {
        // A qualified name (`m::f`) is not a binding target.
        ExprKind::Name(text) if !text.contains("::") => Some(Name {
            text: text.clone(),
            span: expr.span,
        }),
        _ => None,
    };
    match &expr.kind {
        ExprKind::Name(_) => as_name(expr).map(Pattern::Single),
        ExprKind::Tuple(elements) => elements
            .iter()
            .map(as_name)
            .collect::<Option<Vec<_>>>()
            .map(Pattern::Tuple),
        _ => None,
    }
}
