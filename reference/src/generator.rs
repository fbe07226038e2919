//! Generator blocks (docs/LANGUAGE.md, *Generator blocks*) run as the documented
//! desugaring: `generate` and `loop` are deferred cursors, and each piece of a block runs
//! when a pull reaches it, as the lifted function the table names (`generate@`, `loop@`,
//! `recurse@`): a function entry, so one depth level and one fuel unit.

use std::rc::Rc;

use crate::ast::{Item, ItemKind, Pattern};
use crate::eval::{Env, LOOP_SELF, Machine, R, bind, closure, destructure, lookup, truth};
use crate::seq::{Rest, State, Thunk, iter, new_seq, seq_of};
use crate::value::{Code, Value};

/// `generate { items }`.
pub fn generate(items: &Rc<Vec<Item>>, env: &Env) -> Value {
    let rest = Rest {
        items: items.clone(),
        from: 0,
        env: env.clone(),
    };
    new_seq(
        State::Defer {
            thunk: Some(Thunk::Generate(rest)),
            delegate: None,
        },
        true,
    )
}

/// `loop p = init { body }` (init already evaluated).
pub fn start_loop(
    name: &Rc<str>,
    pattern: &Rc<Pattern>,
    body: &Rc<Vec<Item>>,
    env: &Env,
    init: Value,
) -> Value {
    let code = Code::Loop {
        pattern: pattern.clone(),
        body: body.clone(),
        env: env.clone(),
    };
    let lp = closure(name.clone(), 1, code, true);
    new_seq(
        State::Defer {
            thunk: Some(Thunk::Recurse(lp, init)),
            delegate: None,
        },
        true,
    )
}

impl Machine<'_> {
    /// Runs a thunk of the desugaring (one or two function entries).
    pub fn run_thunk(&mut self, thunk: Thunk) -> R<Value> {
        self.enter()?;
        let produced = match thunk {
            Thunk::Generate(rest) => self.gen_rest(&rest),
            Thunk::Recurse(lp, arg) => self.call_value(&lp, vec![arg]),
        };
        self.leave();
        produced
    }

    /// The `loop@` function: binds the pattern to `arg`, then the body's items (in which
    /// `recurse` finds this loop, `lp`, under [`LOOP_SELF`]).
    pub fn loop_body(
        &mut self,
        lp: Value,
        pattern: &Pattern,
        body: &Rc<Vec<Item>>,
        env: &Env,
        arg: Value,
    ) -> R<Value> {
        let env = bind(&destructure(pattern, arg, env)?, LOOP_SELF, lp);
        self.gen_rest(&Rest {
            items: body.clone(),
            from: 0,
            env,
        })
    }

    /// G(items[from..]) of docs/LANGUAGE.md's desugaring table.
    pub fn gen_rest(&mut self, rest: &Rest) -> R<Value> {
        let (items, mut env) = (&rest.items, rest.env.clone());
        let mut i = rest.from;
        let rest_from = |env: &Env, j: usize| Rest {
            items: items.clone(),
            from: j,
            env: env.clone(),
        };
        let then_rest = |seq: Value, env: &Env, j: usize| {
            if j == items.len() {
                return seq;
            }
            let rest = Some(Thunk::Generate(rest_from(env, j)));
            new_seq(
                State::Append {
                    source: seq_of(&seq),
                    rest,
                },
                true,
            )
        };
        while i < items.len() {
            match &items[i].kind {
                ItemKind::Bind(pattern, e) => {
                    let v = self.value(e, &env)?;
                    env = destructure(pattern, v, &env)?;
                }
                ItemKind::Expr(e) if matches!(e.kind, crate::ast::ExprKind::Loop { .. }) => {
                    let seq = self.value(e, &env)?;
                    return Ok(then_rest(seq, &env, i + 1));
                }
                ItemKind::Expr(e) => {
                    self.value(e, &env)?;
                }
                ItemKind::BindFrom(name, e) => {
                    let v = self.value(e, &env)?;
                    let source = iter("iter", &v)?;
                    let state = State::FlatMap {
                        source,
                        name: Rc::from(name.as_str()),
                        rest: rest_from(&env, i + 1),
                        current: None,
                    };
                    return Ok(new_seq(state, true));
                }
                ItemKind::Filter(c) => {
                    if !truth("when", self.value(c, &env)?)? {
                        return Ok(new_seq(State::Empty, true));
                    }
                }
                ItemKind::Yield(e) => {
                    let value = self.value(e, &env)?;
                    let rest =
                        (i + 1 < items.len()).then(|| Thunk::Generate(rest_from(&env, i + 1)));
                    return Ok(new_seq(State::Cons { value, rest }, true));
                }
                ItemKind::Recurse(e) => {
                    let arg = self.value(e, &env)?;
                    let lp =
                        lookup(&env, LOOP_SELF).expect("recurse inside a loop (E0201 otherwise)");
                    let seq = new_seq(
                        State::Defer {
                            thunk: Some(Thunk::Recurse(lp, arg)),
                            delegate: None,
                        },
                        true,
                    );
                    return Ok(then_rest(seq, &env, i + 1));
                }
            }
            i += 1;
        }
        Ok(new_seq(State::Empty, true))
    }
}
