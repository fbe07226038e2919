//! Productions of the generator for the "Lists and sequences" builtins (docs/LANGUAGE.md):
//! `sort`/`sort_by`/`sort_with` where a List is wanted, `index_of`/`any`/`all`/`find_first`
//! where an Int or Bool is, and the lazy `enumerate`/`flat_map`/`chunks`/`windows`/`unique`
//! where a Seq is (a size now and then 0 or negative, for RT0306). Each returns `None` when
//! the wanted type does not fit (the caller then picks another production).

use super::ast::{Expr, Kind, call, int};
use super::generator::Gen;
use super::ty::Ty;

/// A List of `of` made by a sort, or collected from `chunks`/`windows` (a List of Lists) or
/// `enumerate` (a List of `(Int, _)`).
pub fn list(g: &mut Gen, of: &Ty, depth: u32) -> Option<Expr> {
    let t = Ty::list(of.clone());
    if let Ty::List(item) = of
        && g.chance(0.5)
    {
        let name = ["chunks", "windows"][g.below(2)];
        g.used(name);
        let s = g.expr(&Ty::seq((**item).clone()), depth);
        let n = size(g);
        return Some(call(
            "collect",
            t,
            vec![call(name, Ty::seq(of.clone()), vec![s, n])],
        ));
    }
    if let Ty::Tuple(items) = of
        && items.len() == 2
        && items[0] == Ty::Int
        && g.chance(0.5)
    {
        g.used("enumerate");
        let s = g.expr(&Ty::seq(items[1].clone()), depth);
        return Some(call(
            "collect",
            t,
            vec![call("enumerate", Ty::seq(of.clone()), vec![s])],
        ));
    }
    let xs = g.expr(&t, depth);
    Some(match g.below(3) {
        0 if matches!(of, Ty::Int | Ty::Float | Ty::Text) => {
            g.used("sort");
            call("sort", t, vec![xs])
        }
        1 => {
            g.used("sort_by");
            let key = g.expr(&Ty::func(vec![of.clone()], Ty::Int), depth);
            call("sort_by", t, vec![xs, key])
        }
        _ => {
            g.used("sort_with");
            let before = g.expr(&Ty::func(vec![of.clone(), of.clone()], Ty::Bool), depth);
            call("sort_with", t, vec![xs, before])
        }
    })
}

/// An Int from `index_of` or counting `chunks`/`windows`, or a Bool from
/// `any`/`all`/`find_first`.
pub fn scalar(g: &mut Gen, ty: &Ty, depth: u32) -> Option<Expr> {
    let of = g.any_ty(1);
    let s = g.expr(&Ty::seq(of.clone()), depth);
    match ty {
        Ty::Int if g.chance(0.5) => {
            // The number of chunks or windows.
            let name = ["chunks", "windows"][g.below(2)];
            g.used(name);
            let n = size(g);
            let groups = call(name, Ty::seq(Ty::list(of)), vec![s, n]);
            Some(call("count", Ty::Int, vec![groups]))
        }
        Ty::Int => {
            g.used("index_of");
            let v = g.expr(&of, depth);
            Some(call("index_of", Ty::Int, vec![s, v]))
        }
        Ty::Bool => {
            let name = ["any", "all", "find_first"][g.below(3)];
            g.used(name);
            let (s, of) = if g.chance(0.3) {
                // Searching `(index, x)` pairs.
                g.used("enumerate");
                let pair = Ty::Tuple(vec![Ty::Int, of]);
                (call("enumerate", Ty::seq(pair.clone()), vec![s]), pair)
            } else {
                (s, of)
            };
            let p = g.expr(&Ty::func(vec![of.clone()], Ty::Bool), depth);
            if name == "find_first" {
                // `(true, x)` or `(false, ())`: only the Bool is typed the same either way.
                let found = call(name, Ty::Tuple(vec![Ty::Bool, of]), vec![s, p]);
                return Some(Expr::new(Kind::Index, Ty::Bool, vec![found, int(0)]));
            }
            Some(call(name, Ty::Bool, vec![s, p]))
        }
        _ => None,
    }
}

/// A group size: mostly 1 to 4, now and then 0 or -1 (RT0306).
fn size(g: &mut Gen) -> Expr {
    if g.chance(0.05) {
        int(g.int_in(-1, 0))
    } else {
        int(g.int_in(1, 4))
    }
}

/// A Seq of `of` from `enumerate` (when `of` is `(Int, _)`), `chunks`/`windows` (when `of` is
/// a List), `unique` or `flat_map`.
pub fn seq(g: &mut Gen, of: &Ty, depth: u32) -> Option<Expr> {
    let t = Ty::seq(of.clone());
    if let Ty::Tuple(items) = of
        && items.len() == 2
        && items[0] == Ty::Int
        && g.chance(0.5)
    {
        g.used("enumerate");
        let s = g.expr(&Ty::seq(items[1].clone()), depth);
        return Some(call("enumerate", t, vec![s]));
    }
    if let Ty::List(item) = of
        && g.chance(0.5)
    {
        let name = ["chunks", "windows"][g.below(2)];
        g.used(name);
        let s = g.expr(&Ty::seq((**item).clone()), depth);
        let n = size(g);
        return Some(call(name, t, vec![s, n]));
    }
    if g.chance(0.3) {
        g.used("unique");
        let s = g.expr(&t, depth);
        return Some(call("unique", t, vec![s]));
    }
    g.used("flat_map");
    let from = g.any_ty(1);
    let s = g.expr(&Ty::seq(from.clone()), depth);
    let f = g.expr(&Ty::func(vec![from], Ty::list(of.clone())), depth);
    Some(call("flat_map", t, vec![s, f]))
}
