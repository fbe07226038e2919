//! Deep non-tail recursion on the JIT: the run thread's stack holds `max_call_depth`
//! compiled frames, so the limit is reported as RT0501 by `rt_enter` at exactly the
//! interpreter's depth, and never as a native stack overflow.

mod support;

use cairn_lang::ir::{BinaryOp, Module};
use cairn_runtime::context::{ErrorFrame, Limits};
use cairn_runtime::error::ErrorCode;
use support::ir_builder::{BORROWED, FunctionBuilder, module};
use support::{expect_failure, expect_int, run_clean, small_limits};

const DEPTH_LIMIT: u64 = 100_000;

/// `down(n) = if n == 0 then 0 else 1 + down(n - 1)` (not a tail call), `main() = down(n)`.
fn countdown(n: i64) -> Module {
    let (mut down, params) = FunctionBuilder::new("down", &[BORROWED]);
    let n_var = params[0];
    let (base, _) = down.block(&[]);
    let (step, _) = down.block(&[]);
    down.enter(&[]);
    let zero = down.int(0);
    let at_bottom = down.binary(BinaryOp::Eq, n_var, zero, &[]);
    down.branch(at_bottom, base, step);
    down.switch_to(base);
    let z = down.int(0);
    down.ret(z);
    down.switch_to(step);
    let one = down.int(1);
    let smaller = down.binary(BinaryOp::Sub, n_var, one, &[]);
    let below = down.call(0, &[smaller], &[smaller]);
    down.release(smaller);
    let total = down.binary(BinaryOp::Add, one, below, &[below]);
    down.release(below);
    down.ret(total);
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let start = main.int(n);
    let result = main.call(0, &[start], &[]);
    main.ret(result);
    module(vec![down.finish(), main.finish()], 1)
}

fn limits() -> Limits {
    Limits {
        max_call_depth: DEPTH_LIMIT,
        ..small_limits()
    }
}

#[test]
fn recursion_just_inside_the_limit_completes() {
    // main is one frame, down(n)..down(0) are n + 1 more: n + 2 == limit fits exactly.
    let n = DEPTH_LIMIT as i64 - 2;
    assert_eq!(expect_int(&run_clean(&countdown(n), limits()).0), n);
}

#[test]
fn recursion_past_the_limit_is_rt0501_not_a_crash() {
    let n = DEPTH_LIMIT as i64 - 1;
    let (result, ctx) = run_clean(&countdown(n), limits());
    let failure = expect_failure(result, ErrorCode::RT0501);
    assert_eq!(
        failure.error.message,
        "stack overflow: call depth exceeds 100000"
    );
    // The innermost frame is the Enter that failed; then one call frame per live level.
    assert_eq!(failure.frames[0], ErrorFrame { function: 0, op: 0 });
    assert_eq!(failure.frames.len() as u64, DEPTH_LIMIT + 1);
    assert_eq!(
        failure.frames.last(),
        Some(&ErrorFrame { function: 1, op: 2 })
    );
    assert_eq!(ctx.call_depth, 0);
}

#[test]
fn a_much_deeper_request_still_stops_at_the_limit() {
    let failure = expect_failure(
        run_clean(&countdown(10_000_000), limits()).0,
        ErrorCode::RT0501,
    );
    assert_eq!(failure.frames.len() as u64, DEPTH_LIMIT + 1);
}
