//! Delta debugging over the syntax tree: repeatedly try one-step simplifications (drop a
//! function, drop a block item or a list or map element, replace a node by a child of the
//! same type or by the smallest literal of its type, halve an Int, shorten a Text) and keep
//! each one under which the failure persists, until none helps.

use super::ast::{Expr, FuzzProgram, Kind};
use super::print::functions_source;
use super::ty::Ty;

/// The smallest program reachable from `program` by simplifications that keep
/// `still_fails` true; `max_checks` bounds the number of predicate calls.
pub fn shrink(
    program: &FuzzProgram,
    mut still_fails: impl FnMut(&FuzzProgram) -> bool,
    max_checks: usize,
) -> FuzzProgram {
    let mut best = program.clone();
    let mut checks = 0;
    let mut improved = true;
    while improved && checks < max_checks {
        improved = false;
        for candidate in candidates(&best) {
            if checks >= max_checks {
                break;
            }
            if measure(&candidate) >= measure(&best) {
                continue;
            }
            checks += 1;
            if still_fails(&candidate) {
                best = candidate;
                improved = true;
                break;
            }
        }
    }
    best
}

/// Smaller is simpler: node count, then source length.
fn measure(program: &FuzzProgram) -> (usize, usize) {
    (program.size(), functions_source(program).len())
}

/// Every one-step simplification of `program`, biggest cuts first.
fn candidates(program: &FuzzProgram) -> Vec<FuzzProgram> {
    let mut out = Vec::new();
    for i in 0..program.functions.len().saturating_sub(1) {
        let mut p = program.clone();
        p.functions.remove(i);
        out.push(p);
    }
    let total: usize = program.functions.iter().map(|f| f.body.size()).sum();
    for index in 0..total {
        let Some(node) = node_at(program, index) else {
            continue;
        };
        for replacement in node_candidates(node) {
            let mut p = program.clone();
            if let Some(slot) = node_at_mut(&mut p, index) {
                *slot = replacement;
                out.push(p);
            }
        }
    }
    out
}

fn node_candidates(node: &Expr) -> Vec<Expr> {
    let mut out = Vec::new();
    if !node.kind.is_item() {
        let smallest = smallest_literal(&node.ty);
        if smallest != *node {
            out.push(smallest);
        }
        for kid in &node.kids {
            if !kid.kind.is_item() && kid.ty == node.ty {
                out.push(kid.clone());
            }
            if kid.kind == Kind::ExprItem && kid.kids[0].ty == node.ty {
                out.push(kid.kids[0].clone());
            }
        }
    }
    match &node.kind {
        Kind::Block if node.kids.len() > 1 => out.extend(without_each(node, 0)),
        Kind::Generate => out.extend(without_each(node, 0)),
        Kind::Loop(..) => out.extend(without_each(node, 1)),
        Kind::List(spreads) => {
            for i in 0..node.kids.len() {
                let mut e = node.clone();
                e.kids.remove(i);
                let mut spreads = spreads.clone();
                spreads.remove(i);
                e.kind = Kind::List(spreads);
                out.push(e);
            }
        }
        Kind::Map => {
            for i in (0..node.kids.len()).step_by(2) {
                let mut e = node.clone();
                e.kids.drain(i..i + 2);
                out.push(e);
            }
        }
        Kind::Int(v) if *v != 0 => out.push(Expr::leaf(Kind::Int(v / 2), node.ty.clone())),
        Kind::Text(t) if !t.is_empty() => {
            let shorter: String = t.chars().skip(1).collect();
            out.push(Expr::leaf(Kind::Text(shorter), node.ty.clone()));
        }
        _ => {}
    }
    out
}

fn without_each(node: &Expr, from: usize) -> Vec<Expr> {
    (from..node.kids.len())
        .map(|i| {
            let mut e = node.clone();
            e.kids.remove(i);
            e
        })
        .collect()
}

/// The smallest literal of a type: `0`, `0.0`, `false`, `""`, `()`, `[]`, `#{}`, ...
pub fn smallest_literal(ty: &Ty) -> Expr {
    let t = ty.clone();
    match ty {
        Ty::Int => Expr::leaf(Kind::Int(0), t),
        Ty::Float => Expr::leaf(Kind::Float(0.0), t),
        Ty::Bool => Expr::leaf(Kind::Bool(false), t),
        Ty::Text => Expr::leaf(Kind::Text(String::new()), t),
        Ty::Unit => Expr::leaf(Kind::Unit, t),
        Ty::List(_) => Expr::leaf(Kind::List(Vec::new()), t),
        Ty::Tuple(items) => Expr::new(Kind::Tuple, t, items.iter().map(smallest_literal).collect()),
        Ty::Map(..) => Expr::leaf(Kind::Map, t),
        Ty::Seq(of) => Expr::new(
            Kind::Call("iter".into()),
            t,
            vec![Expr::leaf(Kind::List(Vec::new()), Ty::List(of.clone()))],
        ),
        Ty::Ref(of) => Expr::new(Kind::Call("ref".into()), t, vec![smallest_literal(of)]),
        Ty::Fn(params, ret) => Expr::new(
            Kind::Lambda((0..params.len()).map(|i| format!("s{i}")).collect()),
            t,
            vec![smallest_literal(ret)],
        ),
    }
}

/// The `index`th node in preorder over all function bodies.
fn node_at(program: &FuzzProgram, mut index: usize) -> Option<&Expr> {
    for function in &program.functions {
        let size = function.body.size();
        if index < size {
            return nth(&function.body, index);
        }
        index -= size;
    }
    None
}

fn nth(e: &Expr, index: usize) -> Option<&Expr> {
    if index == 0 {
        return Some(e);
    }
    let mut rest = index - 1;
    for kid in &e.kids {
        let size = kid.size();
        if rest < size {
            return nth(kid, rest);
        }
        rest -= size;
    }
    None
}

fn node_at_mut(program: &mut FuzzProgram, mut index: usize) -> Option<&mut Expr> {
    for function in &mut program.functions {
        let size = function.body.size();
        if index < size {
            return nth_mut(&mut function.body, index);
        }
        index -= size;
    }
    None
}

fn nth_mut(e: &mut Expr, index: usize) -> Option<&mut Expr> {
    if index == 0 {
        return Some(e);
    }
    let mut rest = index - 1;
    for kid in &mut e.kids {
        let size = kid.size();
        if rest < size {
            return nth_mut(kid, rest);
        }
        rest -= size;
    }
    None
}
