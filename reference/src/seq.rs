//! Sequences (docs/LANGUAGE.md, *Sequences* and *Generator blocks*): a Seq is a shared,
//! stateful cursor. Stages pull nothing when built; consumers pull. Generator blocks run as
//! the documented desugaring into `seq_defer` / `seq_cons` / `seq_flat_map` /
//! `seq_append` cursors whose thunks are the lifted pieces (`generate@`, `loop@`,
//! `recurse@`): calling one is a function entry (a depth level and a fuel unit).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::ast::Item;
use crate::eval::{Env, Machine, R, mismatch};
use crate::seq_pull::Source;
use crate::value::Value;

pub type Seq = Rc<RefCell<Cursor>>;

pub struct Cursor {
    pub state: State,
    /// Counts as containing a Ref (docs/LANGUAGE.md, *Decision — sequences and Refs*).
    pub holds_ref: bool,
}

/// A deferred piece of a generator: the rest of a block from item `from` on, in `env`.
#[derive(Clone)]
pub struct Rest {
    pub items: Rc<Vec<Item>>,
    pub from: usize,
    pub env: Env,
}

/// A thunk of the desugaring.
#[derive(Clone)]
pub enum Thunk {
    /// `\() -> G(rest)` (`generate@`).
    Generate(Rest),
    /// `\() -> L(arg)` (`recurse@`, then a call of the `loop@` closure).
    Recurse(Value, Value),
}

#[derive(Clone)]
pub enum State {
    Empty,
    Range {
        next: i64,
        end: i64,
        step: i64,
    },
    /// The elements of a List, the `(key, value)` Tuples or keys or values of a Map, the
    /// one-character Texts of a Text.
    Items {
        items: Rc<Vec<Value>>,
        at: usize,
    },
    Map {
        source: Seq,
        f: Value,
    },
    Filter {
        source: Seq,
        f: Value,
    },
    Take {
        source: Seq,
        remaining: i64,
    },
    Drop {
        source: Seq,
        to_skip: i64,
    },
    Scan {
        source: Seq,
        acc: Value,
        f: Value,
    },
    Zip {
        left: Seq,
        right: Seq,
    },
    Cons {
        value: Value,
        rest: Option<Thunk>,
    },
    /// `x <- source; rest`: the rest once per item, each a Seq pulled to its end.
    FlatMap {
        source: Seq,
        name: Rc<str>,
        rest: Rest,
        current: Option<Seq>,
    },
    /// `flat_map(s, f)`: everything each `f(x)` returns, each pulled to its end.
    FlatMapFn {
        source: Seq,
        f: Value,
        current: Option<Seq>,
    },
    Defer {
        thunk: Option<Thunk>,
        delegate: Option<Seq>,
    },
    Append {
        source: Seq,
        rest: Option<Thunk>,
    },
    /// `random_ints`, `random_floats`, `random_below`: never ends.
    Random(crate::random::Generator),
    /// `chunks(s, n)`.
    Chunks {
        source: Seq,
        n: usize,
    },
    /// `windows(s, n)`: `previous` is the window yielded last.
    Windows {
        source: Seq,
        n: usize,
        previous: Option<Rc<Vec<Value>>>,
    },
    /// `unique(s)`.
    Unique {
        source: Seq,
        seen: crate::seq_group::Seen,
    },
}

pub fn new_seq(state: State, holds_ref: bool) -> Value {
    Value::Seq(Rc::new(RefCell::new(Cursor { state, holds_ref })))
}

pub fn seq_of(v: &Value) -> Seq {
    match v {
        Value::Seq(s) => s.clone(),
        _ => unreachable!("checked to be a Seq"),
    }
}

/// The elements iterating a container gives, or `None` for a non-container.
fn container_items(v: &Value) -> Option<Rc<Vec<Value>>> {
    Some(match v {
        Value::List(items) => items.clone(),
        Value::Map(entries) => Rc::new(
            entries
                .iter()
                .map(|(k, v)| Value::Tuple(Rc::new(vec![k.0.clone(), v.clone()])))
                .collect(),
        ),
        Value::Text(s) => Rc::new(s.chars().map(|c| Value::text(&c.to_string())).collect()),
        _ => return None,
    })
}

