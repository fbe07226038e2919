//! Map behaviour through the shims: ascending key order across key kinds, Float-to-Int key
//! coercion, NaN and non-key rejection, unique vs shared insert/remove (trace), a
//! randomized comparison against `BTreeMap` with AVL invariants checked, and heap balance.

mod shim_harness;

use std::collections::BTreeMap;

use cairn_runtime::abi::shims;
use cairn_runtime::heap::{Heap, RefOp};
use cairn_runtime::objects::header::block_of;
use cairn_runtime::objects::map::{
    NODE_LEFT_OFFSET, NODE_RIGHT_OFFSET, map_root_slot, node_height, node_size, slot,
};
use cairn_runtime::{ErrorCode, Value};
use shim_harness::{Harness, int};

#[test]
fn keys_iterate_in_ascending_order_unit_bool_numbers_text_tuple() {
    let mut h = Harness::new(128);
    let before = h.snapshot();
    let b = h.text("b");
    let a = h.text("a");
    let t2 = h.tuple(&[int(1), int(2)]);
    let t1 = h.tuple(&[int(1)]);
    let m = h.map(&[
        t2,
        int(1),
        b,
        int(2),
        Value::float(2.5),
        int(3),
        Value::TRUE,
        int(4),
        a,
        int(5),
        int(-3),
        int(6),
        Value::UNIT,
        int(7),
        Value::FALSE,
        int(8),
        t1,
        int(9),
    ]);
    assert_eq!(
        h.show(m),
        r#"#{(): 7, false: 8, true: 4, -3: 6, 2.5: 3, "a": 5, "b": 2, (1,): 9, (1, 2): 1}"#
    );
    assert_eq!(h.call1(shims::rt_len, m).unwrap(), int(9));
    h.release(m);
    h.assert_heap_equals(&before);
}

#[test]
fn integral_floats_and_ints_are_the_same_key_and_later_duplicates_win() {
    let mut h = Harness::new(64);
    let before = h.snapshot();
    let m = h.map(&[
        int(1),
        int(10),
        Value::float(1.0),
        int(20),
        Value::float(1.5),
        int(30),
    ]);
    assert_eq!(h.show(m), "#{1: 20, 1.5: 30}");
    assert_eq!(h.call2(shims::rt_has, m, int(1)).unwrap(), Value::TRUE);
    assert_eq!(
        h.call2(shims::rt_index, m, Value::float(1.0)).unwrap(),
        int(20)
    );
    let m = h
        .call3(shims::rt_insert, m, Value::float(1.0), int(99))
        .unwrap();
    assert_eq!(h.show(m), "#{1: 99, 1.5: 30}");
    let m = h.call2(shims::rt_remove, m, int(1)).unwrap();
    assert_eq!(h.show(m), "#{1.5: 30}");
    let error = h
        .call3(shims::rt_insert, m, Value::float(f64::NAN), int(1))
        .unwrap_err();
    assert_eq!(
        (error.code, error.message.as_str()),
        (
            ErrorCode::RT0104,
            "map key is NaN, which is not a valid key (NaN equals nothing, not even itself)"
        )
    );
    h.assert_heap_equals(&before); // the failed insert consumed the map
}

#[test]
fn invalid_keys_are_rejected_and_every_owned_word_is_released() {
    let mut h = Harness::new(64);
    let before = h.snapshot();
    let xs = h.list(&[int(1)]);
    let v = h.text("v");
    let error = h.try_map(&[int(1), int(2), xs, v]).unwrap_err();
    assert_eq!(error.message, "map key is not a valid key type: List");
    h.assert_heap_equals(&before);

    let inner = h.map(&[]);
    let tuple_key = h.tuple(&[int(1), inner]);
    let m = h.map(&[]);
    let error = h
        .call3(shims::rt_insert, m, tuple_key, Value::UNIT)
        .unwrap_err();
    assert_eq!(error.message, "map key is not a valid key type: Map");
    h.assert_heap_equals(&before);

    let m = h.map(&[]);
    let error = h
        .call2(shims::rt_has, m, Value::float(f64::NAN))
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::RT0104);
    let error = h
        .call3(shims::rt_insert, int(3), int(1), int(2))
        .unwrap_err();
    assert_eq!(
        error.message,
        "type mismatch: insert expects a Map, got Int"
    );
    let error = h.call2(shims::rt_has, int(3), int(1)).unwrap_err();
    assert_eq!(error.message, "type mismatch: has expects a Map, got Int");
    h.release(m);
    h.assert_heap_equals(&before);
}

