//! List behaviour through the shims: radix-tree indexing at sizes that cross tree levels,
//! push/pop/set in place when unique (no `cow`) and path-copying when shared, spread,
//! concat, and heap balance afterwards.

mod shim_harness;

use cairn_runtime::abi::shims;
use cairn_runtime::objects::{list, release};
use cairn_runtime::{ErrorCode, Value};
use shim_harness::{Harness, int};

/// Sizes on both sides of each tree height (leaves of 7, interior nodes of 14 children:
/// height `h` holds `7 * 14^h` elements).
const LEVEL_CROSSING_SIZES: [usize; 9] = [0, 1, 7, 8, 98, 99, 1372, 1373, 5000];

#[test]
fn built_lists_index_every_element_at_level_crossing_sizes() {
    let mut h = Harness::new(8192);
    let before = h.snapshot();
    for size in LEVEL_CROSSING_SIZES {
        let items: Vec<Value> = (0..size as i64).map(int).collect();
        let xs = h.list(&items);
        assert_eq!(h.call1(shims::rt_len, xs).unwrap(), int(size as i64));
        for i in 0..size {
            assert_eq!(
                h.call2(shims::rt_index, xs, int(i as i64)).unwrap(),
                int(i as i64)
            );
        }
        let error = h.call2(shims::rt_index, xs, int(size as i64)).unwrap_err();
        assert_eq!(
            error.message,
            format!("index out of bounds: index {size}, length {size}")
        );
        assert_eq!(
            h.ctx.heap.blocks_in_use() - before.blocks_in_use,
            list::blocks_for_length(size),
            "size {size}"
        );
        h.release(xs);
        h.assert_heap_equals(&before);
    }
}

#[test]
fn a_million_elements_sit_five_interior_levels_deep() {
    // 1,000,000 elements: 142,858 leaves under 5 levels of 14-way nodes, so an index reads
    // the head and 6 nodes (it was 8 nodes with 7-way interior nodes).
    let mut h = Harness::new(200_000);
    let items: Vec<Value> = (0..1_000_000).map(int).collect();
    let xs = h.list(&items);
    let head = xs.heap_block().unwrap();
    assert_eq!(list::list_height(&h.ctx.heap, head), 5);
    assert_eq!(
        h.ctx.heap.blocks_in_use(),
        1 + 142_858 + 10_205 + 729 + 53 + 4 + 1
    );
    for i in [0, 6, 7, 97, 98, 999_999] {
        assert_eq!(h.call2(shims::rt_index, xs, int(i)).unwrap(), int(i));
    }
    h.release(xs);
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}

#[test]
fn pushing_one_by_one_then_popping_back_to_empty_stays_in_place() {
    let mut h = Harness::new(8192);
    let before = h.snapshot();
    let mut xs = h.list(&[]);
    h.start_trace();
    for i in 0..5000 {
        xs = h.call2(shims::rt_push, xs, int(i)).unwrap();
        if LEVEL_CROSSING_SIZES.contains(&(i as usize + 1)) {
            for j in 0..=i {
                assert_eq!(h.call2(shims::rt_index, xs, int(j)).unwrap(), int(j));
            }
        }
    }
    assert_eq!(list::blocks_for_length(5000), h.ctx.heap.blocks_in_use());
    for remaining in (0..5000).rev() {
        xs = h.call1(shims::rt_pop, xs).unwrap();
        assert_eq!(h.call1(shims::rt_len, xs).unwrap(), int(remaining));
        if LEVEL_CROSSING_SIZES.contains(&(remaining as usize)) {
            for j in 0..remaining {
                assert_eq!(h.call2(shims::rt_index, xs, int(j)).unwrap(), int(j));
            }
            assert_eq!(
                h.ctx.heap.blocks_in_use(),
                list::blocks_for_length(remaining as usize),
                "pop keeps the tree minimal at {remaining}"
            );
        }
    }
    let ops = h.trace_ops();
    assert!(!ops.contains(&"cow"), "a unique list is never copied");
    h.release(xs);
    h.assert_heap_equals(&before);
}

#[test]
fn push_on_a_unique_list_records_no_cow_and_shared_push_path_copies() {
    let mut h = Harness::new(256);
    let items: Vec<Value> = (0..20).map(int).collect();
    let xs = h.list(&items);

    h.start_trace();
    let xs = h.call2(shims::rt_push, xs, int(20)).unwrap();
    assert!(!h.trace_ops().contains(&"cow"));

    let shared = h.retain(xs);
    let before_push = h.snapshot();
    h.start_trace();
    let ys = h.call2(shims::rt_push, shared, int(99)).unwrap();
    let ops = h.trace_ops();
    // 21 elements fill leaves 0..=2 exactly: the head and the root are copied, the new
    // element goes into a freshly allocated leaf, and the three old leaves are now shared.
    assert_eq!(
        Harness::count_of(&ops, cairn_runtime::heap::RefOp::Cow),
        2,
        "{ops:?}"
    );
    assert_eq!(ops.last(), Some(&"malloc"), "{ops:?}");
    assert_ne!(xs, ys);
    let expected_old: Vec<String> = (0..21).map(|i| i.to_string()).collect();
    assert_eq!(h.show(xs), format!("[{}]", expected_old.join(", ")));
    assert_eq!(h.show(ys), format!("[{}, 99]", expected_old.join(", ")));
    assert_eq!(
        h.ctx.heap.snapshot().allocated_heads.len(),
        before_push.allocated_heads.len() + 3
    );
    // Pushing again onto the shared-structure copy (now unique along its right edge): in place.
    h.start_trace();
    let ys = h.call2(shims::rt_push, ys, int(100)).unwrap();
    assert!(!h.trace_ops().contains(&"cow"));
    h.release(ys);
    h.release(xs);
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}

