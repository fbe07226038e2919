//! Arithmetic shims: `+ - * / %`, unary `-`, `not` and `++`. Operands are borrowed (but the
//! left one of `rt_concat_owned_left`); the result is owned. Int op Int stays Int (checked i48: RT0301; `/` truncates; `/` and `%`
//! by zero RT0302; `%` takes the sign of the dividend like Rust). Any Float promotes to
//! Float (IEEE: float division by zero is not an error). `+` also joins two Texts.

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::objects::release::release_on_cleanup;
use crate::objects::{kind_name_of, list, list_append, text, text_append};
use crate::value::{Kind, KindName, MAX_FLOAT_WORD, Value};

#[derive(Clone, Copy)]
enum ArithmeticOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl ArithmeticOp {
    fn symbol(self) -> &'static str {
        match self {
            ArithmeticOp::Add => "+",
            ArithmeticOp::Sub => "-",
            ArithmeticOp::Mul => "*",
            ArithmeticOp::Div => "/",
            ArithmeticOp::Rem => "%",
        }
    }
    fn expected(self) -> &'static str {
        match self {
            ArithmeticOp::Add => "numbers or Text",
            _ => "numbers",
        }
    }
}

fn binary_kinds(left: KindName, right: KindName) -> String {
    format!("{left} and {right}")
}

fn arithmetic(
    heap: &mut Heap,
    op: ArithmeticOp,
    left: Value,
    right: Value,
) -> Result<Value, RuntimeError> {
    // Int op Int first: the common case decodes two words and checks; kinds (and any
    // message text) are computed only off this path.
    if let (Some(a), Some(b)) = (left.as_int(), right.as_int()) {
        let result = match op {
            ArithmeticOp::Add => a.checked_add(b),
            ArithmeticOp::Sub => a.checked_sub(b),
            ArithmeticOp::Mul => a.checked_mul(b),
            ArithmeticOp::Div | ArithmeticOp::Rem if b == 0 => {
                return Err(RuntimeError::division_by_zero());
            }
            ArithmeticOp::Div => a.checked_div(b),
            ArithmeticOp::Rem => a.checked_rem(b),
        };
        return result
            .and_then(Value::int)
            .ok_or_else(RuntimeError::integer_overflow);
    }
    // Then two numbers, at least one a well-formed Float (what `kind_name_of` calls a
    // Float): Float arithmetic, without naming the kinds.
    let number = |value: Value| {
        value.as_int().map(|n| n as f64).or_else(|| {
            (value.is_float() && value.bits() <= MAX_FLOAT_WORD)
                .then(|| value.as_float())
                .flatten()
        })
    };
    if let (Some(a), Some(b)) = (number(left), number(right)) {
        return Ok(Value::float(match op {
            ArithmeticOp::Add => a + b,
            ArithmeticOp::Sub => a - b,
            ArithmeticOp::Mul => a * b,
            ArithmeticOp::Div => a / b,
            ArithmeticOp::Rem => a % b,
        }));
    }
    // Anything else names its kinds (a malformed word is reported here).
    let (kind_left, kind_right) = (kind_name_of(left)?, kind_name_of(right)?);
    if matches!(op, ArithmeticOp::Add)
        && kind_left == KindName::Text
        && kind_right == KindName::Text
    {
        return text::concat_texts(heap, left, right);
    }
    Err(RuntimeError::type_mismatch(
        op.symbol(),
        op.expected(),
        &binary_kinds(kind_left, kind_right),
    ))
}

define_shim! {
    /// `lhs + rhs`.
    fn rt_add(context, lhs, rhs) {
        Ok(arithmetic(&mut context.heap, ArithmeticOp::Add, Value(lhs), Value(rhs))?.bits())
    }
}

define_shim! {
    /// `lhs - rhs`.
    fn rt_sub(context, lhs, rhs) {
        Ok(arithmetic(&mut context.heap, ArithmeticOp::Sub, Value(lhs), Value(rhs))?.bits())
    }
}

