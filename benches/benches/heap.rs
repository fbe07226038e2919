//! Heap micro-benchmarks (issue 8, deliverable 5) through the entry points the engines use:
//! the `Heap` API for one-block `malloc` + `free` (what every single-block object costs), and
//! the `extern "C"` shims both engines call for retain + release of a live object, `push`
//! into a uniquely owned list (`rt_push`, the list moved in and out as the RC pass moves it
//! at its last use) and `xs[i]` on a 1,000,000-element list (`rt_index`, the interpreter's
//! path and the JIT's fallback; the JIT's inline path is measured by `vec1m` whole-process).
//! Targets: malloc+free ≤ 5 ns, retain+release ≤ 2 ns, push ≤ 10 ns, index ≤ 10 ns.
//!
//! `cargo bench -p cairn-benches --bench heap`

use std::hint::black_box;
use std::time::{Duration, Instant};

use cairn_runtime::abi::shims::{rt_index, rt_push, rt_release, rt_retain};
use cairn_runtime::objects::{list, release};
use cairn_runtime::{Context, Limits, Value};
use criterion::{Criterion, criterion_group, criterion_main};

fn int(n: i64) -> u64 {
    Value::int(n).expect("small Int").bits()
}

/// A fresh context ready for shim calls.
fn context() -> Context {
    let mut ctx = Context::new(Limits::default()).expect("context");
    ctx.begin_run();
    ctx
}

/// A List of `0..length`, built by the runtime.
fn list_of(ctx: &mut Context, length: i64) -> u64 {
    let items = (0..length).map(|i| Value(int(i))).collect();
    list::list_from_values(&mut ctx.heap, items)
        .expect("list")
        .bits()
}

fn heap(c: &mut Criterion) {
    let mut group = c.benchmark_group("heap");
    group.measurement_time(Duration::from_secs(3));

    let mut ctx = context();
    group.bench_function("malloc_free_one_block", |b| {
        b.iter(|| {
            let block = ctx.heap.malloc_blocks(1, false).expect("malloc");
            ctx.heap.free_chain(black_box(block)).expect("free");
        })
    });

    let xs = list_of(&mut ctx, 3);
    let ptr = ctx.as_ptr();
    group.bench_function("retain_release", |b| {
        b.iter(|| {
            // SAFETY: `ptr` is the live context's own pointer, after `begin_run`, and no other
            // reference to the context is used while the shims run.
            unsafe {
                let word = rt_retain(ptr, black_box(xs));
                rt_release(ptr, word);
            }
        })
    });
    release(&mut ctx.heap, Value(xs)).expect("release");

    group.bench_function("push_unique", |b| {
        // Each sample pushes `iterations` elements into one fresh list, then frees it (the
        // release is outside the timing).
        b.iter_custom(|iterations| {
            let mut ctx = context();
            let ptr = ctx.as_ptr();
            let mut xs = list_of(&mut ctx, 0);
            let start = Instant::now();
            for i in 0..iterations {
                // SAFETY: as above; `xs` is owned and moved into the shim, which returns it.
                xs = unsafe { rt_push(ptr, black_box(xs), int(i as i64 & 0xFFFF)) };
            }
            let elapsed = start.elapsed();
            assert_ne!(xs, 0, "push failed");
            release(&mut ctx.heap, Value(xs)).expect("release");
            elapsed
        })
    });

    let length = 1_000_000;
    let xs = list_of(&mut ctx, length);
    let ptr = ctx.as_ptr();
    // In order (as `vec1m`'s passes read it) and with a stride of 7,919 elements (a
    // different leaf every time).
    for (name, stride) in [("index_1m_in_order", 1), ("index_1m_strided", 7919)] {
        let mut i = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                i = (i + stride) % length;
                // SAFETY: as above; both arguments are borrowed by `rt_index`.
                let word = unsafe { rt_index(ptr, black_box(xs), int(i)) };
                assert_eq!(word, int(i));
            })
        });
    }
    release(&mut ctx.heap, Value(xs)).expect("release");
    assert_eq!(ctx.heap.blocks_in_use(), 0);
    group.finish();
}

criterion_group!(benches, heap);
criterion_main!(benches);
