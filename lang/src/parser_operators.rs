//! The parser's binary operator chains, lowest precedence first: `|>` (desugared into a
//! call), `or`, `and`, `not`, comparisons (non-associative), `++`, `+ -`, `* / %`; each
//! further link of a chain counts as one level of nesting. See `parser.rs` for the rest.

use crate::ast::{Expr, ExprKind};
use crate::ir::BinaryOp;
use crate::lexer::TokenKind;
use crate::parser::{Parse, Parser, syntax};

impl Parser<'_> {
    pub(crate) fn pipeline(&mut self) -> Parse<Expr> {
        let base = self.nesting;
        let result = self.pipeline_links();
        self.nesting = base;
        result
    }

    /// Each further link of the chain deepens the (left-nested) tree, so it counts as nesting.
    fn pipeline_links(&mut self) -> Parse<Expr> {
        let mut lhs = self.or_expr()?;
        while self.peek_kind() == &TokenKind::Pipe {
            let pipe = self.advance().span;
            self.deepen()?;
            let rhs = self.or_expr()?;
            let span = lhs.span.to(rhs.span);
            lhs = match rhs.kind {
                ExprKind::Call { callee, mut args } => {
                    args.insert(0, lhs);
                    Expr {
                        kind: ExprKind::Call { callee, args },
                        span,
                    }
                }
                ExprKind::Name(_) => Expr {
                    kind: ExprKind::Call {
                        callee: Box::new(rhs),
                        args: vec![lhs],
                    },
                    span,
                },
                _ => {
                    return Err(syntax(
                        "the right side of `|>` must be a call such as `f(a)` or a name",
                        pipe.to(rhs.span),
                    ));
                }
            };
        }
        Ok(lhs)
    }

    fn or_expr(&mut self) -> Parse<Expr> {
        let base = self.nesting;
        let result = self.or_expr_links();
        self.nesting = base;
        result
    }

    /// Each further link of the chain deepens the (left-nested) tree, so it counts as nesting.
    fn or_expr_links(&mut self) -> Parse<Expr> {
        let mut lhs = self.and_expr()?;
        while self.eat(&TokenKind::Or) {
            self.deepen()?;
            let rhs = self.and_expr()?;
            let span = lhs.span.to(rhs.span);
            lhs = Expr {
                kind: ExprKind::Or(Box::new(lhs), Box::new(rhs)),
                span,
            };
        }
        Ok(lhs)
    }

    fn and_expr(&mut self) -> Parse<Expr> {
        let base = self.nesting;
        let result = self.and_expr_links();
        self.nesting = base;
        result
    }

    /// Each further link of the chain deepens the (left-nested) tree, so it counts as nesting.
    fn and_expr_links(&mut self) -> Parse<Expr> {
        let mut lhs = self.not_expr()?;
        while self.eat(&TokenKind::And) {
            self.deepen()?;
            let rhs = self.not_expr()?;
            let span = lhs.span.to(rhs.span);
            lhs = Expr {
                kind: ExprKind::And(Box::new(lhs), Box::new(rhs)),
                span,
            };
        }
        Ok(lhs)
    }

    fn not_expr(&mut self) -> Parse<Expr> {
        if self.peek_kind() == &TokenKind::Not {
            let start = self.advance().span;
            let operand = self.nested(|p| p.not_expr())?;
            let span = start.to(operand.span);
            return Ok(Expr {
                kind: ExprKind::Not(Box::new(operand)),
                span,
            });
        }
        self.comparison()
    }

    fn comparison_op(&self) -> Option<BinaryOp> {
        Some(match self.peek_kind() {
            TokenKind::EqualEqual => BinaryOp::Eq,
            TokenKind::BangEqual => BinaryOp::Ne,
            TokenKind::Less => BinaryOp::Lt,
            TokenKind::LessEqual => BinaryOp::Le,
            TokenKind::Greater => BinaryOp::Gt,
            TokenKind::GreaterEqual => BinaryOp::Ge,
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
            return Err(syntax(
                "comparison operators are non-associative; use parentheses or `and`",
                self.peek().span,
            ));
        }
        Ok(binary(op, lhs, rhs))
    }

    fn concat(&mut self) -> Parse<Expr> {
        let base = self.nesting;
        let result = self.concat_links();
        self.nesting = base;
        result
    }

    /// Each further link of the chain deepens the (left-nested) tree, so it counts as nesting.
    fn concat_links(&mut self) -> Parse<Expr> {
        let mut lhs = self.additive()?;
        while self.eat(&TokenKind::PlusPlus) {
            self.deepen()?;
            let rhs = self.additive()?;
            lhs = binary(BinaryOp::Concat, lhs, rhs);
        }
        Ok(lhs)
    }

    fn additive(&mut self) -> Parse<Expr> {
        let base = self.nesting;
        let result = self.additive_links();
        self.nesting = base;
        result
    }

    /// Each further link of the chain deepens the (left-nested) tree, so it counts as nesting.
    fn additive_links(&mut self) -> Parse<Expr> {
        let mut lhs = self.multiplicative()?;
        loop {
            let op = match self.peek_kind() {
                TokenKind::Plus => BinaryOp::Add,
                TokenKind::Minus if !self.at_line_break() => BinaryOp::Sub,
                _ => return Ok(lhs),
            };
            self.advance();
            self.deepen()?;
            let rhs = self.multiplicative()?;
            lhs = binary(op, lhs, rhs);
        }
    }

    fn multiplicative(&mut self) -> Parse<Expr> {
        let base = self.nesting;
        let result = self.multiplicative_links();
        self.nesting = base;
        result
    }

    /// Each further link of the chain deepens the (left-nested) tree, so it counts as nesting.
    fn multiplicative_links(&mut self) -> Parse<Expr> {
        let mut lhs = self.unary()?;
        loop {
            let op = match self.peek_kind() {
                TokenKind::Star => BinaryOp::Mul,
                TokenKind::Slash => BinaryOp::Div,
                TokenKind::Percent => BinaryOp::Rem,
                _ => return Ok(lhs),
            };
            self.advance();
            self.deepen()?;
            let rhs = self.unary()?;
            lhs = binary(op, lhs, rhs);
        }
    }
}

fn binary(op: BinaryOp, lhs: Expr, rhs: Expr) -> Expr {
    let span = lhs.span.to(rhs.span);
    Expr {
        kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
        span,
    }
}
