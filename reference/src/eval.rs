//! The evaluator: walks the syntax tree of docs/LANGUAGE.md over plain values. Calls in
//! tail position (function bodies, `if` branches, block tails) come back to the caller's
//! call loop as [`Flow::Tail`], so tail calls run in constant Rust stack and leave no frame.
//! Every function entry (named functions, lambdas, builtins called as values, the
//! generator pieces of docs/LANGUAGE.md's desugaring) counts one call-depth level and one
//! fuel unit; a self tail call costs one fuel unit.

use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;

use crate::ast::*;
use crate::builtins::{Lookup, out_of_bounds};
pub use crate::ops::{binary, destructure, key, overflow, truth};
use crate::resolve::Functions;
use crate::value::{Closure, Code, Value};
use crate::{End, Limits, Outcome};

/// A runtime diagnostic: RT code and message.
#[derive(Debug)]
pub struct Failure {
    pub code: &'static str,
    pub message: String,
}

pub type R<T> = Result<T, Failure>;

pub fn fail<T>(code: &'static str, message: impl Into<String>) -> R<T> {
    Err(Failure {
        code,
        message: message.into(),
    })
}

/// RT0303 `type mismatch: {op} expects {expected}, got {got}`.
pub fn mismatch<T>(op: &str, expected: &str, got: &str) -> R<T> {
    fail(
        "RT0303",
        format!("type mismatch: {op} expects {expected}, got {got}"),
    )
}

/// Local bindings: a persistent linked list, innermost first.
pub type Env = Option<Rc<Scope>>;

pub struct Scope {
    name: Rc<str>,
    value: Value,
    parent: Env,
}

pub fn bind(env: &Env, name: &str, value: Value) -> Env {
    Some(Rc::new(Scope {
        name: Rc::from(name),
        value,
        parent: env.clone(),
    }))
}

pub fn lookup(env: &Env, name: &str) -> Option<Value> {
    let mut scope = env.as_ref();
    while let Some(s) = scope {
        if &*s.name == name {
            return Some(s.value.clone());
        }
        scope = s.parent.as_ref();
    }
    None
}

/// Stack left below which [`Machine::eval`] moves to a new segment, and that segment's size.
const STACK_RED_ZONE: usize = 256 * 1024;
const STACK_SEGMENT: usize = 16 * 1024 * 1024;

/// The local name under which a `loop` body finds its own loop (for `recurse`).
pub const LOOP_SELF: &str = "<loop>";

/// What to call: a named function directly, or a closure value.
#[derive(Clone)]
pub enum Target {
    Function(usize),
    Closure(Rc<Closure>),
}

/// The result of evaluating an expression in tail position.
pub enum Flow {
    Value(Value),
    Tail(Target, Vec<Value>),
}

pub struct Machine<'a> {
    pub functions: &'a [Function],
    pub table: &'a Functions,
    pub output: String,
    pub fuel: Option<u64>,
    pub depth: u64,
    pub max_depth: u64,
}

pub fn run_main(functions: &[Function], table: &Functions, limits: Limits) -> Outcome {
    let mut m = Machine {
        functions,
        table,
        output: String::new(),
        fuel: limits.fuel,
        depth: 0,
        max_depth: limits.max_call_depth,
    };
    let main = table["main"].0;
    let end = match m.call(Target::Function(main), Vec::new()) {
        Ok(value) => End::Returned(value.canonical(true)),
        Err(f) => End::Failed {
            code: f.code.to_string(),
            message: f.message,
        },
    };
    Outcome {
        output: m.output,
        end,
    }
}

