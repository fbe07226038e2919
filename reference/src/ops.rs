//! The operators and the small rules evaluation shares: `+ - * / % ++` and comparisons
//! (docs/LANGUAGE.md, *Values and operators*), conditions, map keys, tuple patterns.

use std::rc::Rc;

use crate::ast::{BinOp, Pattern};
use crate::eval::{Env, Failure, R, bind, fail, mismatch};
use crate::value::{Key, Value, equal, order};

pub fn overflow() -> Failure {
    Failure {
        code: "RT0301",
        message: "integer overflow".into(),
    }
}

/// A normalised map key (RT0104 for an invalid one).
pub fn key(v: &Value) -> R<Key> {
    Key::new(v).or_else(|kind| match kind {
        "NaN" => fail(
            "RT0104",
            "map key is NaN, which is not a valid key (NaN equals nothing, not even itself)",
        ),
        kind => fail("RT0104", format!("map key is not a valid key type: {kind}")),
    })
}

/// A condition of `op` (`if`, `and`, `or`, `not`, `when`): a Bool, or RT0303.
pub fn truth(op: &str, v: Value) -> R<bool> {
    match v {
        Value::Bool(b) => Ok(b),
        other => mismatch(op, "Bool", other.kind()),
    }
}

/// Binds `pattern` to `v`: a name, or a Tuple of exactly as many elements as names.
pub fn destructure(pattern: &Pattern, v: Value, env: &Env) -> R<Env> {
    match pattern {
        Pattern::Name(n) => Ok(bind(env, n, v)),
        Pattern::Tuple(names) => {
            let count = |n: usize| {
                if n == 1 {
                    "1 element".to_string()
                } else {
                    format!("{n} elements")
                }
            };
            let items = match &v {
                Value::Tuple(items) if items.len() == names.len() => items.clone(),
                Value::Tuple(items) => {
                    let got = format!("Tuple of {}", count(items.len()));
                    return mismatch(
                        "tuple pattern",
                        &format!("a Tuple of {}", count(names.len())),
                        &got,
                    );
                }
                other => {
                    return mismatch(
                        "tuple pattern",
                        &format!("a Tuple of {}", count(names.len())),
                        other.kind(),
                    );
                }
            };
            let mut env = env.clone();
            for (n, item) in names.iter().zip(items.iter()) {
                env = bind(&env, &n.text, item.clone());
            }
            Ok(env)
        }
    }
}

/// `+ - * / % ++` and the comparisons.
pub fn binary(op: BinOp, a: &Value, b: &Value) -> R<Value> {
    use BinOp::*;
    let symbol = match op {
        Add => "+",
        Sub => "-",
        Mul => "*",
        Div => "/",
        Rem => "%",
        Concat => "++",
        Eq => "==",
        Ne => "!=",
        Lt => "<",
        Le => "<=",
        Gt => ">",
        Ge => ">=",
    };
    let kinds = || format!("{} and {}", a.kind(), b.kind());
    match op {
        Eq => return Ok(Value::Bool(equal(a, b))),
        Ne => return Ok(Value::Bool(!equal(a, b))),
        Lt | Le | Gt | Ge => {
            let o = order(a, b).or_else(|k| mismatch(symbol, "numbers or Text", &k))?;
            use std::cmp::Ordering::*;
            let yes = match op {
                Lt => o == Some(Less),
                Le => matches!(o, Some(Less | Equal)),
                Gt => o == Some(Greater),
                _ => matches!(o, Some(Greater | Equal)),
            };
            return Ok(Value::Bool(yes));
        }
        Concat => {
            return match (a, b) {
                (Value::Text(x), Value::Text(y)) => Ok(Value::text(&format!("{x}{y}"))),
                (Value::List(x), Value::List(y)) => Ok(Value::List(Rc::new(
                    x.iter().chain(y.iter()).cloned().collect(),
                ))),
                _ => mismatch("++", "two Lists or two Texts", &kinds()),
            };
        }
        _ => {}
    }
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        let (x, y) = (*x, *y);
        if matches!(op, Div | Rem) && y == 0 {
            return fail("RT0302", "division by zero");
        }
        let r = match op {
            Add => x.checked_add(y),
            Sub => x.checked_sub(y),
            Mul => x.checked_mul(y),
            Div => x.checked_div(y),
            _ => x.checked_rem(y),
        };
        return r.and_then(Value::int).ok_or_else(overflow);
    }
    if let (Some(x), Some(y)) = (a.number(), b.number()) {
        return Ok(Value::Float(match op {
            Add => x + y,
            Sub => x - y,
            Mul => x * y,
            Div => x / y,
            _ => x % y,
        }));
    }
    if let (Add, Value::Text(x), Value::Text(y)) = (op, a, b) {
        return Ok(Value::text(&format!("{x}{y}")));
    }
    let expected = if op == Add {
        "numbers or Text"
    } else {
        "numbers"
    };
    mismatch(symbol, expected, &kinds())
}
