//! Shared helpers for the JIT's integration tests: the IR builder and a runner that checks
//! the heap is left exactly as it was found.
#![allow(dead_code)]

pub mod ir_builder;

use cairn_lang::ir::Module;
use cairn_runtime::context::{Context, Limits, RunFailure};
use cairn_runtime::error::ErrorCode;
use cairn_runtime::heap::compare_snapshots;
use cairn_runtime::value::Value;

pub fn context(limits: Limits) -> Context {
    Context::new(limits).expect("context")
}

/// Small heap: enough for every test, fast to create.
pub fn small_limits() -> Limits {
    Limits {
        heap_blocks: 1024,
        ..Limits::default()
    }
}

/// Releases `value` through the runtime's shim (what a host does with an owned result).
pub fn release_result(ctx: &mut Context, value: Value) {
    if value.is_heap() {
        let ctx_pointer = ctx.as_ptr();
        // SAFETY: `ctx_pointer` comes from `Context::as_ptr` on the context we own, and no
        // other reference to it is used during the call.
        unsafe { cairn_runtime::abi::shims::rt_release(ctx_pointer, value.bits()) };
    }
}

/// Compiles and runs `module`, hands an Ok result to `inspect` (before it is released),
/// then asserts the heap is back to its pre-run snapshot and the call depth back to 0
/// (every `rt_enter` had its `rt_leave`).
pub fn run_clean_with(
    module: &Module,
    limits: Limits,
    inspect: impl FnOnce(&mut Context, Value),
) -> (Result<Value, RunFailure>, Context) {
    let program = cairn_jit::compile(module).expect("module compiles");
    let mut ctx = context(limits);
    let before = ctx.heap.snapshot();
    let result = program.run_main(&mut ctx);
    if let Ok(value) = result {
        inspect(&mut ctx, value);
        release_result(&mut ctx, value);
    }
    let delta = compare_snapshots(&before, &ctx.heap.snapshot());
    assert!(delta.is_clean(), "heap not clean after the run: {delta}");
    assert_eq!(ctx.call_depth, 0, "rt_enter/rt_leave unbalanced");
    assert!(
        ctx.heap.integrity_violations.is_empty(),
        "integrity violations: {:?}",
        ctx.heap.integrity_violations
    );
    (result, ctx)
}

pub fn run_clean(module: &Module, limits: Limits) -> (Result<Value, RunFailure>, Context) {
    run_clean_with(module, limits, |_, _| {})
}

pub fn expect_int(result: &Result<Value, RunFailure>) -> i64 {
    match result {
        Ok(value) => value
            .as_int()
            .unwrap_or_else(|| panic!("expected an Int, got {value:?}")),
        Err(failure) => panic!("run failed: {} {:?}", failure.error, failure.frames),
    }
}

pub fn expect_failure(result: Result<Value, RunFailure>, code: ErrorCode) -> RunFailure {
    match result {
        Ok(value) => panic!("expected {code}, got Ok({value:?})"),
        Err(failure) => {
            assert_eq!(failure.error.code, code, "{}", failure.error);
            failure
        }
    }
}
