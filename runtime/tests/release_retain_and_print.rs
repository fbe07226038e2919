//! Ownership and printing through the shims: a 10,000-deep nested list frees without
//! recursion (heap snapshot equal afterwards), retain past `0xFFFE` returns a copy, release
//! order and integrity reporting, exhaustion during literals, and the canonical printed
//! form of every kind.

mod shim_harness;

use cairn_runtime::abi::shims;
use cairn_runtime::heap::{MAX_REF_COUNT, RefOp};
use cairn_runtime::{ErrorCode, Value, canonical_form};
use shim_harness::{Harness, int};

#[test]
fn a_list_nested_ten_thousand_deep_frees_without_recursion() {
    let mut h = Harness::new(65_535);
    let before = h.snapshot();
    let mut value = h.list(&[int(0)]);
    for depth in 0..10_000 {
        value = if depth % 2 == 0 {
            h.tuple(&[value])
        } else {
            h.list(&[value])
        };
    }
    // Equality and printing of such a value are iterative too.
    let copy_shape = h.retain(value);
    assert_eq!(
        h.call2(shims::rt_eq, value, copy_shape).unwrap(),
        Value::TRUE
    );
    h.release(copy_shape);
    let printed = h.show(value);
    assert!(printed.starts_with("[(["), "{}", &printed[..20]);
    assert!(printed.contains("[([([0],)],)]"));
    assert!(
        printed.ends_with(",)],)]"),
        "{}",
        &printed[printed.len() - 20..]
    );
    assert_eq!(printed.matches('[').count(), 5_001);
    h.release(value);
    h.assert_heap_equals(&before);
}

#[test]
fn release_frees_the_parent_then_children_in_slot_order() {
    let mut h = Harness::new(32);
    let a = h.text("a");
    let b = h.text("b");
    let t = h.tuple(&[a, b]);
    h.start_trace();
    h.release(t);
    let events = h.ctx.heap.take_trace();
    let order: Vec<(RefOp, u32)> = events.iter().map(|e| (e.op, e.block)).collect();
    let block = |v: Value| v.heap_block().unwrap();
    assert_eq!(
        order,
        vec![
            (RefOp::Free, block(t)),
            (RefOp::Free, block(a)),
            (RefOp::Free, block(b))
        ]
    );
}

