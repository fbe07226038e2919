//! Criterion benchmarks: each program of `cairn_benches::CRITERION_PROGRAMS` (fib(25) and a
//! 1,000,000-iteration tail loop) on the interpreter and on the JIT, one group per program
//! so the report shows the two engines side by side. Compilation happens outside the timing.

use std::hint::black_box;
use std::time::Duration;

use cairn_benches::{CRITERION_PROGRAMS, compile, run_checked};
use cairn_runtime::{Context, Limits};
use criterion::{Criterion, criterion_group, criterion_main};

fn engines(c: &mut Criterion) {
    for program in CRITERION_PROGRAMS {
        let module = compile(program);
        let interp = cairn_interp::load(&module).expect("interpreter load");
        let jit = cairn_jit::compile(&module).expect("JIT compile");
        let mut ctx = Context::new(Limits::default()).expect("context");

        let mut group = c.benchmark_group(program.name);
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(5));
        group.bench_function("interp", |b| {
            b.iter(|| run_checked(&|ctx| interp.run_main(black_box(ctx)), &mut ctx, program))
        });
        group.bench_function("jit", |b| {
            b.iter(|| run_checked(&|ctx| jit.run_main(black_box(ctx)), &mut ctx, program))
        });
        group.finish();
    }
}

criterion_group!(benches, engines);
criterion_main!(benches);
