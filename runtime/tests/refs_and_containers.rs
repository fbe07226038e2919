//! Refs (`ref`, `!`, `:=` with the RT0403 rule through every container kind), the container
//! builtins `merge`, `slice` (and what it shares), `reverse` and `fail`, and closure printing,
//! all through the `extern "C"` shims: exact messages, ownership (heap snapshots) and
//! in-place updates (no `cow` in the trace).

mod shim_harness;

use cairn_runtime::abi::invoke::FunctionInfo;
use cairn_runtime::abi::shims;
use cairn_runtime::heap::RefOp;
use cairn_runtime::objects::list;
use cairn_runtime::{ErrorCode, RuntimeError, Value};
use shim_harness::{Harness, int};

fn expect_error(result: Result<Value, RuntimeError>, code: ErrorCode, message: &str) {
    let error = result.expect_err("the shim must fail");
    assert_eq!(
        (error.code, error.message.as_str()),
        (code, message),
        "diagnostic"
    );
}

fn count(h: &Harness, value: Value) -> u16 {
    h.ctx
        .heap
        .ref_count(value.heap_block().expect("heap value"))
}

fn ints(range: std::ops::Range<i64>) -> Vec<Value> {
    range.map(int).collect()
}

fn shown_ints(range: impl Iterator<Item = i64>) -> String {
    let items: Vec<String> = range.map(|i| i.to_string()).collect();
    format!("[{}]", items.join(", "))
}

/// Installs one closure-callable function `f` (id 0, arity 1).
fn install_f(h: &mut Harness) {
    h.ctx.install_functions(vec![FunctionInfo {
        name: "f".into(),
        closure_arity: Some(1),
        entry: 1,
        program: 1,
    }]);
}

/// `MakeClosure` of function 0 with `captures` (consumed).
fn closure(h: &mut Harness, captures: &[Value]) -> Value {
    let mut words = vec![int(0).bits()];
    words.extend(captures.iter().map(|v| v.bits()));
    let ptr = h.ctx.as_ptr();
    // SAFETY: live context; `words` holds `len` initialised words for the call.
    let word = unsafe { shims::rt_closure_from(ptr, words.as_ptr() as u64, words.len() as u64) };
    assert_ne!(word, 0, "closure built: {:?}", h.ctx.pending_error());
    Value(word)
}

// ----- refs --------------------------------------------------------------------------------

#[test]
fn ref_new_get_and_set_round_trip_and_release_everything() {
    let mut h = Harness::new(64);
    let before = h.snapshot();
    let r = h.call1(shims::rt_ref_new, int(1)).unwrap();
    assert_eq!(h.show(r), "<ref>");
    assert_eq!(h.call1(shims::rt_ref_get, r).unwrap(), int(1));

    let text = h.text("hello");
    assert_eq!(h.call2(shims::rt_ref_set, r, text).unwrap(), Value::UNIT);
    assert_eq!(count(&h, text), 1, "the cell owns the stored value");
    let read = h.call1(shims::rt_ref_get, r).unwrap();
    assert_eq!(read, text);
    assert_eq!(count(&h, text), 2, "`!r` retains what it returns");
    h.release(read);

    // Refs have identity: a second owner sees assignments made through the first.
    let alias = h.retain(r);
    assert_eq!(alias, r);
    let xs = h.list(&[int(1), int(2)]);
    h.call2(shims::rt_ref_set, alias, xs).unwrap();
    let through_r = h.call1(shims::rt_ref_get, r).unwrap();
    assert_eq!(h.show(through_r), "[1, 2]");
    h.release(through_r);
    // The old value ("hello") was released after the store: only the list is live inside.
    assert_eq!(
        h.ctx.heap.blocks_in_use() - before.blocks_in_use,
        1 + list::blocks_for_length(2)
    );

    // A ref may hold a closure, a tuple, a map that hold no Ref.
    install_f(&mut h);
    let t = h.tuple(&[int(1), Value::TRUE]);
    let c = closure(&mut h, &[t]);
    h.call2(shims::rt_ref_set, r, c).unwrap();
    let got = h.call1(shims::rt_ref_get, r).unwrap();
    assert_eq!(h.show(got), "<fn f>");
    h.release(got);

    h.release(alias);
    h.release(r);
    h.assert_heap_equals(&before);
}

