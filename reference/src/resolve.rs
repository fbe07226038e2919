//! The compile-time checks of docs/LANGUAGE.md on the syntax tree: the function table
//! (E0102 duplicates and builtin names, E0103/E0104 `main`), then every name (E0101),
//! every direct call's arity (E0105), lambda parameters (E0102) and generator-only items
//! outside their block (E0201).

use std::collections::{HashMap, HashSet};

use crate::Diagnostic;
use crate::ast::*;
use crate::builtins::builtin_arity;

/// Function name to (index, arity).
pub type Functions = HashMap<String, (usize, usize)>;

fn duplicate_params(params: &[Name], owner: &str, errors: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for p in params {
        if !seen.insert(p.text.as_str()) {
            errors.push(Diagnostic::new(
                "E0102",
                format!(
                    "duplicate definition: parameter `{}` of `{owner}` is already defined",
                    p.text
                ),
                p.start,
                p.start + p.text.len(),
            ));
        }
    }
}

/// The function table, or its diagnostics (in the order they are found).
pub fn function_table(functions: &[Function]) -> Result<Functions, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut table = Functions::new();
    for (index, f) in functions.iter().enumerate() {
        let (name, span) = (
            &f.name.text,
            (f.name.start, f.name.start + f.name.text.len()),
        );
        let problem = if table.contains_key(name) {
            Some(format!(
                "duplicate definition: function `{name}` is already defined"
            ))
        } else if builtin_arity(name).is_some() {
            Some(format!("duplicate definition: `{name}` is a builtin"))
        } else {
            table.insert(name.clone(), (index, f.params.len()));
            None
        };
        if let Some(message) = problem {
            errors.push(Diagnostic::new("E0102", message, span.0, span.1));
        }
        duplicate_params(&f.params, name, &mut errors);
    }
    match table.get("main") {
        Some(&(index, arity)) if arity > 0 => {
            let n = &functions[index].name;
            errors.push(Diagnostic::new(
                "E0104",
                format!("`main` takes no parameters, but it declares {arity}"),
                n.start,
                n.start + 4,
            ));
        }
        Some(_) => {}
        None => errors.push(Diagnostic::new(
            "E0103",
            "no `main` function: a program needs `fn main() = ...`".into(),
            0,
            0,
        )),
    }
    if errors.is_empty() {
        Ok(table)
    } else {
        Err(errors)
    }
}

struct Checker<'a> {
    functions: &'a Functions,
    scope: Vec<String>,
    errors: Vec<Diagnostic>,
}

/// Every name, call and block item of every function.
pub fn check(functions: &[Function], table: &Functions) -> Vec<Diagnostic> {
    let mut c = Checker {
        functions: table,
        scope: Vec::new(),
        errors: Vec::new(),
    };
    for f in functions {
        c.scope = f.params.iter().map(|p| p.text.clone()).collect();
        c.expr(&f.body, false);
    }
    c.errors
}

impl Checker<'_> {
    fn local(&self, name: &str) -> bool {
        self.scope.iter().any(|n| n == name)
    }

    fn expr(&mut self, e: &Expr, in_loop: bool) {
        use ExprKind::*;
        match &e.kind {
            Int(_) | Float(_) | Text(_) | Bool(_) | Unit | Invalid => {}
            Name(n) => {
                if !self.local(n) && !self.functions.contains_key(n) && builtin_arity(n).is_none() {
                    self.errors.push(Diagnostic::new(
                        "E0101",
                        format!("unknown name `{n}`"),
                        e.start,
                        e.end,
                    ));
                }
            }
            Binary(_, a, b) | And(a, b) | Or(a, b) | Assign(a, b) | Index(a, b) => {
                self.expr(a, in_loop);
                self.expr(b, in_loop);
            }
            Not(a) | Negate(a) | Deref(a) => self.expr(a, in_loop),
            If(c, a, b) => {
                for x in [c, a, b] {
                    self.expr(x, in_loop);
                }
            }
            MethodCall(receiver, _, args) => {
                self.expr(receiver, in_loop);
                args.iter().for_each(|a| self.expr(a, in_loop));
            }
            Call(callee, args) => {
                if let Name(n) = &callee.kind
                    && !self.local(n)
                {
                    let expected = match self.functions.get(n) {
                        Some(&(_, arity)) => Some((arity == args.len(), arguments(arity))),
                        None if n == "range" => {
                            Some((matches!(args.len(), 2 | 3), "2 or 3 arguments".into()))
                        }
                        None => builtin_arity(n).map(|a| (a == args.len(), arguments(a))),
                    };
                    if let Some((false, expected)) = expected {
                        self.errors.push(Diagnostic::new(
                            "E0105",
                            format!("arity mismatch: {n} expects {expected}, got {}", args.len()),
                            e.start,
                            e.end,
                        ));
                    }
                }
                self.expr(callee, in_loop);
                for a in args {
                    self.expr(a, in_loop);
                }
            }
            Lambda {
                name, params, body, ..
            } => {
                duplicate_params(params, name, &mut self.errors);
                let mark = self.scope.len();
                self.scope.extend(params.iter().map(|p| p.text.clone()));
                self.expr(body, in_loop);
                self.scope.truncate(mark);
            }
            List(elements) => elements.iter().for_each(|(_, x)| self.expr(x, in_loop)),
            Tuple(elements) => elements.iter().for_each(|x| self.expr(x, in_loop)),
            Map(entries) => entries.iter().for_each(|(k, v)| {
                self.expr(k, in_loop);
                self.expr(v, in_loop);
            }),
            Block(items) => self.items(items, None, in_loop),
            Generate(items) => self.items(items, Some(in_loop), in_loop),
            Loop {
                pattern,
                init,
                body,
                ..
            } => {
                self.expr(init, in_loop);
                let mark = self.scope.len();
                self.bind(pattern);
                self.items(body, Some(true), true);
                self.scope.truncate(mark);
            }
        }
    }

    fn bind(&mut self, pattern: &Pattern) {
        match pattern {
            Pattern::Name(n) => self.scope.push(n.clone()),
            Pattern::Tuple(names) => self.scope.extend(names.iter().map(|n| n.text.clone())),
        }
    }

    /// `generator`: `None` in a plain block, else whether `recurse` is allowed.
    fn items(&mut self, items: &[Item], generator: Option<bool>, in_loop: bool) {
        let mark = self.scope.len();
        for item in items {
            if let (None, Some(kind)) = (generator, item.kind.generator_only()) {
                self.errors.push(Diagnostic::new(
                    "E0201",
                    format!("unsupported block item in plain block: {kind}"),
                    item.start,
                    item.start,
                ));
            }
            match &item.kind {
                ItemKind::Bind(pattern, value) => {
                    self.expr(value, in_loop);
                    self.bind(pattern);
                }
                ItemKind::Expr(x) | ItemKind::Filter(x) | ItemKind::Yield(x) => {
                    self.expr(x, in_loop)
                }
                ItemKind::BindFrom(name, source) => {
                    self.expr(source, in_loop);
                    self.scope.push(name.clone());
                }
                ItemKind::Recurse(x) => {
                    if generator == Some(false) {
                        self.errors.push(Diagnostic::new(
                            "E0201",
                            "unsupported block item outside a `loop`: Recurse".into(),
                            item.start,
                            item.start,
                        ));
                    }
                    self.expr(x, in_loop);
                }
            }
        }
        self.scope.truncate(mark);
    }
}