#[test]
fn retaining_past_the_maximum_count_returns_an_independent_copy() {
    let mut h = Harness::new(32);
    let before = h.snapshot();
    let inner = h.text("inner");
    let xs = h.list(&[inner, int(2)]);
    let head = xs.heap_block().unwrap();
    let mut aliases = Vec::new();
    while h.ctx.heap.ref_count(head) < MAX_REF_COUNT {
        aliases.push(h.retain(xs));
    }
    assert_eq!(aliases.len(), 0xFFFE - 1);
    h.start_trace();
    let copy = h.retain(xs);
    let ops = h.trace_ops();
    assert_ne!(copy, xs, "the saturated head is copied");
    assert_eq!(ops.first(), Some(&"cow"));
    assert_eq!(h.ctx.heap.ref_count(copy.heap_block().unwrap()), 1);
    assert_eq!(h.ctx.heap.ref_count(head), MAX_REF_COUNT);
    assert_eq!(h.show(copy), r#"["inner", 2]"#);
    assert_eq!(h.call2(shims::rt_eq, copy, xs).unwrap(), Value::TRUE);
    h.release(copy);
    for alias in aliases {
        h.release(alias);
    }
    h.release(xs);
    h.assert_heap_equals(&before);
}

#[test]
fn the_copy_a_saturating_retain_makes_is_critical_and_ignores_the_soft_quota() {
    let mut h = Harness::new(32);
    let xs = h.list(&[int(1), int(2)]);
    let head = xs.heap_block().unwrap();
    let mut aliases = Vec::new();
    while h.ctx.heap.ref_count(head) < MAX_REF_COUNT {
        aliases.push(h.retain(xs));
    }
    // The quota is full: an ordinary allocation fails, the bookkeeping copy does not.
    let in_use = h.ctx.heap.blocks_in_use();
    h.ctx.heap.set_quota(Some(in_use));
    assert!(h.ctx.heap.malloc(8).is_err());
    let copy = h.retain(xs);
    assert_ne!(copy, xs);
    assert!(h.ctx.heap.blocks_in_use() > in_use);
    h.ctx.heap.set_quota(None);
    h.release(copy);
    for alias in aliases {
        h.release(alias);
    }
    h.release(xs);
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}

#[test]
fn releasing_a_freed_block_is_reported_not_ignored() {
    let mut h = Harness::new(8);
    let t = h.text("gone");
    h.release(t);
    assert_eq!(h.call1(shims::rt_release, t).unwrap(), Value(1));
    assert_eq!(h.ctx.heap.integrity_violations.len(), 1);
    assert!(
        h.ctx.heap.integrity_violations[0].contains("RT0404"),
        "{:?}",
        h.ctx.heap.integrity_violations
    );
    h.ctx.heap.integrity_violations.clear();
    let error = h.call1(shims::rt_retain, t).unwrap_err();
    assert_eq!(error.code, ErrorCode::RT0404);
    let error = h.call1(shims::rt_len, t).unwrap_err();
    assert_eq!(error.code, ErrorCode::RT0404);
    // Releasing an immediate is a no-op.
    assert_eq!(h.call1(shims::rt_release, int(5)).unwrap(), Value(1));
    assert!(h.ctx.heap.integrity_violations.is_empty());
}

#[test]
fn tuple_and_map_literals_on_an_exhausted_heap_release_every_word() {
    let mut h = Harness::new(6);
    let before = h.snapshot();
    let a = h.text("a");
    let b = h.text("b");
    // 54 words need 1 + ceil(48 / 7) = 8 blocks; only 4 are free after the two texts.
    let big: Vec<Value> = [a, b].into_iter().chain((0..52).map(int)).collect();
    let raw: Vec<u64> = big.iter().map(|v| v.bits()).collect();
    let ptr = h.ctx.as_ptr();
    // SAFETY: live context; `raw` holds `raw.len()` words.
    let word = unsafe { shims::rt_tuple_from(ptr, raw.as_ptr() as u64, raw.len() as u64) };
    assert_eq!(word, 0);
    assert_eq!(h.ctx.take_failure().error.code, ErrorCode::RT0401);
    h.assert_heap_equals(&before);

    let a = h.text("a");
    let b = h.text("b");
    let c = h.text("c");
    let error = h
        .try_map(&[int(1), a, int(2), b, int(3), c, int(4), int(4)])
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::RT0401);
    h.assert_heap_equals(&before);
}

#[test]
fn every_kind_prints_in_the_canonical_form() {
    let mut h = Harness::new(64);
    let q = h.text("a\"b\\c\nd\u{1}");
    let top = canonical_form(&h.ctx.heap, q, true);
    assert_eq!(top, "a\"b\\c\nd\u{1}");
    assert_eq!(h.show(q), r#""a\"b\\c\nd\u{1}""#);
    let cases = [
        (int(42), "42"),
        (int(-7), "-7"),
        (Value::float(-1.5), "-1.5"),
        (Value::float(2.0), "2.0"),
        (Value::float(0.1), "0.1"),
        (Value::float(1e20), "1e20"),
        (Value::float(f64::NAN), "NaN"),
        (Value::float(f64::INFINITY), "inf"),
        (Value::TRUE, "true"),
        (Value::FALSE, "false"),
        (Value::UNIT, "()"),
    ];
    for (value, text) in cases {
        assert_eq!(canonical_form(&h.ctx.heap, value, true), text);
        assert_eq!(h.show(value), text);
    }
    let one = h.text("a");
    let xs = h.list(&[int(1), int(2)]);
    let empty = h.list(&[]);
    let pair = h.tuple(&[int(1), one]);
    let single = h.tuple(&[int(1)]);
    let k = h.text("a");
    let m = h.map(&[k, int(1)]);
    let empty_map = h.map(&[]);
    let nested = h.list(&[xs, pair, single, m, empty, empty_map]);
    assert_eq!(
        h.show(nested),
        r#"[[1, 2], (1, "a"), (1,), #{"a": 1}, [], #{}]"#
    );
    assert_eq!(canonical_form(&h.ctx.heap, nested, true), h.show(nested));
    let unit_tuple = h.tuple(&[]);
    assert_eq!(unit_tuple, Value::UNIT, "a 0-tuple literal is Unit");
    h.release(nested);
    h.release(q);
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}
