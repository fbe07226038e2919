//! The searching consumers and the `enumerate`/`flat_map` stages of docs/LANGUAGE.md,
//! "Lists and sequences": consumers borrow their source as `fold` does and stop at the first
//! item that decides; `min_of`/`max_of` use `sort`'s order; runtime loops without a callback
//! charge one fuel unit per 1,024 items.

use std::cmp::Ordering;
use std::rc::Rc;

use crate::eval::{Machine, R, fail, mismatch};
use crate::list_sort::{check_orderable, sort_order};
use crate::seq::{State, iter, new_seq};
use crate::seq_pull::Source;
use crate::value::{INT_MAX, Value};

impl Machine<'_> {
    /// `index_of`, `any`, `all`, `find_first`, `min_of`, `max_of`, `enumerate`, `flat_map`.
    pub fn search_builtin(&mut self, op: &str, a: &[Value]) -> R<Value> {
        match op {
            "enumerate" => {
                let source = iter(op, &a[0])?;
                let counter = crate::seq::seq_of(&new_seq(
                    State::Range {
                        next: 0,
                        end: INT_MAX,
                        step: 1,
                    },
                    false,
                ));
                let refs = source.borrow().holds_ref;
                Ok(new_seq(
                    State::Zip {
                        left: counter,
                        right: source,
                    },
                    refs,
                ))
            }
            "flat_map" => {
                iter(op, &a[0])?;
                if !matches!(a[1], Value::Closure(_)) {
                    return mismatch(op, "a function", a[1].kind());
                }
                let source = iter(op, &a[0])?;
                Ok(new_seq(
                    State::FlatMapFn {
                        source,
                        f: a[1].clone(),
                        current: None,
                    },
                    true,
                ))
            }
            "index_of" => {
                let mut source = Source::open(op, &a[0])?;
                let mut index = 0usize;
                while let Some(item) = source.next(self)? {
                    let equal = self.equal_metered(&item, &a[1])?;
                    self.loop_step(index + 1)?;
                    if equal {
                        return Ok(Value::Int(index as i64));
                    }
                    index += 1;
                }
                Ok(Value::Int(-1))
            }
            "min_of" | "max_of" => {
                let mut source = Source::open(op, &a[0])?;
                let Some(first) = source.next(self)? else {
                    return fail(
                        "RT0306",
                        format!("invalid argument to {op}: empty sequence"),
                    );
                };
                let mut best = first.clone();
                let mut steps = 1usize;
                while let Some(item) = source.next(self)? {
                    steps += 1;
                    check_orderable(op, "numbers or Text", &[first.clone(), item.clone()])?;
                    let order = sort_order(&item, &best);
                    let better = if op == "max_of" {
                        order != Ordering::Less
                    } else {
                        order == Ordering::Less
                    };
                    self.loop_step(steps)?;
                    if better {
                        best = item;
                    }
                }
                Ok(best)
            }
            _ => {
                let mut source = Source::open(op, &a[0])?;
                if !matches!(a[1], Value::Closure(_)) {
                    return mismatch(op, "a function", a[1].kind());
                }
                let stop_on = op != "all";
                while let Some(item) = source.next(self)? {
                    let verdict = match self.call_value(&a[1], vec![item.clone()])? {
                        Value::Bool(b) => b,
                        other => return mismatch(op, "Bool", other.kind()),
                    };
                    if verdict == stop_on {
                        return Ok(if op == "find_first" {
                            Value::Tuple(Rc::new(vec![Value::Bool(true), item]))
                        } else {
                            Value::Bool(stop_on)
                        });
                    }
                }
                Ok(if op == "find_first" {
                    Value::Tuple(Rc::new(vec![Value::Bool(false), Value::Unit]))
                } else {
                    Value::Bool(!stop_on)
                })
            }
        }
    }

    fn loop_step(&mut self, step: usize) -> R<()> {
        if step.is_multiple_of(1024) {
            self.charge_fuel()
        } else {
            Ok(())
        }
    }
}
