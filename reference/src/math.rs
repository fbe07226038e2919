//! The math builtins of docs/LANGUAGE.md, "Standard library" / "Math", as that section
//! states them: kinds checked first (RT0303), then the domain (RT0306), each Float result
//! the Rust f64 method the section names.

use crate::eval::{R, fail, mismatch};
use crate::value::{INT_MAX, INT_MIN, Value};

/// RT0306 `invalid argument to {op}: {reason}`.
fn invalid<T>(op: &str, reason: &str) -> R<T> {
    fail("RT0306", format!("invalid argument to {op}: {reason}"))
}

fn overflow<T>() -> R<T> {
    Err(crate::ops::overflow())
}

fn is_number(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Float(_))
}

/// Every argument a number, else `{op} expects a number, got K` (one argument) or
/// `{op} expects numbers, got A and B` / `A, B and C`.
fn numbers(op: &str, args: &[Value]) -> R<Vec<f64>> {
    if args.iter().all(is_number) {
        return Ok(args.iter().map(|v| v.number().unwrap_or(0.0)).collect());
    }
    let kinds: Vec<&str> = args.iter().map(Value::kind).collect();
    match kinds.as_slice() {
        [k] => mismatch(op, "a number", k),
        [a, b] => mismatch(op, "numbers", &format!("{a} and {b}")),
        [a, b, c] => mismatch(op, "numbers", &format!("{a}, {b} and {c}")),
        _ => unreachable!("math builtins take one to three arguments"),
    }
}

fn ints(op: &str, a: &Value, b: &Value) -> R<(i64, i64)> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok((*x, *y)),
        _ => mismatch(op, "Ints", &format!("{} and {}", a.kind(), b.kind())),
    }
}

fn int(n: i64) -> R<Value> {
    Value::int(n).map_or_else(overflow, Ok)
}

fn is_nan(v: &Value) -> bool {
    matches!(v, Value::Float(x) if x.is_nan())
}

fn sign_bit(v: &Value) -> bool {
    match v {
        Value::Int(n) => *n < 0,
        Value::Float(x) => x.is_sign_negative(),
        _ => false,
    }
}

/// `min` / `max`: NaN if either is NaN (the first NaN), else the smaller / larger argument
/// as given; of two equal ones the one with the sign bit for `min` (without for `max`) when
/// they differ in it, else the first.
fn min_max(want_min: bool, a: &Value, b: &Value) -> Value {
    if is_nan(a) {
        return a.clone();
    }
    if is_nan(b) {
        return b.clone();
    }
    let (x, y) = (a.number().unwrap_or(0.0), b.number().unwrap_or(0.0));
    let first = if x < y {
        want_min
    } else if x > y {
        !want_min
    } else if sign_bit(a) != sign_bit(b) {
        sign_bit(a) == want_min
    } else {
        true
    };
    if first { a.clone() } else { b.clone() }
}

/// One Float function's argument (any number) and result.
fn float_fn(op: &str, a: &[Value], f: fn(f64) -> f64) -> R<Value> {
    Ok(Value::Float(f(numbers(op, a)?[0])))
}

fn shift(op: &str, n: i64) -> R<u32> {
    if (0..=47).contains(&n) {
        Ok(n as u32)
    } else {
        invalid(op, &format!("shift count {n} is not between 0 and 47"))
    }
}

/// `base ^ exponent` by repeated multiplication with a check at every step (the running
/// product of |base| >= 2 only grows, so the first step outside the range decides).
fn int_power(base: i64, exponent: i64) -> R<Value> {
    if exponent < 0 {
        return invalid("pow", "a negative exponent needs a Float base");
    }
    if base == 0 || base == 1 || exponent == 0 {
        return int(if exponent == 0 { 1 } else { base });
    }
    if base == -1 {
        return int(if exponent % 2 == 0 { 1 } else { -1 });
    }
    let mut product: i64 = 1;
    for _ in 0..exponent {
        product = match product.checked_mul(base) {
            Some(p) => p,
            None => return overflow(),
        };
        if !(INT_MIN..=INT_MAX).contains(&product) {
            return overflow();
        }
    }
    int(product)
}

