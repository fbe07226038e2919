//! The JIT's machine code for the shapes whose failure paths once grew faster than the
//! source (docs/LANGUAGE.md "Limits": compile time linear in the function's size) stays
//! linear: one landing pad per cleanup-table entry, not every held value released again on
//! every failing op. Each shape runs to its failure at N = 100 and N = 1,000 (so every
//! function it calls is compiled and the pads run), leaves the heap as it found it, and ten
//! times N must take at most twelve times the code bytes (k times N, 1.2 k times).

mod support;

#[path = "../../lang/tests/shapes/mod.rs"]
#[allow(dead_code)]
mod shapes;

use cairn_lang::SourceFile;
use cairn_runtime::context::Limits;
use cairn_runtime::heap::compare_snapshots;

/// Compiles `text`, runs `main` to its failure, checks the heap, returns the code bytes.
fn code_bytes_of_failing_run(text: &str) -> u64 {
    let module = cairn_lang::compile(&SourceFile::new("shape.cairn", text)).expect("compiles");
    let program = cairn_jit::compile(&module).expect("module compiles");
    let mut ctx = support::context(Limits::default());
    let before = ctx.heap.snapshot();
    let result = program.run_main(&mut ctx);
    assert!(result.is_err(), "the shape ends in a failure");
    let delta = compare_snapshots(&before, &ctx.heap.snapshot());
    assert!(
        delta.is_clean(),
        "heap not clean after the failure: {delta}"
    );
    assert_eq!(ctx.call_depth, 0, "rt_enter/rt_leave unbalanced");
    program.compiled_code_bytes()
}

fn assert_linear_code(name: &str, shape: fn(usize) -> String) {
    assert_linear_code_at(name, shape, [100, 1000]);
}

fn assert_linear_code_at(name: &str, shape: fn(usize) -> String, [small_n, large_n]: [usize; 2]) {
    let small = code_bytes_of_failing_run(&shape(small_n));
    let large = code_bytes_of_failing_run(&shape(large_n));
    println!("{name}: {small} code bytes at N={small_n}, {large} at N={large_n}");
    assert!(small > 0);
    // Linear within 20%: `large_n / small_n` times N, at most 1.2 times that many bytes.
    let bound = small * 12 * (large_n / small_n) as u64 / 10;
    assert!(large <= bound, "{name}: {small} -> {large} code bytes");
}

#[test]
fn many_live_heap_locals_then_a_fallible_chain() {
    assert_linear_code("live locals", shapes::live_locals);
}

#[test]
fn a_value_call_with_many_arguments() {
    assert_linear_code("value call", shapes::value_call);
}

#[test]
fn a_lambda_capturing_many_locals() {
    assert_linear_code("captures", shapes::captures);
}

#[test]
fn a_generate_block_of_bind_and_yield_items() {
    assert_linear_code("generate", shapes::generate);
}

/// Past 256 elements a literal is built push by push (`LIST_LITERAL_CHUNK`), more code per
/// element than one `MakeList` operand: both sizes are well past it, so that the mix of the
/// two does not read as growth.
#[test]
fn many_int_binds_live_until_one_list_literal() {
    assert_linear_code_at("int binds", shapes::int_binds, [1000, 3000]);
}
