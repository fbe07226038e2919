//! The Text builtins of docs/LANGUAGE.md ("Standard library", "Text") over plain Rust
//! strings: `t[i]` and `slice` on Texts, and every row of the Text table, with the
//! documented diagnostics. The one heap limit modelled is the size of one object (RT0406),
//! so that a huge `repeat` fails here as on the engines instead of exhausting memory.

use std::rc::Rc;

use crate::builtins::out_of_bounds;
use crate::eval::{Machine, R, fail, mismatch};
use crate::seq_pull::Source;
use crate::value::{INT_MAX, INT_MIN, Value};

/// A Text of `bytes` UTF-8 bytes must fit one object: 65,535 blocks of 60 bytes, 12 of
/// them the Text's header (docs/LANGUAGE.md, "Text": RT0406 as for `++`).
fn sized(bytes: usize) -> R<()> {
    let blocks = bytes.saturating_add(12).div_ceil(60);
    if blocks > 65_535 {
        let blocks = u32::try_from(blocks).unwrap_or(u32::MAX);
        return fail(
            "RT0406",
            format!(
                "object too large: {blocks} blocks requested, one object spans at most 65535 blocks (one heap segment)"
            ),
        );
    }
    Ok(())
}

fn made(text: String) -> R<Value> {
    sized(text.len())?;
    Ok(Value::text(&text))
}

fn text<'v>(op: &str, v: &'v Value) -> R<&'v str> {
    match v {
        Value::Text(s) => Ok(s),
        other => mismatch(op, "a Text", other.kind()),
    }
}

fn int(op: &str, v: &Value) -> R<i64> {
    match v {
        Value::Int(n) => Ok(*n),
        other => mismatch(op, "an Int", other.kind()),
    }
}

fn invalid<T>(op: &str, reason: String) -> R<T> {
    fail("RT0306", format!("invalid argument to {op}: {reason}"))
}

/// A scalar position: an Int (RT0101) in `0..len` (`0..=len` when `inclusive`; RT0103).
fn position(v: &Value, length: usize, inclusive: bool) -> R<usize> {
    let Value::Int(i) = v else {
        return fail(
            "RT0101",
            format!("list index expects an Int, got {}", v.kind()),
        );
    };
    match usize::try_from(*i) {
        Ok(at) if at < length || (inclusive && at == length) => Ok(at),
        _ => out_of_bounds(*i, length),
    }
}

/// `t[i]` of a Text: `Ok(None)` when out of bounds (RT0103 for `[]`, the default for `get`).
pub fn index(s: &str, i: &Value) -> R<Option<Value>> {
    let Value::Int(at) = i else {
        return fail(
            "RT0101",
            format!("list index expects an Int, got {}", i.kind()),
        );
    };
    Ok(usize::try_from(*at)
        .ok()
        .and_then(|at| s.chars().nth(at))
        .map(|c| Value::text(&c.to_string())))
}

/// `slice(t, a, b)` of a Text.
pub fn slice(s: &str, a: &Value, b: &Value) -> R<Value> {
    let length = s.chars().count();
    let first = position(a, length, true)?;
    let last = position(b, length, true)?;
    if first > last {
        return out_of_bounds(first as i64, length);
    }
    Ok(Value::text(
        &s.chars().skip(first).take(last - first).collect::<String>(),
    ))
}

fn parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let value: i128 = digits.chars().try_fold(0i128, |acc, c| {
        let next = acc * 10 + i128::from(c as u8 - b'0');
        (next <= 1 << 48).then_some(next)
    })?;
    let value = if s.starts_with('-') { -value } else { value };
    i64::try_from(value)
        .ok()
        .filter(|v| (INT_MIN..=INT_MAX).contains(v))
}

fn pair(parsed: Option<Value>) -> Value {
    Value::Tuple(Rc::new(match parsed {
        Some(v) => vec![Value::Bool(true), v],
        None => vec![Value::Bool(false), Value::Unit],
    }))
}

fn pad(op: &str, a: &[Value], at_start: bool) -> R<Value> {
    let s = text(op, &a[0])?;
    let width = int(op, &a[1])?;
    let fill = text(op, &a[2])?;
    let n = fill.chars().count();
    if n != 1 {
        return invalid(op, format!("fill must be one character, got {n}"));
    }
    let missing = usize::try_from(width)
        .unwrap_or(0)
        .saturating_sub(s.chars().count());
    sized(s.len().saturating_add(missing.saturating_mul(fill.len())))?;
    let padding = fill.repeat(missing);
    made(if at_start {
        padding + s
    } else {
        s.to_string() + &padding
    })
}

