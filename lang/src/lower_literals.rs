//! Lowering of list, tuple and map literals. A literal whose elements can fail is built so
//! that the IR stays linear in its length: past [`LIST_LITERAL_CHUNK`] list elements, or
//! [`GATHERED_LITERAL_CHUNK`] tuple elements (map keys and values), the evaluated elements
//! are gathered into a List push by push, so that what the RC pass holds at each element
//! (and so each fallible op's cleanup) is bounded: one `MakeList`, `MakeTuple` or `MakeMap`
//! of N fallible elements would list every earlier element in every later element's
//! cleanup, quadratic in N. A gathered tuple or map is finished by one builtin
//! (`TupleFromList`, `MapFromList`) that builds it from the List at the literal's span, so a
//! map's RT0104 is still raised after every element is evaluated, at the literal.

use crate::ast::{Expr, ExprKind, ListElement};
use crate::ir::{Builtin, OpKind, Span, Var};
use crate::lower::FunctionLowerer;

/// The most elements a list literal's first `MakeList` takes; past this (unless every
/// element is a constant) the rest are pushed.
pub const LIST_LITERAL_CHUNK: usize = 256;

/// The most words (elements of a tuple; a key and a value per map entry) a tuple or map
/// literal gathers with its first `MakeList`; a longer literal (unless every element is a
/// constant) pushes the rest and finishes with `TupleFromList` / `MapFromList`, a shorter
/// one is one `MakeTuple` / `MakeMap`. Smaller than [`LIST_LITERAL_CHUNK`]: the elements
/// of the first `MakeList` are still quadratic in the RC pass's cleanups, and map entries
/// are often containers whose construction can fail too.
pub const GATHERED_LITERAL_CHUNK: usize = 64;

/// An Int, Float, Bool or Unit literal: lowered to a `Const`, which cannot fail.
fn is_constant(expr: &Expr) -> bool {
    matches!(
        expr.kind,
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Unit
    )
}

impl FunctionLowerer<'_, '_> {
    /// `[a, ...xs, b]`: MakeList of the elements before the first spread (at most
    /// [`LIST_LITERAL_CHUNK`] of them unless all are constants), then ListExtend for each
    /// spread and Push for each later element.
    pub(crate) fn list(&mut self, elements: &[ListElement], span: Span) -> Var {
        let first_spread = elements
            .iter()
            .position(|e| matches!(e, ListElement::Spread(_)))
            .unwrap_or(elements.len());
        let all_constants = || {
            elements[..first_spread]
                .iter()
                .all(|element| matches!(element, ListElement::Single(expr) if is_constant(expr)))
        };
        let first_spread = if first_spread > LIST_LITERAL_CHUNK && !all_constants() {
            LIST_LITERAL_CHUNK
        } else {
            first_spread
        };
        let prefix = elements[..first_spread]
            .iter()
            .map(|element| match element {
                ListElement::Single(expr) | ListElement::Spread(expr) => self.value(expr),
            })
            .collect();
        let mut list = self.builder.emit_value(span, |dst| OpKind::MakeList {
            dst,
            elements: prefix,
        });
        for element in &elements[first_spread..] {
            let (builtin, expr) = match element {
                ListElement::Spread(expr) => (Builtin::ListExtend, expr),
                ListElement::Single(expr) => (Builtin::Push, expr),
            };
            let value = self.value(expr);
            list = self.push_onto(list, builtin, value, expr.span);
        }
        list
    }

    /// `(a, b, ...)`: one MakeTuple, or, past [`GATHERED_LITERAL_CHUNK`] elements not all
    /// constants, the elements gathered into a List and one `TupleFromList`.
    pub(crate) fn tuple(&mut self, elements: &[Expr], span: Span) -> Var {
        if elements.len() <= GATHERED_LITERAL_CHUNK || elements.iter().all(is_constant) {
            let elements = elements.iter().map(|e| self.value(e)).collect();
            return self
                .builder
                .emit_value(span, |dst| OpKind::MakeTuple { dst, elements });
        }
        let (first, rest) = elements.split_at(GATHERED_LITERAL_CHUNK);
        let first = first.iter().map(|e| self.value(e)).collect();
        let mut list = self.builder.emit_value(span, |dst| OpKind::MakeList {
            dst,
            elements: first,
        });
        for element in rest {
            let value = self.value(element);
            list = self.push_onto(list, Builtin::Push, value, element.span);
        }
        self.builtin(Builtin::TupleFromList, vec![list], span)
    }

    /// `#{k: v, ...}`: one MakeMap, or, past [`GATHERED_LITERAL_CHUNK`] words (half as many
    /// entries) not all constants, the words `k0 v0 k1 v1 ...` gathered into a List and one `MapFromList`
    /// (which, like MakeMap, inserts them in order after all are evaluated: RT0104 at the
    /// literal, a later duplicate key wins).
    pub(crate) fn map(&mut self, entries: &[(Expr, Expr)], span: Span) -> Var {
        let constant_entry = |(key, value): &(Expr, Expr)| is_constant(key) && is_constant(value);
        let chunk_entries = GATHERED_LITERAL_CHUNK / 2;
        if entries.len() <= chunk_entries || entries.iter().all(constant_entry) {
            let entries = entries
                .iter()
                .map(|(key, value)| (self.value(key), self.value(value)))
                .collect();
            return self
                .builder
                .emit_value(span, |dst| OpKind::MakeMap { dst, entries });
        }
        let (first, rest) = entries.split_at(chunk_entries);
        let first = first
            .iter()
            .flat_map(|(key, value)| [key, value])
            .map(|e| self.value(e))
            .collect();
        let mut list = self.builder.emit_value(span, |dst| OpKind::MakeList {
            dst,
            elements: first,
        });
        for (key, value) in rest {
            for expr in [key, value] {
                let word = self.value(expr);
                list = self.push_onto(list, Builtin::Push, word, expr.span);
            }
        }
        self.builtin(Builtin::MapFromList, vec![list], span)
    }

    /// `builtin(list, value)` (Push or ListExtend): the grown list.
    fn push_onto(&mut self, list: Var, builtin: Builtin, value: Var, span: Span) -> Var {
        self.builder.emit_value(span, |dst| OpKind::Builtin {
            dst,
            builtin,
            args: vec![list, value],
        })
    }
}
