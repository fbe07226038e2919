//! Text builtins that reshape a Text or convert scalars: `trim`, `trim_start`, `trim_end`,
//! `upper`, `lower`, `repeat`, `pad_start`, `pad_end`, `ord`, `chr` (docs/LANGUAGE.md,
//! "Text"). Every argument is borrowed; a result that could be huge (`repeat`, `pad_*`) is
//! sized before it is built (RT0406 past one object, RT0401/RT0402 without room).

use crate::error::RuntimeError;
use crate::objects::text_scalars::ensure_text_room;
use crate::value::Value;

use super::text::{int_argument, new_text, text_argument};

define_shim! {
    /// `trim(t)`: without leading and trailing whitespace (Unicode `White_Space`).
    fn rt_text_trim(context, text) {
        let text = text_argument(&context.heap, Value(text), "trim")?;
        new_text(context, text.trim())
    }
}

define_shim! {
    /// `trim_start(t)`: without leading whitespace.
    fn rt_text_trim_start(context, text) {
        let text = text_argument(&context.heap, Value(text), "trim_start")?;
        new_text(context, text.trim_start())
    }
}

define_shim! {
    /// `trim_end(t)`: without trailing whitespace.
    fn rt_text_trim_end(context, text) {
        let text = text_argument(&context.heap, Value(text), "trim_end")?;
        new_text(context, text.trim_end())
    }
}

define_shim! {
    /// `upper(t)`: Rust's `str::to_uppercase` (`"ß"` is `"SS"`).
    fn rt_text_upper(context, text) {
        let text = text_argument(&context.heap, Value(text), "upper")?;
        new_text(context, &text.to_uppercase())
    }
}

define_shim! {
    /// `lower(t)`: Rust's `str::to_lowercase` (a final `Σ` is `ς`).
    fn rt_text_lower(context, text) {
        let text = text_argument(&context.heap, Value(text), "lower")?;
        new_text(context, &text.to_lowercase())
    }
}

define_shim! {
    /// `repeat(t, n)`: `t` `n` times (`""` for 0). A negative `n` is RT0306 `invalid
    /// argument to repeat: negative count {n}`.
    fn rt_text_repeat(context, text, count) {
        let text = text_argument(&context.heap, Value(text), "repeat")?;
        let count = int_argument(Value(count), "repeat")?;
        let Ok(times) = usize::try_from(count) else {
            return Err(RuntimeError::invalid_argument("repeat", &format!("negative count {count}")));
        };
        ensure_text_room(&mut context.heap, text.len().saturating_mul(times))?;
        new_text(context, &text.repeat(times))
    }
}

/// `pad_start` / `pad_end`: `text` with copies of the one-scalar `fill` added on one side
/// until it is `width` scalars long; unchanged when it already is at least that long.
fn pad(
    context: &mut crate::context::Context,
    op: &str,
    (text, width, fill): (u64, u64, u64),
    at_start: bool,
) -> Result<u64, RuntimeError> {
    let text = text_argument(&context.heap, Value(text), op)?;
    let width = int_argument(Value(width), op)?;
    let fill = text_argument(&context.heap, Value(fill), op)?;
    let fill_scalars = fill.chars().count();
    if fill_scalars != 1 {
        return Err(RuntimeError::invalid_argument(
            op,
            &format!("fill must be one character, got {fill_scalars}"),
        ));
    }
    let length = text.chars().count();
    let missing = usize::try_from(width).unwrap_or(0).saturating_sub(length);
    ensure_text_room(
        &mut context.heap,
        text.len()
            .saturating_add(missing.saturating_mul(fill.len())),
    )?;
    let padding = fill.repeat(missing);
    let padded = if at_start {
        padding + &text
    } else {
        text + &padding
    };
    new_text(context, &padded)
}

define_shim! {
    /// `pad_start(t, width, fill)`: `fill` (exactly one scalar, else RT0306 `invalid
    /// argument to pad_start: fill must be one character, got {n}`) prepended up to `width`.
    fn rt_text_pad_start(context, text, width, fill) {
        pad(context, "pad_start", (text, width, fill), true)
    }
}

define_shim! {
    /// `pad_end(t, width, fill)`: as `pad_start`, appended.
    fn rt_text_pad_end(context, text, width, fill) {
        pad(context, "pad_end", (text, width, fill), false)
    }
}

define_shim! {
    /// `ord(t)`: the scalar value of a one-scalar Text; any other length is RT0306 `invalid
    /// argument to ord: expected one character, got {n}`.
    fn rt_text_ord(context, text) {
        let text = text_argument(&context.heap, Value(text), "ord")?;
        let mut scalars = text.chars();
        match (scalars.next(), scalars.next()) {
            (Some(scalar), None) => Ok(Value::int(i64::from(u32::from(scalar)))
                .ok_or_else(RuntimeError::integer_overflow)?
                .bits()),
            _ => Err(RuntimeError::invalid_argument(
                "ord",
                &format!("expected one character, got {}", text.chars().count()),
            )),
        }
    }
}

define_shim! {
    /// `chr(n)`: the one-scalar Text of scalar value `n`; a surrogate or a value outside
    /// `0..=0x10FFFF` is RT0306 `invalid argument to chr: {n} is not a Unicode scalar value`.
    fn rt_text_chr(context, code) {
        let code = int_argument(Value(code), "chr")?;
        let Some(scalar) = u32::try_from(code).ok().and_then(char::from_u32) else {
            return Err(RuntimeError::invalid_argument(
                "chr",
                &format!("{code} is not a Unicode scalar value"),
            ));
        };
        new_text(context, scalar.encode_utf8(&mut [0; 4]))
    }
}