#[test]
fn set_and_pop_on_shared_lists_leave_the_original_intact() {
    let mut h = Harness::new(512);
    let items: Vec<Value> = (0..60).map(int).collect();
    let xs = h.list(&items);
    let original = h.show(xs);

    let alias = h.retain(xs);
    h.start_trace();
    let ys = h.call3(shims::rt_set, alias, int(55), int(-1)).unwrap();
    assert!(h.trace_ops().contains(&"cow"));
    assert_eq!(h.show(xs), original);
    assert_eq!(h.call2(shims::rt_index, ys, int(55)).unwrap(), int(-1));
    assert_eq!(h.call2(shims::rt_index, ys, int(54)).unwrap(), int(54));

    let alias = h.retain(xs);
    let zs = h.call1(shims::rt_pop, alias).unwrap();
    assert_eq!(h.show(xs), original);
    assert_eq!(h.call1(shims::rt_len, zs).unwrap(), int(59));

    // A set along the path already copied is in place: same head back, nothing copied.
    h.start_trace();
    let ys2 = h.call3(shims::rt_set, ys, int(55), int(7)).unwrap();
    assert_eq!(ys2, ys);
    assert!(!h.trace_ops().contains(&"cow"));

    for v in [xs, ys2, zs] {
        h.release(v);
    }
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}

#[test]
fn heap_elements_are_shared_and_released_exactly_once() {
    let mut h = Harness::new(64);
    let before = h.snapshot();
    let a = h.text("a");
    let b = h.text("b");
    let xs = h.list(&[a, b]);
    let alias = h.retain(xs);
    let t = h.text("t");
    let ys = h.call2(shims::rt_push, alias, t).unwrap();
    assert_eq!(h.show(ys), r#"["a", "b", "t"]"#);
    assert_eq!(h.ctx.heap.ref_count(a.heap_block().unwrap()), 2);
    h.release(xs);
    h.release(ys);
    h.assert_heap_equals(&before);
}

#[test]
fn set_index_errors_and_push_type_errors_consume_owned_arguments() {
    let mut h = Harness::new(64);
    let before = h.snapshot();
    let xs = h.list(&[int(1), int(2), int(3)]);
    let v = h.text("v");
    let error = h.call3(shims::rt_set, xs, int(3), v).unwrap_err();
    assert_eq!(error.code, ErrorCode::RT0103);
    assert_eq!(error.message, "index out of bounds: index 3, length 3");
    h.assert_heap_equals(&before);

    let xs = h.list(&[int(1)]);
    let key = h.text("k");
    let v = h.text("v");
    let error = h.call3(shims::rt_set, xs, key, v).unwrap_err();
    assert_eq!(error.message, "list index expects an Int, got Text");
    h.release(key);
    h.assert_heap_equals(&before);

    let not_a_list = h.text("s");
    let v = h.text("v");
    let error = h.call2(shims::rt_push, not_a_list, v).unwrap_err();
    assert_eq!(error.code, ErrorCode::RT0303);
    assert_eq!(
        error.message,
        "type mismatch: push expects a List, got Text"
    );
    h.assert_heap_equals(&before);

    let empty = h.list(&[]);
    let error = h.call1(shims::rt_pop, empty).unwrap_err();
    assert_eq!(error.message, "pop from an empty list");
    h.assert_heap_equals(&before);
}

#[test]
fn spread_and_concat_share_elements_and_keep_operands() {
    let mut h = Harness::new(256);
    let before = h.snapshot();
    let s = h.text("s");
    let xs = h.list(&[int(1), s]);
    let start = h.list(&[int(0)]);
    let spread = h.call2(shims::rt_list_extend, start, xs).unwrap();
    assert_eq!(h.show(spread), r#"[0, 1, "s"]"#);
    let joined = h.call2(shims::rt_concat, spread, xs).unwrap();
    assert_eq!(h.show(joined), r#"[0, 1, "s", 1, "s"]"#);
    assert_eq!(h.show(xs), r#"[1, "s"]"#);
    let error = h.call2(shims::rt_list_extend, xs, int(3));
    assert_eq!(
        error.unwrap_err().message,
        "type mismatch: spread expects a List, got Int"
    );
    // xs was consumed by the failing spread; its other owners: none left but spread/joined.
    for v in [spread, joined] {
        h.release(v);
    }
    h.assert_heap_equals(&before);
}

#[test]
fn building_a_list_on_an_exhausted_heap_leaves_the_heap_unchanged() {
    let mut h = Harness::new(12);
    let texts: Vec<Value> = (0..6).map(|i| h.text(&format!("t{i}"))).collect();
    let before = h.snapshot();
    let retained: Vec<Value> = texts.iter().map(|&t| h.retain(t)).collect();
    let items: Vec<Value> = retained.into_iter().chain((0..50).map(int)).collect();
    let error = h.try_list(&items).unwrap_err();
    assert_eq!(error.code, ErrorCode::RT0401);
    // 56 elements: 8 leaves, one interior root and the head.
    assert_eq!(error.message, "heap exhausted: 10 blocks requested, 6 free");
    h.assert_heap_equals(&before);
    for t in texts {
        release(&mut h.ctx.heap, t).unwrap();
    }
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}

#[test]
fn push_on_a_full_heap_fails_cleanly_and_consumes_both_arguments() {
    let mut h = Harness::new(3);
    let before = h.snapshot();
    let xs = h.list(&[int(1)]); // head + leaf
    let v = h.text("v"); // third block
    let alias = h.retain(xs);
    let error = h.call2(shims::rt_push, alias, v).unwrap_err();
    assert_eq!(error.code, ErrorCode::RT0401);
    assert_eq!(h.show(xs), "[1]");
    h.release(xs);
    h.assert_heap_equals(&before);
}
