//! Pulling a Seq: one step of a cursor per pull, each pull one call-depth level while it
//! runs (docs/LANGUAGE.md, *Decision — limits of pulls*). A deferred cursor whose produced
//! Seq is owned by nothing else takes that Seq's place, so a running generator's chain stays
//! flat (docs/LANGUAGE.md, *Generator blocks*).

use std::rc::Rc;

use crate::eval::{Machine, R, bind, mismatch};
use crate::seq::{Rest, Seq, State, iter};
use crate::value::Value;

/// What a consumer walks: a Seq it pulls, or the items of a container it reads directly.
pub enum Source {
    Seq(Seq),
    Items(Rc<Vec<Value>>, usize),
}

impl Source {
    pub fn open(op: &str, v: &Value) -> R<Source> {
        if let Value::Seq(s) = v {
            return Ok(Source::Seq(s.clone()));
        }
        let s = iter(op, v)?;
        let State::Items { items, .. } = &s.borrow().state else {
            return mismatch(op, "a Seq, List, Map or Text", v.kind());
        };
        Ok(Source::Items(items.clone(), 0))
    }

    pub fn next(&mut self, m: &mut Machine) -> R<Option<Value>> {
        match self {
            Source::Seq(s) => m.pull(s),
            Source::Items(items, at) => {
                let item = items.get(*at).cloned();
                *at += 1;
                Ok(item)
            }
        }
    }
}

impl Machine<'_> {
    /// `drop` over a Range cursor skips arithmetically (docs/LANGUAGE.md, *Decision — limits
    /// of pulls*): one call-depth check as a pull makes, one fuel unit, then the range
    /// advanced by `to_skip` items or to its end. Returns the items still to skip (more than
    /// 0 only when the range ran out first); any other source is left alone and `to_skip`
    /// returned as it is.
    fn skip_range(&mut self, source: &Seq, to_skip: i64) -> R<i64> {
        let State::Range { next, end, step } = source.borrow().state.clone() else {
            return Ok(to_skip);
        };
        self.deeper()?;
        self.leave();
        self.charge_fuel()?;
        let (next, end, step) = (i128::from(next), i128::from(end), i128::from(step));
        let left = if step > 0 && next < end {
            (end - next + step - 1) / step
        } else if step < 0 && next > end {
            (next - end - step - 1) / -step
        } else {
            0
        };
        let skipped = i128::from(to_skip).min(left);
        // Skipped to the end, the cursor stays a Range at its end (it becomes empty when a
        // pull finds it there), as the engines' cursor does.
        let next = if skipped == left {
            end
        } else {
            next + skipped * step
        };
        set(
            source,
            State::Range {
                next: next as i64,
                end: end as i64,
                step: step as i64,
            },
        );
        Ok(to_skip - skipped as i64)
    }
}

fn set(s: &Seq, state: State) {
    s.borrow_mut().state = state;
}

