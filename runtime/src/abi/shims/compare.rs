//! Comparison shims: structural `==`/`!=`, ordering `< <= > >=` (numbers and Text only),
//! and the Bool check for conditions. Operands are borrowed; results are Bool words.
//! Equality walks with the run's context: it charges fuel every 1,024 pairs.

use std::cmp::Ordering;

use crate::error::RuntimeError;
use crate::objects::equality::values_equal;
use crate::objects::kind_name_of;
use crate::objects::ordering::compare_for_operator;
use crate::value::Value;

define_shim! {
    /// Structural `lhs == rhs`.
    fn rt_eq(context, lhs, rhs) {
        Ok(Value::bool(values_equal(context, Value(lhs), Value(rhs))?).bits())
    }
}

define_shim! {
    /// Structural `lhs != rhs`.
    fn rt_ne(context, lhs, rhs) {
        Ok(Value::bool(!values_equal(context, Value(lhs), Value(rhs))?).bits())
    }
}

define_shim! {
    /// `lhs < rhs`.
    fn rt_lt(context, lhs, rhs) {
        let order = compare_for_operator(&context.heap, "<", Value(lhs), Value(rhs))?;
        Ok(Value::bool(order == Some(Ordering::Less)).bits())
    }
}

define_shim! {
    /// `lhs <= rhs`.
    fn rt_le(context, lhs, rhs) {
        let order = compare_for_operator(&context.heap, "<=", Value(lhs), Value(rhs))?;
        Ok(Value::bool(matches!(order, Some(Ordering::Less | Ordering::Equal))).bits())
    }
}

define_shim! {
    /// `lhs > rhs`.
    fn rt_gt(context, lhs, rhs) {
        let order = compare_for_operator(&context.heap, ">", Value(lhs), Value(rhs))?;
        Ok(Value::bool(order == Some(Ordering::Greater)).bits())
    }
}

define_shim! {
    /// `lhs >= rhs`.
    fn rt_ge(context, lhs, rhs) {
        let order = compare_for_operator(&context.heap, ">=", Value(lhs), Value(rhs))?;
        Ok(Value::bool(matches!(order, Some(Ordering::Greater | Ordering::Equal))).bits())
    }
}

define_shim! {
    /// Returns `value` (borrowed) when it is a Bool; else RT0303 `type mismatch: {op}
    /// expects Bool, got X` with `op` = `if` / `and` / `or` / `when` / `filter` for `context`
    /// 0 / 1 / 2 / 3 / 4 (`filter`: a fused filter stage's predicate result).
    fn rt_expect_bool(ctx_ref, value, context) {
        let _ = ctx_ref;
        let word = Value(value);
        if word.is_bool() {
            return Ok(value);
        }
        let op = match context {
            0 => "if",
            1 => "and",
            2 => "or",
            3 => "when",
            4 => "filter",
            other => {
                return Err(RuntimeError::internal(&format!(
                    "rt_expect_bool: unknown condition context {other}"
                )));
            }
        };
        Err(RuntimeError::type_mismatch(op, "Bool", kind_name_of(word)?.as_str()))
    }
}
