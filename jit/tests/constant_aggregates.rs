//! List, tuple and map literals whose operands are all constants: the JIT passes their words
//! from an array the compiled program owns (`jit/src/constant_operands.rs`) instead of a
//! stack store per operand. Results must be those of the ordinary path, also when the op
//! runs many times and when a constant is used elsewhere too.

mod support;

use cairn_lang::SourceFile;
use cairn_lang::ir::Module;
use cairn_runtime::context::Limits;
use support::{expect_int, run_clean, small_limits};

fn compile_source(text: &str) -> Module {
    match cairn_lang::compile(&SourceFile::new("test.cairn", text)) {
        Ok(module) => module,
        Err(diagnostics) => panic!("does not compile: {diagnostics:?}"),
    }
}

fn ints(count: usize) -> String {
    (0..count)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn a_20k_constant_list_literal_runs() {
    let module = compile_source(&format!(
        "fn main() = {{ xs = [{}]; len(xs) + xs[19999] + xs[7] }}",
        ints(20_000)
    ));
    let limits = Limits {
        heap_blocks: 8192,
        ..small_limits()
    };
    assert_eq!(
        expect_int(&run_clean(&module, limits).0),
        20_000 + 19_999 + 7
    );
}

#[test]
fn constant_aggregates_in_a_loop_reuse_their_words() {
    let module = compile_source(&format!(
        "fn step(i, acc) = if i == 5 then acc else {{\n\
           t = (1, 2.5, true, ());\n\
           m = #{{1: 10, 2: 20}};\n\
           step(i + 1, acc + len([{}]) + len(t) + m[2])\n\
         }}\n\
         fn main() = step(0, 0)\n",
        ints(300)
    ));
    assert_eq!(
        expect_int(&run_clean(&module, small_limits()).0),
        5 * (300 + 4 + 20)
    );
}

#[test]
fn a_constant_also_used_outside_the_literal_keeps_its_value() {
    let module = compile_source("fn main() = { a = 7; xs = [a, 1, a]; a + xs[0] + xs[2] }");
    assert_eq!(expect_int(&run_clean(&module, small_limits()).0), 21);
}
