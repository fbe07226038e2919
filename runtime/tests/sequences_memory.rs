//! Sequence memory behaviour (docs/MEMORY.md, "Sequence cursors"): generator chains stay flat
//! (constant heap over 100,000 pulls), exhausted cursors free their chain early, clones and
//! alternating consumers balance their counts, failing callbacks and heap exhaustion release
//! everything the consumer owned, a deep chain is RT0501 (never a crash), cancellation reaches long
//! runtime loops, traces are deterministic, and the "contains a Ref" flag follows cursors.

mod seq_support;
mod shim_harness;

use cairn_runtime::abi::shims;
use cairn_runtime::heap::compare_snapshots;
use cairn_runtime::objects::header::{FLAG_CONTAINS_REF, block_of, object_flags};
use cairn_runtime::{Limits, Value};
use seq_support::{F, closure, collected, error_text, harness, install, next_shown, range};
use shim_harness::{Harness, int};

/// Pulls `n` items with `next`, checking that the heap does not grow after the first pull.
fn pull_many_in_constant_space(h: &mut Harness, seq: Value, n: i64) {
    assert_eq!(next_shown(h, seq), "(true, 0)");
    let in_use = h.ctx.heap.blocks_in_use();
    for i in 1..n {
        let pair = h.call1(shims::rt_next, seq).expect("next");
        if i % 10_000 == 0 || i == n - 1 {
            assert_eq!(h.show(pair), format!("(true, {i})"));
            assert_eq!(h.ctx.heap.blocks_in_use(), in_use + 1, "the chain grew");
        }
        h.release(pair);
    }
}

#[test]
fn generator_chains_stay_flat_over_a_hundred_thousand_pulls() {
    let mut h = harness(48);
    let before = h.snapshot();
    // Defer -> Cons -> Defer -> Cons ...: each thunk's result is absorbed into the cursor.
    let thunk = closure(&mut h, F::NatCons, &[int(0)]);
    let nats = h.call1(shims::rt_seq_defer, thunk).unwrap();
    pull_many_in_constant_space(&mut h, nats, 100_000);
    h.release(nats);
    // Append(Cons(n, ()), rest) -> Defer(rest) -> Append(...) ...
    let thunk = closure(&mut h, F::NatAppend, &[int(0)]);
    let nats = h.call1(shims::rt_seq_defer, thunk).unwrap();
    pull_many_in_constant_space(&mut h, nats, 100_000);
    h.release(nats);
    // drop(s, n) hands over to `s` itself once it has skipped.
    let source = range(&mut h, 0, 1_000_000);
    let dropped = h.call2(shims::rt_seq_drop, source, int(0)).unwrap();
    assert_eq!(next_shown(&mut h, dropped), "(true, 0)");
    assert_eq!(
        h.ctx.heap.blocks_in_use(),
        1,
        "drop kept its source's shell"
    );
    h.release(dropped);
    h.assert_heap_equals(&before);
}

#[test]
fn a_chain_of_mappings_is_released_when_exhausted_and_stays_exhausted() {
    let mut h = harness(256);
    let before = h.snapshot();
    // The chain-of-mappings stress scenario: range -> map (x2) -> filter (even) -> take(100),
    // iterated with next.
    let source = range(&mut h, 0, 1_000);
    let double = closure(&mut h, F::Double, &[]);
    let doubled = h.call2(shims::rt_seq_map, source, double).unwrap();
    let even = closure(&mut h, F::IsEven, &[]);
    let evens = h.call2(shims::rt_seq_filter, doubled, even).unwrap();
    let seq = h.call2(shims::rt_seq_take, evens, int(100)).unwrap();
    for i in 0..100 {
        assert_eq!(next_shown(&mut h, seq), format!("(true, {})", 2 * i));
    }
    // The 100th item ended `take`: range, map, filter and both closures are freed already.
    assert_eq!(h.ctx.heap.blocks_in_use(), 1);
    // The sequence-reuse scenario: a consumed sequence yields nothing more, however often it is
    // asked.
    for _ in 0..3 {
        assert_eq!(next_shown(&mut h, seq), "(false, ())");
        assert_eq!(collected(&mut h, seq), "[]");
    }
    h.release(seq);
    h.assert_heap_equals(&before);
}

#[test]
fn alternating_consumers_of_clones_balance_every_count() {
    let mut h = harness(512);
    let before = h.snapshot();
    let source = range(&mut h, 0, 50);
    let double = closure(&mut h, F::Double, &[]);
    let base = h.call2(shims::rt_seq_map, source, double).unwrap();
    let clones: Vec<Value> = (0..4)
        .map(|_| h.call1(shims::rt_seq_clone, base).unwrap())
        .collect();
    assert_eq!(h.call1(shims::rt_count, clones[0]).unwrap(), int(50));
    for (taken, &clone) in clones[1..].iter().enumerate() {
        for i in 0..=taken {
            assert_eq!(next_shown(&mut h, clone), format!("(true, {})", 2 * i));
        }
    }
    assert_eq!(h.call1(shims::rt_sum, base).unwrap(), int(2450));
    for value in clones.into_iter().chain([base]) {
        h.release(value);
    }
    h.assert_heap_equals(&before);
}

