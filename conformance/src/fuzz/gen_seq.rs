//! Productions of the generator for sequences: `range` with literal bounds (so every Seq is
//! finite), Lists, Maps and Texts iterated, the lazy stages, `clone`, and generator blocks
//! with bind-from, filters, yields and bounded `loop`/`recurse`.

use super::ast::{Expr, Kind, call, int, var};
use super::generator::Gen;
use super::ty::Ty;

/// An expression of type `Seq(of)`.
pub fn seq(g: &mut Gen, of: &Ty, depth: u32) -> Expr {
    let t = Ty::seq(of.clone());
    if g.chance(0.05)
        && let Some(random) = super::gen_math::random_seq(g, of, depth)
    {
        return random;
    }
    if g.chance(0.08)
        && let Some(stage) = super::gen_lists::seq(g, of, depth)
    {
        return stage;
    }
    match g.below(16) {
        0 if *of == Ty::Int => {
            g.used("range step");
            let step = [-3, -2, -1, 1, 2, 3][g.below(6)];
            let low = g.int_in(-6, 6);
            let high = low + step * g.int_in(0, 4);
            call("range", t, vec![int(low), int(high), int(step)])
        }
        1 if *of == Ty::Int => g.literal(&t),
        1 if *of == Ty::Text => {
            g.used("text as seq");
            let mut text = g.expr(&Ty::Text, depth);
            text.ty = t;
            text
        }
        2 => {
            g.used("list as seq");
            let mut list = g.expr(&Ty::list(of.clone()), depth);
            list.ty = t;
            list
        }
        3 => {
            g.used("iter");
            let list = g.expr(&Ty::list(of.clone()), depth);
            call("iter", t, vec![list])
        }
        4 | 5 => {
            g.used("map");
            let from = g.any_ty(1);
            let s = g.expr(&Ty::seq(from.clone()), depth);
            let f = g.expr(&Ty::func(vec![from], of.clone()), depth);
            call("map", t, vec![s, f])
        }
        6 => {
            g.used("filter");
            let s = g.expr(&t, depth);
            let f = g.expr(&Ty::func(vec![of.clone()], Ty::Bool), depth);
            call("filter", t, vec![s, f])
        }
        7 => {
            let name = ["take", "drop"][g.below(2)];
            g.used(name);
            let s = g.expr(&t, depth);
            call(name, t, vec![s, int(g.int_in(0, 4))])
        }
        8 => {
            g.used("scan");
            let from = g.any_ty(1);
            let s = g.expr(&Ty::seq(from.clone()), depth);
            let init = g.expr(of, depth);
            let f = g.expr(&Ty::func(vec![of.clone(), from], of.clone()), depth);
            call("scan", t, vec![s, init, f])
        }
        9 => {
            g.used("clone");
            let s = g.expr(&t, depth);
            call("clone", t, vec![s])
        }
        10 => match of {
            Ty::Tuple(items) if items.len() == 2 => {
                g.used("zip");
                let a = g.expr(&Ty::seq(items[0].clone()), depth);
                let b = g.expr(&Ty::seq(items[1].clone()), depth);
                call("zip", t, vec![a, b])
            }
            _ => generate(g, of, depth),
        },
        11 if of.is_key() => {
            g.used("keys");
            let value = g.any_ty(1);
            let m = g.expr(&Ty::map(of.clone(), value), depth);
            call("keys", t, vec![m])
        }
        12 => {
            g.used("values");
            let key = g.key_ty();
            let m = g.expr(&Ty::map(key, of.clone()), depth);
            call("values", t, vec![m])
        }
        13 => loop_generator(g, of, depth),
        _ => generate(g, of, depth),
    }
}

