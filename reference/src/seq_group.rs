//! The grouping stages of docs/LANGUAGE.md, "Lists and sequences": `chunks(s, n)`,
//! `windows(s, n)` and `unique(s)`, built here and pulled by `seq_pull`. Filling a chunk or
//! the first window, skipping duplicates and scanning the items that are not Map keys are
//! runtime loops: one fuel unit per 1,024 items.

use std::collections::BTreeSet;
use std::rc::Rc;

use crate::eval::{Machine, R, fail, mismatch};
use crate::seq::{Seq, State, iter, new_seq};
use crate::value::{Key, Value};

/// What Unique has seen: the items that are Map keys, and the others in order.
#[derive(Clone, Default)]
pub struct Seen {
    pub keys: Rc<BTreeSet<Key>>,
    pub others: Rc<Vec<Value>>,
}

impl Machine<'_> {
    /// `chunks`, `windows`, `unique`: the stages (nothing pulled yet).
    pub fn group_builtin(&mut self, op: &str, a: &[Value]) -> R<Value> {
        let source = iter(op, &a[0])?;
        if op == "unique" {
            let state = State::Unique {
                source,
                seen: Seen::default(),
            };
            return Ok(new_seq(state, true));
        }
        let n = match &a[1] {
            Value::Int(n) if *n >= 1 => *n as usize,
            Value::Int(n) => {
                return fail(
                    "RT0306",
                    format!("invalid argument to {op}: size {n} is less than 1"),
                );
            }
            other => return mismatch(op, "Int", other.kind()),
        };
        Ok(if op == "chunks" {
            let refs = source.borrow().holds_ref;
            new_seq(State::Chunks { source, n }, refs)
        } else {
            new_seq(
                State::Windows {
                    source,
                    n,
                    previous: None,
                },
                true,
            )
        })
    }

    /// Up to `n` items of `source`.
    pub fn fill(&mut self, source: &Seq, n: usize) -> R<Vec<Value>> {
        let mut items = Vec::new();
        while items.len() < n {
            let Some(item) = self.pull(source)? else {
                break;
            };
            items.push(item);
            self.runtime_loop_step(items.len())?;
        }
        Ok(items)
    }

    /// Whether `item` equals an item seen before; if not, `seen` remembers it.
    pub fn seen_before(&mut self, seen: &mut Seen, item: &Value) -> R<bool> {
        if matches!(item, Value::Float(x) if x.is_nan()) {
            return Ok(false);
        }
        match Key::new(item) {
            Ok(key) => Ok(!Rc::make_mut(&mut seen.keys).insert(key)),
            Err(_) => {
                for index in 0..seen.others.len() {
                    let other = seen.others[index].clone();
                    let equal = self.equal_metered(&other, item)?;
                    self.runtime_loop_step(index + 1)?;
                    if equal {
                        return Ok(true);
                    }
                }
                Rc::make_mut(&mut seen.others).push(item.clone());
                Ok(false)
            }
        }
    }
}
