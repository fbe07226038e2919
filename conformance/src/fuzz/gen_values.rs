//! Productions of the generator for non-sequence types: control flow and blocks that fit
//! any type (`common`), and the operators and builtins that make each type (`specific`).

use super::ast::{Expr, Kind, call, int, var};
use super::generator::Gen;
use super::ty::Ty;

pub fn binary(op: &'static str, ty: Ty, a: Expr, b: Expr) -> Expr {
    Expr::new(Kind::Binary(op), ty, vec![a, b])
}

fn bind(name: &str, value: Expr) -> Expr {
    Expr::item(Kind::Bind(name.to_string()), vec![value])
}

fn block(ty: Ty, items: Vec<Expr>, tail: Expr) -> Expr {
    let mut kids = items;
    kids.push(Expr::item(Kind::ExprItem, vec![tail]));
    Expr::new(Kind::Block, ty, kids)
}

/// `{ t = value; body(t) }` with `t` a fresh name bound to `value`'s type.
fn let_in(g: &mut Gen, value: Expr, body: impl FnOnce(&mut Gen, &str) -> Expr) -> Expr {
    let name = g.fresh("t");
    let bound = vec![(name.clone(), value.ty.clone())];
    let tail = g.with_bound(&bound, |g| body(g, &name));
    block(tail.ty.clone(), vec![bind(&name, value)], tail)
}

/// Productions that make a value of any type; `None` when the one rolled does not apply.
pub fn common(g: &mut Gen, ty: &Ty, depth: u32) -> Option<Expr> {
    let t = ty.clone();
    Some(match g.below(12) {
        0 | 1 => {
            g.used("if");
            let c = g.expr(&Ty::Bool, depth);
            let a = g.expr(ty, depth);
            let b = g.expr(ty, depth);
            Expr::new(Kind::If, t, vec![c, a, b])
        }
        2 | 3 => plain_block(g, ty, depth),
        4 => {
            let candidates: Vec<_> = g.fns.iter().filter(|f| &f.ret == ty).cloned().collect();
            let f = candidates.get(g.below(candidates.len().max(1)))?.clone();
            direct_call(g, &f, depth)
        }
        5 => {
            g.used("value call");
            let named: Vec<_> = g
                .fns
                .iter()
                .filter(|f| f.counter_max.is_none() && &f.ret == ty)
                .cloned()
                .collect();
            let (params, callee) = match named.get(g.below(named.len() + 1)) {
                Some(f) => {
                    g.used("named function as value");
                    let fn_ty = Ty::func(f.params.clone(), t.clone());
                    (
                        f.params.clone(),
                        Expr::leaf(Kind::FnValue(f.name.clone()), fn_ty),
                    )
                }
                None => {
                    let n = g.below(3);
                    let params: Vec<Ty> = (0..n).map(|_| g.any_ty(1)).collect();
                    let callee = g.expr(&Ty::func(params.clone(), t.clone()), depth);
                    (params, callee)
                }
            };
            let mut kids = vec![callee];
            kids.extend(params.iter().map(|p| g.expr(p, depth)));
            Expr::new(Kind::CallValue, t, kids)
        }
        6 => {
            g.used("tuple index");
            let other = g.any_ty(1);
            let at = g.below(2);
            let items = if at == 0 {
                vec![t.clone(), other]
            } else {
                vec![other, t.clone()]
            };
            let tuple = g.expr(&Ty::Tuple(items), depth);
            Expr::new(Kind::Index, t, vec![tuple, int(at as i64)])
        }
        7 => {
            g.used("get");
            let list = g.expr(&Ty::list(t.clone()), depth);
            let index = int(g.int_in(-1, 3));
            let default = g.expr(ty, depth);
            call("get", t, vec![list, index, default])
        }
        8 if ty.may_sit_in_ref() => {
            g.used("deref");
            let r = g.expr(&Ty::Ref(Box::new(t.clone())), depth);
            Expr::new(Kind::Deref, t, vec![r])
        }
        9 => {
            g.used("fold");
            let elem = g.any_ty(1);
            let seq = g.expr(&Ty::seq(elem.clone()), depth);
            let init = g.expr(ty, depth);
            let f = g.expr(&Ty::func(vec![t.clone(), elem], t.clone()), depth);
            call("fold", t, vec![seq, init, f])
        }
        10 => {
            g.used("next");
            let seq = g.expr(&Ty::seq(t.clone()), depth);
            let pulled = call("next", Ty::Tuple(vec![Ty::Bool, t.clone()]), vec![seq]);
            let default = g.expr(ty, depth);
            let_in(g, pulled, |_, n| {
                let pair = Ty::Tuple(vec![Ty::Bool, t.clone()]);
                let got = Expr::new(Kind::Index, Ty::Bool, vec![var(n, pair.clone()), int(0)]);
                let item = Expr::new(Kind::Index, t.clone(), vec![var(n, pair), int(1)]);
                Expr::new(Kind::If, t.clone(), vec![got, item, default])
            })
        }
        _ => {
            g.used("map index");
            let key_ty = g.key_ty();
            let map = g.expr(&Ty::map(key_ty.clone(), t.clone()), depth);
            let key = g.key_literal(&key_ty);
            let value = g.expr(ty, depth);
            if g.chance(0.5) {
                g.used("get map");
                let inserted = call("insert", map.ty.clone(), vec![map, key.clone(), value]);
                let default = g.expr(ty, depth);
                call("get", t, vec![inserted, key, default])
            } else {
                let_in(g, key, |_, k| {
                    let inserted = call(
                        "insert",
                        map.ty.clone(),
                        vec![map, var(k, key_ty.clone()), value],
                    );
                    Expr::new(Kind::Index, t.clone(), vec![inserted, var(k, key_ty)])
                })
            }
        }
    })
}

