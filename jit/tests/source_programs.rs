//! Source programs compiled by `cairn_lang::compile` and run on the JIT: recursion, a
//! million-iteration tail loop, the RT0501 depth limit, a failure deep in a call chain that
//! leaves the heap as it found it, and heap-using programs with printed output.

mod support;

use cairn_lang::SourceFile;
use cairn_lang::ir::Module;
use cairn_runtime::context::Limits;
use cairn_runtime::error::ErrorCode;
use cairn_runtime::value::Value;
use support::{expect_failure, expect_int, run_clean, run_clean_with, small_limits};

fn compile_source(text: &str) -> Module {
    match cairn_lang::compile(&SourceFile::new("test.cairn", text)) {
        Ok(module) => module,
        Err(diagnostics) => panic!("does not compile: {diagnostics:?}"),
    }
}

fn function_index(module: &Module, name: &str) -> u32 {
    module
        .functions
        .iter()
        .position(|f| f.name == name)
        .unwrap_or_else(|| panic!("no function {name}")) as u32
}

#[test]
fn fib_20_is_6765() {
    let module = compile_source(
        "fn fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2)\nfn main() = fib(20)\n",
    );
    assert_eq!(expect_int(&run_clean(&module, small_limits()).0), 6765);
}

#[test]
fn million_iteration_tail_loop_runs_in_constant_stack() {
    let module = compile_source(
        "fn tally(i, acc) = if i == 1000000 then acc else tally(i + 1, acc + i)\n\
         fn main() = tally(0, 0)\n",
    );
    // A depth limit far below the iteration count: the self tail call must be a loop.
    let limits = Limits {
        max_call_depth: 100,
        ..small_limits()
    };
    let result = run_clean(&module, limits).0;
    assert_eq!(expect_int(&result), 999_999 * 1_000_000 / 2);
}

#[test]
fn deep_non_tail_recursion_is_rt0501_at_the_limit() {
    let module = compile_source(
        "fn down(n) = if n == 0 then 0 else 1 + down(n - 1)\nfn main() = down(1000000)\n",
    );
    let limits = Limits {
        max_call_depth: 100_000,
        ..small_limits()
    };
    let (result, ctx) = run_clean(&module, limits.clone());
    let failure = expect_failure(result, ErrorCode::RT0501);
    assert_eq!(
        failure.error.message,
        "stack overflow: call depth exceeds 100000"
    );
    let down = function_index(&module, "down");
    assert_eq!(failure.frames[0].function, down);
    assert_eq!(failure.frames.len(), 100_001);
    assert_eq!(ctx.call_depth, 0);

    let fits = compile_source(
        "fn down(n) = if n == 0 then 0 else 1 + down(n - 1)\nfn main() = down(99990)\n",
    );
    assert_eq!(expect_int(&run_clean(&fits, limits).0), 99_990);
}

#[test]
fn failure_deep_in_a_call_chain_restores_the_heap() {
    let module = compile_source(
        "fn inner(xs) = xs[10]\n\
         fn middle(xs) = { s = \"held in middle\"; r = inner(xs); len(s) + r }\n\
         fn outer(xs) = { t = [xs, \"more\"]; middle(xs) + len(t) }\n\
         fn main() = outer([1, 2, 3]) + 0\n",
    );
    // `run_clean` asserts the heap snapshot after the run equals the one before it.
    let (result, _) = run_clean(&module, small_limits());
    let failure = expect_failure(result, ErrorCode::RT0103);
    assert_eq!(
        failure.error.message,
        "index out of bounds: index 10, length 3"
    );
    let names: Vec<&str> = failure
        .frames
        .iter()
        .map(|frame| module.functions[frame.function as usize].name.as_str())
        .collect();
    assert_eq!(names, ["inner", "middle", "outer", "main"]);
}

#[test]
fn containers_text_and_printing() {
    let module = compile_source(
        "fn main() = {\n\
           xs = [1, 2, 3];\n\
           ys = push(xs, 4);\n\
           m = #{\"a\": 1, \"b\": 2};\n\
           t = (1, \"two\", 3.0);\n\
           print(xs);\n\
           print(ys);\n\
           print(\"hi \" + str(len(ys)));\n\
           ys[3] + t[0] + m[\"b\"]\n\
         }\n",
    );
    let (result, ctx) = run_clean(&module, small_limits());
    assert_eq!(expect_int(&result), 4 + 1 + 2);
    assert_eq!(
        String::from_utf8_lossy(&ctx.output),
        "[1, 2, 3]\n[1, 2, 3, 4]\nhi 4\n"
    );
}

#[test]
fn float_promotion_and_text_results() {
    let module = compile_source("fn main() = 1 + 0.5 * 3\n");
    let (result, _) = run_clean(&module, small_limits());
    assert_eq!(result.unwrap().as_float(), Some(2.5));
    let module = compile_source("fn main() = \"a\" ++ \"b\"\n");
    let mut printed = String::new();
    let (result, _) = run_clean_with(&module, small_limits(), |ctx, value| {
        printed = cairn_runtime::canonical_form(&ctx.heap, value, true);
    });
    assert!(result.is_ok_and(|v: Value| v.is_heap()));
    assert_eq!(printed, "ab");
}

#[test]
fn generator_item_in_plain_block_never_reaches_the_jit_as_unit() {
    let file = SourceFile::new("bad.cairn", "fn main() = { yield 1; 2 }\n");
    let diagnostics = cairn_lang::compile(&file).expect_err("E0201 at compile time");
    assert!(
        diagnostics
            .iter()
            .any(|d| format!("{d:?}").contains("E0201")),
        "{diagnostics:?}"
    );
}

#[test]
fn one_program_runs_repeatedly_on_one_context() {
    let module = compile_source(
        "fn fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2)\n\
         fn main() = { print(fib(10)); fib(15) }\n",
    );
    let program = cairn_jit::compile(&module).expect("compiles");
    let mut ctx = support::context(small_limits());
    let before = ctx.heap.snapshot();
    for _ in 0..3 {
        let result = program.run_main(&mut ctx);
        assert_eq!(expect_int(&result), 610);
        // Each run starts from a reset context: only this run's output is kept.
        assert_eq!(ctx.output, b"55\n");
        assert_eq!(ctx.call_depth, 0);
    }
    let delta = cairn_runtime::heap::compare_snapshots(&before, &ctx.heap.snapshot());
    assert!(delta.is_clean(), "{delta}");
}