/// `iter(v)` for builtin `op`: the Seq itself, or a new cursor over a container.
pub fn iter(op: &str, v: &Value) -> R<Seq> {
    if let Value::Seq(s) = v {
        return Ok(s.clone());
    }
    match container_items(v) {
        Some(items) => Ok(seq_of(&new_seq(
            State::Items { items, at: 0 },
            v.contains_ref(),
        ))),
        None => mismatch(op, "a Seq, List, Map or Text", v.kind()),
    }
}

fn expect_function(op: &str, f: &Value) -> R<()> {
    match f {
        Value::Closure(_) => Ok(()),
        other => mismatch(op, "a function", other.kind()),
    }
}

fn count_arg(op: &str, n: &Value) -> R<i64> {
    match n {
        Value::Int(n) if *n >= 0 => Ok(*n),
        Value::Int(n) => mismatch(op, "a non-negative Int", &n.to_string()),
        other => mismatch(op, "a non-negative Int", other.kind()),
    }
}

/// Copies a cursor chain (`clone`): stages are copied, the values they hold shared. A
/// cursor the chain reaches twice (`zip(s, s)`) is copied once (`copies` maps originals to
/// their copies), so the copy behaves as the original would.
fn clone_seq(s: &Seq, copies: &mut HashMap<*const RefCell<Cursor>, Seq>) -> Seq {
    if let Some(copy) = copies.get(&Rc::as_ptr(s)) {
        return copy.clone();
    }
    let c = s.borrow();
    let mut copy = |s: &Seq| clone_seq(s, copies);
    let state = match &c.state {
        State::Map { source, f } => State::Map {
            source: copy(source),
            f: f.clone(),
        },
        State::Filter { source, f } => State::Filter {
            source: copy(source),
            f: f.clone(),
        },
        State::Take { source, remaining } => State::Take {
            source: copy(source),
            remaining: *remaining,
        },
        State::Drop { source, to_skip } => State::Drop {
            source: copy(source),
            to_skip: *to_skip,
        },
        State::Scan { source, acc, f } => State::Scan {
            source: copy(source),
            acc: acc.clone(),
            f: f.clone(),
        },
        State::Zip { left, right } => State::Zip {
            left: copy(left),
            right: copy(right),
        },
        State::FlatMap {
            source,
            name,
            rest,
            current,
        } => State::FlatMap {
            source: copy(source),
            name: name.clone(),
            rest: rest.clone(),
            current: current.as_ref().map(copy),
        },
        State::FlatMapFn { source, f, current } => State::FlatMapFn {
            source: copy(source),
            f: f.clone(),
            current: current.as_ref().map(copy),
        },
        State::Defer { thunk, delegate } => State::Defer {
            thunk: thunk.clone(),
            delegate: delegate.as_ref().map(copy),
        },
        State::Append { source, rest } => State::Append {
            source: copy(source),
            rest: rest.clone(),
        },
        State::Chunks { source, n } => State::Chunks {
            source: copy(source),
            n: *n,
        },
        State::Windows {
            source,
            n,
            previous,
        } => State::Windows {
            source: copy(source),
            n: *n,
            previous: previous.clone(),
        },
        State::Unique { source, seen } => State::Unique {
            source: copy(source),
            seen: seen.clone(),
        },
        other => other.clone(),
    };
    let copy = Rc::new(RefCell::new(Cursor {
        state,
        holds_ref: c.holds_ref,
    }));
    copies.insert(Rc::as_ptr(s), copy.clone());
    copy
}

