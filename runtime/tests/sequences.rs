//! Sequence shims (docs/LANGUAGE.md, "Sequences"; docs/MEMORY.md, "Sequence cursors"): every
//! producer and consumer through the `extern "C"` shims with a test closure invoker — ranges (lazy,
//! counting down, stopping at the Int range), take/drop/filter/scan/zip, the generator kinds,
//! shared and absorbed delegates, `clone` independence, exact pulls, exhausted cursors, RT0303
//! wordings. Containers are in `sequences_containers.rs`.

mod seq_support;
mod shim_harness;

use cairn_runtime::Value;
use cairn_runtime::abi::shims;
use cairn_runtime::value::{INT_MAX, INT_MIN};
use seq_support::{
    F, calls, closure, collected, error_text, harness, next_shown, range, range_step, reset_calls,
    stage,
};
use shim_harness::int;

#[test]
fn ranges_count_up_down_and_stop_at_the_int_range() {
    let mut h = harness(256);
    let before = h.snapshot();
    for (start, end, step, expected) in [
        (0, 5, 1, "[0, 1, 2, 3, 4]"),
        (10, 0, -3, "[10, 7, 4, 1]"),
        (0, 10, 3, "[0, 3, 6, 9]"),
        (5, 5, 1, "[]"),
        (5, 0, 1, "[]"),
        (0, 5, -1, "[]"),
        (
            INT_MAX - 3,
            INT_MAX,
            2,
            "[140737488355324, 140737488355326]",
        ),
        (INT_MIN + 1, INT_MIN, -5, "[-140737488355327]"),
    ] {
        let seq = range_step(&mut h, start, end, step);
        assert_eq!(
            collected(&mut h, seq),
            expected,
            "range({start}, {end}, {step})"
        );
        assert_eq!(
            collected(&mut h, seq),
            "[]",
            "a consumed range yields nothing more"
        );
        h.release(seq);
    }
    let seq = range(&mut h, -2, 2);
    assert_eq!(collected(&mut h, seq), "[-2, -1, 0, 1]");
    h.release(seq);
    h.assert_heap_equals(&before);
}

#[test]
fn range_arguments_are_checked() {
    let mut h = harness(64);
    let zero = h.call3(shims::rt_range_step, int(0), int(5), int(0));
    assert_eq!(
        error_text(zero),
        "RT0303 type mismatch: range expects a non-zero step, got 0"
    );
    let float = h.call2(shims::rt_range, int(0), Value::float(2.0));
    assert_eq!(
        error_text(float),
        "RT0303 type mismatch: range expects Int, got Float"
    );
}

#[test]
fn a_pipeline_over_a_huge_range_is_lazy_and_pulls_exactly_what_take_needs() {
    let mut h = harness(256);
    let before = h.snapshot();
    let huge = range(&mut h, 0, 1_000_000_000_000);
    let f = closure(&mut h, F::CountCalls, &[]);
    let counted = stage(&mut h, shims::rt_seq_map, huge, f);
    let double = closure(&mut h, F::Double, &[]);
    let doubled = stage(&mut h, shims::rt_seq_map, counted, double);
    let first = h.call2(shims::rt_seq_take, doubled, int(5)).unwrap();
    let started = std::time::Instant::now();
    assert_eq!(collected(&mut h, first), "[0, 2, 4, 6, 8]");
    assert!(started.elapsed().as_millis() < 500, "not lazy");
    assert_eq!(calls(), 5, "take pulled one more than it needed");
    h.release(first);
    h.assert_heap_equals(&before);
}

#[test]
fn take_never_pulls_its_source_again_after_n_items() {
    let mut h = harness(256);
    let before = h.snapshot();
    let source = range(&mut h, 0, 100);
    let f = closure(&mut h, F::CountCalls, &[]);
    let counted = stage(&mut h, shims::rt_seq_map, source, f);
    let shared = h.retain(counted);
    let three = h.call2(shims::rt_seq_take, shared, int(3)).unwrap();
    assert_eq!(collected(&mut h, three), "[0, 1, 2]");
    assert_eq!(next_shown(&mut h, three), "(false, ())");
    assert_eq!(calls(), 3);
    assert_eq!(next_shown(&mut h, counted), "(true, 3)");
    let none = h.call2(shims::rt_seq_take, three, int(0)).unwrap();
    assert_eq!(collected(&mut h, none), "[]");
    h.release(none);
    h.release(counted);
    let bad = range(&mut h, 0, 3);
    let negative = h.call2(shims::rt_seq_take, bad, int(-1));
    assert_eq!(
        error_text(negative),
        "RT0303 type mismatch: take expects a non-negative Int, got -1"
    );
    let bad = range(&mut h, 0, 3);
    let text = h.text("x");
    let wrong = h.call2(shims::rt_seq_drop, bad, text);
    assert_eq!(
        error_text(wrong),
        "RT0303 type mismatch: drop expects a non-negative Int, got Text"
    );
    h.release(text);
    h.assert_heap_equals(&before);
}