/// Runs `consume` on `seq` expecting RT0900 `boom`; the heap must equal its state just
/// before the consumer ran when `unchanged`, and everything must be free once `seq` is.
fn fails_cleanly(
    h: &mut Harness,
    seq: Value,
    unchanged: bool,
    consume: impl FnOnce(&mut Harness, Value) -> Result<Value, cairn_runtime::RuntimeError>,
) {
    let before_consumer = h.snapshot();
    assert_eq!(error_text(consume(h, seq)), "RT0900 boom");
    assert!(h.ctx.heap.integrity_violations.is_empty());
    if unchanged {
        let delta = compare_snapshots(&before_consumer, &h.snapshot());
        assert!(delta.is_clean(), "the failed consumer left: {delta}");
    }
    h.release(seq);
}

#[test]
fn failing_callbacks_release_everything_the_consumer_owned() {
    let mut h = harness(512);
    let before = h.snapshot();
    let stage = |h: &mut Harness, shim: shim_harness::Shim2, f: F, k: i64| {
        seq_support::reset_calls();
        let source = range(h, 0, 100);
        let f = closure(h, f, &[int(k)]);
        h.call2(shim, source, f).unwrap()
    };
    let seq = stage(&mut h, shims::rt_seq_map, F::FailAfter, 5);
    fails_cleanly(&mut h, seq, true, |h, s| h.call1(shims::rt_collect, s));
    let seq = stage(&mut h, shims::rt_seq_map, F::FailAfter, 0);
    fails_cleanly(&mut h, seq, true, |h, s| h.call1(shims::rt_sum, s));
    let seq = stage(&mut h, shims::rt_seq_map, F::FailAfter, 3);
    fails_cleanly(&mut h, seq, true, |h, s| {
        h.call1(shims::rt_next, s).and_then(|p| {
            h.release(p);
            h.call1(shims::rt_count, s)
        })
    });
    // fold: the accumulator is a List built in place; the failed call released it.
    seq_support::reset_calls();
    let source = range(&mut h, 0, 100);
    let push = closure(&mut h, F::PushFailAfter, &[int(10)]);
    fails_cleanly(&mut h, source, true, |h, s| {
        let init = h.list(&[]);
        h.call3(shims::rt_fold, s, init, push)
    });
    // scan loses its accumulator to the failed call and ends.
    seq_support::reset_calls();
    let source = range(&mut h, 0, 100);
    let init = h.list(&[]);
    let f = h.retain(push);
    let scanned = h.call3(shims::rt_seq_scan, source, init, f).unwrap();
    fails_cleanly(&mut h, scanned, false, |h, s| h.call1(shims::rt_collect, s));
    h.release(push);
    // A failing thunk behind an append, inside a zip: the left item already pulled is released.
    let source = range(&mut h, 0, 3);
    let failing = closure(&mut h, F::FailThunk, &[]);
    let appended = h.call2(shims::rt_seq_append, source, failing).unwrap();
    let left = range(&mut h, 0, 10);
    let zipped = h.call2(shims::rt_seq_zip, left, appended).unwrap();
    fails_cleanly(&mut h, zipped, false, |h, s| h.call1(shims::rt_collect, s));
    // A failing source under a flat_map whose current sub-sequence is live.
    let seq = stage(&mut h, shims::rt_seq_map, F::FailAfter, 2);
    let singleton = closure(&mut h, F::Singleton, &[]);
    let flat = h.call2(shims::rt_seq_flat_map, seq, singleton).unwrap();
    fails_cleanly(&mut h, flat, true, |h, s| h.call1(shims::rt_collect, s));
    h.assert_heap_equals(&before);
}

#[test]
fn a_deep_chain_is_a_stack_overflow_diagnostic_not_a_crash() {
    // The interpreter's stack budget for the default depth limit (64 MiB + 4 KiB a level).
    let stack = 64 * 1024 * 1024 + 10_000 * 4 * 1024;
    let run = std::thread::Builder::new().stack_size(stack).spawn(|| {
        let mut h = harness(65_535);
        let before = h.snapshot();
        let double = closure(&mut h, F::CountCalls, &[]);
        let mut seq = range(&mut h, 0, 3);
        for _ in 0..60_000 {
            let f = h.retain(double);
            seq = h.call2(shims::rt_seq_map, seq, f).unwrap();
        }
        let failed = h.call1(shims::rt_collect, seq);
        assert_eq!(
            error_text(failed),
            "RT0501 stack overflow: call depth exceeds 10000"
        );
        assert_eq!(h.ctx.call_depth, 0);
        h.release(seq);
        // Within the limit, the same chain works.
        let mut seq = range(&mut h, 1, 3);
        for _ in 0..4_000 {
            let f = h.retain(double);
            seq = h.call2(shims::rt_seq_map, seq, f).unwrap();
        }
        let copy = h.call1(shims::rt_seq_clone, seq).unwrap();
        assert_eq!(collected(&mut h, copy), collected(&mut h, seq));
        h.release(copy);
        h.release(seq);
        h.release(double);
        h.assert_heap_equals(&before);
    });
    run.expect("spawn").join().expect("no crash");
}

