//! Functions are compiled on their first call: a module whose `main` calls few of its
//! functions compiles only those, later calls reuse the code, and several threads running
//! the same program at once all get the same answers.

mod support;

use cairn_lang::SourceFile;
use cairn_lang::ir::Module;
use support::{expect_int, run_clean, small_limits};

fn compile_source(text: &str) -> Module {
    match cairn_lang::compile(&SourceFile::new("lazy.cairn", text)) {
        Ok(module) => module,
        Err(diagnostics) => panic!("does not compile: {diagnostics:?}"),
    }
}

/// 200 small functions; `main` calls `f3`, which calls `f0`, and a closure of `f7`.
fn many_functions() -> String {
    let mut text = String::new();
    for i in 0..200 {
        let body = if i == 0 {
            "a + b".to_string()
        } else {
            "f0(b, a) * 2".to_string()
        };
        text.push_str(&format!("fn f{i}(a, b) = {body}\n"));
    }
    text.push_str("fn main() = { g = f7; f3(1, 2) + g(1, 1) }\n");
    text
}

#[test]
fn only_the_functions_a_run_calls_are_compiled() {
    let module = compile_source(&many_functions());
    let program = cairn_jit::compile(&module).expect("compiles");
    assert_eq!(
        program.compiled_function_count(),
        0,
        "nothing before a call"
    );
    let (result, _ctx) = run_clean(&module, small_limits());
    assert_eq!(expect_int(&result), 10);
    let mut ctx = support::context(small_limits());
    let value = program.run_main(&mut ctx).expect("runs");
    assert_eq!(value.as_int(), Some(10));
    // main, f3, f7 (through the closure) and f0.
    assert_eq!(program.compiled_function_count(), 4);
    let value = program.run_main(&mut ctx).expect("runs again");
    assert_eq!(value.as_int(), Some(10));
    assert_eq!(
        program.compiled_function_count(),
        4,
        "the second run compiles nothing"
    );
}

#[test]
fn threads_racing_to_a_first_call_get_the_same_code() {
    let module = compile_source(&many_functions());
    let program = std::sync::Arc::new(cairn_jit::compile(&module).expect("compiles"));
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let program = program.clone();
            std::thread::spawn(move || {
                let mut ctx = support::context(small_limits());
                program.run_main(&mut ctx).expect("runs").as_int()
            })
        })
        .collect();
    for run in runs {
        assert_eq!(run.join().expect("no panic"), Some(10));
    }
    assert_eq!(program.compiled_function_count(), 4);
}