impl Machine<'_> {
    /// The sequence builtins.
    pub fn seq_builtin(&mut self, name: &str, a: Vec<Value>) -> R<Value> {
        let stage = |state: State, refs: bool| Ok(new_seq(state, refs));
        match name {
            "range" | "range_step" => {
                let step = a.get(2).cloned().unwrap_or(Value::Int(1));
                let mut bounds = [0; 3];
                for (slot, v) in bounds.iter_mut().zip([&a[0], &a[1], &step]) {
                    let Value::Int(n) = v else {
                        return mismatch("range", "Int", v.kind());
                    };
                    *slot = *n;
                }
                if bounds[2] == 0 {
                    return mismatch("range", "a non-zero step", "0");
                }
                stage(
                    State::Range {
                        next: bounds[0],
                        end: bounds[1],
                        step: bounds[2],
                    },
                    false,
                )
            }
            "iter" => Ok(Value::Seq(iter("iter", &a[0])?)),
            "keys" | "values" => {
                let Value::Map(entries) = &a[0] else {
                    return mismatch(name, "a Map", a[0].kind());
                };
                let items = entries.iter().map(|(k, v)| {
                    if name == "keys" {
                        k.0.clone()
                    } else {
                        v.clone()
                    }
                });
                stage(
                    State::Items {
                        items: Rc::new(items.collect()),
                        at: 0,
                    },
                    a[0].contains_ref(),
                )
            }
            "map" | "filter" => {
                iter(name, &a[0]).and_then(|_| expect_function(name, &a[1]))?;
                let (source, f) = (iter(name, &a[0])?, a[1].clone());
                let refs = source.borrow().holds_ref || f.contains_ref();
                let state = if name == "map" {
                    State::Map { source, f }
                } else {
                    State::Filter { source, f }
                };
                stage(state, refs)
            }
            "take" | "drop" => {
                iter(name, &a[0])?;
                let n = count_arg(name, &a[1])?;
                let source = iter(name, &a[0])?;
                let refs = source.borrow().holds_ref;
                let state = if name == "take" {
                    State::Take {
                        source,
                        remaining: n,
                    }
                } else {
                    State::Drop { source, to_skip: n }
                };
                stage(state, refs)
            }
            "scan" => {
                iter("scan", &a[0]).and_then(|_| expect_function("scan", &a[2]))?;
                let source = iter("scan", &a[0])?;
                stage(
                    State::Scan {
                        source,
                        acc: a[1].clone(),
                        f: a[2].clone(),
                    },
                    true,
                )
            }
            "zip" => {
                let (left, right) = (iter("zip", &a[0])?, iter("zip", &a[1])?);
                let refs = left.borrow().holds_ref || right.borrow().holds_ref;
                stage(State::Zip { left, right }, refs)
            }
            "clone" => Ok(match &a[0] {
                Value::Seq(s) => Value::Seq(clone_seq(s, &mut HashMap::new())),
                other => Value::Seq(iter("clone", other)?),
            }),
            "collect" | "sum" | "count" | "next" | "fold" => self.consume(name, a),
            _ => unreachable!("unknown builtin {name}"),
        }
    }

    /// The consumers: they walk a container directly, or pull a Seq.
    fn consume(&mut self, op: &str, a: Vec<Value>) -> R<Value> {
        let mut source = Source::open(op, &a[0])?;
        match op {
            "next" => Ok(Value::Tuple(Rc::new(match source.next(self)? {
                Some(v) => vec![Value::Bool(true), v],
                None => vec![Value::Bool(false), Value::Unit],
            }))),
            "fold" => {
                expect_function("fold", &a[2])?;
                let mut acc = a[1].clone();
                while let Some(item) = source.next(self)? {
                    acc = self.call_value(&a[2], vec![acc, item])?;
                }
                Ok(acc)
            }
            "collect" => {
                let mut items = Vec::new();
                while let Some(item) = source.next(self)? {
                    items.push(item);
                    self.runtime_loop_step(items.len())?;
                }
                Ok(Value::List(Rc::new(items)))
            }
            "count" => {
                let mut n = 0;
                while source.next(self)?.is_some() {
                    n += 1;
                    self.runtime_loop_step(n)?;
                }
                Ok(Value::Int(n as i64))
            }
            _ => {
                let (mut int, mut float, mut steps) = (0i64, None::<f64>, 0);
                while let Some(item) = source.next(self)? {
                    steps += 1;
                    match (item, float) {
                        (Value::Int(n), None) => {
                            int = Value::int(int + n)
                                .map(|_| int + n)
                                .ok_or_else(crate::eval::overflow)?
                        }
                        (Value::Int(n), Some(x)) => float = Some(x + n as f64),
                        (Value::Float(y), None) => float = Some(int as f64 + y),
                        (Value::Float(y), Some(x)) => float = Some(x + y),
                        (other, _) => return mismatch("sum", "Int or Float", other.kind()),
                    }
                    self.runtime_loop_step(steps)?;
                }
                Ok(float.map_or(Value::Int(int), Value::Float))
            }
        }
    }

    /// A runtime loop's fuel: one unit every 1,024 items.
    pub(crate) fn runtime_loop_step(&mut self, step: usize) -> R<()> {
        if step.is_multiple_of(1024) {
            self.charge_fuel()
        } else {
            Ok(())
        }
    }
}