#[test]
fn deref_and_assign_of_a_non_ref_are_type_mismatches_that_consume_the_value() {
    let mut h = Harness::new(64);
    let before = h.snapshot();
    expect_error(
        h.call1(shims::rt_ref_get, int(5)),
        ErrorCode::RT0303,
        "type mismatch: ! expects Ref, got Int",
    );
    let s = h.text("s");
    expect_error(
        h.call1(shims::rt_ref_get, s),
        ErrorCode::RT0303,
        "type mismatch: ! expects Ref, got Text",
    );
    let v = h.text("v");
    expect_error(
        h.call2(shims::rt_ref_set, int(5), v),
        ErrorCode::RT0303,
        "type mismatch: := expects Ref, got Int",
    );
    let v = h.list(&[int(1)]);
    expect_error(
        h.call2(shims::rt_ref_set, s, v),
        ErrorCode::RT0303,
        "type mismatch: := expects Ref, got Text",
    );
    h.release(s);
    h.assert_heap_equals(&before);
}

/// Builds one (owned) value for a test case.
type Builder = Box<dyn Fn(&mut Harness) -> Value>;

#[test]
fn a_ref_never_holds_a_value_that_contains_a_ref() {
    const RT0403: &str = "a Ref cannot hold a value that contains a Ref";
    let mut h = Harness::new(256);
    install_f(&mut h);
    let before = h.snapshot();
    let inner = h.call1(shims::rt_ref_new, int(0)).unwrap();
    let cell = h.call1(shims::rt_ref_new, Value::UNIT).unwrap();
    let live = h.snapshot();

    // Every way to reach a Ref: itself, a list, a tuple, a map value, a closure capture,
    // nested containers, a list that got it by push or set, a map that got it by insert,
    // and a slice of a list holding it.
    let candidates: Vec<(&str, Builder)> = vec![
        ("the ref itself", Box::new(move |h| h.retain(inner))),
        (
            "a list",
            Box::new(move |h| {
                let r = h.retain(inner);
                h.list(&[int(1), r])
            }),
        ),
        (
            "a tuple",
            Box::new(move |h| {
                let r = h.retain(inner);
                h.tuple(&[r, int(2)])
            }),
        ),
        (
            "a map value",
            Box::new(move |h| {
                let k = h.text("k");
                let r = h.retain(inner);
                h.map(&[k, r])
            }),
        ),
        (
            "a closure capture",
            Box::new(move |h| {
                let r = h.retain(inner);
                closure(h, &[int(1), r])
            }),
        ),
        (
            "a list in a tuple in a list",
            Box::new(move |h| {
                let r = h.retain(inner);
                let xs = h.list(&[r]);
                let t = h.tuple(&[xs]);
                h.list(&[int(0), t])
            }),
        ),
        (
            "a list it was pushed onto",
            Box::new(move |h| {
                let xs = h.list(&ints(0..20));
                let r = h.retain(inner);
                h.call2(shims::rt_push, xs, r).unwrap()
            }),
        ),
        (
            "a list it was set into",
            Box::new(move |h| {
                let xs = h.list(&ints(0..60));
                let r = h.retain(inner);
                h.call3(shims::rt_set, xs, int(30), r).unwrap()
            }),
        ),
        (
            "a map it was inserted into",
            Box::new(move |h| {
                let m = h.map(&[int(1), int(1)]);
                let r = h.retain(inner);
                h.call3(shims::rt_insert, m, int(2), r).unwrap()
            }),
        ),
        (
            "a slice of a list holding it",
            Box::new(move |h| {
                let mut items = ints(0..30);
                items[12] = h.retain(inner);
                let xs = h.list(&items);
                let ys = h.call3(shims::rt_slice, xs, int(10), int(20)).unwrap();
                h.release(xs);
                ys
            }),
        ),
    ];
    for (what, make) in &candidates {
        let value = make(&mut h);
        expect_error(h.call1(shims::rt_ref_new, value), ErrorCode::RT0403, RT0403);
        h.assert_heap_equals(&live);

        let value = make(&mut h);
        expect_error(
            h.call2(shims::rt_ref_set, cell, value),
            ErrorCode::RT0403,
            RT0403,
        );
        h.assert_heap_equals(&live);
        assert_eq!(
            h.call1(shims::rt_ref_get, cell).unwrap(),
            Value::UNIT,
            "{what}: the cell is unchanged"
        );
    }
    // A cell can never be made to hold itself.
    let itself = h.retain(cell);
    expect_error(
        h.call2(shims::rt_ref_set, cell, itself),
        ErrorCode::RT0403,
        RT0403,
    );
    h.assert_heap_equals(&live);

    h.release(inner);
    h.release(cell);
    h.assert_heap_equals(&before);
}