/// The math builtin `name` applied to `a`, or `None` when `name` is not one.
pub fn math_builtin(name: &str, a: &[Value]) -> Option<R<Value>> {
    Some(match name {
        "abs" => match a[0] {
            Value::Int(n) => int(-n).and_then(|_| int(n.abs())),
            Value::Float(x) => Ok(Value::Float(x.abs())),
            _ => numbers("abs", a).map(|_| Value::Unit),
        },
        "min" | "max" => numbers(name, a).map(|_| min_max(name == "min", &a[0], &a[1])),
        "clamp" => numbers("clamp", a).and_then(|n| {
            if n[1].is_nan() || n[2].is_nan() {
                return invalid("clamp", "a bound is NaN");
            }
            if n[1] > n[2] {
                return invalid("clamp", "lo is greater than hi");
            }
            Ok(if n[0] < n[1] {
                a[1].clone()
            } else if n[0] > n[2] {
                a[2].clone()
            } else {
                a[0].clone()
            })
        }),
        "floor" | "ceil" | "round" | "trunc" => numbers(name, a).map(|_| match a[0] {
            Value::Float(x) => Value::Float(match name {
                "floor" => x.floor(),
                "ceil" => x.ceil(),
                "round" => x.round(),
                _ => x.trunc(),
            }),
            ref other => other.clone(),
        }),
        "is_nan" => numbers("is_nan", a).map(|_| Value::Bool(is_nan(&a[0]))),
        "int" => numbers("int", a).and_then(|_| match a[0] {
            Value::Float(x) => {
                let t = x.trunc();
                if t.is_nan() || t < INT_MIN as f64 || t > INT_MAX as f64 {
                    invalid("int", &format!("{x:?} is outside the Int range"))
                } else {
                    int(t as i64)
                }
            }
            ref other => Ok(other.clone()),
        }),
        "float" => numbers("float", a).map(|n| Value::Float(n[0])),
        "sqrt" => float_fn("sqrt", a, f64::sqrt),
        "exp" => float_fn("exp", a, f64::exp),
        "ln" => float_fn("ln", a, f64::ln),
        "sin" => float_fn("sin", a, f64::sin),
        "cos" => float_fn("cos", a, f64::cos),
        "tan" => float_fn("tan", a, f64::tan),
        "pi" => Ok(Value::Float(std::f64::consts::PI)),
        "atan2" => numbers("atan2", a).map(|n| Value::Float(n[0].atan2(n[1]))),
        "log" => numbers("log", a).map(|n| {
            Value::Float(match n[1] {
                2.0 => n[0].log2(),
                10.0 => n[0].log10(),
                base => n[0].ln() / base.ln(),
            })
        }),
        "pow" => numbers("pow", a).and_then(|n| match (&a[0], &a[1]) {
            (Value::Int(base), Value::Int(exponent)) => int_power(*base, *exponent),
            _ => Ok(Value::Float(n[0].powf(n[1]))),
        }),
        "band" => ints(name, &a[0], &a[1]).and_then(|(x, y)| int(x & y)),
        "bor" => ints(name, &a[0], &a[1]).and_then(|(x, y)| int(x | y)),
        "bxor" => ints(name, &a[0], &a[1]).and_then(|(x, y)| int(x ^ y)),
        "shl" => ints(name, &a[0], &a[1])
            .and_then(|(x, n)| shift("shl", n).map(|n| (x, n)))
            .and_then(|(x, n)| {
                // x * 2^n, one doubling at a time, checked.
                let mut product = x;
                for _ in 0..n {
                    product *= 2;
                    if !(INT_MIN..=INT_MAX).contains(&product) {
                        return overflow();
                    }
                }
                int(product)
            }),
        "shr" => ints(name, &a[0], &a[1])
            .and_then(|(x, n)| shift("shr", n).map(|n| (x, n)))
            .and_then(|(x, n)| int(x.div_euclid(1 << n))),
        _ => return None,
    })
}