/// The names a lambda body uses that it does not bind itself (what the lambda captures,
/// docs/LANGUAGE.md, *Functions, closures and calls*), in first-use order.
pub fn free_names(body: &Expr, params: &[Name]) -> Vec<String> {
    struct Walk {
        bound: Vec<String>,
        free: Vec<String>,
    }
    impl Walk {
        fn name(&mut self, n: &str) {
            if !self.bound.iter().any(|b| b == n) && !self.free.iter().any(|f| f == n) {
                self.free.push(n.to_string());
            }
        }
        fn pattern(&mut self, p: &Pattern) {
            match p {
                Pattern::Name(n) => self.bound.push(n.clone()),
                Pattern::Tuple(ns) => self.bound.extend(ns.iter().map(|n| n.text.clone())),
            }
        }
        fn items(&mut self, items: &[Item]) {
            let mark = self.bound.len();
            for item in items {
                match &item.kind {
                    ItemKind::Bind(p, e) => {
                        self.expr(e);
                        self.pattern(p);
                    }
                    ItemKind::BindFrom(n, e) => {
                        self.expr(e);
                        self.bound.push(n.clone());
                    }
                    ItemKind::Recurse(e) => {
                        self.name(crate::eval::LOOP_SELF);
                        self.expr(e)
                    }
                    ItemKind::Expr(e) | ItemKind::Filter(e) | ItemKind::Yield(e) => self.expr(e),
                }
            }
            self.bound.truncate(mark);
        }
        fn expr(&mut self, e: &Expr) {
            use ExprKind::*;
            match &e.kind {
                Int(_) | Float(_) | Text(_) | Bool(_) | Unit | Invalid => {}
                Name(n) => self.name(n),
                Binary(_, a, b) | And(a, b) | Or(a, b) | Assign(a, b) | Index(a, b) => {
                    self.expr(a);
                    self.expr(b);
                }
                Not(a) | Negate(a) | Deref(a) => self.expr(a),
                If(c, a, b) => [c, a, b].into_iter().for_each(|x| self.expr(x)),
                Call(c, args) | MethodCall(c, _, args) => {
                    self.expr(c);
                    args.iter().for_each(|a| self.expr(a));
                }
                Lambda { params, body, .. } => {
                    let mark = self.bound.len();
                    self.bound.extend(params.iter().map(|p| p.text.clone()));
                    self.expr(body);
                    self.bound.truncate(mark);
                }
                List(es) => es.iter().for_each(|(_, x)| self.expr(x)),
                Tuple(es) => es.iter().for_each(|x| self.expr(x)),
                Map(es) => es.iter().for_each(|(k, v)| {
                    self.expr(k);
                    self.expr(v);
                }),
                Block(items) => self.items(items),
                Generate(items) => self.items(items),
                Loop {
                    pattern,
                    init,
                    body,
                    ..
                } => {
                    self.expr(init);
                    let mark = self.bound.len();
                    self.pattern(pattern);
                    self.items(body);
                    self.bound.truncate(mark);
                }
            }
        }
    }
    let mut walk = Walk {
        bound: params.iter().map(|p| p.text.clone()).collect(),
        free: Vec::new(),
    };
    walk.expr(body);
    walk.free
}

/// `1 argument`, `2 arguments`, as diagnostics spell a count of arguments.
pub(crate) fn arguments(count: usize) -> String {
    if count == 1 {
        "1 argument".to_string()
    } else {
        format!("{count} arguments")
    }
}
