//! The JIT's inline Enter/Fuel/Leave fast paths (`jit/src/inline_control.rs`) must charge
//! exactly what `rt_enter`/`rt_fuel`/`rt_leave` charge and fall back to those shims for every
//! failure: fuel accounting, RT0502 at the same point, RT0503 on a cancelled context, RT0501.

mod support;

use cairn_lang::SourceFile;
use cairn_lang::ir::Module;
use cairn_runtime::context::Limits;
use cairn_runtime::error::ErrorCode;
use support::{expect_failure, expect_int, run_clean, small_limits};

const TALLY: &str = "fn tally(i, acc) = if i == 10 then acc else tally(i + 1, acc + i)\n\
                     fn main() = tally(0, 0)\n";

fn compile_source(text: &str) -> Module {
    cairn_lang::compile(&SourceFile::new("test.cairn", text)).expect("compiles")
}

#[test]
fn fuel_is_charged_once_per_entry_and_back_edge() {
    let limits = Limits {
        fuel: Some(1000),
        ..small_limits()
    };
    let (result, ctx) = run_clean(&compile_source(TALLY), limits);
    assert_eq!(expect_int(&result), 45);
    // main's Enter + tally's Enter + 10 back-edges.
    assert_eq!(ctx.fuel_remaining, 1000 - 12);
    assert_eq!(ctx.call_depth, 0);
}

#[test]
fn running_out_of_fuel_fails_at_the_exact_back_edge() {
    for fuel in [1, 2, 7, 11] {
        // Some(0) is refused (RT0404) by Context::new
        let limits = Limits {
            fuel: Some(fuel),
            ..small_limits()
        };
        let (result, ctx) = run_clean(&compile_source(TALLY), limits);
        let failure = expect_failure(result, ErrorCode::RT0502);
        assert_eq!(failure.error.message, "out of fuel");
        assert_eq!(ctx.fuel_remaining, 0, "fuel {fuel}");
        assert_eq!(ctx.call_depth, 0);
        // Frames: only the failing function (main tail-calls tally, so main's frame is gone
        // once tally is entered).
        let expected_frames = 1;
        assert_eq!(failure.frames.len(), expected_frames, "fuel {fuel}");
    }
    let limits = Limits {
        fuel: Some(12),
        ..small_limits()
    };
    assert_eq!(expect_int(&run_clean(&compile_source(TALLY), limits).0), 45);
}

#[test]
fn a_cancelled_context_stops_at_the_first_entry() {
    let module = compile_source(TALLY);
    let program = cairn_jit::compile(&module).expect("compiles");
    let mut ctx = cairn_runtime::Context::new(small_limits()).expect("context");
    let before = ctx.heap.snapshot();
    ctx.cancel.cancel();
    let failure = program.run_main(&mut ctx).expect_err("cancelled");
    assert_eq!(failure.error.code, ErrorCode::RT0503);
    assert_eq!(failure.error.message, "execution cancelled");
    assert_eq!(ctx.call_depth, 0);
    let after = ctx.heap.snapshot();
    assert!(cairn_runtime::heap::compare_snapshots(&before, &after).is_clean());
    // A replaced cancel handle is what the next run observes.
    ctx.cancel = cairn_runtime::CancelHandle::default();
    let value = program.run_main(&mut ctx).expect("runs after reset");
    assert_eq!(value.as_int(), Some(45));
}

#[test]
fn depth_limit_is_exact() {
    let module = compile_source(
        "fn down(n) = if n == 0 then 0 else 1 + down(n - 1)\nfn main() = down(9) + 0\n",
    );
    // main + 10 frames of down (n = 9..0).
    let fits = Limits {
        max_call_depth: 11,
        ..small_limits()
    };
    assert_eq!(expect_int(&run_clean(&module, fits).0), 9);
    let one_short = Limits {
        max_call_depth: 10,
        ..small_limits()
    };
    let (result, ctx) = run_clean(&module, one_short);
    let failure = expect_failure(result, ErrorCode::RT0501);
    assert_eq!(
        failure.error.message,
        "stack overflow: call depth exceeds 10"
    );
    assert_eq!(ctx.call_depth, 0);
}
