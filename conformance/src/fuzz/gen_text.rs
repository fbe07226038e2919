//! Productions of the generator for the Text builtins (docs/LANGUAGE.md, "Text"): calls
//! that cannot fail on well-typed arguments (non-empty patterns, small counts, one-scalar
//! fills, guarded indexing), so that the engines and the oracle are compared on their
//! results and refcount traces.

use super::ast::{Expr, Kind, call, int, var};
use super::generator::Gen;
use super::ty::Ty;

fn text(t: &str) -> Expr {
    Expr::leaf(Kind::Text(t.to_string()), Ty::Text)
}

/// A short, never empty pattern: ASCII, a combining mark, a 4-byte scalar.
fn pattern(g: &mut Gen) -> Expr {
    text(["a", ", ", "é", "e\u{301}", "🦀", " "][g.below(6)])
}

/// `{ name = value; body(name) }` with `name` bound to a Text.
fn bind_text(g: &mut Gen, value: Expr, body: impl FnOnce(&mut Gen, Expr) -> Expr) -> Expr {
    let name = g.fresh("s");
    let bound = vec![(name.clone(), Ty::Text)];
    let inner = g.with_bound(&bound, |g| body(g, var(&name, Ty::Text)));
    let ty = inner.ty.clone();
    Expr::new(
        Kind::Block,
        ty,
        vec![
            Expr::item(Kind::Bind(name), vec![value]),
            Expr::item(Kind::ExprItem, vec![inner]),
        ],
    )
}

/// A Text-typed call of a Text builtin.
pub fn text_call(g: &mut Gen, depth: u32) -> Expr {
    let t = Ty::Text;
    let s = g.expr(&t, depth);
    match g.below(12) {
        0 => {
            let name = ["upper", "lower", "trim", "trim_start", "trim_end"][g.below(5)];
            g.used(name);
            call(name, t, vec![s])
        }
        1 => {
            g.used("replace");
            let (from, to) = (pattern(g), g.expr(&t, depth));
            call("replace", t, vec![s, from, to])
        }
        2 => {
            g.used("repeat");
            let n = int(g.int_in(0, 2));
            call("repeat", t, vec![s, n])
        }
        3 => {
            let name = ["pad_start", "pad_end"][g.below(2)];
            g.used(name);
            let width = int(g.int_in(-1, 6));
            call(name, t, vec![s, width, text(["*", "·", "🦀"][g.below(3)])])
        }
        4 => {
            g.used("split");
            g.used("join");
            let (sep, glue) = (pattern(g), pattern(g));
            let pieces = call("split", Ty::list(Ty::Text), vec![s, sep]);
            call("join", t, vec![pieces, glue])
        }
        5 => {
            g.used("chars");
            g.used("join");
            let scalars = call("chars", Ty::seq(Ty::Text), vec![s]);
            call("join", t, vec![scalars, pattern(g)])
        }
        6 => {
            g.used("slice");
            bind_text(g, s, |_, x| {
                let len = call("len", Ty::Int, vec![x.clone()]);
                let half = Expr::new(Kind::Binary("/"), Ty::Int, vec![len.clone(), int(2)]);
                call("slice", Ty::Text, vec![x, half, len])
            })
        }
        7 => {
            g.used("text index");
            bind_text(g, s, |_, x| {
                let len = call("len", Ty::Int, vec![x.clone()]);
                let cond = Expr::new(Kind::Binary(">"), Ty::Bool, vec![len, int(0)]);
                let first = Expr::new(Kind::Index, Ty::Text, vec![x.clone(), int(0)]);
                let ord = call("ord", Ty::Int, vec![first]);
                let back = call("chr", Ty::Text, vec![ord]);
                Expr::new(Kind::If, Ty::Text, vec![cond, back, x])
            })
        }
        8 => {
            let name = ["find", "contains", "starts_with", "ends_with"][g.below(4)];
            g.used(name);
            let ty = if name == "find" { Ty::Int } else { Ty::Bool };
            let found = call(name, ty, vec![s, pattern(g)]);
            call("str", t, vec![found])
        }
        9 => {
            g.used("contains");
            let xs = g.expr(&Ty::list(Ty::Text), depth);
            let found = call("contains", Ty::Bool, vec![xs, s]);
            call("str", t, vec![found])
        }
        _ => {
            let name = ["parse_int", "parse_float"][g.below(2)];
            g.used(name);
            let of = if name == "parse_int" {
                Ty::Int
            } else {
                Ty::Float
            };
            let parsed = call(name, Ty::Tuple(vec![Ty::Bool, of]), vec![s]);
            call("str", t, vec![parsed])
        }
    }
}
