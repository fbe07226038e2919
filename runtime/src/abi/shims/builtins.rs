//! The value builtins that take one borrowed argument: `print`, `len` and `str`.

use std::io::Write as _;

use crate::error::RuntimeError;
use crate::objects::print::canonical_form_for_run;
use crate::objects::{kind_name_of, list, map, retain, text, tuple};
use crate::value::{Kind, Value};

define_shim! {
    /// `print(v)`: the canonical form (a Text raw; RT0405 past `Limits::max_output_bytes`) plus `\n`, appended to `ctx.output` and,
    /// when `ctx.echo_output`, written to stdout. Returns Unit.
    fn rt_print(context, value) {
        let mut line = canonical_form_for_run(context, Value(value), true)?;
        line.push('\n');
        context.output.extend_from_slice(line.as_bytes());
        if context.echo_output {
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout.write_all(line.as_bytes()).and_then(|()| stdout.flush()) {
                context.echo_failure = Some(e.to_string());
                return Err(RuntimeError::internal(&format!("print: cannot write to stdout: {e}")));
            }
        }
        Ok(Value::UNIT.bits())
    }
}

define_shim! {
    /// `len(x)`: List, Tuple, Map, or Text (Unicode scalar values); RT0303 otherwise.
    fn rt_len(context, value) {
        let heap = &context.heap;
        let value = Value(value);
        let length = match value.heap_kind() {
            Some(Kind::List) => list::length_of(heap, value)?,
            Some(Kind::Tuple) => tuple::length_of(heap, value)?,
            Some(Kind::Map) => map::length_of(heap, value)?,
            Some(Kind::Text) => text::text_char_count(heap, value)?,
            _ => {
                return Err(RuntimeError::type_mismatch(
                    "len",
                    "List, Tuple, Map or Text",
                    kind_name_of(value)?.as_str(),
                ));
            }
        };
        Value::int(length as i64).map(Value::bits).ok_or_else(RuntimeError::integer_overflow)
    }
}

define_shim! {
    /// `str(v)`: the canonical form as a new Text; a Text comes back unchanged (retained).
    fn rt_str(context, value) {
        let value = Value(value);
        if value.heap_kind() == Some(Kind::Text) {
            return Ok(retain(&mut context.heap, value)?.bits());
        }
        if let Some(n) = value.as_int() {
            // The canonical form of an Int is its decimal form; no host allocation.
            let mut digits = [0u8; 24];
            return Ok(text::text_from_str(&mut context.heap, int_decimal(n, &mut digits))?.bits());
        }
        let form = canonical_form_for_run(context, value, true)?;
        Ok(text::text_from_str(&mut context.heap, &form)?.bits())
    }
}

define_shim! {
    /// `checkpoint()`: records the ownership graph in audit mode (with checkpoints on), does
    /// nothing otherwise. Returns Unit.
    fn rt_checkpoint(context) {
        crate::audit::checkpoint(context);
        Ok(Value::UNIT.bits())
    }
}

/// `n` in decimal (as `format!("{n}")` writes it), written at the end of `buffer`.
fn int_decimal(n: i64, buffer: &mut [u8; 24]) -> &str {
    let mut magnitude = n.unsigned_abs();
    let mut start = buffer.len();
    loop {
        start -= 1;
        buffer[start] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    if n < 0 {
        start -= 1;
        buffer[start] = b'-';
    }
    std::str::from_utf8(&buffer[start..]).expect("ASCII digits")
}

#[cfg(test)]
mod int_decimal_tests {
    use super::int_decimal;

    #[test]
    fn int_decimal_matches_format() {
        for n in [
            0,
            7,
            -7,
            10,
            -10,
            99,
            100,
            123_456,
            (1 << 47) - 1,
            -(1 << 47),
            i64::MIN,
            i64::MAX,
        ] {
            assert_eq!(int_decimal(n, &mut [0; 24]), format!("{n}"));
        }
    }
}
