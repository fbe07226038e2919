//! Functions past the JIT's large-function threshold (`cairn_jit::LARGE_FUNCTION_OPS`: no
//! Cranelift optimisation, single-pass register allocation) must still agree with the
//! interpreter on everything: output, result or error, full trace and leaks. Each program
//! is one huge `main`, run on both engines (and the reference evaluator) by the
//! differential fuzzer's checker.

use cairn_conformance::fuzz::check::check_source;

/// A map literal of `entries` Text keys (each entry several ops) whose entry `fail_at`, if
/// any, divides by zero.
fn big_map_program(entries: usize, fail_at: Option<usize>) -> String {
    let body: Vec<String> = (0..entries)
        .map(|i| match fail_at {
            Some(at) if at == i => format!("\"k{i}\": [{i}, \"v{i}\", 1 / zero]"),
            _ => format!("\"k{i}\": [{i}, \"v{i}\", shared]"),
        })
        .collect();
    format!(
        "fn main() = {{\n  zero = 0; shared = [1, 2];\n  m = #{{{}}};\n  print(len(m));\n  m[\"k{}\"]\n}}\n",
        body.join(", "),
        entries - 1
    )
}

fn assert_engines_agree(name: &str, text: &str) {
    let module = cairn_lang::compile(&cairn_lang::SourceFile::new(name, text))
        .unwrap_or_else(|diagnostics| panic!("{name} does not compile: {diagnostics:?}"));
    let main = module
        .functions
        .iter()
        .find(|f| f.name == "main")
        .expect("a main");
    let ops: usize = main.blocks.iter().map(|block| block.ops.len()).sum();
    assert!(
        ops > cairn_jit::LARGE_FUNCTION_OPS,
        "{name}: main has only {ops} ops"
    );
    let checked = check_source(name, text);
    assert!(
        checked.divergence.is_none(),
        "{name}: {:?}",
        checked.divergence
    );
    assert!(checked.interp.is_some(), "{name}: the interpreter ran");
}

#[test]
fn a_huge_function_agrees_on_both_engines() {
    assert_engines_agree("big_map", &big_map_program(4_000, None));
}

#[test]
fn a_huge_function_failing_mid_literal_agrees_on_both_engines() {
    assert_engines_agree("big_map_failing", &big_map_program(4_000, Some(3_000)));
}
