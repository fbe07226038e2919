//! The canonical printed form of SPEC §2: `42`, `-1.5`, `2.0`, `true`, `()`, Text raw at
//! top level and quoted (`"a\"b"`) when nested, `[1, 2]`, `(1, "a")`, `(1,)`, `#{"a": 1}`,
//! `<seq>`, `<fn name>` (`<fn>` when the function has no known name), `<ref>`. Floats use
//! Rust's `{:?}` for f64. Iterative, so deeply nested values print without recursion.

use std::fmt::Write as _;

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::heap::programs::decode_closure_function;
use crate::value::{Kind, KindName, Value};

use super::header::kind_name_of;
use super::{list, map, text, tuple};

enum Piece {
    Value { value: Value, top_level: bool },
    Literal(&'static str),
}

fn nested(value: Value) -> Piece {
    Piece::Value {
        value,
        top_level: false,
    }
}

/// The canonical form, or RT0404 when `value` (or something inside it) is not a valid value.
pub fn try_canonical_form(
    heap: &Heap,
    value: Value,
    top_level: bool,
) -> Result<String, RuntimeError> {
    let mut out = String::new();
    let mut stack = vec![Piece::Value { value, top_level }];
    while let Some(piece) = stack.pop() {
        let (value, top_level) = match piece {
            Piece::Literal(text) => {
                out.push_str(text);
                continue;
            }
            Piece::Value { value, top_level } => (value, top_level),
        };
        let mut pieces = Vec::new();
        match kind_name_of(value)? {
            KindName::Int => {
                write!(out, "{}", value.as_int().unwrap_or_default()).expect("write to String")
            }
            KindName::Float => {
                write!(out, "{:?}", value.as_float().unwrap_or_default()).expect("write to String")
            }
            KindName::Bool => out.push_str(if value == Value::TRUE {
                "true"
            } else {
                "false"
            }),
            KindName::Unit => out.push_str("()"),
            KindName::Text => {
                let text = text::text_to_string(heap, value)?;
                if top_level {
                    out.push_str(&text);
                } else {
                    push_quoted(&mut out, &text);
                }
            }
            KindName::List => {
                pieces.push(Piece::Literal("["));
                separated(&mut pieces, list::elements(heap, value)?);
                pieces.push(Piece::Literal("]"));
            }
            KindName::Tuple => {
                let items = tuple::elements(heap, value)?;
                let single = items.len() == 1;
                pieces.push(Piece::Literal("("));
                separated(&mut pieces, items);
                pieces.push(Piece::Literal(if single { ",)" } else { ")" }));
            }
            KindName::Map => {
                pieces.push(Piece::Literal("#{"));
                for (position, (key, item)) in map::entries(heap, value)?.into_iter().enumerate() {
                    if position > 0 {
                        pieces.push(Piece::Literal(", "));
                    }
                    pieces.push(nested(key));
                    pieces.push(Piece::Literal(": "));
                    pieces.push(nested(item));
                }
                pieces.push(Piece::Literal("}"));
            }
            KindName::Seq => out.push_str("<seq>"),
            KindName::Closure => match closure_name(heap, value)? {
                Some(name) => write!(out, "<fn {name}>").expect("write to String"),
                None => out.push_str("<fn>"),
            },
            KindName::Ref => out.push_str("<ref>"),
        }
        stack.extend(pieces.into_iter().rev());
    }
    Ok(out)
}

/// The name of a Closure's function (slot 0 holds its program's stamp and function id), or
/// `None` when the installed program has no name for it or another program made it.
fn closure_name(heap: &Heap, closure: Value) -> Result<Option<&str>, RuntimeError> {
    let slots = tuple::slot_values(heap, closure, Kind::Closure)?;
    Ok(slots
        .first()
        .and_then(|word| word.as_int())
        .and_then(decode_closure_function)
        .filter(|&(stamp, _)| stamp != 0 && stamp == heap.program_stamp())
        .and_then(|(_, id)| heap.function_name(id)))
}

fn separated(pieces: &mut Vec<Piece>, items: Vec<Value>) {
    for (position, item) in items.into_iter().enumerate() {
        if position > 0 {
            pieces.push(Piece::Literal(", "));
        }
        pieces.push(nested(item));
    }
}

/// Appends `text` in double quotes, escaping `\\`, `\"` and control characters.
pub fn push_quoted(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => write!(out, "\\u{{{:x}}}", c as u32).expect("write to String"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The canonical form (the public API of SPEC §2). A value that fails validation renders
/// as `<invalid: detail>` so the caller sees the problem; shims use [`try_canonical_form`]
/// and raise RT0404 instead.
pub fn canonical_form(heap: &Heap, value: Value, top_level: bool) -> String {
    try_canonical_form(heap, value, top_level)
        .unwrap_or_else(|error| format!("<invalid: {}>", error.message))
}

/// The SPEC §7 kind name of a word (`Invalid` for a word that is not a script value).
pub fn kind_name(value: Value) -> &'static str {
    value.kind_name().map(KindName::as_str).unwrap_or("Invalid")
}

/// `{kinds}` for a binary diagnostic: `Int and Text`.
pub fn kind_names_pair(left: Value, right: Value) -> String {
    format!("{} and {}", kind_name(left), kind_name(right))
}