impl Machine<'_> {
    /// One fuel unit (RT0502 when none is left).
    pub fn charge_fuel(&mut self) -> R<()> {
        match &mut self.fuel {
            Some(0) => fail("RT0502", "out of fuel"),
            Some(n) => {
                *n -= 1;
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// One more level of call depth (RT0501 past the limit); undone by [`Machine::leave`].
    pub fn deeper(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return fail(
                "RT0501",
                format!("stack overflow: call depth exceeds {}", self.max_depth),
            );
        }
        Ok(())
    }

    /// A function entry: a depth level, then a fuel unit.
    pub fn enter(&mut self) -> R<()> {
        self.deeper()?;
        self.charge_fuel()
    }

    pub fn leave(&mut self) {
        self.depth -= 1;
    }

    /// `==` as a runtime loop (docs/LANGUAGE.md, *Decision — walks over values*): one step
    /// per pair of values compared, one fuel unit at every 1,024th step. Pairs are taken
    /// last-pushed first (a container's last elements first), so an unequal pair ends the
    /// walk after as many steps as the engines take on values that share nothing. A pair of
    /// containers met again is not compared again (values share, never contain themselves),
    /// so `dbl(1, 40) == dbl(1, 40)` is 81 steps, not 2^41. The engines also take identical
    /// NaN-free containers as equal in one step, which this walk does not: on such values it
    /// may charge more fuel than they do (the result is the same).
    pub fn equal_metered(&mut self, a: &Value, b: &Value) -> R<bool> {
        let mut work = vec![(a.clone(), b.clone())];
        let mut seen: HashSet<(usize, usize)> = HashSet::new();
        let mut step = 0usize;
        while let Some((a, b)) = work.pop() {
            step += 1;
            if step.is_multiple_of(1024) {
                self.charge_fuel()?;
            }
            match (&a, &b) {
                (Value::List(x), Value::List(y)) | (Value::Tuple(x), Value::Tuple(y)) => {
                    if x.len() != y.len() {
                        return Ok(false);
                    }
                    if seen.insert((Rc::as_ptr(x) as usize, Rc::as_ptr(y) as usize)) {
                        work.extend(x.iter().cloned().zip(y.iter().cloned()));
                    }
                }
                (Value::Map(x), Value::Map(y)) => {
                    if x.len() != y.len() {
                        return Ok(false);
                    }
                    let pair = (
                        Rc::as_ptr(x).cast::<u8>() as usize,
                        Rc::as_ptr(y).cast::<u8>() as usize,
                    );
                    if !seen.insert(pair) {
                        continue;
                    }
                    for ((ka, va), (kb, vb)) in x.iter().zip(y.iter()) {
                        work.push((ka.0.clone(), kb.0.clone()));
                        work.push((va.clone(), vb.clone()));
                    }
                }
                _ if !crate::value::equal(&a, &b) => return Ok(false),
                _ => {}
            }
        }
        Ok(true)
    }

    /// Calls `target` with `args`, following tail calls in a loop.
    pub fn call(&mut self, mut target: Target, mut args: Vec<Value>) -> R<Value> {
        self.enter()?;
        loop {
            if let Target::Closure(c) = &target
                && let Code::Function(index) = c.code
            {
                target = Target::Function(index);
            }
            let functions = self.functions;
            let flow = match &target {
                Target::Function(index) => {
                    let f = &functions[*index];
                    let mut env = None;
                    for (p, v) in f.params.iter().zip(args) {
                        env = bind(&env, &p.text, v);
                    }
                    self.eval(&f.body.clone(), &env, true)?
                }
                Target::Closure(c) => match &c.code {
                    Code::Function(_) => unreachable!("replaced by a direct target above"),
                    Code::Builtin(name) => Flow::Value(self.builtin(name, args)?),
                    Code::Lambda {
                        params,
                        body,
                        captured,
                    } => {
                        let mut env = captured.clone();
                        for (p, v) in params.iter().zip(args) {
                            env = bind(&env, p, v);
                        }
                        self.eval(&body.clone(), &env, true)?
                    }
                    Code::Loop { pattern, body, env } => {
                        let arg = args.into_iter().next().expect("a loop takes one argument");
                        Flow::Value(self.loop_body(
                            Value::Closure(c.clone()),
                            pattern,
                            body,
                            env,
                            arg,
                        )?)
                    }
                },
            };
            match flow {
                Flow::Value(v) => {
                    self.leave();
                    return Ok(v);
                }
                Flow::Tail(next, next_args) => {
                    // A tail call leaves no frame: same depth, one fuel unit (the callee's
                    // entry, or the self call's back edge).
                    self.charge_fuel()?;
                    target = next;
                    args = next_args;
                }
            }
        }
    }

    /// A value call's checks (RT0304, RT0305); the closure to call.
    pub fn callable(&self, callee: Value, argc: usize) -> R<Rc<Closure>> {
        let Value::Closure(c) = callee else {
            return fail("RT0304", format!("not callable: {}", callee.kind()));
        };
        if c.arity != argc {
            return fail(
                "RT0305",
                format!(
                    "arity mismatch: {} expects {}, got {argc}",
                    c.name,
                    crate::resolve::arguments(c.arity)
                ),
            );
        }
        Ok(c)
    }

    /// Calls a closure value (a sequence callback, a generator thunk).
    pub fn call_value(&mut self, callee: &Value, args: Vec<Value>) -> R<Value> {
        let c = self.callable(callee.clone(), args.len())?;
        self.call(Target::Closure(c), args)
    }

    pub fn value(&mut self, e: &Expr, env: &Env) -> R<Value> {
        match self.eval(e, env, false)? {
            Flow::Value(v) => Ok(v),
            Flow::Tail(..) => unreachable!("tail calls only in tail position"),
        }
    }

    fn named_value(&self, name: &str) -> Value {
        if let Some(&(index, arity)) = self.table.get(name) {
            return closure(name.into(), arity, Code::Function(index), false);
        }
        let (name, arity) = crate::builtins::builtin_value(name).expect("resolved name");
        closure(name.into(), arity, Code::Builtin(name), false)
    }

    /// Evaluates `e`; in tail position a call comes back as [`Flow::Tail`].
    pub fn eval(&mut self, e: &Expr, env: &Env, tail: bool) -> R<Flow> {
        // The walk recurses once per expression level and call: grow the stack on demand.
        stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
            self.eval_here(e, env, tail)
        })
    }

    fn eval_here(&mut self, e: &Expr, env: &Env, tail: bool) -> R<Flow> {
        use ExprKind::*;
        let v = match &e.kind {
            Int(n) => Value::Int(*n),
            Float(x) => Value::Float(*x),
            Text(s) => Value::Text(s.clone()),
            Bool(b) => Value::Bool(*b),
            Unit => Value::Unit,
            Invalid => unreachable!("E0003 stops compilation"),
            Name(n) => lookup(env, n).unwrap_or_else(|| self.named_value(n)),
            Binary(op, a, b) => {
                let (a, b) = (self.value(a, env)?, self.value(b, env)?);
                match op {
                    BinOp::Eq => Value::Bool(self.equal_metered(&a, &b)?),
                    BinOp::Ne => Value::Bool(!self.equal_metered(&a, &b)?),
                    _ => binary(*op, &a, &b)?,
                }
            }
            And(a, b) | Or(a, b) => {
                let op = if matches!(e.kind, And(..)) {
                    "and"
                } else {
                    "or"
                };
                let left = truth(op, self.value(a, env)?)?;
                if left == (op == "or") {
                    Value::Bool(left)
                } else {
                    Value::Bool(truth(op, self.value(b, env)?)?)
                }
            }
            Not(a) => Value::Bool(!truth("not", self.value(a, env)?)?),
            Negate(a) => match self.value(a, env)? {
                Value::Int(n) => Value::int(-n).ok_or(overflow())?,
                Value::Float(x) => Value::Float(-x),
                other => return mismatch("-", "numbers", other.kind()),
            },
            Deref(a) => match self.value(a, env)? {
                Value::Ref(cell) => cell.borrow().clone(),
                other => return mismatch("!", "Ref", other.kind()),
            },
            Assign(target, value) => {
                let (target, value) = (self.value(target, env)?, self.value(value, env)?);
                let Value::Ref(cell) = target else {
                    return mismatch(":=", "Ref", target.kind());
                };
                if value.contains_ref() {
                    return fail("RT0403", "a Ref cannot hold a value that contains a Ref");
                }
                *cell.borrow_mut() = value;
                Value::Unit
            }
            If(c, a, b) => {
                let branch = if truth("if", self.value(c, env)?)? {
                    a
                } else {
                    b
                };
                return self.eval(branch, env, tail);
            }
            Call(callee, args) => return self.call_expr(callee, args, env, tail),
            MethodCall(receiver, method, args) => {
                // Only host objects have methods, and this evaluator has no host: every
                // method call fails once its receiver and arguments are evaluated.
                let receiver = self.value(receiver, env)?;
                for arg in args {
                    self.value(arg, env)?;
                }
                return fail(
                    "RT0307",
                    format!("no method {method} on {}", receiver.kind()),
                );
            }
            Index(base, index) => {
                let (base, index) = (self.value(base, env)?, self.value(index, env)?);
                match crate::builtins::lookup(&base, &index)? {
                    Lookup::Found(v) => v,
                    Lookup::Missing => {
                        return fail(
                            "RT0105",
                            format!("missing map key: {}", index.canonical(false)),
                        );
                    }
                    Lookup::OutOfBounds(i, n) => return out_of_bounds(i, n),
                }
            }
            Lambda {
                name,
                params,
                body,
                free,
            } => {
                let mut captured = None;
                let mut holds_ref = false;
                for n in free.iter() {
                    if let Some(v) = lookup(env, n) {
                        holds_ref |= v.contains_ref();
                        captured = bind(&captured, n, v);
                    }
                }
                let params = Rc::new(params.iter().map(|p| p.text.clone()).collect());
                let code = Code::Lambda {
                    params,
                    body: body.clone(),
                    captured,
                };
                closure(name.clone(), free_arity(e), code, holds_ref)
            }
            List(elements) => {
                let mut items = Vec::new();
                for (spread, x) in elements {
                    let v = self.value(x, env)?;
                    if !spread {
                        items.push(v);
                    } else if let Value::List(more) = v {
                        items.extend(more.iter().cloned());
                    } else {
                        return mismatch("spread", "a List", v.kind());
                    }
                }
                Value::List(Rc::new(items))
            }
            Tuple(elements) => {
                let items = elements
                    .iter()
                    .map(|x| self.value(x, env))
                    .collect::<R<Vec<_>>>()?;
                Value::Tuple(Rc::new(items))
            }
            Map(entries) => {
                let mut pairs = Vec::new();
                for (k, v) in entries {
                    pairs.push((self.value(k, env)?, self.value(v, env)?));
                }
                let mut map = BTreeMap::new();
                for (k, v) in pairs {
                    map.insert(key(&k)?, v);
                }
                Value::Map(Rc::new(map))
            }
            Block(items) => return self.block(items, env, tail),
            Generate(items) => crate::generator::generate(items, env),
            Loop {
                name,
                pattern,
                init,
                body,
            } => {
                let init = self.value(init, env)?;
                crate::generator::start_loop(name, pattern, body, env, init)
            }
        };
        Ok(Flow::Value(v))
    }

    fn call_expr(&mut self, callee: &Expr, args: &[Expr], env: &Env, tail: bool) -> R<Flow> {
        if let ExprKind::Name(n) = &callee.kind
            && lookup(env, n).is_none()
        {
            let values = args
                .iter()
                .map(|a| self.value(a, env))
                .collect::<R<Vec<_>>>()?;
            if let Some(&(index, _)) = self.table.get(n.as_str()) {
                return self.finish_call(Target::Function(index), values, tail);
            }
            let name = if n == "range" && values.len() == 3 {
                "range_step"
            } else {
                n.as_str()
            };
            return Ok(Flow::Value(self.builtin(name, values)?));
        }
        let callee = self.value(callee, env)?;
        let values = args
            .iter()
            .map(|a| self.value(a, env))
            .collect::<R<Vec<_>>>()?;
        let c = self.callable(callee, values.len())?;
        self.finish_call(Target::Closure(c), values, tail)
    }

    fn finish_call(&mut self, target: Target, args: Vec<Value>, tail: bool) -> R<Flow> {
        if tail {
            return Ok(Flow::Tail(target, args));
        }
        Ok(Flow::Value(self.call(target, args)?))
    }

    fn block(&mut self, items: &[Item], env: &Env, tail: bool) -> R<Flow> {
        let mut env = env.clone();
        for (i, item) in items.iter().enumerate() {
            match &item.kind {
                ItemKind::Bind(pattern, e) => {
                    let v = self.value(e, &env)?;
                    env = destructure(pattern, v, &env)?;
                }
                ItemKind::Expr(e) if i + 1 == items.len() => return self.eval(e, &env, tail),
                ItemKind::Expr(e) => {
                    self.value(e, &env)?;
                }
                _ => unreachable!("generator items in a plain block are E0201"),
            }
        }
        Ok(Flow::Value(Value::Unit))
    }
}

/// The arity of a lambda expression.
fn free_arity(e: &Expr) -> usize {
    match &e.kind {
        ExprKind::Lambda { params, .. } => params.len(),
        _ => 0,
    }
}

pub fn closure(name: Rc<str>, arity: usize, code: Code, holds_ref: bool) -> Value {
    Value::Closure(Rc::new(Closure {
        name,
        arity,
        code,
        holds_ref,
    }))
}
