//! Source programs compiled by `cairn_lang::compile` and run on the interpreter: results,
//! output, diagnostics and a clean heap after every run.

mod support;

use cairn_lang::SourceFile;
use cairn_runtime::context::{ErrorFrame, Limits, RunFailure};
use cairn_runtime::error::ErrorCode;
use cairn_runtime::value::Value;
use support::{expect_failure, expect_int, run_clean, small_limits};

fn compile(text: &str) -> cairn_lang::ir::Module {
    match cairn_lang::compile(&SourceFile::new("test.cairn", text)) {
        Ok(module) => module,
        Err(diagnostics) => panic!("compile failed: {diagnostics:?}"),
    }
}

fn run(text: &str, limits: Limits) -> (Result<Value, RunFailure>, Vec<u8>) {
    let (result, ctx) = run_clean(&compile(text), limits);
    (result, ctx.output)
}

#[test]
fn fib_20_is_6765() {
    let (result, _) = run(
        "fn fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2)\nfn main() = fib(20)\n",
        small_limits(),
    );
    assert_eq!(expect_int(&result), 6765);
}

#[test]
fn tail_recursive_loop_of_a_million_iterations() {
    let (result, _) = run(
        "fn sum_to(i, acc) = if i == 0 then acc else sum_to(i - 1, acc + i)\n\
         fn main() = sum_to(1_000_000, 0)\n",
        small_limits(),
    );
    assert_eq!(expect_int(&result), 500_000_500_000);
}

#[test]
fn deep_recursion_is_rt0501_with_the_heap_clean() {
    let limits = Limits {
        max_call_depth: 64,
        ..small_limits()
    };
    let (result, _) = run(
        "fn down(n, s) = push(down(n + 1, s), n)\nfn main() = down(0, [\"held\"])\n",
        limits,
    );
    let failure = expect_failure(result, ErrorCode::RT0501);
    assert_eq!(
        failure.error.message,
        "stack overflow: call depth exceeds 64"
    );
    assert_eq!(failure.frames.first().map(|f| f.op), Some(0));
}

#[test]
fn containers_text_and_printing() {
    let (result, output) = run(
        "fn main() = {\n\
           xs = [1, 2, 3];\n\
           ys = push(xs, 4);\n\
           t = (1, \"two\", 3.0);\n\
           m = #{\"a\": 1, \"b\": 2};\n\
           print(ys);\n\
           print(xs);\n\
           print(\"a\" ++ \"b\");\n\
           ys[3] + t[0] + m[\"a\"] + len(xs)\n\
         }\n",
        small_limits(),
    );
    assert_eq!(expect_int(&result), 4 + 1 + 1 + 3);
    assert_eq!(
        String::from_utf8(output).unwrap(),
        "[1, 2, 3, 4]\n[1, 2, 3]\nab\n"
    );
}

#[test]
fn runtime_error_in_a_nested_call_unwinds_with_the_heap_clean() {
    let (result, _) = run(
        // Not tail calls, so every frame stays on the stack.
        "fn inner(xs, i) = xs[i]\n\
         fn outer(xs) = { ys = push(xs, \"extra\"); r = inner(ys, 10); r }\n\
         fn main() = { r = outer([\"a\", \"b\"]); r }\n",
        small_limits(),
    );
    let failure = expect_failure(result, ErrorCode::RT0103);
    assert_eq!(
        failure.error.message,
        "index out of bounds: index 10, length 3"
    );
    assert_eq!(failure.frames.len(), 3);
    assert!(matches!(failure.frames.last(), Some(ErrorFrame { .. })));
}

#[test]
fn short_circuit_conditions_check_for_bools() {
    let (result, _) = run(
        "fn main() = if 1 < 2 and not (3 < 2) then 10 else 20\n",
        small_limits(),
    );
    assert_eq!(expect_int(&result), 10);
    let (result, _) = run("fn main() = if 1 then 10 else 20\n", small_limits());
    expect_failure(result, ErrorCode::RT0303);
}

#[test]
fn heap_exhaustion_mid_loop_is_rt0401_with_the_heap_clean() {
    let limits = Limits {
        heap_blocks: 64,
        ..Limits::default()
    };
    let (result, _) = run(
        "fn grow(xs, n) = if n == 0 then len(xs) else grow(push(xs, \"item\" ++ str(n)), n - 1)\n\
         fn main() = grow([], 100_000)\n",
        limits,
    );
    expect_failure(result, ErrorCode::RT0401);
}

#[test]
fn a_cancelled_run_stops_with_rt0503_and_the_heap_clean() {
    let module = compile(
        "fn spin(xs, n) = if n == 0 then xs else spin(xs, n - 1)\n\
         fn main() = spin([\"kept\"], 1_000_000)\n",
    );
    let program = cairn_interp::load(&module).expect("loads");
    let mut ctx = support::context(small_limits());
    let before = ctx.heap.snapshot();
    ctx.cancel.cancel();
    let failure = program.run_main(&mut ctx).expect_err("cancelled");
    assert_eq!(failure.error.code, ErrorCode::RT0503);
    assert_eq!(failure.error.message, "execution cancelled");
    let delta = cairn_runtime::heap::compare_snapshots(&before, &ctx.heap.snapshot());
    assert!(delta.is_clean(), "{delta}");
    assert_eq!(ctx.call_depth, 0);
}

#[test]
fn the_same_program_on_a_fresh_heap_has_an_identical_trace() {
    let module =
        compile("fn main() = { xs = [1, 2]; ys = push(xs, 3); print(xs); len(ys) + len(xs) }\n");
    let program = cairn_interp::load(&module).expect("loads");
    let mut traces = Vec::new();
    // A fresh heap per run: the free list's LIFO order makes block numbers depend on history.
    for _ in 0..2 {
        let mut ctx = support::context(small_limits());
        ctx.heap.start_trace();
        let result = program.run_main(&mut ctx).expect("runs");
        assert_eq!(result.as_int(), Some(5));
        traces.push(ctx.heap.take_trace());
    }
    assert!(!traces[0].is_empty());
    assert_eq!(traces[0], traces[1]);
}