/// A direct call of a generated function (a recursive one gets a bounded counter).
pub fn direct_call(g: &mut Gen, f: &super::generator::FnSig, depth: u32) -> Expr {
    g.used("direct call");
    let mut args = Vec::new();
    for (i, p) in f.params.iter().enumerate() {
        match f.counter_max {
            Some(max) if i == 0 => args.push(int(g.int_in(0, max))),
            _ => args.push(g.expr(p, depth)),
        }
    }
    call(&f.name, f.ret.clone(), args)
}

/// `{ binds...; tail }`, sometimes with tuple destructuring, a printed item or shadowing.
pub fn plain_block(g: &mut Gen, ty: &Ty, depth: u32) -> Expr {
    g.used("block");
    let mark = g.scope_len();
    let mut items = Vec::new();
    for _ in 0..g.int_in(1, 3) {
        items.push(block_item(g, depth));
    }
    let ends_in_bind = *ty == Ty::Unit && g.chance(0.3);
    let out = if ends_in_bind {
        g.used("block ending in bind");
        let value = g.expr(&Ty::Int, depth);
        let name = g.bind_name();
        items.push(bind(&name, value));
        Expr::new(Kind::Block, ty.clone(), items)
    } else {
        let tail = g.expr(ty, depth);
        block(ty.clone(), items, tail)
    };
    g.truncate_scope(mark);
    out
}

/// One item of a plain block; binds stay in scope for the rest of the block.
pub fn block_item(g: &mut Gen, depth: u32) -> Expr {
    match g.below(10) {
        0 | 1 => {
            let value = g.expr(&Ty::Unit, depth);
            Expr::item(Kind::ExprItem, vec![value])
        }
        2 => {
            g.used("print");
            let ty = g.any_ty(2);
            let value = g.expr(&ty, depth);
            let printed = call("print", Ty::Unit, vec![value]);
            Expr::item(Kind::ExprItem, vec![printed])
        }
        3 => {
            g.used("tuple destructuring");
            let n = g.int_in(1, 3) as usize;
            let tys: Vec<Ty> = (0..n).map(|_| g.any_ty(1)).collect();
            let value = g.expr(&Ty::Tuple(tys.clone()), depth);
            // One pattern binds each name once (E0102 otherwise); shadowing an outer name
            // is fine, so a repeated draw becomes a fresh name.
            let mut names: Vec<String> = Vec::with_capacity(n);
            for _ in 0..n {
                let name = g.bind_name();
                let name = if names.contains(&name) {
                    g.fresh("v")
                } else {
                    name
                };
                names.push(name);
            }
            for (name, ty) in names.iter().zip(tys) {
                g.bind(name, ty);
            }
            Expr::item(Kind::BindTuple(names), vec![value])
        }
        _ => {
            let ty = g.any_ty(2);
            let value = g.expr(&ty, depth);
            let name = g.bind_name();
            g.bind(&name, ty);
            bind(&name, value)
        }
    }
}

