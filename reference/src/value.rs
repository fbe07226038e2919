//! Cairn values as plain Rust data (docs/LANGUAGE.md): immutable containers behind `Rc`,
//! Seqs and Refs as shared cells (identity), closures as code plus captured values. Also
//! the value-level rules every operation shares: kind names, the canonical printed form,
//! structural equality, the operator order, map keys and their total order.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::rc::Rc;

use crate::ast::Expr;
use crate::seq::Cursor;

/// Ints are 48-bit signed.
pub const INT_MIN: i64 = -(1 << 47);
pub const INT_MAX: i64 = (1 << 47) - 1;

#[derive(Clone)]
pub enum Value {
    Int(i64),
    Float(f64),
    Bool(bool),
    Unit,
    Text(Rc<str>),
    List(Rc<Vec<Value>>),
    Tuple(Rc<Vec<Value>>),
    Map(Rc<BTreeMap<Key, Value>>),
    Seq(Rc<RefCell<Cursor>>),
    Closure(Rc<Closure>),
    Ref(Rc<RefCell<Value>>),
}

/// What a closure runs when called.
pub enum Code {
    /// Named function `index` of the program.
    Function(usize),
    /// A builtin used as a value (its name; `range` is the two-argument form).
    Builtin(&'static str),
    /// A lambda: its parameters and body, evaluated in `captured`.
    Lambda {
        params: Rc<Vec<String>>,
        body: Rc<Expr>,
        captured: crate::eval::Env,
    },
    /// The function a `loop` lifts (`loop@LINE:COL`): binds its pattern to the argument
    /// and runs the body as generator items (docs/LANGUAGE.md, *Generator blocks*).
    Loop {
        pattern: Rc<crate::ast::Pattern>,
        body: Rc<Vec<crate::ast::Item>>,
        env: crate::eval::Env,
    },
}

pub struct Closure {
    pub name: Rc<str>,
    pub arity: usize,
    pub code: Code,
    /// Whether the closure holds a Ref (directly or inside a captured value).
    pub holds_ref: bool,
}

impl Value {
    pub fn text(s: &str) -> Value {
        Value::Text(Rc::from(s))
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Value::Int(_) => "Int",
            Value::Float(_) => "Float",
            Value::Bool(_) => "Bool",
            Value::Unit => "Unit",
            Value::Text(_) => "Text",
            Value::List(_) => "List",
            Value::Tuple(_) => "Tuple",
            Value::Map(_) => "Map",
            Value::Seq(_) => "Seq",
            Value::Closure(_) => "Closure",
            Value::Ref(_) => "Ref",
        }
    }

    /// An Int, or `None` outside the 48-bit range.
    pub fn int(n: i64) -> Option<Value> {
        (INT_MIN..=INT_MAX).contains(&n).then_some(Value::Int(n))
    }

    pub fn number(&self) -> Option<f64> {
        match self {
            Value::Int(n) => Some(*n as f64),
            Value::Float(x) => Some(*x),
            _ => None,
        }
    }

    /// Whether this value is or contains a Ref (docs/LANGUAGE.md, *Refs*).
    pub fn contains_ref(&self) -> bool {
        match self {
            Value::Ref(_) => true,
            Value::List(items) | Value::Tuple(items) => items.iter().any(Value::contains_ref),
            Value::Map(entries) => entries
                .iter()
                .any(|(k, v)| k.0.contains_ref() || v.contains_ref()),
            Value::Closure(closure) => closure.holds_ref,
            Value::Seq(cursor) => cursor.borrow().holds_ref,
            _ => false,
        }
    }

    /// The canonical printed form; `top` prints a Text raw, nested Texts are quoted.
    pub fn canonical(&self, top: bool) -> String {
        let mut out = String::new();
        self.write_canonical(&mut out, top);
        out
    }

    fn write_canonical(&self, out: &mut String, top: bool) {
        let list = |out: &mut String, items: &[Value]| {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                item.write_canonical(out, false);
            }
        };
        match self {
            Value::Int(n) => write!(out, "{n}").unwrap(),
            Value::Float(x) => write!(out, "{x:?}").unwrap(),
            Value::Bool(b) => write!(out, "{b}").unwrap(),
            Value::Unit => out.push_str("()"),
            Value::Text(s) if top => out.push_str(s),
            Value::Text(s) => quote(out, s),
            Value::List(items) => {
                out.push('[');
                list(out, items);
                out.push(']');
            }
            Value::Tuple(items) => {
                out.push('(');
                list(out, items);
                out.push_str(if items.len() == 1 { ",)" } else { ")" });
            }
            Value::Map(entries) => {
                out.push_str("#{");
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    k.0.write_canonical(out, false);
                    out.push_str(": ");
                    v.write_canonical(out, false);
                }
                out.push('}');
            }
            Value::Seq(_) => out.push_str("<seq>"),
            Value::Closure(c) => write!(out, "<fn {}>", c.name).unwrap(),
            Value::Ref(_) => out.push_str("<ref>"),
        }
    }
}

