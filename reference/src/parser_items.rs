//! Block items and binding patterns (docs/LANGUAGE.md, *Blocks*): binds, tuple
//! destructuring, the generator-only items, and where an item ends.

use std::collections::HashSet;

use crate::Diagnostic;
use crate::ast::*;
use crate::lexer::Tok;
use crate::parser::{Parse, Parser, expr, syntax};

impl Parser<'_> {
    /// A name or a tuple of names; duplicate names are E0102 (at the second one).
    pub(crate) fn pattern(&mut self, target: Expr) -> Option<Pattern> {
        match target.kind {
            ExprKind::Name(n) => Some(Pattern::Name(n)),
            ExprKind::Tuple(elements) => {
                let names: Vec<Name> = elements
                    .into_iter()
                    .map(|e| match e.kind {
                        ExprKind::Name(text) => Some(Name {
                            text,
                            start: e.start,
                        }),
                        _ => None,
                    })
                    .collect::<Option<_>>()?;
                let mut seen = HashSet::new();
                for n in &names {
                    if !seen.insert(n.text.clone()) {
                        self.errors.push(Diagnostic::new(
                            "E0102",
                            format!(
                                "duplicate definition: `{}` is bound twice in one pattern",
                                n.text
                            ),
                            n.start,
                            n.start + n.text.len(),
                        ));
                    }
                }
                Some(Pattern::Tuple(names))
            }
            _ => None,
        }
    }

    pub(crate) fn block(&mut self) -> Parse<(Vec<Item>, usize)> {
        self.expect("{", "`{`")?;
        self.with_newlines(true, |p| {
            let mut items = Vec::new();
            loop {
                while p.eat(";") {}
                if p.is("}") {
                    return Ok((items, p.advance().end));
                }
                items.push(p.item()?);
                if !(p.is(";") || p.is("}") || p.tokens[p.at].newline_before) {
                    return Err(p.unexpected("`;`, a newline or `}` after a block item"));
                }
            }
        })
    }

    fn item(&mut self) -> Parse<Item> {
        let start = self.tokens[self.at].start;
        let item = |kind| Ok(Item { kind, start });
        for (word, make) in [
            ("when", ItemKind::Filter as fn(Expr) -> ItemKind),
            ("yield", ItemKind::Yield),
            ("recurse", ItemKind::Recurse),
        ] {
            if self.eat(word) {
                return item(make(self.expr()?));
            }
        }
        if matches!(self.peek(), Tok::Name(_)) && self.peek_at(1) == &Tok::Sym("<-") {
            let name = self.name("a name")?;
            self.advance();
            return item(ItemKind::BindFrom(name.text, self.expr()?));
        }
        let target = self.expr()?;
        if self.is("=") {
            let assign_end = self.advance().end;
            let value = self.expr()?;
            let (target_start, _) = (target.start, target.end);
            return match self.pattern(target) {
                Some(pattern) => item(ItemKind::Bind(pattern, value)),
                None => Err(syntax(
                    "the left side of `=` must be a name or a tuple of names",
                    target_start,
                    assign_end,
                )),
            };
        }
        if self.eat(":=") {
            let value = self.expr()?;
            let (s, e) = (target.start, value.end);
            return item(ItemKind::Expr(expr(
                ExprKind::Assign(Box::new(target), Box::new(value)),
                s,
                e,
            )));
        }
        item(ItemKind::Expr(target))
    }
}
