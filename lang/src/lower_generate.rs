//! Lowering of generator blocks into the runtime's sequence combinators (docs/LANGUAGE.md,
//! "Generator blocks": "generator blocks desugar in `lang` into sequence combinators"). Everything
//! stays lazy:
//!
//! | source | lowered to |
//! |---|---|
//! | `generate { items }` | `seq_defer(\() -> G(items))` |
//! | G(`[]`) | `seq_empty()` |
//! | G(`x = e; rest`), G(`(a, b) = e; rest`), G(`e; rest`) | the item, then G(rest) |
//! | G(`x <- e; rest`) | `seq_flat_map(e, \x -> G(rest))` |
//! | G(`when c; rest`) | `if c then G(rest) else seq_empty()` |
//! | G(`yield e; rest`) | `seq_cons(e, \() -> G(rest))` (Unit for an empty rest) |
//! | G(`recurse e; rest`) | `seq_defer(\() -> L(e))`, then `seq_append(.., \() -> G(rest))` when rest is non-empty |
//! | G(`loop-expr; rest`) | `seq_append(loop-expr, \() -> G(rest))` |
//! | `loop p = init { items }` | `seq_defer(\() -> L(init))` with `L = \p -> G(items)` |
//!
//! `L` is the loop's own closure (the body sees it as `free_names::LOOP_SELF`). The lambdas
//! are lifted functions named `generate@LINE:COL`, `loop@LINE:COL` and `recurse@LINE:COL`.

use crate::ast::{Expr, ExprKind, Item, ItemKind, LoopPattern};
use crate::diagnostic::{self, Diagnostic};
use crate::free_names::{LOOP_SELF, free_names_of_items};
use crate::ir::{
    Builtin, ConditionContext, Constant, OpKind, ParamMode, Span, TerminatorKind, Var,
};
use crate::lower::FunctionLowerer;

/// Scope names of the values a deferred call captures (not identifiers: no clash possible).
const DEFERRED_CALLEE: &str = "<callee>";
const DEFERRED_ARG: &str = "<arg>";
const LOOP_ARG: &str = "<loop-arg>";

impl FunctionLowerer<'_, '_> {
    /// `generate { items }`: a lazy Seq.
    pub(crate) fn generate(&mut self, items: &[Item], span: Span) -> Var {
        let thunk = self.generator_thunk(items, span);
        self.builtin(Builtin::SeqDefer, vec![thunk], span)
    }

    /// `loop pattern = init { items }`: a lazy Seq.
    pub(crate) fn loop_expr(
        &mut self,
        pattern: &LoopPattern,
        init: &Expr,
        items: &[Item],
        span: Span,
    ) -> Var {
        let init = self.value(init);
        let mut bound: Vec<String> = match pattern {
            LoopPattern::Name(name) => vec![name.text.clone()],
            LoopPattern::Tuple(tuple) => tuple.names.iter().map(|n| n.text.clone()).collect(),
        };
        bound.push(LOOP_SELF.to_string());
        let free = free_names_of_items(items, &bound);
        let name = format!("loop@{}", self.module.position(span));
        let body = self.lift(name, span, &[LOOP_ARG], &free, true, |child| {
            let arg = child
                .scope
                .lookup(LOOP_ARG)
                .expect("the loop's param is bound");
            match pattern {
                LoopPattern::Name(name) => child.scope.bind(&name.text, arg),
                LoopPattern::Tuple(tuple) => child.destructure(tuple, arg),
            }
            let seq = child.generator_items(items, span);
            child.return_value(seq, span);
        });
        self.deferred_call(body, init, span)
    }

    fn return_value(&mut self, value: Var, span: Span) {
        self.builder
            .terminate(TerminatorKind::Return { value }, span);
    }

    /// A closure of no params returning G(items).
    fn generator_thunk(&mut self, items: &[Item], span: Span) -> Var {
        let free = free_names_of_items(items, &[]);
        let name = format!("generate@{}", self.module.position(span));
        self.lift(name, span, &[], &free, false, |child| {
            let seq = child.generator_items(items, span);
            child.return_value(seq, span);
        })
    }

