//! The canonical printed form (docs/LANGUAGE.md, "Values and operators"): `42`, `-1.5`, `2.0`,
//! `true`, `()`, Text raw at top level and quoted (`"a\"b"`) when nested, `[1, 2]`, `(1, "a")`,
//! `(1,)`, `#{"a": 1}`, `<seq>`, `<fn name>` (`<fn>` when the function has no known name), `<ref>`.
//! Floats use Rust's `{:?}` for f64. Iterative, so deeply nested values print without recursion;
//! the form's length is measured first (`measure`), so a form longer than the budget
//! (`Limits::max_output_bytes`) is RT0405 before any of it is built.

use std::fmt::Write as _;

use crate::context::Context;
use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::heap::programs::decode_closure_function;
use crate::value::{Kind, KindName, Value};

use super::header::kind_name_of;
use super::measure::{CanonicalBytes, expanded_size};
use super::walk_meter::{Unmetered, WalkMeter};
use super::{list, map, text, tuple};

/// The default of `Limits::max_output_bytes`: 64 MiB.
pub const DEFAULT_MAX_OUTPUT_BYTES: usize = 64 << 20;

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

/// The canonical form within the default budget ([`DEFAULT_MAX_OUTPUT_BYTES`]), outside a
/// run (no fuel): RT0404 when `value` (or something inside it) is not a valid value, RT0405
/// when the form would pass the budget.
pub fn try_canonical_form(
    heap: &Heap,
    value: Value,
    top_level: bool,
) -> Result<String, RuntimeError> {
    canonical_form_within(
        &mut Unmetered(heap),
        value,
        top_level,
        DEFAULT_MAX_OUTPUT_BYTES,
    )
}

/// The canonical form for a shim: within the run's `Limits::max_output_bytes`, charging
/// the run's fuel as it walks.
pub fn canonical_form_for_run(
    context: &mut Context,
    value: Value,
    top_level: bool,
) -> Result<String, RuntimeError> {
    let limit = context.limits.max_output_bytes;
    canonical_form_within(context, value, top_level, limit)
}

/// The canonical form, or RT0405 when it would be longer than `limit` bytes: its length is
/// measured first (memoised, see `measure`), so nothing past the budget is ever built.
/// Measuring and writing charge `meter` one step per object (or separator) they visit.
pub fn canonical_form_within<M: WalkMeter + ?Sized>(
    meter: &mut M,
    value: Value,
    top_level: bool,
    limit: usize,
) -> Result<String, RuntimeError> {
    let length = expanded_size(
        meter,
        value,
        top_level,
        &CanonicalBytes,
        limit,
        RuntimeError::printed_form_too_large,
    )?;
    let mut out = String::with_capacity(length);
    let mut stack = vec![Piece::Value { value, top_level }];
    let mut step = 0usize;
    while let Some(piece) = stack.pop() {
        step += 1;
        meter.charge(step)?;
        let heap = meter.heap();
        let (value, top_level) = match piece {
            Piece::Literal(text) => {
                out.push_str(text);
                continue;
            }
            Piece::Value { value, top_level } => (value, top_level),
        };
        let mut pieces = Vec::new();
        match kind_name_of(value)? {
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
            kind => out.push_str(&leaf_form(heap, value, kind)?),
        }
        stack.extend(pieces.into_iter().rev());
    }
    debug_assert_eq!(out.len(), length, "the measure and the form agree");
    Ok(out)
}

/// The form of a value that is neither a Text nor a container.
pub(crate) fn leaf_form(heap: &Heap, value: Value, kind: KindName) -> Result<String, RuntimeError> {
    Ok(match kind {
        KindName::Int => value.as_int().unwrap_or_default().to_string(),
        KindName::Float => format!("{:?}", value.as_float().unwrap_or_default()),
        KindName::Bool => (if value == Value::TRUE {
            "true"
        } else {
            "false"
        })
        .to_string(),
        KindName::Unit => "()".to_string(),
        KindName::Seq => "<seq>".to_string(),
        KindName::Closure => match closure_name(heap, value)? {
            Some(name) => format!("<fn {name}>"),
            None => "<fn>".to_string(),
        },
        KindName::Ref => "<ref>".to_string(),
        KindName::HostObject => super::host_object::printed_form(heap, value)?,
        KindName::Text | KindName::List | KindName::Tuple | KindName::Map => {
            return Err(RuntimeError::internal("leaf_form: not a leaf"));
        }
    })
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

/// The canonical form (the public API of the printed form). A value that fails validation renders
/// as `<invalid: detail>` so the caller sees the problem; shims use [`try_canonical_form`]
/// and raise RT0404 instead.
pub fn canonical_form(heap: &Heap, value: Value, top_level: bool) -> String {
    try_canonical_form(heap, value, top_level)
        .unwrap_or_else(|error| format!("<invalid: {}>", error.message))
}

/// The kind name of a word (`Invalid` for a word that is not a script value).
pub fn kind_name(value: Value) -> &'static str {
    value.kind_name().map(KindName::as_str).unwrap_or("Invalid")
}

/// `{kinds}` for a binary diagnostic: `Int and Text`.
pub fn kind_names_pair(left: Value, right: Value) -> String {
    format!("{} and {}", kind_name(left), kind_name(right))
}