#[test]
fn heap_exhaustion_fails_cleanly_on_a_tiny_heap() {
    let mut h = Harness::with_limits(Limits {
        heap_blocks: 40,
        ..Default::default()
    });
    install(&mut h);
    let before = h.snapshot();
    let seq = range(&mut h, 0, 1_000);
    let at_start = h.snapshot();
    let failed = h.call1(shims::rt_collect, seq);
    assert!(error_text(failed).starts_with("RT0401 heap exhausted"));
    assert!(compare_snapshots(&at_start, &h.snapshot()).is_clean());
    h.release(seq);
    // A Map iterator allocates a tuple per entry; the pair is released when it cannot be.
    let (a, b) = (h.text("a"), h.text("b"));
    let map = h.map(&[a, int(1), b, int(2)]);
    let entries = h.call1(shims::rt_iter, map).unwrap();
    let mut hogs = Vec::new();
    while let Ok(hog) = h.try_list(&[]) {
        hogs.push(hog);
    }
    assert!(error_text(h.call1(shims::rt_next, entries)).starts_with("RT0401"));
    assert!(error_text(h.call1(shims::rt_seq_clone, entries)).starts_with("RT0401"));
    // The entry tuple and `next`'s pair need one block each.
    h.release(hogs.pop().unwrap());
    h.release(hogs.pop().unwrap());
    assert_eq!(next_shown(&mut h, entries), r#"(true, ("a", 1))"#);
    for hog in hogs {
        h.release(hog);
    }
    h.release(entries);
    h.assert_heap_equals(&before);
}

#[test]
fn a_huge_count_stays_cancellable() {
    let mut h = harness(64);
    let seq = range(&mut h, 0, 1_000_000_000_000);
    h.ctx.cancel.cancel();
    assert_eq!(
        error_text(h.call1(shims::rt_count, seq)),
        "RT0503 execution cancelled"
    );
    h.ctx.cancel.reset();
    h.release(seq);
}

#[test]
fn traces_are_a_pure_function_of_the_inputs() {
    let trace = || {
        let mut h = harness(256);
        h.start_trace();
        let thunk = closure(&mut h, F::NatCons, &[int(0)]);
        let nats = h.call1(shims::rt_seq_defer, thunk).unwrap();
        let even = closure(&mut h, F::IsEven, &[]);
        let evens = h.call2(shims::rt_seq_filter, nats, even).unwrap();
        let first = h.call2(shims::rt_seq_take, evens, int(20)).unwrap();
        let copy = h.call1(shims::rt_seq_clone, first).unwrap();
        collected(&mut h, first);
        collected(&mut h, copy);
        h.release(first);
        h.release(copy);
        h.ctx.heap.take_trace()
    };
    let (one, two) = (trace(), trace());
    assert!(one.len() > 100);
    assert_eq!(one, two);
}

#[test]
fn cursors_inherit_the_contains_a_ref_flag() {
    let mut h = harness(64);
    let before = h.snapshot();
    let cell = h.call1(shims::rt_ref_new, int(1)).unwrap();
    let list = h.list(&[cell]);
    let thunk = closure(&mut h, F::ConstThunk, &[list]);
    let deferred = h.call1(shims::rt_seq_defer, thunk).unwrap();
    assert_ne!(
        object_flags(&h.ctx.heap, block_of(deferred)) & FLAG_CONTAINS_REF,
        0
    );
    // A deferred (generator) cursor keeps whatever its thunk produces, and any closure can
    // make a fresh Ref: it counts as containing one from the start, even over a plain thunk.
    let plain = closure(&mut h, F::ListThunk, &[]);
    let lazy = h.call1(shims::rt_seq_defer, plain).unwrap();
    assert_ne!(
        object_flags(&h.ctx.heap, block_of(lazy)) & FLAG_CONTAINS_REF,
        0
    );
    // A plain stage over a container without Refs does not.
    let plain_list = h.list(&[int(1)]);
    let plain_iter = h.call1(shims::rt_iter, plain_list).unwrap();
    assert_eq!(
        object_flags(&h.ctx.heap, block_of(plain_iter)) & FLAG_CONTAINS_REF,
        0
    );
    h.release(plain_iter);
    let other = h.call1(shims::rt_ref_new, int(2)).unwrap();
    let list = h.list(&[other]);
    let with_ref = h.call1(shims::rt_iter, list).unwrap();
    assert_ne!(
        object_flags(&h.ctx.heap, block_of(with_ref)) & FLAG_CONTAINS_REF,
        0
    );
    let refused = h.call1(shims::rt_ref_new, with_ref);
    assert_eq!(error_text(refused).split(' ').next(), Some("RT0403"));
    h.release(deferred);
    h.release(lazy);
    h.assert_heap_equals(&before);
}