/// Operators and builtins that make a value of `ty` (sequences are in `gen_seq`).
pub fn specific(g: &mut Gen, ty: &Ty, depth: u32) -> Expr {
    let t = ty.clone();
    if g.chance(0.05) {
        let made = match ty {
            Ty::List(of) => super::gen_lists::list(g, of, depth),
            Ty::Int | Ty::Bool => super::gen_lists::scalar(g, ty, depth),
            _ => None,
        };
        if let Some(made) = made {
            return made;
        }
    }
    match ty {
        Ty::Int => int_expr(g, depth),
        Ty::Float => float_expr(g, depth),
        Ty::Bool => bool_expr(g, depth),
        Ty::Text => text_expr(g, depth),
        Ty::Unit => unit_expr(g, depth),
        Ty::List(of) => super::gen_containers::list_expr(g, of, depth),
        Ty::Map(key, value) => super::gen_containers::map_expr(g, key, value, depth),
        Ty::Tuple(items) => {
            g.used("tuple");
            let kids = items.iter().map(|i| g.expr(i, depth)).collect();
            Expr::new(Kind::Tuple, t, kids)
        }
        Ty::Ref(of) => {
            g.used("ref");
            let value = g.expr(of, depth);
            call("ref", t, vec![value])
        }
        Ty::Fn(params, ret) => super::gen_containers::fn_expr(g, params, ret, depth),
        Ty::Seq(of) => super::gen_seq::seq(g, of, depth),
    }
}

fn int_expr(g: &mut Gen, depth: u32) -> Expr {
    let t = Ty::Int;
    match g.below(13) {
        12 => super::gen_math::int_expr(g, depth),
        0..=2 => {
            let op = ["+", "-", "*"][g.below(3)];
            g.used(op);
            let a = g.expr(&t, depth);
            let b = g.expr(&t, depth);
            binary(op, t, a, b)
        }
        3 => {
            let op = ["/", "%"][g.below(2)];
            g.used(op);
            let a = g.expr(&t, depth);
            let b = if g.chance(0.9) {
                int(g.int_in(1, 7) * if g.chance(0.3) { -1 } else { 1 })
            } else {
                g.expr(&t, depth)
            };
            binary(op, t, a, b)
        }
        4 => {
            g.used("unary minus");
            let a = g.expr(&t, depth);
            Expr::new(Kind::Neg, t, vec![a])
        }
        5 | 6 => {
            g.used("len");
            let of = match g.below(4) {
                0 => Ty::Text,
                1 => Ty::map(g.key_ty(), Ty::Int),
                2 => Ty::Tuple(vec![Ty::Int, Ty::Text]),
                _ => Ty::list(g.any_ty(1)),
            };
            let x = g.expr(&of, depth);
            if g.chance(0.2) {
                g.used("pipe");
                Expr::new(Kind::Pipe("len".into()), t, vec![x])
            } else {
                call("len", t, vec![x])
            }
        }
        7 | 8 => {
            g.used("sum");
            let s = g.expr(&Ty::seq(Ty::Int), depth);
            call("sum", t, vec![s])
        }
        9 => {
            g.used("count");
            let elem = g.any_ty(1);
            let s = g.expr(&Ty::seq(elem), depth);
            call("count", t, vec![s])
        }
        _ => {
            let list = g.expr(&Ty::list(Ty::Int), depth);
            let default = g.expr(&t, depth);
            let_in(g, list, |_, xs| g_safe_last(xs, Ty::Int, default))
        }
    }
}

/// `if len(xs) > 0 then xs[len(xs) - 1] else default`.
fn g_safe_last(xs: &str, elem: Ty, default: Expr) -> Expr {
    let list = Ty::list(elem.clone());
    let len = call("len", Ty::Int, vec![var(xs, list.clone())]);
    let cond = binary(">", Ty::Bool, len.clone(), int(0));
    let last = binary("-", Ty::Int, len, int(1));
    let item = Expr::new(Kind::Index, elem.clone(), vec![var(xs, list), last]);
    Expr::new(Kind::If, elem, vec![cond, item, default])
}

