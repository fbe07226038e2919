//! The core of the program generator: the seeded random source, the scope of typed
//! variables, the named functions callable so far, the record of what was used (for the
//! coverage test), leaves (variables and literals of any type) and the dispatch from a
//! wanted type to the productions of `gen_values` and `gen_seq`.

use std::collections::BTreeSet;

use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

use super::ast::{Expr, Kind};
use super::ty::Ty;

/// A named function the generated code may call.
#[derive(Clone, Debug)]
pub struct FnSig {
    pub name: String,
    pub params: Vec<Ty>,
    pub ret: Ty,
    /// For a recursive function: its first parameter is a counter that must stay at most
    /// this (the recursion depth); such a function is only ever called directly.
    pub counter_max: Option<i64>,
}

pub struct Gen {
    pub rng: ChaCha8Rng,
    scope: Vec<(String, Ty)>,
    pub fns: Vec<FnSig>,
    pub features: BTreeSet<&'static str>,
    next_name: u32,
    /// Nodes still to spend on this program: when it runs out, only leaves are generated.
    pub budget: i64,
}

const TEXT_PIECES: &[&str] = &[
    "a", "b", "z", " ", "é", "日", "\n", "\"", "\\", "\t", "😀", "x1",
];

impl Gen {
    pub fn new(rng: ChaCha8Rng, budget: i64) -> Gen {
        Gen {
            rng,
            scope: Vec::new(),
            fns: Vec::new(),
            features: BTreeSet::new(),
            next_name: 0,
            budget,
        }
    }

    pub fn used(&mut self, feature: &'static str) {
        self.features.insert(feature);
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    pub fn below(&mut self, n: usize) -> usize {
        self.rng.random_range(0..n)
    }

    pub fn int_in(&mut self, low: i64, high: i64) -> i64 {
        self.rng.random_range(low..=high)
    }

    /// A fresh local name, or (sometimes) a visible one again: shadowing.
    pub fn bind_name(&mut self) -> String {
        let visible = self.visible_names();
        if !visible.is_empty() && self.chance(0.15) {
            self.used("shadowing");
            return visible.choose(&mut self.rng).cloned().unwrap_or_default();
        }
        self.fresh("v")
    }

    pub fn fresh(&mut self, prefix: &str) -> String {
        self.next_name += 1;
        format!("{prefix}{}", self.next_name)
    }

    // ----- scope -----

    pub fn scope_len(&self) -> usize {
        self.scope.len()
    }

    pub fn truncate_scope(&mut self, len: usize) {
        self.scope.truncate(len);
    }

    pub fn bind(&mut self, name: &str, ty: Ty) {
        self.scope.push((name.to_string(), ty));
    }

    /// Runs `f` with `names` bound, then forgets them.
    pub fn with_bound<T>(&mut self, names: &[(String, Ty)], f: impl FnOnce(&mut Gen) -> T) -> T {
        let mark = self.scope.len();
        self.scope.extend(names.iter().cloned());
        let out = f(self);
        self.scope.truncate(mark);
        out
    }

    /// Runs `f` with nothing in scope (for a body outside the current function).
    pub fn with_empty_scope<T>(&mut self, f: impl FnOnce(&mut Gen) -> T) -> T {
        let saved = std::mem::take(&mut self.scope);
        let out = f(self);
        self.scope = saved;
        out
    }

    fn visible(&self) -> Vec<(String, Ty)> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for (name, ty) in self.scope.iter().rev() {
            if seen.insert(name.clone()) {
                out.push((name.clone(), ty.clone()));
            }
        }
        out
    }

    fn visible_names(&self) -> Vec<String> {
        self.visible().into_iter().map(|(n, _)| n).collect()
    }

