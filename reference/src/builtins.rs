//! The builtins of docs/LANGUAGE.md's table (but the sequence ones, in `seq.rs`): their
//! arities, and what each does with plain values, with the documented diagnostics.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::eval::{Machine, R, fail, key, mismatch};
use crate::value::Value;

/// Every builtin a program may name, with its arity (`range` as a value: two arguments).
const BUILTINS: &[(&str, usize)] = &[
    ("print", 1),
    ("len", 1),
    ("push", 2),
    ("pop", 1),
    ("set", 3),
    ("get", 3),
    ("insert", 3),
    ("remove", 2),
    ("has", 2),
    ("keys", 1),
    ("values", 1),
    ("merge", 2),
    ("slice", 3),
    ("concat", 2),
    ("reverse", 1),
    ("str", 1),
    ("range", 2),
    ("iter", 1),
    ("map", 2),
    ("filter", 2),
    ("zip", 2),
    ("take", 2),
    ("drop", 2),
    ("scan", 3),
    ("collect", 1),
    ("sum", 1),
    ("count", 1),
    ("next", 1),
    ("clone", 1),
    ("fold", 3),
    ("ref", 1),
    ("fail", 1),
    ("checkpoint", 0),
    // Standard library: math
    ("abs", 1),
    ("min", 2),
    ("max", 2),
    ("clamp", 3),
    ("floor", 1),
    ("ceil", 1),
    ("round", 1),
    ("trunc", 1),
    ("sqrt", 1),
    ("pow", 2),
    ("exp", 1),
    ("ln", 1),
    ("log", 2),
    ("sin", 1),
    ("cos", 1),
    ("tan", 1),
    ("atan2", 2),
    ("pi", 0),
    ("is_nan", 1),
    ("int", 1),
    ("float", 1),
    ("band", 2),
    ("bor", 2),
    ("bxor", 2),
    ("shl", 2),
    ("shr", 2),
    // Standard library: math (end)

    // Standard library: random
    ("random_ints", 1),
    ("random_floats", 1),
    ("random_below", 2),
    // Standard library: random (end)

    // Standard library: text
    ("chars", 1),
    ("split", 2),
    ("join", 2),
    ("contains", 2),
    ("starts_with", 2),
    ("ends_with", 2),
    ("find", 2),
    ("replace", 3),
    ("trim", 1),
    ("trim_start", 1),
    ("trim_end", 1),
    ("upper", 1),
    ("lower", 1),
    ("repeat", 2),
    ("ord", 1),
    ("chr", 1),
    ("pad_start", 3),
    ("pad_end", 3),
    ("parse_int", 1),
    ("parse_float", 1),
    // Standard library: text (end)

    // Standard library: lists and sequences
    ("sort", 1),
    ("sort_by", 2),
    ("sort_with", 2),
    ("index_of", 2),
    ("any", 2),
    ("all", 2),
    ("find_first", 2),
    ("min_of", 1),
    ("max_of", 1),
    ("enumerate", 1),
    ("flat_map", 2),
    ("chunks", 2),
    ("windows", 2),
    ("unique", 1),
    // Standard library: lists and sequences (end)
];

pub fn builtin_arity(name: &str) -> Option<usize> {
    builtin_value(name).map(|(_, arity)| arity)
}

/// The builtin's static name and its arity as a value.
pub fn builtin_value(name: &str) -> Option<(&'static str, usize)> {
    BUILTINS.iter().copied().find(|(n, _)| *n == name)
}

/// A well-typed lookup's outcome (`e[i]` and `get`).
pub enum Lookup {
    Found(Value),
    OutOfBounds(i64, usize),
    Missing,
}

pub fn out_of_bounds<T>(index: i64, length: usize) -> R<T> {
    fail(
        "RT0103",
        format!("index out of bounds: index {index}, length {length}"),
    )
}

/// `base[index]` without the out-of-bounds and missing-key errors (RT0101, RT0102, RT0104,
/// RT0106 are raised here).
pub fn lookup(base: &Value, index: &Value) -> R<Lookup> {
    let position =
        |items: &Rc<Vec<Value>>, i: i64| match usize::try_from(i).ok().and_then(|at| items.get(at))
        {
            Some(v) => Lookup::Found(v.clone()),
            None => Lookup::OutOfBounds(i, items.len()),
        };
    match (base, index) {
        (Value::List(items), Value::Int(i)) | (Value::Tuple(items), Value::Int(i)) => {
            Ok(position(items, *i))
        }
        (Value::List(_), other) => fail(
            "RT0101",
            format!("list index expects an Int, got {}", other.kind()),
        ),
        (Value::Tuple(_), other) => fail(
            "RT0102",
            format!("tuple index expects an Int, got {}", other.kind()),
        ),
        (Value::Text(s), i) => Ok(match crate::text::index(s, i)? {
            Some(scalar) => Lookup::Found(scalar),
            None => Lookup::OutOfBounds(
                if let Value::Int(i) = i { *i } else { -1 },
                s.chars().count(),
            ),
        }),
        (Value::Map(entries), k) => Ok(match entries.get(&key(k)?) {
            Some(v) => Lookup::Found(v.clone()),
            None => Lookup::Missing,
        }),
        (other, _) => fail(
            "RT0106",
            format!(
                "expected List/Tuple/Map/Text for indexed access, got {}",
                other.kind()
            ),
        ),
    }
}

fn list<'v>(op: &str, v: &'v Value) -> R<&'v Rc<Vec<Value>>> {
    match v {
        Value::List(items) => Ok(items),
        other => mismatch(op, "a List", other.kind()),
    }
}