#[test]
fn unique_insert_is_in_place_and_shared_insert_path_copies() {
    let mut h = Harness::new(256);
    let mut m = h.map(&[]);
    for k in 0..20 {
        m = h.call3(shims::rt_insert, m, int(k), int(k * 10)).unwrap();
    }
    h.start_trace();
    let m2 = h.call3(shims::rt_insert, m, int(100), int(1)).unwrap();
    assert_eq!(m2, m);
    assert!(!h.trace_ops().contains(&"cow"));

    let alias = h.retain(m2);
    h.start_trace();
    let m3 = h.call3(shims::rt_insert, alias, int(50), int(5)).unwrap();
    let ops = h.trace_ops();
    assert!(Harness::count_of(&ops, RefOp::Cow) >= 2, "{ops:?}");
    assert_ne!(m3, m2);
    assert_eq!(h.call1(shims::rt_len, m2).unwrap(), int(21));
    assert_eq!(h.call1(shims::rt_len, m3).unwrap(), int(22));
    assert_eq!(h.call2(shims::rt_has, m2, int(50)).unwrap(), Value::FALSE);
    assert_eq!(h.call2(shims::rt_index, m3, int(50)).unwrap(), int(5));

    let alias = h.retain(m3);
    let m4 = h.call2(shims::rt_remove, alias, int(0)).unwrap();
    assert_eq!(h.call2(shims::rt_has, m3, int(0)).unwrap(), Value::TRUE);
    assert_eq!(h.call2(shims::rt_has, m4, int(0)).unwrap(), Value::FALSE);
    // Removing an absent key returns the same map without copying.
    let alias = h.retain(m4);
    h.start_trace();
    let m5 = h.call2(shims::rt_remove, alias, int(12345)).unwrap();
    assert_eq!(m5, m4);
    assert!(!h.trace_ops().contains(&"cow"));
    for v in [m2, m3, m4, m5] {
        h.release(v);
    }
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}

/// Checks AVL balance, stored heights and sizes; returns (height, size).
fn check_avl(heap: &Heap, node: Value) -> (u8, u32) {
    if node.bits() == 0 {
        return (0, 0);
    }
    let block = block_of(node);
    let (lh, ls) = check_avl(heap, slot(block, NODE_LEFT_OFFSET).read(heap));
    let (rh, rs) = check_avl(heap, slot(block, NODE_RIGHT_OFFSET).read(heap));
    assert!(
        (lh as i32 - rh as i32).abs() <= 1,
        "unbalanced node {block}"
    );
    assert_eq!(node_height(heap, node), 1 + lh.max(rh));
    assert_eq!(node_size(heap, node), 1 + ls + rs);
    (1 + lh.max(rh), 1 + ls + rs)
}

#[test]
fn random_inserts_and_removes_match_a_btreemap_and_stay_balanced() {
    let mut h = Harness::new(65_535);
    let before = h.snapshot();
    let mut model = BTreeMap::new();
    let mut m = h.map(&[]);
    let mut kept = Vec::new();
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for step in 0..3000i64 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let key = (seed % 400) as i64;
        if step % 97 == 0 {
            kept.push(h.retain(m)); // keep old versions alive: later updates must copy
        }
        if seed.is_multiple_of(3) {
            m = h.call2(shims::rt_remove, m, int(key)).unwrap();
            model.remove(&key);
        } else {
            m = h.call3(shims::rt_insert, m, int(key), int(step)).unwrap();
            model.insert(key, step);
        }
    }
    let head = block_of(m);
    let (_, size) = check_avl(&h.ctx.heap, map_root_slot(head).read(&h.ctx.heap));
    assert_eq!(size as usize, model.len());
    let expected: Vec<String> = model.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    assert_eq!(h.show(m), format!("#{{{}}}", expected.join(", ")));
    for old in kept {
        let old_head = block_of(old);
        check_avl(&h.ctx.heap, map_root_slot(old_head).read(&h.ctx.heap));
        h.release(old);
    }
    h.release(m);
    h.assert_heap_equals(&before);
}

#[test]
fn insert_on_an_exhausted_heap_fails_cleanly() {
    let mut h = Harness::new(4);
    let before = h.snapshot();
    let m = h.map(&[int(1), int(1), int(2), int(2)]); // head + 2 nodes
    let alias = h.retain(m);
    let v = h.text("v");
    let error = h.call3(shims::rt_insert, alias, int(3), v).unwrap_err();
    assert_eq!(error.code, ErrorCode::RT0401);
    assert_eq!(h.show(m), "#{1: 1, 2: 2}");
    h.release(m);
    h.assert_heap_equals(&before);
}

#[test]
fn a_shared_update_that_runs_out_of_blocks_half_way_leaks_nothing() {
    let mut h = Harness::new(40);
    let before = h.snapshot();
    let mut m = h.map(&[]);
    for k in 0..20 {
        m = h.call3(shims::rt_insert, m, int(k), int(k)).unwrap();
    }
    let mut fillers = Vec::new();
    while h.ctx.heap.free_count() > 2 {
        fillers.push(h.text("x"));
    }
    let shown = h.show(m);
    let alias = h.retain(m);
    h.start_trace();
    // The head and the root are copied (2 blocks), then the next path copy fails.
    let error = h
        .call3(shims::rt_insert, alias, int(100), int(1))
        .unwrap_err();
    assert_eq!(error.message, "heap exhausted: 1 blocks requested, 0 free");
    assert_eq!(Harness::count_of(&h.trace_ops(), RefOp::Cow), 2);
    assert_eq!(h.show(m), shown);
    h.release(m);
    for filler in fillers {
        h.release(filler);
    }
    h.assert_heap_equals(&before);

    // The same for a list: a shared push whose leaf copy does not fit.
    let items: Vec<Value> = (0..10).map(int).collect();
    let xs = h.list(&items);
    let mut fillers = Vec::new();
    while h.ctx.heap.free_count() > 2 {
        fillers.push(h.text("x"));
    }
    let alias = h.retain(xs);
    let error = h.call2(shims::rt_push, alias, int(10)).unwrap_err();
    assert_eq!(error.code, ErrorCode::RT0401);
    assert_eq!(h.show(xs), "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]");
    h.release(xs);
    for filler in fillers {
        h.release(filler);
    }
    h.assert_heap_equals(&before);
}