    /// A visible variable of type `ty`, if any.
    pub fn var_of(&mut self, ty: &Ty) -> Option<Expr> {
        let candidates: Vec<String> = self
            .visible()
            .into_iter()
            .filter(|(_, t)| t == ty)
            .map(|(n, _)| n)
            .collect();
        let name = candidates.choose(&mut self.rng)?.clone();
        Some(Expr::leaf(Kind::Var(name), ty.clone()))
    }

    /// A visible variable of any type satisfying `pred`.
    pub fn var_where(&mut self, pred: impl Fn(&Ty) -> bool) -> Option<Expr> {
        let candidates: Vec<(String, Ty)> = self
            .visible()
            .into_iter()
            .filter(|(_, t)| pred(t))
            .collect();
        let (name, ty) = candidates.choose(&mut self.rng)?.clone();
        Some(Expr::leaf(Kind::Var(name), ty))
    }

    // ----- types -----

    /// A random type; `depth` bounds nesting.
    pub fn any_ty(&mut self, depth: u32) -> Ty {
        let roll = self.below(100);
        if depth == 0 || roll < 55 {
            return match roll % 11 {
                0..=3 => Ty::Int,
                4 => Ty::Float,
                5 | 6 => Ty::Bool,
                7 | 8 => Ty::Text,
                9 => Ty::Unit,
                _ => Ty::Int,
            };
        }
        match roll {
            55..=67 => Ty::list(self.any_ty(depth - 1)),
            68..=75 => {
                let n = self.int_in(1, 3) as usize;
                Ty::Tuple((0..n).map(|_| self.any_ty(depth - 1)).collect())
            }
            76..=83 => Ty::map(self.key_ty(), self.any_ty(depth - 1)),
            84..=90 => Ty::seq(self.any_ty(depth - 1)),
            91..=94 => Ty::Ref(Box::new(self.ref_content_ty(depth - 1))),
            _ => {
                let n = self.below(3);
                Ty::func(
                    (0..n).map(|_| self.any_ty(depth - 1)).collect(),
                    self.any_ty(depth - 1),
                )
            }
        }
    }

    pub fn key_ty(&mut self) -> Ty {
        match self.below(12) {
            0..=3 => Ty::Int,
            4..=6 => Ty::Text,
            7 => Ty::Bool,
            8 => Ty::Unit,
            9 => Ty::Float,
            _ => Ty::Tuple(vec![Ty::Int, Ty::Text]),
        }
    }

    pub fn ref_content_ty(&mut self, depth: u32) -> Ty {
        loop {
            let ty = self.any_ty(depth);
            if ty.may_sit_in_ref() {
                return ty;
            }
        }
    }

    // ----- expressions -----

    /// An expression of type `ty`, at most `depth` levels of productions deep.
    pub fn expr(&mut self, ty: &Ty, depth: u32) -> Expr {
        self.budget -= 1;
        if depth == 0 || self.budget <= 0 || self.chance(0.3) {
            return self.leaf(ty);
        }
        if self.chance(0.3)
            && let Some(e) = super::gen_values::common(self, ty, depth - 1)
        {
            return e;
        }
        match ty {
            Ty::Seq(of) => super::gen_seq::seq(self, of, depth - 1),
            _ => super::gen_values::specific(self, ty, depth - 1),
        }
    }

    /// A variable of type `ty` (usually, when one is visible) or a literal.
    pub fn leaf(&mut self, ty: &Ty) -> Expr {
        if self.chance(0.6)
            && let Some(var) = self.var_of(ty)
        {
            self.used("variable");
            return var;
        }
        self.literal(ty)
    }