/// `generate { items }`: bind-froms (at most two), filters, binds, yields.
fn generate(g: &mut Gen, of: &Ty, depth: u32) -> Expr {
    g.used("generate");
    let mark = g.scope_len();
    let mut items = Vec::new();
    let mut froms = 0;
    let mut yielded = false;
    for _ in 0..g.int_in(1, 5) {
        match g.below(7) {
            0 | 1 if froms < 2 => {
                froms += 1;
                g.used("bind from");
                let elem = g.any_ty(1);
                let s = g.expr(&Ty::seq(elem.clone()), depth);
                let name = g.fresh("x");
                g.bind(&name, elem);
                items.push(Expr::item(Kind::BindFrom(name), vec![s]));
            }
            2 => {
                g.used("when");
                let c = g.expr(&Ty::Bool, depth);
                items.push(Expr::item(Kind::When, vec![c]));
            }
            3 => {
                let item = super::gen_values::block_item(g, depth);
                items.push(item);
            }
            _ => {
                yielded = true;
                g.used("yield");
                let v = g.expr(of, depth);
                items.push(Expr::item(Kind::Yield, vec![v]));
            }
        }
    }
    if !yielded || g.chance(0.3) {
        g.used("yield");
        let v = g.expr(of, depth);
        items.push(Expr::item(Kind::Yield, vec![v]));
    }
    if g.chance(0.2) {
        g.used("loop in generate");
        let inner = loop_expr(g, of, depth);
        items.push(Expr::item(Kind::ExprItem, vec![inner]));
    }
    g.truncate_scope(mark);
    Expr::new(Kind::Generate, Ty::seq(of.clone()), items)
}

/// `generate { loop ... }`.
fn loop_generator(g: &mut Gen, of: &Ty, depth: u32) -> Expr {
    let inner = loop_expr(g, of, depth);
    let item = Expr::item(Kind::ExprItem, vec![inner]);
    Expr::new(Kind::Generate, Ty::seq(of.clone()), vec![item])
}

/// `loop (i, a) = (0, init) { when i < K; yield ...; recurse (i + 1, step) }`, or with a
/// single counter name; the counter bounds the recursion.
fn loop_expr(g: &mut Gen, of: &Ty, depth: u32) -> Expr {
    g.used("loop");
    g.used("recurse");
    let counter = g.fresh("i");
    let bound = int(g.int_in(0, 6));
    let with_acc = g.chance(0.6);
    let acc_ty = g.any_ty(1);
    let acc = g.fresh("a");
    let mut names = vec![(counter.clone(), Ty::Int)];
    if with_acc {
        names.push((acc.clone(), acc_ty.clone()));
    }
    let init = if with_acc {
        let a = g.expr(&acc_ty, depth);
        Expr::new(
            Kind::Tuple,
            Ty::Tuple(vec![Ty::Int, acc_ty.clone()]),
            vec![int(0), a],
        )
    } else {
        int(0)
    };
    let body = g.with_bound(&names, |g| {
        let cond = Expr::new(
            Kind::Binary("<"),
            Ty::Bool,
            vec![var(&counter, Ty::Int), bound],
        );
        let next_counter = Expr::new(
            Kind::Binary("+"),
            Ty::Int,
            vec![var(&counter, Ty::Int), int(1)],
        );
        let next = if with_acc {
            let step = g.expr(&acc_ty, depth);
            Expr::new(
                Kind::Tuple,
                Ty::Tuple(vec![Ty::Int, acc_ty.clone()]),
                vec![next_counter, step],
            )
        } else {
            next_counter
        };
        let yielded = g.expr(of, depth);
        let mut items = vec![Expr::item(Kind::When, vec![cond])];
        let recurse = Expr::item(Kind::Recurse, vec![next]);
        let yield_item = Expr::item(Kind::Yield, vec![yielded]);
        if g.chance(0.3) {
            g.used("recurse before yield");
            items.push(recurse);
            items.push(yield_item);
        } else {
            items.push(yield_item);
            items.push(recurse);
        }
        items
    });
    let mut kids = vec![init];
    kids.extend(body);
    let names: Vec<String> = names.into_iter().map(|(n, _)| n).collect();
    Expr::new(Kind::Loop(names, with_acc), Ty::seq(of.clone()), kids)
}
