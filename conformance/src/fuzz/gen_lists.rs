//! Productions of the generator for the "Lists and sequences" builtins (docs/LANGUAGE.md):
//! `sort`/`sort_by`/`sort_with` where a List is wanted, `index_of`/`any`/`all` where an Int
//! or Bool is, and the lazy `enumerate`/`flat_map` where a Seq is. Each returns `None` when
//! the wanted type does not fit (the caller then picks another production).

use super::ast::{Expr, call};
use super::generator::Gen;
use super::ty::Ty;

/// A List of `of` made by a sort.
pub fn list(g: &mut Gen, of: &Ty, depth: u32) -> Option<Expr> {
    let t = Ty::list(of.clone());
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

/// An Int from `index_of`, or a Bool from `any`/`all`.
pub fn scalar(g: &mut Gen, ty: &Ty, depth: u32) -> Option<Expr> {
    let of = g.any_ty(1);
    let s = g.expr(&Ty::seq(of.clone()), depth);
    match ty {
        Ty::Int => {
            g.used("index_of");
            let v = g.expr(&of, depth);
            Some(call("index_of", Ty::Int, vec![s, v]))
        }
        Ty::Bool => {
            let name = ["any", "all"][g.below(2)];
            g.used(name);
            let p = g.expr(&Ty::func(vec![of], Ty::Bool), depth);
            Some(call(name, Ty::Bool, vec![s, p]))
        }
        _ => None,
    }
}

/// A Seq of `of` from `enumerate` (when `of` is `(Int, _)`) or `flat_map`.
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
    g.used("flat_map");
    let from = g.any_ty(1);
    let s = g.expr(&Ty::seq(from.clone()), depth);
    let f = g.expr(&Ty::func(vec![from], Ty::list(of.clone())), depth);
    Some(call("flat_map", t, vec![s, f]))
}