fn map<'v>(op: &str, v: &'v Value) -> R<&'v Rc<BTreeMap<crate::value::Key, Value>>> {
    match v {
        Value::Map(entries) => Ok(entries),
        other => mismatch(op, "a Map", other.kind()),
    }
}

/// A list bound of `slice` or index of `set`: an Int (RT0101) within `0..=limit` (RT0103).
fn bound(v: &Value, length: usize, limit: usize) -> R<usize> {
    let Value::Int(i) = v else {
        return fail(
            "RT0101",
            format!("list index expects an Int, got {}", v.kind()),
        );
    };
    match usize::try_from(*i) {
        Ok(at) if at <= limit => Ok(at),
        _ => out_of_bounds(*i, length),
    }
}

impl Machine<'_> {
    /// Calls builtin `name` (`range_step` is `range` with three arguments).
    pub fn builtin(&mut self, name: &str, args: Vec<Value>) -> R<Value> {
        let a = &args;
        Ok(match name {
            "print" => {
                self.output.push_str(&a[0].canonical(true));
                self.output.push('\n');
                Value::Unit
            }
            "len" => Value::Int(match &a[0] {
                Value::List(items) | Value::Tuple(items) => items.len(),
                Value::Map(entries) => entries.len(),
                Value::Text(s) => s.chars().count(),
                other => return mismatch("len", "List, Tuple, Map or Text", other.kind()),
            } as i64),
            "str" => match &a[0] {
                Value::Text(_) => a[0].clone(),
                other => Value::text(&other.canonical(true)),
            },
            "push" => {
                let mut items = list("push", &a[0])?.to_vec();
                items.push(a[1].clone());
                Value::List(Rc::new(items))
            }
            "pop" => {
                let items = list("pop", &a[0])?;
                if items.is_empty() {
                    return fail("RT0107", "pop from an empty list");
                }
                Value::List(Rc::new(items[..items.len() - 1].to_vec()))
            }
            "set" => {
                let items = list("set", &a[0])?;
                let at = bound(&a[1], items.len(), items.len().wrapping_sub(1))?;
                if items.is_empty() {
                    return out_of_bounds(at as i64, 0);
                }
                let mut items = items.to_vec();
                items[at] = a[2].clone();
                Value::List(Rc::new(items))
            }
            "get" => match lookup(&a[0], &a[1])? {
                crate::builtins::Lookup::Found(v) => v,
                _ => a[2].clone(),
            },
            "insert" => {
                let mut entries = map("insert", &a[0])?.as_ref().clone();
                entries.insert(key(&a[1])?, a[2].clone());
                Value::Map(Rc::new(entries))
            }
            "remove" => {
                let mut entries = map("remove", &a[0])?.as_ref().clone();
                entries.remove(&key(&a[1])?);
                Value::Map(Rc::new(entries))
            }
            "has" => {
                let entries = map("has", &a[0])?;
                Value::Bool(entries.contains_key(&key(&a[1])?))
            }
            "merge" => match (&a[0], &a[1]) {
                (Value::Map(x), Value::Map(y)) => {
                    let mut entries = x.as_ref().clone();
                    entries.extend(y.iter().map(|(k, v)| (k.clone(), v.clone())));
                    Value::Map(Rc::new(entries))
                }
                (x, y) => {
                    return mismatch(
                        "merge",
                        "Map and Map",
                        &format!("{} and {}", x.kind(), y.kind()),
                    );
                }
            },
            "slice" => {
                let items = match &a[0] {
                    Value::Text(s) => return crate::text::slice(s, &a[1], &a[2]),
                    Value::List(items) => items,
                    other => return mismatch("slice", "a List or Text", other.kind()),
                };
                let first = bound(&a[1], items.len(), items.len())?;
                let last = bound(&a[2], items.len(), items.len())?;
                if first > last {
                    return out_of_bounds(first as i64, items.len());
                }
                Value::List(Rc::new(items[first..last].to_vec()))
            }
            "concat" => crate::eval::binary(crate::ast::BinOp::Concat, &a[0], &a[1])?,
            "reverse" => {
                let mut items = list("reverse", &a[0])?.to_vec();
                items.reverse();
                Value::List(Rc::new(items))
            }
            "sort" | "sort_by" | "sort_with" => self.sort_builtin(name, a)?,
            "index_of" | "any" | "all" | "find_first" | "min_of" | "max_of" | "enumerate"
            | "flat_map" => self.search_builtin(name, a)?,
            "chunks" | "windows" | "unique" => self.group_builtin(name, a)?,
            "ref" => {
                if a[0].contains_ref() {
                    return fail("RT0403", "a Ref cannot hold a value that contains a Ref");
                }
                Value::Ref(Rc::new(std::cell::RefCell::new(a[0].clone())))
            }
            "fail" => return fail("RT0900", a[0].canonical(true)),
            // Outside audit mode `checkpoint()` does nothing (docs/LANGUAGE.md, *Builtins*).
            "checkpoint" => Value::Unit,
            // Standard library: math
            _ if let Some(result) = crate::math::math_builtin(name, a) => result?,
            // Standard library: math (end)
            // Standard library: random
            _ if let Some(result) = crate::random::random_builtin(name, a) => result?,
            // Standard library: random (end)
            _ => match self.text_builtin(name, a) {
                Some(result) => result?,
                None => return self.seq_builtin(name, args),
            },
        })
    }
}
