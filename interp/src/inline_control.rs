//! The common cases of `rt_enter`, `rt_fuel` and `rt_leave` done inline on the context's
//! plain fields, as the JIT does (`jit/src/inline_control.rs`): call depth, fuel and the
//! cancel flag. When a check would fail (depth past the limit, no fuel left in
//! `fuel_remaining` — the shim may refill it from the reserve — or a cancel pending), the
//! executor calls the shim on the *unchanged* state instead, so every RT0501, RT0502 and
//! RT0503 (and its message) comes from the same shim as before.

use std::sync::atomic::{AtomicBool, Ordering};

use cairn_runtime::context::Context;

const OFFSETS: cairn_runtime::context::ControlFieldOffsets = Context::CONTROL_FIELD_OFFSETS;

/// `ctx.cancel.is_cancelled()`, read inline through the flag address the context publishes
/// for inline checks (`CancelHandle::is_cancelled` is a relaxed load of that flag; called
/// across crates it would not be inlined).
///
/// # Safety
/// As [`enter_if_within_limits`], and [`Context::begin_run`] has run (it refreshes the
/// address).
#[inline(always)]
unsafe fn cancel_pending(ctx: *mut Context) -> bool {
    // SAFETY: the caller guarantees `ctx` is valid; `cancel_flag_address` is a `usize`
    // field at that offset, holding the address of the live `AtomicBool` of `ctx.cancel`
    // since `begin_run` (`ControlFieldOffsets`).
    unsafe {
        let field = (ctx as *const u8).add(OFFSETS.cancel_flag_address as usize) as *const usize;
        (*(*field as *const AtomicBool)).load(Ordering::Relaxed)
    }
}

/// `rt_enter` when it would succeed: depth + 1 within `limits.max_call_depth`, one fuel
/// unit taken, no cancel pending; returns true. Otherwise changes nothing and returns false
/// (the caller then calls `rt_enter`).
///
/// # Safety
/// `ctx` must be valid, with no `&mut Context` live (the executor's contract between shim
/// calls: `Executor::new`), and [`Context::begin_run`] must have run.
#[inline(always)]
pub(crate) unsafe fn enter_if_within_limits(ctx: *mut Context) -> bool {
    // SAFETY: the caller guarantees `ctx` is valid and unaliased; the shared borrow of the
    // cancel handle ends before the fields are written.
    unsafe {
        let depth = (*ctx).call_depth.wrapping_add(1);
        if depth <= (*ctx).limits.max_call_depth
            && (*ctx).fuel_remaining != 0
            && !cancel_pending(ctx)
        {
            (*ctx).call_depth = depth;
            (*ctx).fuel_remaining -= 1;
            return true;
        }
    }
    false
}

/// `rt_fuel` when it would succeed: one fuel unit taken, no cancel pending; returns true.
/// Otherwise changes nothing and returns false (the caller then calls `rt_fuel`).
///
/// # Safety
/// As [`enter_if_within_limits`].
#[inline(always)]
pub(crate) unsafe fn take_fuel_if_left(ctx: *mut Context) -> bool {
    // SAFETY: as in `enter_if_within_limits`.
    unsafe {
        if (*ctx).fuel_remaining != 0 && !cancel_pending(ctx) {
            (*ctx).fuel_remaining -= 1;
            return true;
        }
    }
    false
}

/// `rt_leave`: depth - 1, saturating (it never fails).
///
/// # Safety
/// As [`enter_if_within_limits`].
#[inline(always)]
pub(crate) unsafe fn leave(ctx: *mut Context) {
    // SAFETY: as in `enter_if_within_limits`.
    unsafe { (*ctx).call_depth = (*ctx).call_depth.saturating_sub(1) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_runtime::abi::shims;
    use cairn_runtime::context::Limits;
    use cairn_runtime::error::ErrorCode;

    fn context(max_call_depth: u64, fuel: u64) -> Context {
        let limits = Limits {
            max_call_depth,
            fuel: Some(fuel),
            ..Limits::default()
        };
        let mut context = Context::new(limits).expect("context");
        context.begin_run();
        context
    }

    #[test]
    fn enter_inline_matches_the_shim_within_the_limits() {
        let (mut inline, mut shim) = (context(3, 10), context(3, 10));
        // SAFETY: both contexts are live and exclusively ours.
        unsafe {
            assert!(enter_if_within_limits(inline.as_ptr()));
            assert_eq!(shims::rt_enter(shim.as_ptr()), 1);
        }
        assert_eq!(inline.call_depth, shim.call_depth);
        assert_eq!(inline.fuel_remaining, shim.fuel_remaining);
        // SAFETY: as above.
        unsafe {
            leave(inline.as_ptr());
            leave(inline.as_ptr());
            shims::rt_leave(shim.as_ptr());
            shims::rt_leave(shim.as_ptr());
        }
        assert_eq!((inline.call_depth, shim.call_depth), (0, 0));
    }

    #[test]
    fn enter_at_the_depth_limit_leaves_the_state_for_the_shim() {
        let mut context = context(1, 10);
        context.call_depth = 1;
        // SAFETY: the context is live and exclusively ours.
        assert!(!unsafe { enter_if_within_limits(context.as_ptr()) });
        assert_eq!((context.call_depth, context.fuel_remaining), (1, 10));
        // SAFETY: as above.
        assert_eq!(unsafe { shims::rt_enter(context.as_ptr()) }, 0);
        assert_eq!(context.take_failure().error.code, ErrorCode::RT0501);
    }

    #[test]
    fn fuel_running_out_or_a_cancel_leaves_the_state_for_the_shim() {
        let mut context = context(8, 1);
        // SAFETY: the context is live and exclusively ours.
        unsafe {
            assert!(take_fuel_if_left(context.as_ptr()));
            assert!(!take_fuel_if_left(context.as_ptr()));
            assert!(!enter_if_within_limits(context.as_ptr()));
        }
        assert_eq!((context.call_depth, context.fuel_remaining), (0, 0));
        let mut cancelled = self::context(8, 5);
        cancelled.cancel.cancel();
        // SAFETY: as above.
        unsafe {
            assert!(!take_fuel_if_left(cancelled.as_ptr()));
            assert!(!enter_if_within_limits(cancelled.as_ptr()));
        }
        assert_eq!(cancelled.fuel_remaining, 5);
    }
}
