//! Criterion benchmarks of compile time on large inputs (issue 9: compile time linear in the
//! source): the front end (parse, lower, RC pass) on long literals and on a module of many
//! functions, and what each engine adds to load that module (the interpreter's translation
//! of every function; the JIT compiles per function on first call, so only `main`).
//! Compare a group's inputs of different sizes to see the growth.

use std::hint::black_box;
use std::time::Duration;

use cairn_lang::source::SourceFile;
use criterion::{Criterion, criterion_group, criterion_main};

/// `fn main() = { xs = [0, 1, ..., n-1]; len(xs) }`.
fn int_list_source(elements: usize) -> String {
    let items: Vec<String> = (0..elements).map(|i| i.to_string()).collect();
    format!("fn main() = {{ xs = [{}]; len(xs) }}\n", items.join(", "))
}

/// A list of `elements` distinct Texts (each element a fallible op).
fn text_list_source(elements: usize) -> String {
    let items: Vec<String> = (0..elements).map(|i| format!("\"t{i}\"")).collect();
    format!("fn main() = {{ xs = [{}]; len(xs) }}\n", items.join(", "))
}

/// `functions` small functions and a `main` that calls the first.
fn many_functions_source(functions: usize) -> String {
    let mut source = String::new();
    for i in 0..functions {
        source.push_str(&format!(
            "fn f{i}(x) = if x > {i} then x - 1 else x + {i}\n"
        ));
    }
    source.push_str("fn main() = f0(3)\n");
    source
}

fn compile_source(name: &str, text: &str) -> cairn_lang::ir::Module {
    let file = SourceFile::new(name, text);
    cairn_lang::compile(&file).expect("the benchmark source compiles")
}

fn front_end(c: &mut Criterion) {
    let mut group = c.benchmark_group("front_end");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    let inputs = [
        ("int_list_100k", int_list_source(100_000)),
        ("int_list_400k", int_list_source(400_000)),
        ("text_list_20k", text_list_source(20_000)),
        ("text_list_80k", text_list_source(80_000)),
        ("functions_5k", many_functions_source(5_000)),
        ("functions_20k", many_functions_source(20_000)),
    ];
    for (name, text) in &inputs {
        group.bench_function(*name, |b| b.iter(|| compile_source(name, black_box(text))));
    }
    group.finish();
}

fn engine_load(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine_load_functions_20k");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    let module = compile_source("functions", &many_functions_source(20_000));
    group.bench_function("interp", |b| {
        b.iter(|| cairn_interp::load(black_box(&module)).expect("interpreter load"))
    });
    group.bench_function("jit", |b| {
        b.iter(|| cairn_jit::compile(black_box(&module)).expect("JIT compile"))
    });
    group.finish();
}

criterion_group!(benches, front_end, engine_load);
criterion_main!(benches);