    pub fn literal(&mut self, ty: &Ty) -> Expr {
        let t = ty.clone();
        match ty {
            Ty::Int => Expr::leaf(Kind::Int(self.int_literal()), t),
            Ty::Float => {
                self.used("float literal");
                Expr::leaf(Kind::Float(self.int_in(-40, 40) as f64 / 4.0), t)
            }
            Ty::Bool => Expr::leaf(Kind::Bool(self.chance(0.5)), t),
            Ty::Text => {
                let text = self.text_value();
                Expr::leaf(Kind::Text(text), t)
            }
            Ty::Unit => Expr::leaf(Kind::Unit, t),
            Ty::List(of) => {
                let n = self.below(4);
                let kids: Vec<Expr> = (0..n).map(|_| self.leaf(of)).collect();
                Expr::new(Kind::List(vec![false; n]), t, kids)
            }
            Ty::Tuple(items) => {
                let kids = items.iter().map(|i| self.leaf(i)).collect();
                Expr::new(Kind::Tuple, t, kids)
            }
            Ty::Map(key, value) => {
                let n = self.below(3);
                let mut kids = Vec::new();
                for _ in 0..n {
                    kids.push(self.key_literal(key));
                    kids.push(self.leaf(value));
                }
                Expr::new(Kind::Map, t, kids)
            }
            Ty::Seq(of) if **of == Ty::Int && self.chance(0.5) => {
                let low = self.int_in(-3, 3);
                let high = low + self.int_in(0, 6);
                self.used("range");
                Expr::new(
                    Kind::Call("range".into()),
                    t,
                    vec![
                        Expr::leaf(Kind::Int(low), Ty::Int),
                        Expr::leaf(Kind::Int(high), Ty::Int),
                    ],
                )
            }
            Ty::Seq(of) => {
                let list = self.literal(&Ty::List(of.clone()));
                self.used("iter");
                Expr::new(Kind::Call("iter".into()), t, vec![list])
            }
            Ty::Ref(of) => {
                let value = self.leaf(of);
                self.used("ref");
                Expr::new(Kind::Call("ref".into()), t, vec![value])
            }
            Ty::Fn(params, ret) => {
                let names: Vec<(String, Ty)> = params
                    .iter()
                    .map(|p| (self.fresh("p"), p.clone()))
                    .collect();
                let body = self.with_bound(&names, |g| g.leaf(ret));
                self.used("lambda");
                Expr::new(
                    Kind::Lambda(names.into_iter().map(|(n, _)| n).collect()),
                    t,
                    vec![body],
                )
            }
        }
    }

    /// A key literal of a key type (Float keys are sometimes integral: they coerce to Int).
    pub fn key_literal(&mut self, key: &Ty) -> Expr {
        match key {
            Ty::Int => Expr::leaf(Kind::Int(self.int_in(-3, 5)), Ty::Int),
            Ty::Float => {
                self.used("key:Float");
                Expr::leaf(Kind::Float(self.int_in(-4, 8) as f64 / 2.0), Ty::Float)
            }
            Ty::Text => {
                self.used("key:Text");
                let text = ["a", "b", "c", "", "é"][self.below(5)].to_string();
                Expr::leaf(Kind::Text(text), Ty::Text)
            }
            Ty::Bool => {
                self.used("key:Bool");
                Expr::leaf(Kind::Bool(self.chance(0.5)), Ty::Bool)
            }
            Ty::Unit => {
                self.used("key:Unit");
                Expr::leaf(Kind::Unit, Ty::Unit)
            }
            Ty::Tuple(items) => {
                self.used("key:Tuple");
                let kids = items.iter().map(|i| self.key_literal(i)).collect();
                Expr::new(Kind::Tuple, key.clone(), kids)
            }
            other => self.literal(other),
        }
    }

    pub fn int_literal(&mut self) -> i64 {
        match self.below(50) {
            0 => {
                self.used("large int literal");
                let big = 140_737_488_355_327 - self.int_in(0, 1000);
                if self.chance(0.5) { big } else { -big }
            }
            1..=5 => self.int_in(-1000, 1000),
            _ => self.int_in(-9, 20),
        }
    }

    pub fn text_value(&mut self) -> String {
        let n = self.below(4);
        (0..n)
            .map(|_| *TEXT_PIECES.choose(&mut self.rng).unwrap_or(&"a"))
            .collect()
    }
}
