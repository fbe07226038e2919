//! Productions of the generator for Lists, Maps and functions: literals with spreads, the
//! list and map builtins (guarded so that they do not fail by accident), lambdas capturing
//! the scope, named functions and builtins used as values.

use super::ast::{Expr, Kind, call, int, var};
use super::generator::Gen;
use super::ty::Ty;

/// `{ t = list; if len(t) > 0 then then_(t) else t }`.
fn guarded(g: &mut Gen, list: Expr, then_: impl FnOnce(&mut Gen, Expr) -> Expr) -> Expr {
    let ty = list.ty.clone();
    let name = g.fresh("t");
    let bound = vec![(name.clone(), ty.clone())];
    let body = g.with_bound(&bound, |g| then_(g, var(&name, ty.clone())));
    let cond = Expr::new(
        Kind::Binary(">"),
        Ty::Bool,
        vec![call("len", Ty::Int, vec![var(&name, ty.clone())]), int(0)],
    );
    let tail = Expr::new(
        Kind::If,
        ty.clone(),
        vec![cond, body, var(&name, ty.clone())],
    );
    Expr::new(
        Kind::Block,
        ty,
        vec![
            Expr::item(Kind::Bind(name), vec![list]),
            Expr::item(Kind::ExprItem, vec![tail]),
        ],
    )
}

pub fn list_expr(g: &mut Gen, of: &Ty, depth: u32) -> Expr {
    let t = Ty::list(of.clone());
    match g.below(11) {
        0 | 1 => {
            g.used("list literal");
            let n = g.below(4);
            let mut kids = Vec::new();
            let mut spreads = Vec::new();
            for _ in 0..n {
                if g.chance(0.25) {
                    g.used("spread");
                    kids.push(g.expr(&t, depth));
                    spreads.push(true);
                } else {
                    kids.push(g.expr(of, depth));
                    spreads.push(false);
                }
            }
            Expr::new(Kind::List(spreads), t, kids)
        }
        2 => {
            g.used("push");
            let xs = g.expr(&t, depth);
            let v = g.expr(of, depth);
            call("push", t, vec![xs, v])
        }
        3 => {
            g.used("pop");
            let xs = g.expr(&t, depth);
            guarded(g, xs, |_, t_var| call("pop", t_var.ty.clone(), vec![t_var]))
        }
        4 => {
            g.used("set");
            let xs = g.expr(&t, depth);
            let v = g.expr(of, depth);
            guarded(g, xs, |_, t_var| {
                call("set", t_var.ty.clone(), vec![t_var, int(0), v])
            })
        }
        5 => {
            g.used("slice");
            let xs = g.expr(&t, depth);
            let name = g.fresh("t");
            let len = call("len", Ty::Int, vec![var(&name, t.clone())]);
            let half = Expr::new(Kind::Binary("/"), Ty::Int, vec![len.clone(), int(2)]);
            let sliced = call("slice", t.clone(), vec![var(&name, t.clone()), half, len]);
            Expr::new(
                Kind::Block,
                t,
                vec![
                    Expr::item(Kind::Bind(name), vec![xs]),
                    Expr::item(Kind::ExprItem, vec![sliced]),
                ],
            )
        }
        6 => {
            g.used("reverse");
            let xs = g.expr(&t, depth);
            call("reverse", t, vec![xs])
        }
        7 => {
            let a = g.expr(&t, depth);
            let b = g.expr(&t, depth);
            if g.chance(0.5) {
                g.used("concat");
                call("concat", t, vec![a, b])
            } else {
                g.used("++");
                Expr::new(Kind::Binary("++"), t, vec![a, b])
            }
        }
        _ => {
            g.used("collect");
            let s = g.expr(&Ty::seq(of.clone()), depth);
            call("collect", t, vec![s])
        }
    }
}

pub fn map_expr(g: &mut Gen, key: &Ty, value: &Ty, depth: u32) -> Expr {
    let t = Ty::map(key.clone(), value.clone());
    match g.below(5) {
        0 | 1 => {
            g.used("map literal");
            let n = g.below(4);
            let mut kids = Vec::new();
            for _ in 0..n {
                kids.push(g.key_literal(key));
                kids.push(g.expr(value, depth));
            }
            Expr::new(Kind::Map, t, kids)
        }
        2 => {
            g.used("insert");
            let m = g.expr(&t, depth);
            let k = g.key_literal(key);
            let v = g.expr(value, depth);
            call("insert", t, vec![m, k, v])
        }
        3 => {
            g.used("remove");
            let m = g.expr(&t, depth);
            let k = g.key_literal(key);
            call("remove", t, vec![m, k])
        }
        _ => {
            g.used("merge");
            let a = g.expr(&t, depth);
            let b = g.expr(&t, depth);
            call("merge", t, vec![a, b])
        }
    }
}

pub fn fn_expr(g: &mut Gen, params: &[Ty], ret: &Ty, depth: u32) -> Expr {
    let t = Ty::func(params.to_vec(), ret.clone());
    let roll = g.below(10);
    if roll == 0 {
        let named: Vec<String> = g
            .fns
            .iter()
            .filter(|f| f.counter_max.is_none() && f.params == params && &f.ret == ret)
            .map(|f| f.name.clone())
            .collect();
        if !named.is_empty() {
            g.used("named function as value");
            let name = named[g.below(named.len())].clone();
            return Expr::leaf(Kind::FnValue(name), t);
        }
    }
    if roll == 1 && params.len() == 1 {
        if *ret == Ty::Text {
            g.used("builtin as value");
            return Expr::leaf(Kind::FnValue("str".into()), t);
        }
        if *ret == Ty::Int && matches!(params[0], Ty::List(_) | Ty::Text | Ty::Map(..)) {
            g.used("builtin as value");
            return Expr::leaf(Kind::FnValue("len".into()), t);
        }
    }
    g.used("lambda");
    let names: Vec<(String, Ty)> = params.iter().map(|p| (g.fresh("p"), p.clone())).collect();
    let captures_before = g.scope_len();
    let body = g.with_bound(&names, |g| g.expr(ret, depth));
    if captures_before > 0 {
        g.used("closure");
    }
    Expr::new(
        Kind::Lambda(names.into_iter().map(|(n, _)| n).collect()),
        t,
        vec![body],
    )
}