#[test]
fn ref_set_releases_the_old_value_after_storing_the_new_one() {
    let mut h = Harness::new(64);
    let before = h.snapshot();
    let old = h.text("old");
    let r = h.call1(shims::rt_ref_new, old).unwrap();
    let old_block = old.heap_block().unwrap();
    let new = h.text("new");
    h.start_trace();
    h.call2(shims::rt_ref_set, r, new).unwrap();
    let events = h.ctx.heap.take_trace();
    assert_eq!(
        events.iter().map(|e| (e.op, e.block)).collect::<Vec<_>>(),
        vec![(RefOp::Free, old_block)],
        "storing moves `new` in; the only event is the old value's release"
    );
    assert_eq!(h.call1(shims::rt_ref_get, r).unwrap(), new);
    h.release(new); // the reference `!r` returned
    h.release(r);
    h.assert_heap_equals(&before);
}

// ----- closures print with their function's name -------------------------------------------

#[test]
fn closures_print_as_fn_and_their_name() {
    let mut h = Harness::new(64);
    install_f(&mut h);
    let before = h.snapshot();
    let c = closure(&mut h, &[int(1)]);
    assert_eq!(h.show(c), "<fn f>");
    let c2 = h.retain(c);
    let xs = h.list(&[c2, int(3)]);
    assert_eq!(h.show(xs), "[<fn f>, 3]");
    let r = h.call1(shims::rt_ref_new, int(1)).unwrap();
    let t = h.tuple(&[r, Value::UNIT]);
    assert_eq!(h.show(t), "(<ref>, ())");
    // A function the loaded program has no name for prints as `<fn>`.
    h.ctx.heap.set_function_names(Vec::new());
    assert_eq!(h.show(c), "<fn>");
    for v in [c, xs, t] {
        h.release(v);
    }
    h.assert_heap_equals(&before);
}

// ----- fail ----------------------------------------------------------------------------------

#[test]
fn fail_raises_rt0900_with_the_canonical_form_and_borrows_its_argument() {
    let mut h = Harness::new(64);
    let before = h.snapshot();
    let boom = h.text("boom \"quoted\"");
    expect_error(
        h.call1(shims::rt_fail, boom),
        ErrorCode::RT0900,
        "boom \"quoted\"",
    );
    assert_eq!(count(&h, boom), 1, "msg is borrowed");
    expect_error(h.call1(shims::rt_fail, int(42)), ErrorCode::RT0900, "42");
    expect_error(
        h.call1(shims::rt_fail, Value::UNIT),
        ErrorCode::RT0900,
        "()",
    );
    let a = h.text("a");
    let xs = h.list(&[a, Value::float(2.0)]);
    expect_error(
        h.call1(shims::rt_fail, xs),
        ErrorCode::RT0900,
        "[\"a\", 2.0]",
    );
    h.release(xs);
    h.release(boom);
    h.assert_heap_equals(&before);
}

// ----- merge ---------------------------------------------------------------------------------

fn sample_maps(h: &mut Harness) -> (Value, Value) {
    let (a, b1) = (h.text("a"), h.text("b"));
    let a_map = h.map(&[a, int(1), b1, int(2), int(7), int(70)]);
    let (b2, c) = (h.text("b"), h.text("c"));
    let b_map = h.map(&[b2, int(20), c, int(30), Value::float(7.0), int(700)]);
    (a_map, b_map)
}

