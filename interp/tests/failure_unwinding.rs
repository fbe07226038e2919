//! Failure paths: an error deep in a call chain unwinds every frame (innermost first),
//! releases each op's cleanup, calls `rt_leave` once per frame, and leaves the heap as it
//! found it; deep recursion is RT0501 at the configured depth, never a crash.

mod support;

use cairn_lang::ir::{BinaryOp, Module};
use cairn_runtime::context::{ErrorFrame, Limits};
use cairn_runtime::error::ErrorCode;
use support::ir_builder::{BORROWED, FunctionBuilder, OWNED, module};
use support::{expect_failure, expect_int, run_clean, small_limits};

/// main -> level1 -> level2, each holding an owned Text across its call; level2 builds a
/// list around its text and then divides by zero with the list in its cleanup.
fn failing_chain() -> Module {
    let (mut level2, _) = FunctionBuilder::new("level2", &[BORROWED]);
    level2.enter(&[]);
    let text = level2.text("level2", &[]);
    let list = level2.make_list(&[text], &[]);
    let one = level2.int(1);
    let zero = level2.int(0);
    let quotient = level2.binary(BinaryOp::Div, one, zero, &[list]);
    level2.release(list);
    level2.ret(quotient);

    let mut functions = vec![level2.finish()];
    for (name, callee) in [("level1", 0), ("main", 1)] {
        let modes: &[_] = if name == "main" { &[] } else { &[BORROWED] };
        let (mut f, _) = FunctionBuilder::new(name, modes);
        f.enter(&[]);
        let text = f.text(name, &[]);
        let result = f.call(callee, &[text], &[text]);
        f.release(text);
        f.ret(result);
        functions.push(f.finish());
    }
    module(functions, 2)
}

#[test]
fn failure_deep_in_a_call_chain_unwinds_and_releases_everything() {
    let (result, ctx) = run_clean(&failing_chain(), small_limits());
    let failure = expect_failure(result, ErrorCode::RT0302);
    assert_eq!(failure.error.message, "division by zero");
    assert_eq!(
        failure.frames,
        vec![
            ErrorFrame { function: 0, op: 5 },
            ErrorFrame { function: 1, op: 2 },
            ErrorFrame { function: 2, op: 2 },
        ]
    );
    assert!(ctx.pending_error().is_none(), "the failure was taken");
}

#[test]
fn a_context_can_run_again_after_a_failure() {
    let program = cairn_interp::load(&failing_chain()).expect("loads");
    let mut ctx = support::context(small_limits());
    let before = ctx.heap.snapshot();
    for _ in 0..3 {
        let failure = program.run_main(&mut ctx).expect_err("fails");
        assert_eq!(failure.error.code, ErrorCode::RT0302);
        assert_eq!(failure.frames.len(), 3);
    }
    let delta = cairn_runtime::heap::compare_snapshots(&before, &ctx.heap.snapshot());
    assert!(delta.is_clean(), "{delta}");
}

/// `down(s) = down(s)` with `s` owned and moved into each call; `Enter`'s cleanup is `[s]`.
fn endless_recursion() -> Module {
    let (mut down, params) = FunctionBuilder::new("down", &[OWNED]);
    down.enter(&params);
    let result = down.call(0, &[params[0]], &[]);
    down.ret(result);
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let text = main.text("carried down", &[]);
    let result = main.call(0, &[text], &[]);
    main.ret(result);
    module(vec![down.finish(), main.finish()], 1)
}

#[test]
fn deep_recursion_is_rt0501_at_the_configured_limit_with_the_heap_clean() {
    let limits = Limits {
        max_call_depth: 50,
        ..small_limits()
    };
    let (result, _) = run_clean(&endless_recursion(), limits);
    let failure = expect_failure(result, ErrorCode::RT0501);
    assert_eq!(
        failure.error.message,
        "stack overflow: call depth exceeds 50"
    );
    assert_eq!(
        failure.frames.first(),
        Some(&ErrorFrame { function: 0, op: 0 })
    );
    assert_eq!(
        failure.frames.last(),
        Some(&ErrorFrame { function: 1, op: 2 })
    );
    // main plus every `down` frame that entered, plus the one whose Enter failed.
    assert!(
        (50..=52).contains(&failure.frames.len()),
        "{} frames",
        failure.frames.len()
    );
}

/// `sum(n) = if n == 0 then 0 else n + sum(n - 1)`: non-tail recursion.
fn recursive_sum(n: i64) -> Module {
    let (mut sum, params) = FunctionBuilder::new("sum", &[BORROWED]);
    let n_var = params[0];
    let (base_case, _) = sum.block(&[]);
    let (recursive_case, _) = sum.block(&[]);
    sum.enter(&[]);
    let zero = sum.int(0);
    let is_zero = sum.binary(BinaryOp::Eq, n_var, zero, &[]);
    sum.branch(is_zero, base_case, recursive_case);
    sum.switch_to(base_case);
    let zero = sum.int(0);
    sum.ret(zero);
    sum.switch_to(recursive_case);
    let one = sum.int(1);
    let smaller = sum.binary(BinaryOp::Sub, n_var, one, &[]);
    let rest = sum.call(0, &[smaller], &[]);
    let total = sum.binary(BinaryOp::Add, n_var, rest, &[]);
    sum.ret(total);
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let n = main.int(n);
    let result = main.call(0, &[n], &[]);
    main.ret(result);
    module(vec![sum.finish(), main.finish()], 1)
}

#[test]
fn deep_non_tail_recursion_uses_no_rust_stack() {
    let limits = Limits {
        max_call_depth: 300_000,
        ..small_limits()
    };
    let (result, _) = run_clean(&recursive_sum(200_000), limits);
    assert_eq!(expect_int(&result), 200_000 * 200_001 / 2);
}
