//! `sort`, `sort_by`, `sort_with` (docs/LANGUAGE.md, "Lists and sequences"): the documented
//! stable bottom-up merge sort (widths 1, 2, 4, …; runs merged left to right; the right
//! run's head taken only when `before(right, left)`), one fuel unit per 1,024 comparisons
//! of `sort`/`sort_by`, and `sort_by`'s key called once per element, in order.

use std::cmp::Ordering;
use std::rc::Rc;

use crate::eval::{Machine, R, mismatch};
use crate::value::{Value, compare_numbers};

/// The sort order of two orderable values: numbers numerically with NaN after every
/// other number, Texts by scalar values.
pub fn sort_order(a: &Value, b: &Value) -> Ordering {
    let nan = |v: &Value| matches!(v, Value::Float(x) if x.is_nan());
    match (a, b) {
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        _ => match (nan(a), nan(b)) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => compare_numbers(a, b).unwrap_or(Ordering::Equal),
        },
    }
}

fn class(v: &Value) -> Option<bool> {
    match v {
        Value::Int(_) | Value::Float(_) => Some(true),
        Value::Text(_) => Some(false),
        _ => None,
    }
}

/// RT0303 for the first pair `(xs[0], xs[i])` that `<` refuses (none for fewer than two).
pub fn check_orderable(op: &str, expected: &str, xs: &[Value]) -> R<()> {
    if xs.len() < 2 {
        return Ok(());
    }
    for x in xs {
        if class(&xs[0]).is_none() || class(x) != class(&xs[0]) {
            return mismatch(op, expected, &format!("{} and {}", xs[0].kind(), x.kind()));
        }
    }
    Ok(())
}

/// The documented merge sort of `0..n`; `before(m, a, b)` says item `a` comes before `b`.
pub fn merge_sort(
    m: &mut Machine,
    n: usize,
    before: &mut dyn FnMut(&mut Machine, usize, usize) -> R<bool>,
) -> R<Vec<usize>> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut width = 1;
    while width < n {
        let mut next = Vec::with_capacity(n);
        let mut low = 0;
        while low < n {
            let middle = (low + width).min(n);
            let high = (low + 2 * width).min(n);
            let (mut i, mut j) = (low, middle);
            while i < middle && j < high {
                if before(m, order[j], order[i])? {
                    next.push(order[j]);
                    j += 1;
                } else {
                    next.push(order[i]);
                    i += 1;
                }
            }
            next.extend_from_slice(&order[i..middle]);
            next.extend_from_slice(&order[j..high]);
            low = high;
        }
        order = next;
        width *= 2;
    }
    Ok(order)
}

impl Machine<'_> {
    fn sort_by_values(&mut self, keys: &[Value]) -> R<Vec<usize>> {
        let mut comparisons = 0usize;
        merge_sort(self, keys.len(), &mut |m, a, b| {
            comparisons += 1;
            if comparisons.is_multiple_of(1024) {
                m.charge_fuel()?;
            }
            Ok(sort_order(&keys[a], &keys[b]) == Ordering::Less)
        })
    }

    /// `sort(xs)`, `sort_by(xs, key)`, `sort_with(xs, before)`.
    pub fn sort_builtin(&mut self, op: &str, a: &[Value]) -> R<Value> {
        let Value::List(items) = &a[0] else {
            return mismatch(op, "a List", a[0].kind());
        };
        if op != "sort" && !matches!(a[1], Value::Closure(_)) {
            return mismatch(op, "a function", a[1].kind());
        }
        let order = match op {
            "sort" => {
                check_orderable(op, "numbers or Text", items)?;
                self.sort_by_values(items)?
            }
            "sort_by" => {
                let mut keys = Vec::with_capacity(items.len());
                for x in items.iter() {
                    keys.push(self.call_value(&a[1], vec![x.clone()])?);
                }
                check_orderable(op, "number or Text keys", &keys)?;
                self.sort_by_values(&keys)?
            }
            _ => {
                let f = a[1].clone();
                merge_sort(self, items.len(), &mut |m, x, y| match m
                    .call_value(&f, vec![items[x].clone(), items[y].clone()])?
                {
                    Value::Bool(b) => Ok(b),
                    other => mismatch("sort_with", "Bool", other.kind()),
                })?
            }
        };
        Ok(Value::List(Rc::new(
            order.into_iter().map(|i| items[i].clone()).collect(),
        )))
    }
}