/// A Text in double quotes: `\\`, `\"`, `\n`, `\t`, `\r` escaped, other control characters
/// as `\u{hex}`.
fn quote(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => write!(out, "\\u{{{:x}}}", c as u32).unwrap(),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Numbers compare numerically (Int with Int exactly); `None` when NaN is involved.
pub fn compare_numbers(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        _ => a.number()?.partial_cmp(&b.number()?),
    }
}

/// `==`: numbers numerically, containers element-wise, Seq/Closure/Ref by identity.
pub fn equal(a: &Value, b: &Value) -> bool {
    use Value::*;
    if a.number().is_some() && b.number().is_some() {
        return compare_numbers(a, b) == Some(Ordering::Equal);
    }
    match (a, b) {
        (Bool(x), Bool(y)) => x == y,
        (Unit, Unit) => true,
        (Text(x), Text(y)) => x == y,
        (List(x), List(y)) | (Tuple(x), Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| equal(p, q))
        }
        (Map(x), Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((k1, v1), (k2, v2))| equal(&k1.0, &k2.0) && equal(v1, v2))
        }
        (Seq(x), Seq(y)) => Rc::ptr_eq(x, y),
        (Closure(x), Closure(y)) => Rc::ptr_eq(x, y),
        (Ref(x), Ref(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}

/// `< <= > >=`: numbers or two Texts (by Unicode scalar values); `Err(kinds)` otherwise.
pub fn order(a: &Value, b: &Value) -> Result<Option<Ordering>, String> {
    if a.number().is_some() && b.number().is_some() {
        return Ok(compare_numbers(a, b));
    }
    match (a, b) {
        (Value::Text(x), Value::Text(y)) => Ok(Some(x.cmp(y))),
        _ => Err(format!("{} and {}", a.kind(), b.kind())),
    }
}

/// A validated, normalised map key (an integral Float in the Int range is that Int), with
/// the total key order `Unit < Bool < numbers < Text < Tuple`.
#[derive(Clone)]
pub struct Key(pub Value);

impl Key {
    /// The key for `value`, or the kind name of the offending (part of the) value (`"NaN"`
    /// for a NaN Float).
    pub fn new(value: &Value) -> Result<Key, &'static str> {
        // A Tuple shared many times inside the key (`(t, t)` nested n deep) is checked once.
        let mut seen = HashSet::new();
        let mut work = vec![value];
        while let Some(value) = work.pop() {
            match value {
                Value::Unit | Value::Bool(_) | Value::Int(_) | Value::Text(_) => {}
                Value::Float(x) if x.is_nan() => return Err("NaN"),
                Value::Float(_) => {}
                Value::Tuple(items) => {
                    if seen.insert(Rc::as_ptr(items)) {
                        work.extend(items.iter().rev());
                    }
                }
                other => return Err(other.kind()),
            }
        }
        Ok(Key(match value {
            Value::Float(x) if x.fract() == 0.0 && *x >= INT_MIN as f64 && *x <= INT_MAX as f64 => {
                Value::Int(*x as i64)
            }
            other => other.clone(),
        }))
    }
}

fn rank(value: &Value) -> u8 {
    match value {
        Value::Unit => 0,
        Value::Bool(_) => 1,
        Value::Int(_) | Value::Float(_) => 2,
        Value::Text(_) => 3,
        _ => 4,
    }
}

/// The key order; `equal` remembers the Tuple pairs already found equal, so keys that share
/// Tuples (`(t, t)` nested n deep) compare in time linear in n, not 2^n.
fn compare_keys(
    a: &Value,
    b: &Value,
    equal: &mut HashSet<(*const Vec<Value>, *const Vec<Value>)>,
) -> Ordering {
    rank(a).cmp(&rank(b)).then_with(|| match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        (Value::Tuple(x), Value::Tuple(y)) => {
            let pair = (Rc::as_ptr(x), Rc::as_ptr(y));
            if equal.contains(&pair) {
                return Ordering::Equal;
            }
            let order = x
                .iter()
                .zip(y.iter())
                .map(|(p, q)| compare_keys(p, q, equal))
                .find(|o| o.is_ne())
                .unwrap_or_else(|| x.len().cmp(&y.len()));
            if order.is_eq() {
                equal.insert(pair);
            }
            order
        }
        _ => compare_numbers(a, b).unwrap_or(Ordering::Equal),
    })
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    fn cmp(&self, other: &Key) -> Ordering {
        compare_keys(&self.0, &other.0, &mut HashSet::new())
    }
}