    /// `seq_defer(\() -> callee(arg))`.
    fn deferred_call(&mut self, callee: Var, arg: Var, span: Span) -> Var {
        let mark = self.scope.mark();
        self.scope.bind(DEFERRED_CALLEE, callee);
        self.scope.bind(DEFERRED_ARG, arg);
        let free = [DEFERRED_CALLEE.to_string(), DEFERRED_ARG.to_string()];
        let name = format!("recurse@{}", self.module.position(span));
        let thunk = self.lift(name, span, &[], &free, false, |child| {
            let callee = child.scope.lookup(DEFERRED_CALLEE).expect("captured");
            let arg = child.scope.lookup(DEFERRED_ARG).expect("captured");
            let result = child.builder.emit_value(span, |dst| OpKind::CallValue {
                dst,
                callee,
                args: vec![arg],
            });
            child.return_value(result, span);
        });
        self.scope.restore(mark);
        self.builtin(Builtin::SeqDefer, vec![thunk], span)
    }

    /// G(items) in the current function: a Seq value. Names bound by the items do not
    /// outlive them.
    pub(crate) fn generator_items(&mut self, items: &[Item], span: Span) -> Var {
        let mark = self.scope.mark();
        let seq = self.generator_rest(items, span);
        self.scope.restore(mark);
        seq
    }

    fn generator_rest(&mut self, items: &[Item], span: Span) -> Var {
        let Some((first, rest)) = items.split_first() else {
            return self.builtin(Builtin::SeqEmpty, Vec::new(), span);
        };
        let item_span = first.span;
        match &first.kind {
            ItemKind::Bind(..) | ItemKind::Destructure(..) => {
                self.item(first);
                self.generator_rest(rest, span)
            }
            ItemKind::Expr(expr) if matches!(expr.kind, ExprKind::Loop { .. }) => {
                let seq = self.value(expr);
                self.then_rest(seq, rest, item_span)
            }
            ItemKind::Expr(_) => {
                self.item(first);
                self.generator_rest(rest, span)
            }
            ItemKind::BindFrom(name, source) => {
                let source = self.value(source);
                let free = free_names_of_items(rest, std::slice::from_ref(&name.text));
                let lambda_name = format!("generate@{}", self.module.position(item_span));
                let body = self.lift(
                    lambda_name,
                    item_span,
                    &[&name.text],
                    &free,
                    false,
                    |child| {
                        let seq = child.generator_items(rest, item_span);
                        child.return_value(seq, item_span);
                    },
                );
                self.builtin(Builtin::SeqFlatMap, vec![source, body], item_span)
            }
            ItemKind::Filter(condition) => {
                let condition = self.value(condition);
                let (then_block, else_block) =
                    self.branch(condition, ConditionContext::When, item_span);
                let (join, join_params) = self.builder.new_block(1, ParamMode::Owned);
                self.builder.switch_to(then_block);
                let seq = self.generator_items(rest, span);
                self.jump_to_join(join, seq, item_span);
                self.builder.switch_to(else_block);
                let empty = self.builtin(Builtin::SeqEmpty, Vec::new(), item_span);
                self.jump_to_join(join, empty, item_span);
                self.builder.switch_to(join);
                join_params[0]
            }
            ItemKind::Yield(value) => {
                let value = self.value(value);
                let rest = if rest.is_empty() {
                    self.constant(Constant::Unit, item_span)
                } else {
                    self.generator_thunk(rest, item_span)
                };
                self.builtin(Builtin::SeqCons, vec![value, rest], item_span)
            }
            ItemKind::Recurse(value) => {
                let Some(loop_closure) = self.scope.lookup(LOOP_SELF) else {
                    self.module.errors.push(Diagnostic::new(
                        diagnostic::BLOCK_ITEM_OUTSIDE_ITS_BLOCK,
                        "unsupported block item outside a `loop`: Recurse",
                        item_span,
                    ));
                    return self.constant(Constant::Unit, item_span);
                };
                let value = self.value(value);
                let seq = self.deferred_call(loop_closure, value, item_span);
                self.then_rest(seq, rest, item_span)
            }
        }
    }

    /// `seq` then G(rest): `seq` alone when `rest` is empty.
    fn then_rest(&mut self, seq: Var, rest: &[Item], span: Span) -> Var {
        if rest.is_empty() {
            return seq;
        }
        let thunk = self.generator_thunk(rest, span);
        self.builtin(Builtin::SeqAppend, vec![seq, thunk], span)
    }
}