define_shim! {
    /// `lhs * rhs`.
    fn rt_mul(context, lhs, rhs) {
        Ok(arithmetic(&mut context.heap, ArithmeticOp::Mul, Value(lhs), Value(rhs))?.bits())
    }
}

define_shim! {
    /// `lhs / rhs` (Int division truncates toward zero).
    fn rt_div(context, lhs, rhs) {
        Ok(arithmetic(&mut context.heap, ArithmeticOp::Div, Value(lhs), Value(rhs))?.bits())
    }
}

define_shim! {
    /// `lhs % rhs` (Int remainder has the dividend's sign).
    fn rt_rem(context, lhs, rhs) {
        Ok(arithmetic(&mut context.heap, ArithmeticOp::Rem, Value(lhs), Value(rhs))?.bits())
    }
}

define_shim! {
    /// `lhs ++ rhs` / `concat(lhs, rhs)`: two Texts or two Lists (both borrowed).
    fn rt_concat(context, lhs, rhs) {
        let (left, right) = (Value(lhs), Value(rhs));
        let (kind_left, kind_right) = (kind_name_of(left)?, kind_name_of(right)?);
        let heap = &mut context.heap;
        let result = match (left.heap_kind(), right.heap_kind()) {
            (Some(Kind::Text), Some(Kind::Text)) => text::concat_texts(heap, left, right)?,
            (Some(Kind::List), Some(Kind::List)) => list::concat_lists(heap, left, right)?,
            _ => {
                return Err(RuntimeError::type_mismatch(
                    "++",
                    "two Lists or two Texts",
                    &binary_kinds(kind_left, kind_right),
                ));
            }
        };
        Ok(result.bits())
    }
}

define_shim! {
    /// `lhs ++ rhs` at the last use of an owned `lhs` (lang's `Builtin::ConcatOwnedLeft`):
    /// `lhs` owned (consumed, also on failure), `rhs` borrowed. Results and diagnostics are
    /// `rt_concat`'s; a unique `lhs` is appended to in place (`text_append`,
    /// `list_update::extend`), a shared one copied.
    fn rt_concat_owned_left(context, lhs, rhs) {
        let (left, right) = (Value(lhs), Value(rhs));
        let heap = &mut context.heap;
        // Two Texts or two Lists have kind names, so `rt_concat`'s first checks (RT0404 for a
        // word with none) are needed only on the mismatch path.
        let result = match (left.heap_kind(), right.heap_kind()) {
            (Some(Kind::Text), Some(Kind::Text)) => {
                text_append::concat_texts_owned_left(heap, left, right)?
            }
            (Some(Kind::List), Some(Kind::List)) => {
                list_append::concat_lists_owned_left(heap, left, right)?
            }
            _ => {
                let error = match (kind_name_of(left), kind_name_of(right)) {
                    (Err(error), _) | (_, Err(error)) => error,
                    (Ok(kind_left), Ok(kind_right)) => RuntimeError::type_mismatch(
                        "++",
                        "two Lists or two Texts",
                        &binary_kinds(kind_left, kind_right),
                    ),
                };
                release_on_cleanup(heap, left);
                return Err(error);
            }
        };
        Ok(result.bits())
    }
}

define_shim! {
    /// Unary `-operand` (Int negation is checked: `-(-2^47)` is RT0301).
    fn rt_neg(context, operand) {
        let _ = context;
        let value = Value(operand);
        if let Some(n) = value.as_int() {
            return Value::int(-n).map(Value::bits).ok_or_else(RuntimeError::integer_overflow);
        }
        if let Some(x) = value.as_float() {
            return Ok(Value::float(-x).bits());
        }
        Err(RuntimeError::type_mismatch("-", "numbers", kind_name_of(value)?.as_str()))
    }
}

define_shim! {
    /// `not operand` (a Bool).
    fn rt_not(context, operand) {
        let _ = context;
        let value = Value(operand);
        match value.as_bool() {
            Some(b) => Ok(Value::bool(!b).bits()),
            None => Err(RuntimeError::type_mismatch("not", "Bool", kind_name_of(value)?.as_str())),
        }
    }
}