impl Machine<'_> {
    /// The next item of `s`, or `None` once it is exhausted.
    pub fn pull(&mut self, s: &Seq) -> R<Option<Value>> {
        self.deeper()?;
        let item = self.pull_cursor(s);
        self.leave();
        item
    }

    fn pull_cursor(&mut self, s: &Seq) -> R<Option<Value>> {
        loop {
            let state = s.borrow().state.clone();
            match state {
                State::Empty => return Ok(None),
                State::Range { next, end, step } => {
                    if (step > 0 && next < end) || (step < 0 && next > end) {
                        set(
                            s,
                            State::Range {
                                next: next + step,
                                end,
                                step,
                            },
                        );
                        return Ok(Some(Value::Int(next)));
                    }
                    set(s, State::Empty);
                }
                State::Random(mut generator) => {
                    let item = generator.next_value();
                    set(s, State::Random(generator));
                    return Ok(Some(item));
                }
                State::Items { items, at } => {
                    if let Some(item) = items.get(at).cloned() {
                        set(s, State::Items { items, at: at + 1 });
                        return Ok(Some(item));
                    }
                    set(s, State::Empty);
                }
                State::Map { source, f } => match self.pull(&source)? {
                    Some(x) => return Ok(Some(self.call_value(&f, vec![x])?)),
                    None => set(s, State::Empty),
                },
                State::Filter { source, f } => loop {
                    let Some(x) = self.pull(&source)? else {
                        set(s, State::Empty);
                        return Ok(None);
                    };
                    match self.call_value(&f, vec![x.clone()])? {
                        Value::Bool(true) => return Ok(Some(x)),
                        Value::Bool(false) => {}
                        other => return mismatch("filter", "Bool", other.kind()),
                    }
                },
                State::Take { source, remaining } => {
                    if remaining <= 0 {
                        set(s, State::Empty);
                        continue;
                    }
                    let Some(x) = self.pull(&source)? else {
                        set(s, State::Empty);
                        continue;
                    };
                    let left = remaining - 1;
                    set(
                        s,
                        if left == 0 {
                            State::Empty
                        } else {
                            State::Take {
                                source,
                                remaining: left,
                            }
                        },
                    );
                    return Ok(Some(x));
                }
                State::Drop {
                    source,
                    mut to_skip,
                } => {
                    if to_skip > 0 {
                        to_skip = self.skip_range(&source, to_skip)?;
                    }
                    while to_skip > 0 {
                        if self.pull(&source)?.is_none() {
                            set(s, State::Empty);
                            return Ok(None);
                        }
                        to_skip -= 1;
                        set(
                            s,
                            State::Drop {
                                source: source.clone(),
                                to_skip,
                            },
                        );
                        // A runtime loop: one fuel unit when the count left is a multiple of 1,024.
                        if to_skip % 1024 == 0 {
                            self.charge_fuel()?;
                        }
                    }
                    set(
                        s,
                        State::Defer {
                            thunk: None,
                            delegate: Some(source),
                        },
                    );
                }
                State::Scan { source, acc, f } => {
                    let Some(x) = self.pull(&source)? else {
                        set(s, State::Empty);
                        return Ok(None);
                    };
                    let next = self.call_value(&f, vec![acc, x])?;
                    set(
                        s,
                        State::Scan {
                            source,
                            acc: next.clone(),
                            f,
                        },
                    );
                    return Ok(Some(next));
                }
                State::Zip { left, right } => {
                    let Some(a) = self.pull(&left)? else {
                        set(s, State::Empty);
                        continue;
                    };
                    match self.pull(&right)? {
                        Some(b) => return Ok(Some(Value::Tuple(Rc::new(vec![a, b])))),
                        None => set(s, State::Empty),
                    }
                }
                State::Cons { value, rest } => {
                    set(
                        s,
                        match rest {
                            Some(thunk) => State::Defer {
                                thunk: Some(thunk),
                                delegate: None,
                            },
                            None => State::Empty,
                        },
                    );
                    return Ok(Some(value));
                }
                State::FlatMap {
                    source,
                    name,
                    rest,
                    current,
                } => {
                    if let Some(current) = &current
                        && let Some(x) = self.pull(current)?
                    {
                        return Ok(Some(x));
                    }
                    let Some(x) = self.pull(&source)? else {
                        set(s, State::Empty);
                        return Ok(None);
                    };
                    // The lifted `\x -> G(rest)` (`generate@`): one function entry.
                    self.enter()?;
                    let env = bind(&rest.env, &name, x);
                    let produced = self.gen_rest(&Rest {
                        env,
                        ..rest.clone()
                    })?;
                    self.leave();
                    let sub = iter("iter", &produced)?;
                    set(
                        s,
                        State::FlatMap {
                            source,
                            name,
                            rest,
                            current: Some(sub),
                        },
                    );
                }
                State::FlatMapFn { source, f, current } => {
                    if let Some(current) = &current
                        && let Some(x) = self.pull(current)?
                    {
                        return Ok(Some(x));
                    }
                    let Some(x) = self.pull(&source)? else {
                        set(s, State::Empty);
                        return Ok(None);
                    };
                    let produced = self.call_value(&f, vec![x])?;
                    let sub = iter("flat_map", &produced)?;
                    set(
                        s,
                        State::FlatMapFn {
                            source,
                            f,
                            current: Some(sub),
                        },
                    );
                }
                State::Defer {
                    thunk: Some(thunk), ..
                } => {
                    set(
                        s,
                        State::Defer {
                            thunk: None,
                            delegate: None,
                        },
                    );
                    let produced = self
                        .run_thunk(thunk)
                        .inspect_err(|_| set(s, State::Empty))?;
                    match produced {
                        Value::Seq(p) => set(
                            s,
                            State::Defer {
                                thunk: None,
                                delegate: Some(p),
                            },
                        ),
                        other => {
                            let leaf =
                                iter("iter", &other).inspect_err(|_| set(s, State::Empty))?;
                            let state = leaf.borrow().state.clone();
                            set(s, state);
                        }
                    }
                }
                State::Defer {
                    thunk: None,
                    delegate: None,
                } => set(s, State::Empty),
                State::Defer {
                    thunk: None,
                    delegate: Some(d),
                } => {
                    if matches!(d.borrow().state, State::Empty) {
                        set(s, State::Empty);
                        continue;
                    }
                    // Owned only by this cursor (and the clone of its state held here).
                    if Rc::strong_count(&d) == 2 {
                        let taken = std::mem::replace(&mut d.borrow_mut().state, State::Empty);
                        set(s, taken);
                        continue;
                    }
                    match self.pull(&d)? {
                        Some(x) => return Ok(Some(x)),
                        None => set(s, State::Empty),
                    }
                }
                State::Chunks { source, n } => {
                    let items = self.fill(&source, n)?;
                    if items.len() < n {
                        set(s, State::Empty);
                    }
                    if !items.is_empty() {
                        return Ok(Some(Value::List(Rc::new(items))));
                    }
                }
                State::Windows {
                    source,
                    n,
                    previous,
                } => {
                    let window = match previous {
                        None => self.fill(&source, n)?,
                        Some(previous) => match self.pull(&source)? {
                            Some(x) => {
                                let mut window = previous[1..].to_vec();
                                window.push(x);
                                window
                            }
                            None => Vec::new(),
                        },
                    };
                    if window.len() < n {
                        set(s, State::Empty);
                        continue;
                    }
                    let window = Rc::new(window);
                    set(
                        s,
                        State::Windows {
                            source,
                            n,
                            previous: Some(window.clone()),
                        },
                    );
                    return Ok(Some(Value::List(window)));
                }
                State::Unique { source, mut seen } => {
                    // The cursor's own copy is dropped while this pull works, so `seen` is
                    // updated in place.
                    set(
                        s,
                        State::Unique {
                            source: source.clone(),
                            seen: Default::default(),
                        },
                    );
                    let mut skipped = 0usize;
                    loop {
                        let Some(x) = self.pull(&source)? else {
                            set(s, State::Empty);
                            break;
                        };
                        let before = self
                            .seen_before(&mut seen, &x)
                            .inspect_err(|_| set(s, State::Empty))?;
                        if !before {
                            set(
                                s,
                                State::Unique {
                                    source: source.clone(),
                                    seen,
                                },
                            );
                            return Ok(Some(x));
                        }
                        skipped += 1;
                        self.runtime_loop_step(skipped)?;
                    }
                }
                State::Append { source, rest } => {
                    if let Some(x) = self.pull(&source)? {
                        return Ok(Some(x));
                    }
                    set(
                        s,
                        match rest {
                            Some(thunk) => State::Defer {
                                thunk: Some(thunk),
                                delegate: None,
                            },
                            None => State::Empty,
                        },
                    );
                }
            }
        }
    }
}