#[test]
fn merge_puts_b_over_a_in_place_when_a_is_unique() {
    let mut h = Harness::new(128);
    let before = h.snapshot();
    let (a, b) = sample_maps(&mut h);
    h.start_trace();
    let merged = h.call2(shims::rt_merge, a, b).unwrap();
    let ops = h.trace_ops();
    assert!(
        !ops.contains(&"cow"),
        "unique `a` is updated in place: {ops:?}"
    );
    assert_eq!(merged, a, "same head: updated in place");
    assert_eq!(h.show(merged), r#"#{7: 700, "a": 1, "b": 20, "c": 30}"#);
    assert_eq!(h.show(b), r#"#{7: 700, "b": 20, "c": 30}"#);
    h.release(merged);
    h.release(b);
    h.assert_heap_equals(&before);
}

#[test]
fn merge_path_copies_a_shared_a_and_leaves_it_intact() {
    let mut h = Harness::new(128);
    let before = h.snapshot();
    let (a, b) = sample_maps(&mut h);
    let alias = h.retain(a);
    h.start_trace();
    let merged = h.call2(shims::rt_merge, alias, b).unwrap();
    assert!(h.trace_ops().contains(&"cow"));
    assert_ne!(merged, a);
    assert_eq!(h.show(a), r#"#{7: 70, "a": 1, "b": 2}"#);
    assert_eq!(h.show(merged), r#"#{7: 700, "a": 1, "b": 20, "c": 30}"#);
    for v in [merged, a, b] {
        h.release(v);
    }
    h.assert_heap_equals(&before);
}

#[test]
fn merge_with_empty_maps_shares_instead_of_copying() {
    let mut h = Harness::new(64);
    let before = h.snapshot();
    let (a, b) = sample_maps(&mut h);
    let empty = h.map(&[]);
    let same = h.call2(shims::rt_merge, a, empty).unwrap();
    assert_eq!(same, a, "merging nothing returns `a`");
    let empty = h.call2(shims::rt_merge, empty, b).unwrap();
    assert_eq!(empty, b, "merging into an empty map shares `b`");
    assert_eq!(count(&h, b), 2);
    let both_empty = h.map(&[]);
    let other_empty = h.map(&[]);
    let still_empty = h.call2(shims::rt_merge, both_empty, other_empty).unwrap();
    assert_eq!(h.show(still_empty), "#{}");
    for v in [same, empty, b, still_empty, other_empty] {
        h.release(v);
    }
    h.assert_heap_equals(&before);
}

#[test]
fn merge_of_non_maps_is_rt0303_and_consumes_a() {
    let mut h = Harness::new(64);
    let before = h.snapshot();
    let m = h.map(&[int(1), int(1)]);
    expect_error(
        h.call2(shims::rt_merge, int(3), m),
        ErrorCode::RT0303,
        "type mismatch: merge expects Map and Map, got Int and Map",
    );
    let a = h.map(&[int(2), int(2)]);
    let xs = h.list(&[int(1)]);
    expect_error(
        h.call2(shims::rt_merge, a, xs),
        ErrorCode::RT0303,
        "type mismatch: merge expects Map and Map, got Map and List",
    );
    let s = h.text("s");
    expect_error(
        h.call2(shims::rt_merge, s, Value::UNIT),
        ErrorCode::RT0303,
        "type mismatch: merge expects Map and Map, got Text and Unit",
    );
    h.release(xs);
    h.release(m);
    h.assert_heap_equals(&before);
}

// ----- reverse -------------------------------------------------------------------------------

#[test]
fn reverse_is_in_place_with_no_events_when_unique() {
    let mut h = Harness::new(2048);
    let before = h.snapshot();
    for size in [0i64, 1, 2, 7, 8, 49, 50, 343, 344, 1000] {
        let xs = h.list(&ints(0..size));
        h.start_trace();
        let ys = h.call1(shims::rt_reverse, xs).unwrap();
        assert!(
            h.trace_ops().is_empty(),
            "a unique list reverses without a refcount event"
        );
        assert_eq!(ys, xs, "same head");
        assert_eq!(h.show(ys), shown_ints((0..size).rev()), "size {size}");
        h.release(ys);
        h.assert_heap_equals(&before);
    }
}

#[test]
fn reverse_copies_shared_nodes_and_leaves_every_sharer_intact() {
    let mut h = Harness::new(2048);
    let before = h.snapshot();
    let a = h.text("a");
    let mut items = ints(0..100);
    items[3] = a;
    let xs = h.list(&items);
    let original = h.show(xs);

    // Fully shared: every node is copied (`cow`), the original is unchanged.
    let alias = h.retain(xs);
    h.start_trace();
    let ys = h.call1(shims::rt_reverse, alias).unwrap();
    let ops = h.trace_ops();
    assert_eq!(
        Harness::count_of(&ops, RefOp::Cow) as u32,
        list::blocks_for_length(100)
    );
    assert_eq!(h.show(xs), original);
    let element = h.call2(shims::rt_index, ys, int(96)).unwrap();
    assert_eq!(element, a);
    h.release(element); // indexing retains what it returns
    assert_eq!(h.call2(shims::rt_index, ys, int(0)).unwrap(), int(99));

    // Partly shared: `zs` (a slice) shares the first 98-element node of `ys`; reversing
    // `ys` (unique head) copies that node's path only, and `zs` is untouched.
    let zs = h.call3(shims::rt_slice, ys, int(0), int(98)).unwrap();
    let zs_before = h.show(zs);
    h.start_trace();
    let back = h.call1(shims::rt_reverse, ys).unwrap();
    let ops = h.trace_ops();
    assert_eq!(back, ys, "the unique head is reused");
    // The shared node and its 14 leaves (shared once the node is copied) are copied.
    assert_eq!(Harness::count_of(&ops, RefOp::Cow), 15, "{ops:?}");
    assert_eq!(h.show(back), original);
    assert_eq!(h.show(zs), zs_before);
    for v in [xs, back, zs] {
        h.release(v);
    }
    h.assert_heap_equals(&before);
}

#[test]
fn reverse_of_a_non_list_is_rt0303_and_consumes_it() {
    let mut h = Harness::new(64);
    let before = h.snapshot();
    expect_error(
        h.call1(shims::rt_reverse, int(1)),
        ErrorCode::RT0303,
        "type mismatch: reverse expects a List, got Int",
    );
    let m = h.map(&[int(1), int(2)]);
    expect_error(
        h.call1(shims::rt_reverse, m),
        ErrorCode::RT0303,
        "type mismatch: reverse expects a List, got Map",
    );
    let t = h.tuple(&[int(1), int(2)]);
    expect_error(
        h.call1(shims::rt_reverse, t),
        ErrorCode::RT0303,
        "type mismatch: reverse expects a List, got Tuple",
    );
    h.assert_heap_equals(&before);
}

#[test]
fn reverse_refuses_up_front_when_the_copy_does_not_fit() {
    let mut h = Harness::new(64);
    let xs = h.list(&ints(0..100)); // 1 + 15 + 2 + 1 = 19 blocks
    let alias = h.retain(xs);
    let filler = h.list(&ints(0..200)); // 1 + 29 + 3 + 1 = 34 blocks: 53 used, 11 free
    let used = h.snapshot();
    expect_error(
        h.call1(shims::rt_reverse, alias),
        ErrorCode::RT0401,
        "heap exhausted: 19 blocks requested, 11 free",
    );
    // Only the consumed alias is gone: the list is intact and its count is back to 1.
    assert_eq!(count(&h, xs), 1);
    assert_eq!(h.ctx.heap.blocks_in_use(), used.blocks_in_use);
    assert_eq!(h.show(xs), shown_ints(0..100));
    h.release(xs);
    h.release(filler);
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}

// ----- slice ---------------------------------------------------------------------------------

#[test]
fn slice_returns_exactly_the_elements_a_to_b_at_every_alignment() {
    let mut h = Harness::new(8192);
    let before = h.snapshot();
    for size in [0i64, 1, 6, 7, 8, 49, 50, 97, 98, 99, 343, 400] {
        let xs = h.list(&ints(0..size));
        let live = h.snapshot();
        let bounds: Vec<i64> = if size <= 50 {
            (0..=size).collect()
        } else {
            let mut b = vec![
                0,
                1,
                6,
                7,
                8,
                48,
                49,
                50,
                97,
                98,
                99,
                196,
                342,
                343,
                size - 1,
                size,
            ];
            b.retain(|&x| x <= size);
            b
        };
        for &a in &bounds {
            for &b in bounds.iter().filter(|&&b| b >= a) {
                let ys = h.call3(shims::rt_slice, xs, int(a), int(b)).unwrap();
                assert_eq!(h.show(ys), shown_ints(a..b), "slice({size}, {a}, {b})");
                assert_eq!(h.call1(shims::rt_len, ys).unwrap(), int(b - a));
                // The result is an ordinary list: indexing, push and pop work on it, and
                // never disturb `xs` (shared nodes are copied on write).
                if b > a {
                    assert_eq!(
                        h.call2(shims::rt_index, ys, int(b - a - 1)).unwrap(),
                        int(b - 1)
                    );
                }
                let ys = h.call2(shims::rt_push, ys, int(-1)).unwrap();
                let ys = h.call3(shims::rt_set, ys, int(0), int(-2)).unwrap();
                let ys = h.call1(shims::rt_pop, ys).unwrap();
                assert_eq!(h.call1(shims::rt_len, ys).unwrap(), int(b - a));
                h.release(ys);
                h.assert_heap_equals(&live);
            }
        }
        assert_eq!(h.show(xs), shown_ints(0..size));
        h.release(xs);
        h.assert_heap_equals(&before);
    }
}

#[test]
fn slicing_a_10000_element_list_shares_its_subtrees() {
    let mut h = Harness::new(16384);
    let xs = h.list(&ints(0..10_000));
    let copy_cost = |n: usize| list::blocks_for_length(n);
    let live = h.snapshot();
    // (a, b, exactly this many new blocks); n = b - a.
    let cases: [(i64, i64, u32); 6] = [
        // The source is 1,429 leaves under 103 level-1 nodes (98 elements each), 8 level-2
        // nodes (1,372 each) and the root (height 3).
        // Prefix: every full subtree is shared; only the right spine (one node on each of
        // the 4 levels) and the head are new.
        (0, 9_000, 5),
        // 7000 = 5·1372 + 1·98 + 6·7 ends on a leaf boundary: that leaf is shared too, so
        // the spine has only 3 new nodes.
        (0, 7_000, 4),
        // Suffix from a start aligned to 1372: the seven level-2 subtrees (the last one the
        // old rightmost) are shared; only the root and the head are new.
        (1_372, 10_000, 2),
        // Start aligned to 98: every full level-1 node is shared; new are the head, the
        // root, ceil(n / 1372) level-2 nodes, and the partial level-1 node and leaf at the
        // right edge: 1 + 1 + 7 + 1 + 1.
        (196, 9_000, 11),
        // Start aligned to 7: every full leaf is shared; new are the head, the root, 7 + 92
        // interior nodes and the partial leaf at the right edge.
        (7, 9_007, 1 + 1 + 7 + 92 + 1),
        // Unaligned start: every element moves to another slot, so every node is rebuilt
        // (the elements are retained, never copied): the cost of a copy.
        (3, 9_003, copy_cost(9_000)),
    ];
    for (a, b, bound) in cases {
        let ys = h.call3(shims::rt_slice, xs, int(a), int(b)).unwrap();
        let allocated = h.ctx.heap.blocks_in_use() - live.blocks_in_use;
        assert_eq!(allocated, bound, "blocks allocated by slice({a}, {b})");
        if a % 7 == 0 {
            assert!(
                allocated * 5 < copy_cost((b - a) as usize),
                "slice({a}, {b}): {allocated} blocks is not far fewer than a copy's {}",
                copy_cost((b - a) as usize)
            );
        }
        for i in [0, 1, 48, 49, 2_000, b - a - 1] {
            assert_eq!(h.call2(shims::rt_index, ys, int(i)).unwrap(), int(a + i));
        }
        h.release(ys);
        h.assert_heap_equals(&live);
    }
    // Sharing is visible in the counts: a prefix slice retains the full subtrees it reuses.
    let ys = h.call3(shims::rt_slice, xs, int(0), int(1372)).unwrap();
    let shared = h
        .snapshot()
        .allocated_heads
        .iter()
        .filter(|&(block, &c)| c == 2 && live.allocated_heads.get(block) == Some(&1))
        .count();
    assert_eq!(
        shared, 1,
        "slice(xs, 0, 1372) is one shared level-2 node under a new head"
    );
    assert_eq!(h.ctx.heap.blocks_in_use() - live.blocks_in_use, 1);
    h.release(ys);
    h.release(xs);
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}

#[test]
fn slice_of_the_whole_list_is_the_list_and_empty_slices_are_empty() {
    let mut h = Harness::new(256);
    let before = h.snapshot();
    let xs = h.list(&ints(0..60));
    let all = h.call3(shims::rt_slice, xs, int(0), int(60)).unwrap();
    assert_eq!(all, xs);
    assert_eq!(count(&h, xs), 2);
    for (a, b) in [(0, 0), (30, 30), (60, 60)] {
        let empty = h.call3(shims::rt_slice, xs, int(a), int(b)).unwrap();
        assert_eq!(h.show(empty), "[]");
        let one = h.call2(shims::rt_push, empty, int(5)).unwrap();
        assert_eq!(h.show(one), "[5]");
        h.release(one);
    }
    // Slices of slices.
    let mid = h.call3(shims::rt_slice, xs, int(7), int(56)).unwrap();
    let inner = h.call3(shims::rt_slice, mid, int(7), int(14)).unwrap();
    assert_eq!(h.show(inner), shown_ints(14..21));
    for v in [all, xs, mid, inner] {
        h.release(v);
    }
    h.assert_heap_equals(&before);
}

#[test]
fn slice_diagnostics_report_the_first_offending_argument() {
    let mut h = Harness::new(64);
    let before = h.snapshot();
    let xs = h.list(&[int(1), int(2), int(3)]);
    let text = h.text("x");
    let cases: Vec<(Value, Value, Value, ErrorCode, &str)> = vec![
        (
            int(1),
            int(0),
            int(1),
            ErrorCode::RT0303,
            "type mismatch: slice expects a List or Text, got Int",
        ),
        (
            Value::TRUE,
            int(0),
            int(1),
            ErrorCode::RT0303,
            "type mismatch: slice expects a List or Text, got Bool",
        ),
        (
            xs,
            Value::float(1.0),
            int(2),
            ErrorCode::RT0101,
            "list index expects an Int, got Float",
        ),
        (
            xs,
            int(0),
            text,
            ErrorCode::RT0101,
            "list index expects an Int, got Text",
        ),
        (
            xs,
            int(-1),
            int(2),
            ErrorCode::RT0103,
            "index out of bounds: index -1, length 3",
        ),
        (
            xs,
            int(0),
            int(-1),
            ErrorCode::RT0103,
            "index out of bounds: index -1, length 3",
        ),
        (
            xs,
            int(0),
            int(4),
            ErrorCode::RT0103,
            "index out of bounds: index 4, length 3",
        ),
        (
            xs,
            int(4),
            int(5),
            ErrorCode::RT0103,
            "index out of bounds: index 4, length 3",
        ),
        // a > b: RT0103 on a.
        (
            xs,
            int(2),
            int(1),
            ErrorCode::RT0103,
            "index out of bounds: index 2, length 3",
        ),
        // Arguments are checked in order: a's problem is reported before b's.
        (
            xs,
            int(-2),
            text,
            ErrorCode::RT0103,
            "index out of bounds: index -2, length 3",
        ),
        (
            xs,
            Value::TRUE,
            int(-1),
            ErrorCode::RT0101,
            "list index expects an Int, got Bool",
        ),
        (
            xs,
            int(7),
            int(-1),
            ErrorCode::RT0103,
            "index out of bounds: index 7, length 3",
        ),
    ];
    for (list, a, b, code, message) in cases {
        expect_error(h.call3(shims::rt_slice, list, a, b), code, message);
    }
    assert_eq!(count(&h, xs), 1, "every argument is borrowed");
    h.release(xs);
    h.release(text);
    h.assert_heap_equals(&before);
}

#[test]
fn writes_to_a_list_after_slicing_never_show_through_the_slice() {
    let mut h = Harness::new(4096);
    let before = h.snapshot();
    let xs = h.list(&ints(0..3_000));
    let suffix = h
        .call3(shims::rt_slice, xs, int(2_401), int(3_000))
        .unwrap();
    let prefix = h.call3(shims::rt_slice, xs, int(0), int(2_500)).unwrap();
    let xs = h.call3(shims::rt_set, xs, int(2_999), int(-1)).unwrap();
    let xs = h.call3(shims::rt_set, xs, int(0), int(-2)).unwrap();
    let xs = h.call2(shims::rt_push, xs, int(-3)).unwrap();
    assert_eq!(h.show(suffix), shown_ints(2_401..3_000));
    assert_eq!(h.show(prefix), shown_ints(0..2_500));
    assert_eq!(h.call2(shims::rt_index, xs, int(2_999)).unwrap(), int(-1));
    for v in [xs, suffix, prefix] {
        h.release(v);
    }
    h.assert_heap_equals(&before);
}

#[test]
fn slice_and_merge_fail_cleanly_when_the_heap_is_full() {
    let mut h = Harness::new(48);
    let xs = h.list(&ints(0..100)); // 19 blocks
    let filler = h.list(&ints(0..175)); // 1 + 25 + 2 + 1 = 29 blocks: the heap is full
    let full = h.snapshot();
    expect_error(
        h.call3(shims::rt_slice, xs, int(1), int(99)),
        ErrorCode::RT0401,
        "heap exhausted: 16 blocks requested, 0 free", // 98 elements: 1 + 14 + 1
    );
    h.assert_heap_equals(&full);
    h.release(filler);

    // A shared `a` whose path copies need more blocks than are free part-way through.
    let words: Vec<Value> = (0..15).flat_map(|i| [int(i), int(i)]).collect();
    let a = h.map(&words); // the head, 7 leaves, 2 interior nodes and the root
    let words: Vec<Value> = (100..108).flat_map(|i| [int(i), int(i)]).collect();
    let b = h.map(&words);
    // 3 blocks free: fewer than the first insert's path copy (the head and 3 nodes).
    let mut fillers = Vec::new();
    while h.ctx.heap.free_count() > 3 {
        fillers.push(h.text("x"));
    }
    let (a_shown, b_shown) = (h.show(a), h.show(b));
    let live = h.snapshot();
    let alias = h.retain(a);
    let error = h.call2(shims::rt_merge, alias, b).unwrap_err();
    assert_eq!(error.code, ErrorCode::RT0401);
    h.assert_heap_equals(&live);
    assert_eq!((h.show(a), h.show(b)), (a_shown, b_shown));
    for v in [xs, a, b].into_iter().chain(fillers) {
        h.release(v);
    }
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}

#[test]
fn merging_a_map_with_itself_copies_and_changes_nothing() {
    let mut h = Harness::new(64);
    let before = h.snapshot();
    let (a, b) = sample_maps(&mut h);
    let shown = h.show(a);
    let alias = h.retain(a);
    let merged = h.call2(shims::rt_merge, alias, a).unwrap();
    assert_ne!(
        merged, a,
        "`a` is shared with the borrowed `b`: path-copied"
    );
    assert_eq!(h.show(merged), shown);
    assert_eq!(h.show(a), shown);
    for v in [merged, a, b] {
        h.release(v);
    }
    h.assert_heap_equals(&before);
}