#[test]
fn drop_filter_scan_and_zip() {
    let mut h = harness(256);
    let before = h.snapshot();
    let source = range(&mut h, 0, 10);
    let dropped = h.call2(shims::rt_seq_drop, source, int(7)).unwrap();
    assert_eq!(collected(&mut h, dropped), "[7, 8, 9]");
    h.release(dropped);
    let source = range(&mut h, 0, 3);
    let dropped = h.call2(shims::rt_seq_drop, source, int(5)).unwrap();
    assert_eq!(collected(&mut h, dropped), "[]");
    h.release(dropped);

    let source = range(&mut h, 0, 10);
    let even = closure(&mut h, F::IsEven, &[]);
    let evens = stage(&mut h, shims::rt_seq_filter, source, even);
    assert_eq!(collected(&mut h, evens), "[0, 2, 4, 6, 8]");
    h.release(evens);

    let source = range(&mut h, 1, 5);
    let add = closure(&mut h, F::Add, &[]);
    let sums = h.call3(shims::rt_seq_scan, source, int(0), add).unwrap();
    assert_eq!(collected(&mut h, sums), "[1, 3, 6, 10]");
    h.release(sums);

    let list = h.list(&[int(1), int(2), int(3)]);
    let text = h.text("ab");
    let pairs = h.call2(shims::rt_seq_zip, list, text).unwrap();
    assert_eq!(collected(&mut h, pairs), r#"[(1, "a"), (2, "b")]"#);
    h.release(pairs);

    // When the left side ends, the right side is not pulled again.
    reset_calls();
    let left = range(&mut h, 0, 2);
    let source = range(&mut h, 0, 10);
    let f = closure(&mut h, F::CountCalls, &[]);
    let right = stage(&mut h, shims::rt_seq_map, source, f);
    let pairs = h.call2(shims::rt_seq_zip, left, right).unwrap();
    assert_eq!(collected(&mut h, pairs), "[(0, 0), (1, 1)]");
    assert_eq!(calls(), 2);
    h.release(pairs);
    h.assert_heap_equals(&before);
}

#[test]
fn consumers_sum_count_fold_next() {
    let mut h = harness(256);
    let before = h.snapshot();
    let empty = h.call0(shims::rt_seq_empty).unwrap();
    assert_eq!(h.call1(shims::rt_sum, empty).unwrap(), int(0));
    assert_eq!(next_shown(&mut h, empty), "(false, ())");
    h.release(empty);
    let mixed = h.list(&[int(1), Value::float(2.5), int(3)]);
    assert_eq!(h.call1(shims::rt_sum, mixed).unwrap(), Value::float(6.5));
    h.release(mixed);
    let big = h.list(&[int(INT_MAX), int(1)]);
    assert_eq!(
        error_text(h.call1(shims::rt_sum, big)),
        "RT0301 integer overflow"
    );
    h.release(big);
    let text = h.text("t");
    let bad = h.list(&[int(1), text]);
    assert_eq!(
        error_text(h.call1(shims::rt_sum, bad)),
        "RT0303 type mismatch: sum expects Int or Float, got Text"
    );
    h.release(bad);

    let source = range(&mut h, 0, 5);
    let add = closure(&mut h, F::Add, &[]);
    assert_eq!(
        h.call3(shims::rt_fold, source, int(100), add).unwrap(),
        int(110)
    );
    assert_eq!(
        h.call3(shims::rt_fold, source, int(7), add).unwrap(),
        int(7)
    );
    assert_eq!(h.call1(shims::rt_count, source).unwrap(), int(0));
    h.release(source);
    let push = closure(&mut h, F::Push, &[]);
    let source = range(&mut h, 0, 4);
    let init = h.list(&[]);
    let built = h.call3(shims::rt_fold, source, init, push).unwrap();
    assert_eq!(h.show(built), "[0, 1, 2, 3]");
    for value in [built, source, push, add] {
        h.release(value);
    }
    h.assert_heap_equals(&before);
}

#[test]
fn type_mismatches_name_the_builtin_and_release_owned_arguments() {
    let mut h = harness(256);
    let before = h.snapshot();
    let f = closure(&mut h, F::Double, &[]);
    assert_eq!(
        error_text(h.call2(shims::rt_seq_map, int(5), f)),
        "RT0303 type mismatch: map expects a Seq, List, Map or Text, got Int"
    );
    let list = h.list(&[int(1)]);
    assert_eq!(
        error_text(h.call2(shims::rt_seq_map, list, int(5))),
        "RT0303 type mismatch: map expects a function, got Int"
    );
    let f = closure(&mut h, F::Add, &[]);
    let text = h.text("init");
    let tuple = h.tuple(&[int(1)]);
    assert_eq!(
        error_text(h.call3(shims::rt_seq_scan, tuple, text, f)),
        "RT0303 type mismatch: scan expects a Seq, List, Map or Text, got Tuple"
    );
    for (shim, op) in [
        (shims::rt_sum as shim_harness::Shim1, "sum"),
        (shims::rt_count, "count"),
        (shims::rt_collect, "collect"),
        (shims::rt_next, "next"),
        (shims::rt_seq_clone, "clone"),
    ] {
        assert_eq!(
            error_text(h.call1(shim, Value::TRUE)),
            format!("RT0303 type mismatch: {op} expects a Seq, List, Map or Text, got Bool")
        );
    }
    let text = h.text("init");
    assert_eq!(
        error_text(h.call3(shims::rt_fold, Value::UNIT, text, Value::UNIT)),
        "RT0303 type mismatch: fold expects a Seq, List, Map or Text, got Unit"
    );
    let left = range(&mut h, 0, 1);
    assert_eq!(
        error_text(h.call2(shims::rt_seq_zip, left, int(1))),
        "RT0303 type mismatch: zip expects a Seq, List, Map or Text, got Int"
    );
    let source = range(&mut h, 0, 3);
    let not_bool = closure(&mut h, F::NotBool, &[]);
    let filtered = stage(&mut h, shims::rt_seq_filter, source, not_bool);
    assert_eq!(
        error_text(h.call1(shims::rt_collect, filtered)),
        "RT0303 type mismatch: filter expects Bool, got Int"
    );
    h.release(filtered);
    h.assert_heap_equals(&before);
}

#[test]
fn clones_are_independent_cursors_over_the_rest() {
    let mut h = harness(512);
    let before = h.snapshot();
    let source = range(&mut h, 0, 10);
    let double = closure(&mut h, F::Double, &[]);
    let doubled = stage(&mut h, shims::rt_seq_map, source, double);
    let even = closure(&mut h, F::IsEven, &[]);
    let seq = stage(&mut h, shims::rt_seq_filter, doubled, even);
    next_shown(&mut h, seq);
    next_shown(&mut h, seq);
    let copy = h.call1(shims::rt_seq_clone, seq).unwrap();
    let second = h.call1(shims::rt_seq_clone, copy).unwrap();
    assert_eq!(collected(&mut h, copy), "[4, 6, 8, 10, 12, 14, 16, 18]");
    assert_eq!(next_shown(&mut h, second), "(true, 4)");
    assert_eq!(collected(&mut h, seq), "[4, 6, 8, 10, 12, 14, 16, 18]");
    assert_eq!(collected(&mut h, second), "[6, 8, 10, 12, 14, 16, 18]");
    for value in [copy, second, seq] {
        h.release(value);
    }

    // A cursor reached twice in a chain is copied once: the clone behaves like the original.
    let shared = range(&mut h, 0, 6);
    let again = h.retain(shared);
    let pairs = h.call2(shims::rt_seq_zip, shared, again).unwrap();
    let copy = h.call1(shims::rt_seq_clone, pairs).unwrap();
    assert_eq!(collected(&mut h, pairs), "[(0, 1), (2, 3), (4, 5)]");
    assert_eq!(collected(&mut h, copy), "[(0, 1), (2, 3), (4, 5)]");
    h.release(pairs);
    h.release(copy);

    // Clone of a container is a fresh cursor over it.
    let list = h.list(&[int(1), int(2)]);
    let over = h.call1(shims::rt_seq_clone, list).unwrap();
    assert_eq!(collected(&mut h, over), "[1, 2]");
    h.release(over);
    h.release(list);
    h.assert_heap_equals(&before);
}

#[test]
fn generator_kinds_chain_values_thunks_and_sources() {
    let mut h = harness(512);
    let before = h.snapshot();
    let thunk = closure(&mut h, F::ListThunk, &[]);
    let cons = h.call2(shims::rt_seq_cons, int(0), thunk).unwrap();
    assert_eq!(collected(&mut h, cons), "[0, 1, 2, 3]");
    h.release(cons);
    let last = h.call2(shims::rt_seq_cons, int(9), Value::UNIT).unwrap();
    assert_eq!(collected(&mut h, last), "[9]");
    h.release(last);

    let source = range(&mut h, 0, 3);
    let singleton = closure(&mut h, F::Singleton, &[]);
    let flat = h.call2(shims::rt_seq_flat_map, source, singleton).unwrap();
    assert_eq!(collected(&mut h, flat), "[0, 1, 2]");
    h.release(flat);
    let source = h.list(&[int(4), int(5)]);
    let thunk = closure(&mut h, F::ListThunk, &[]);
    let lists = closure(&mut h, F::ConstThunk, &[thunk]);
    // A callback of the wrong arity fails when it is called (RT0305), not at construction.
    let flat = h.call2(shims::rt_seq_flat_map, source, lists).unwrap();
    assert_eq!(
        error_text(h.call1(shims::rt_collect, flat)),
        "RT0305 arity mismatch: const_thunk expects 0 arguments, got 1"
    );
    h.release(flat);

    let thunk = closure(&mut h, F::ListThunk, &[]);
    let deferred = h.call1(shims::rt_seq_defer, thunk).unwrap();
    assert_eq!(collected(&mut h, deferred), "[1, 2, 3]");
    h.release(deferred);
    let source = h.list(&[int(7)]);
    let thunk = closure(&mut h, F::ListThunk, &[]);
    let appended = h.call2(shims::rt_seq_append, source, thunk).unwrap();
    assert_eq!(collected(&mut h, appended), "[7, 1, 2, 3]");
    h.release(appended);

    // A thunk returning something that is not iterable is RT0303.
    let thunk = closure(&mut h, F::ConstThunk, &[int(3)]);
    let deferred = h.call1(shims::rt_seq_defer, thunk).unwrap();
    assert_eq!(
        error_text(h.call1(shims::rt_collect, deferred)),
        "RT0303 type mismatch: iter expects a Seq, List, Map or Text, got Int"
    );
    assert_eq!(collected(&mut h, deferred), "[]");
    h.release(deferred);

    let nat = closure(&mut h, F::NatCons, &[int(0)]);
    let nats = h.call1(shims::rt_seq_defer, nat).unwrap();
    let first = h.call2(shims::rt_seq_take, nats, int(5)).unwrap();
    assert_eq!(collected(&mut h, first), "[0, 1, 2, 3, 4]");
    h.release(first);
    h.assert_heap_equals(&before);
}

#[test]
fn iter_of_a_seq_is_the_seq_and_a_cursor_is_one_block() {
    let mut h = harness(64);
    let seq = range(&mut h, 0, 3);
    assert_eq!(h.ctx.heap.blocks_in_use(), 1);
    assert_eq!(h.call1(shims::rt_iter, seq).unwrap(), seq);
    h.release(seq);
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}

#[test]
fn a_shared_delegate_is_pulled_through_and_absorbed_once_unique() {
    let mut h = harness(256);
    let before = h.snapshot();
    let inner = range(&mut h, 0, 5);
    let captured = h.retain(inner);
    let thunk = closure(&mut h, F::ConstThunk, &[captured]);
    let outer = h.call1(shims::rt_seq_defer, thunk).unwrap();
    assert_eq!(next_shown(&mut h, outer), "(true, 0)");
    // Both names see one cursor: the outer Seq delegates to `inner`, which is shared.
    assert_eq!(next_shown(&mut h, inner), "(true, 1)");
    assert_eq!(next_shown(&mut h, outer), "(true, 2)");
    h.release(inner);
    // Now the outer Seq holds the only reference: it takes over the range and frees it.
    assert_eq!(next_shown(&mut h, outer), "(true, 3)");
    assert_eq!(h.ctx.heap.blocks_in_use(), 1);
    assert_eq!(collected(&mut h, outer), "[4]");
    h.release(outer);
    h.assert_heap_equals(&before);
}
