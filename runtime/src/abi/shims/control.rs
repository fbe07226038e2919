//! Control shims: function entry/exit (call depth, RT0501), fuel (RT0502), cancellation
//! (RT0503) and error-frame recording.
//!
//! Protocol: `rt_enter` increments the depth *first* and then checks the limit, fuel and
//! cancellation, so the depth stays incremented when Enter fails. Every function exit,
//! normal or error — including the exit after a failed Enter — calls `rt_leave` exactly once.

use crate::context::ErrorFrame;
use crate::error::RuntimeError;

/// One fuel unit (RT0502 when none is left, after the watchdog's refill) and the
/// cancellation check (RT0503): what a fuel point does, also charged by runtime loops
/// (`objects::seq_consume::charge_runtime_loop`).
pub(crate) fn charge_fuel_and_check_cancel(
    context: &mut crate::context::Context,
) -> Result<u64, RuntimeError> {
    if context.fuel_remaining == 0 && !context.refill_fuel() {
        return Err(RuntimeError::out_of_fuel());
    }
    context.fuel_remaining -= 1;
    if context.cancel.is_cancelled() {
        return Err(RuntimeError::cancelled());
    }
    Ok(1)
}

define_shim! {
    /// Function entry: depth + 1 (RT0501 past `limits.max_call_depth`), one fuel unit
    /// (RT0502 when none is left), then the cancellation check (RT0503). Returns 1.
    fn rt_enter(context) {
        context.call_depth += 1;
        if context.call_depth > context.limits.max_call_depth {
            return Err(RuntimeError::stack_overflow(context.limits.max_call_depth));
        }
        charge_fuel_and_check_cancel(context)
    }
}

define_shim! {
    /// Function exit: depth - 1 (saturating). Returns 1.
    fn rt_leave(context) {
        context.call_depth = context.call_depth.saturating_sub(1);
        Ok(1)
    }
}

define_shim! {
    /// Loop back-edge: one fuel unit and the cancellation check. Returns 1.
    fn rt_fuel(context) {
        charge_fuel_and_check_cancel(context)
    }
}

define_shim! {
    /// Records the frame `(function, op)` of the parked error (innermost first). Returns 0.
    fn rt_unwind_frame(context, function, op) {
        context.error_frames.push(ErrorFrame {
            function: function as u32,
            op: op as u32,
        });
        Ok(0)
    }
}
