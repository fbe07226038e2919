//! Free names of an expression or a list of block items: the names a lambda (or a piece of
//! a desugared generator) uses without binding them itself, in order of first use. Lowering
//! captures those that are locals of the enclosing function; the others are functions or
//! builtins (or unknown, reported when the body is lowered).

use crate::ast::{Expr, ExprKind, Item, ItemKind, ListElement, LoopPattern};

/// The name under which a `loop` body sees its own closure (what `recurse` restarts); not an
/// identifier, so no source name can shadow or capture it by accident.
pub const LOOP_SELF: &str = "<loop>";

/// Free names of `expr` given the names in `bound`, in order of first use.
pub fn free_names_of_expr(expr: &Expr, bound: &[String]) -> Vec<String> {
    let mut walker = Walker {
        bound: bound.to_vec(),
        free: Vec::new(),
    };
    walker.expr(expr);
    walker.free
}

/// Free names of the block items `items` given the names in `bound`.
pub fn free_names_of_items(items: &[Item], bound: &[String]) -> Vec<String> {
    let mut walker = Walker {
        bound: bound.to_vec(),
        free: Vec::new(),
    };
    walker.items(items);
    walker.free
}

struct Walker {
    bound: Vec<String>,
    free: Vec<String>,
}

impl Walker {
    fn use_name(&mut self, name: &str) {
        if !self.bound.iter().any(|b| b == name) && !self.free.iter().any(|f| f == name) {
            self.free.push(name.to_string());
        }
    }

    fn scoped(&mut self, body: impl FnOnce(&mut Self)) {
        let mark = self.bound.len();
        body(self);
        self.bound.truncate(mark);
    }

    fn expr(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Unit
            | ExprKind::Text(_)
            | ExprKind::Unsupported => {}
            ExprKind::Name(name) => self.use_name(name),
            ExprKind::Negate(e) | ExprKind::Not(e) | ExprKind::Deref(e) => self.expr(e),
            ExprKind::Binary(_, a, b)
            | ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Assign(a, b)
            | ExprKind::Index { base: a, index: b } => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::If {
                condition,
                then_branch,
                else_branch,
            } => {
                self.expr(condition);
                self.expr(then_branch);
                self.expr(else_branch);
            }
            ExprKind::Call { callee, args } => {
                self.expr(callee);
                args.iter().for_each(|a| self.expr(a));
            }
            ExprKind::MethodCall { receiver, args, .. } => {
                self.expr(receiver);
                args.iter().for_each(|a| self.expr(a));
            }
            ExprKind::List(elements) => {
                for element in elements {
                    match element {
                        ListElement::Single(e) | ListElement::Spread(e) => self.expr(e),
                    }
                }
            }
            ExprKind::Tuple(elements) => elements.iter().for_each(|e| self.expr(e)),
            ExprKind::Map(entries) => {
                for (key, value) in entries {
                    self.expr(key);
                    self.expr(value);
                }
            }
            ExprKind::Block(items) | ExprKind::Generate(items) => {
                self.scoped(|walker| walker.items(items));
            }
            ExprKind::Lambda { params, body } => self.scoped(|walker| {
                walker.bound.extend(params.iter().map(|p| p.text.clone()));
                walker.expr(body);
            }),
            ExprKind::Loop {
                pattern,
                init,
                body,
            } => {
                self.expr(init);
                self.scoped(|walker| {
                    match &**pattern {
                        LoopPattern::Name(name) => walker.bound.push(name.text.clone()),
                        LoopPattern::Tuple(tuple) => walker
                            .bound
                            .extend(tuple.names.iter().map(|n| n.text.clone())),
                    }
                    walker.bound.push(LOOP_SELF.to_string());
                    walker.items(body);
                });
            }
        }
    }

    /// Items in order; a Bind (or Bind-from) makes its names visible to later items.
    fn items(&mut self, items: &[Item]) {
        for item in items {
            match &item.kind {
                ItemKind::Bind(name, e) | ItemKind::BindFrom(name, e) => {
                    self.expr(e);
                    self.bound.push(name.text.clone());
                }
                ItemKind::Destructure(pattern, e) => {
                    self.expr(e);
                    self.bound
                        .extend(pattern.names.iter().map(|n| n.text.clone()));
                }
                ItemKind::Expr(e) | ItemKind::Filter(e) | ItemKind::Yield(e) => self.expr(e),
                ItemKind::Recurse(e) => {
                    self.expr(e);
                    self.use_name(LOOP_SELF);
                }
            }
        }
    }
}