fn float_expr(g: &mut Gen, depth: u32) -> Expr {
    let t = Ty::Float;
    match g.below(7) {
        6 => super::gen_math::float_expr(g, depth),
        0..=2 => {
            let op = ["+", "-", "*"][g.below(3)];
            let a = g.expr(&t, depth);
            let other = if g.chance(0.3) { Ty::Int } else { Ty::Float };
            let b = g.expr(&other, depth);
            if other == Ty::Int {
                g.used("mixed int float arithmetic");
            }
            binary(op, t, a, b)
        }
        3 => {
            g.used("float division");
            let a = g.expr(&t, depth);
            let b = Expr::leaf(Kind::Float(g.int_in(1, 8) as f64 / 2.0), Ty::Float);
            binary("/", t, a, b)
        }
        4 => {
            let a = g.expr(&t, depth);
            Expr::new(Kind::Neg, t, vec![a])
        }
        _ => {
            g.used("sum floats");
            let s = g.expr(&Ty::seq(Ty::Float), depth);
            call("sum", t, vec![s])
        }
    }
}

fn bool_expr(g: &mut Gen, depth: u32) -> Expr {
    let t = Ty::Bool;
    match g.below(9) {
        8 => super::gen_math::bool_expr(g, depth),
        0 | 1 => {
            let op = ["<", "<=", ">", ">="][g.below(4)];
            g.used("ordering");
            let operand = [Ty::Int, Ty::Float, Ty::Text][g.below(3)].clone();
            let a = g.expr(&operand, depth);
            let b = g.expr(&operand, depth);
            binary(op, t, a, b)
        }
        2 | 3 => {
            let op = ["==", "!="][g.below(2)];
            g.used("equality");
            let operand = g.any_ty(2);
            let a = g.expr(&operand, depth);
            let b = g.expr(&operand, depth);
            binary(op, t, a, b)
        }
        4 => {
            let op = ["and", "or"][g.below(2)];
            g.used(op);
            let a = g.expr(&t, depth);
            let b = g.expr(&t, depth);
            binary(op, t, a, b)
        }
        5 => {
            g.used("not");
            let a = g.expr(&t, depth);
            Expr::new(Kind::Not, t, vec![a])
        }
        6 => {
            g.used("has");
            let key = g.key_ty();
            let value = g.any_ty(1);
            let m = g.expr(&Ty::map(key.clone(), value), depth);
            let k = g.key_literal(&key);
            call("has", t, vec![m, k])
        }
        _ => {
            g.used("next");
            let elem = g.any_ty(1);
            let s = g.expr(&Ty::seq(elem.clone()), depth);
            let pulled = call("next", Ty::Tuple(vec![Ty::Bool, elem]), vec![s]);
            Expr::new(Kind::Index, t, vec![pulled, int(0)])
        }
    }
}

fn text_expr(g: &mut Gen, depth: u32) -> Expr {
    let t = Ty::Text;
    match g.below(7) {
        5 | 6 => super::gen_text::text_call(g, depth),
        0 | 1 => {
            g.used("str");
            let of = g.any_ty(2);
            let v = g.expr(&of, depth);
            call("str", t, vec![v])
        }
        2 => {
            let op = ["++", "+"][g.below(2)];
            g.used(if op == "+" { "text +" } else { "++" });
            let a = g.expr(&t, depth);
            let b = g.expr(&t, depth);
            binary(op, t, a, b)
        }
        3 => {
            g.used("concat");
            let a = g.expr(&t, depth);
            let b = g.expr(&t, depth);
            call("concat", t, vec![a, b])
        }
        _ => {
            g.used("pipe");
            let of = g.any_ty(1);
            let v = g.expr(&of, depth);
            Expr::new(Kind::Pipe("str".into()), t, vec![v])
        }
    }
}

fn unit_expr(g: &mut Gen, depth: u32) -> Expr {
    let t = Ty::Unit;
    match g.below(5) {
        0 | 1 => {
            g.used("print");
            let of = g.any_ty(2);
            let v = g.expr(&of, depth);
            call("print", t, vec![v])
        }
        2 | 3 => {
            g.used("assign");
            let r = match g.var_where(|t| matches!(t, Ty::Ref(_))) {
                Some(r) => r,
                None => {
                    let of = g.ref_content_ty(1);
                    g.expr(&Ty::Ref(Box::new(of)), depth)
                }
            };
            let Ty::Ref(of) = r.ty.clone() else {
                unreachable!("a Ref-typed expression")
            };
            let v = g.expr(&of, depth);
            Expr::new(Kind::Assign, t, vec![r, v])
        }
        _ => {
            g.used("checkpoint");
            call("checkpoint", t, vec![])
        }
    }
}
