//! The shims of fused sequence pipelines (lang's `fuse_pipelines.rs`, docs/ARCHITECTURE.md):
//! the checks and steps a pipeline's builtins would have made, without any cursor. Each
//! raises exactly the diagnostic the unfused builtin raises at the same point.

use crate::error::RuntimeError;
use crate::objects::kind_name_of;
use crate::value::Value;

/// An Int constant operand that lang emitted (anything else is an internal error).
fn constant(word: u64, shim: &str) -> Result<i64, RuntimeError> {
    Value(word).as_int().ok_or_else(|| {
        RuntimeError::internal(&format!("{shim}: operand {word:#018x} is not an Int"))
    })
}

define_shim! {
    /// `range(a, b)`'s argument checks (both borrowed): RT0303 `range expects Int` for the
    /// first non-Int, as `rt_range`; returns Unit and allocates nothing.
    fn rt_fused_range_check(context, start, end) {
        let _ = context;
        for word in [Value(start), Value(end)] {
            if !word.is_int() {
                return Err(RuntimeError::type_mismatch("range", "Int", kind_name_of(word)?.as_str()));
            }
        }
        Ok(Value::UNIT.bits())
    }
}

define_shim! {
    /// `take(s, n)`'s count check (`n` borrowed): RT0303 `take expects a non-negative Int`
    /// as `rt_seq_take`; returns Unit.
    fn rt_fused_take_check(context, n) {
        let n = Value(n);
        match n.as_int() {
            Some(count) if count >= 0 => Ok(Value::UNIT.bits()),
            Some(count) => Err(RuntimeError::type_mismatch(
                "take",
                "a non-negative Int",
                &count.to_string(),
            )),
            None => {
                let _ = &context;
                Err(RuntimeError::type_mismatch("take", "a non-negative Int", kind_name_of(n)?.as_str()))
            }
        }
    }
}

define_shim! {
    /// The call-depth check of a pull `levels` (an Int constant) cursors deep: RT0501 when
    /// the current depth plus `levels` exceeds the limit, as `seq_pull::pull` nested that
    /// deep would raise. Changes nothing; returns Unit.
    fn rt_fused_depth_check(context, levels) {
        let levels = constant(levels, "rt_fused_depth_check")?;
        if context.call_depth.saturating_add(levels.unsigned_abs()) > context.limits.max_call_depth {
            return Err(RuntimeError::stack_overflow(context.limits.max_call_depth));
        }
        Ok(Value::UNIT.bits())
    }
}

define_shim! {
    /// Adds `delta` (an Int constant, negative to undo) to the call depth: a fused stage's
    /// callback is called as many levels deep as the stage's pull would call it (the
    /// callee's own entry checks the limit). Returns Unit.
    fn rt_fused_depth_add(context, delta) {
        let delta = constant(delta, "rt_fused_depth_add")?;
        context.call_depth = if delta >= 0 {
            context.call_depth.saturating_add(delta.unsigned_abs())
        } else {
            context.call_depth.saturating_sub(delta.unsigned_abs())
        };
        Ok(Value::UNIT.bits())
    }
}

define_shim! {
    /// One step of `sum` (both borrowed): `total + item` exactly as `rt_sum` adds an item
    /// (`total` an Int or Float; RT0301 past the Int range, a Float from the first Float on,
    /// RT0303 `sum expects Int or Float` for any other item).
    fn rt_fused_sum_add(context, total, item) {
        let _ = &context;
        let (total, item) = (Value(total), Value(item));
        let sum = match (total.as_int(), total.as_float(), item.as_int(), item.as_float()) {
            (Some(sum), _, Some(n), _) => {
                Value::int(sum + n).ok_or_else(RuntimeError::integer_overflow)?
            }
            (Some(sum), _, None, Some(x)) => Value::float(sum as f64 + x),
            (None, Some(sum), Some(n), _) => Value::float(sum + n as f64),
            (None, Some(sum), None, Some(x)) => Value::float(sum + x),
            (Some(_) | None, _, None, None) => {
                return Err(RuntimeError::type_mismatch(
                    "sum",
                    "Int or Float",
                    kind_name_of(item)?.as_str(),
                ));
            }
            (None, None, _, _) => {
                return Err(RuntimeError::internal("rt_fused_sum_add: the total is not a number"));
            }
        };
        Ok(sum.bits())
    }
}