impl Machine<'_> {
    /// Text builtin `name`, or `None` when it is not one.
    pub fn text_builtin(&mut self, name: &str, a: &[Value]) -> Option<R<Value>> {
        Some(match name {
            "chars" => text("chars", &a[0]).and_then(|_| self.seq_builtin("iter", a.to_vec())),
            "split" => (|| {
                let (s, sep) = (text("split", &a[0])?, text("split", &a[1])?);
                if sep.is_empty() {
                    return invalid("split", "empty separator".into());
                }
                Ok(Value::List(Rc::new(
                    s.split(sep).map(Value::text).collect(),
                )))
            })(),
            "join" => self.join(a),
            "contains" => self.contains(a),
            "starts_with" | "ends_with" | "find" => (|| {
                let (s, p) = (text(name, &a[0])?, text(name, &a[1])?);
                Ok(match name {
                    "starts_with" => Value::Bool(s.starts_with(p)),
                    "ends_with" => Value::Bool(s.ends_with(p)),
                    _ => Value::Int(s.find(p).map_or(-1, |at| s[..at].chars().count() as i64)),
                })
            })(),
            "replace" => (|| {
                let s = text("replace", &a[0])?;
                let (from, to) = (text("replace", &a[1])?, text("replace", &a[2])?);
                if from.is_empty() {
                    return invalid("replace", "empty pattern".into());
                }
                let matches = s.matches(from).count();
                sized(
                    (s.len() - matches * from.len())
                        .saturating_add(matches.saturating_mul(to.len())),
                )?;
                made(s.replace(from, to))
            })(),
            "trim" => text(name, &a[0]).and_then(|s| made(s.trim().into())),
            "trim_start" => text(name, &a[0]).and_then(|s| made(s.trim_start().into())),
            "trim_end" => text(name, &a[0]).and_then(|s| made(s.trim_end().into())),
            "upper" => text(name, &a[0]).and_then(|s| made(s.to_uppercase())),
            "lower" => text(name, &a[0]).and_then(|s| made(s.to_lowercase())),
            "repeat" => (|| {
                let s = text("repeat", &a[0])?;
                let n = int("repeat", &a[1])?;
                let Ok(times) = usize::try_from(n) else {
                    return invalid("repeat", format!("negative count {n}"));
                };
                sized(s.len().saturating_mul(times))?;
                made(s.repeat(times))
            })(),
            "ord" => text("ord", &a[0]).and_then(|s| {
                let scalars: Vec<char> = s.chars().collect();
                match scalars[..] {
                    [c] => Ok(Value::Int(i64::from(u32::from(c)))),
                    _ => invalid(
                        "ord",
                        format!("expected one character, got {}", scalars.len()),
                    ),
                }
            }),
            "chr" => int("chr", &a[0]).and_then(|n| {
                match u32::try_from(n).ok().and_then(char::from_u32) {
                    Some(c) => Ok(Value::text(&c.to_string())),
                    None => invalid("chr", format!("{n} is not a Unicode scalar value")),
                }
            }),
            "pad_start" => pad(name, a, true),
            "pad_end" => pad(name, a, false),
            "parse_int" => text(name, &a[0]).map(|s| pair(parse_int(s).map(Value::Int))),
            "parse_float" => text(name, &a[0]).map(|s| {
                pair(
                    s.parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite())
                        .map(Value::Float),
                )
            }),
            _ => return None,
        })
    }

    fn join(&mut self, a: &[Value]) -> R<Value> {
        let mut source = Source::open("join", &a[0])?;
        let sep = text("join", &a[1])?;
        let (mut joined, mut count) = (String::new(), 0usize);
        while let Some(item) = source.next(self)? {
            count += 1;
            let Value::Text(piece) = &item else {
                return mismatch("join", "Text items", item.kind());
            };
            if count > 1 {
                joined.push_str(sep);
            }
            sized(joined.len() + piece.len())?;
            joined.push_str(piece);
            self.runtime_loop_step(count)?;
        }
        made(joined)
    }

    fn contains(&mut self, a: &[Value]) -> R<Value> {
        match &a[0] {
            Value::Text(s) => Ok(Value::Bool(s.contains(text("contains", &a[1])?))),
            Value::List(items) => {
                for (at, item) in items.iter().enumerate() {
                    if self.equal_metered(item, &a[1])? {
                        return Ok(Value::Bool(true));
                    }
                    self.runtime_loop_step(at + 1)?;
                }
                Ok(Value::Bool(false))
            }
            other => mismatch("contains", "a Text or List", other.kind()),
        }
    }
}
