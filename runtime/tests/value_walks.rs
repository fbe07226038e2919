//! Walks over values that are deep or share objects: equality memoises shared pairs and
//! charges fuel, printing measures the form first and refuses one past
//! `Limits::max_output_bytes` with RT0405 (heap unchanged, context reusable), map keys that
//! share Tuples compare in linear time (docs/MEMORY.md, "Walks over values").

mod shim_harness;

use cairn_runtime::abi::shims;
use cairn_runtime::objects::equality::values_equal_counting;
use cairn_runtime::objects::keys::{compare_keys, normalize_key};
use cairn_runtime::objects::print::canonical_form_for_run;
use cairn_runtime::{ErrorCode, Limits, Value};
use shim_harness::Harness;

fn int(n: i64) -> Value {
    Value::int(n).unwrap()
}

/// `[x, x]` nested `n` deep over `leaf` (n objects, 2^n leaves); `tuple` builds `(x, x)`.
fn doubled(h: &mut Harness, leaf: Value, n: usize, tuple: bool) -> Value {
    let mut x = leaf;
    for _ in 0..n {
        let again = h.retain(x);
        x = if tuple {
            h.tuple(&[x, again])
        } else {
            h.list(&[x, again])
        };
    }
    x
}

#[test]
fn equality_of_shared_values_compares_each_pair_once() {
    let mut h = Harness::new(1 << 12);
    let x = doubled(&mut h, int(1), 40, false);
    let y = doubled(&mut h, int(1), 40, false);
    let z = doubled(&mut h, int(2), 40, false);
    // The root pair, then each of the 40 levels below: its pair compared once and met
    // once more (memoised); 2^41 - 1 pairs without the memo.
    assert_eq!(
        values_equal_counting(&mut *h.ctx, x, y).unwrap(),
        (true, 81)
    );
    // The same NaN-free container: identity is equality, one step.
    assert_eq!(values_equal_counting(&mut *h.ctx, x, x).unwrap(), (true, 1));
    // The same container holding a NaN is walked (and unequal to itself).
    let nan = doubled(&mut h, Value::float(f64::NAN), 40, false);
    assert_eq!(
        values_equal_counting(&mut *h.ctx, nan, nan).unwrap(),
        (false, 41)
    );
    // Unequal: the walk stops at the first leaf pair.
    assert_eq!(
        values_equal_counting(&mut *h.ctx, x, z).unwrap(),
        (false, 41)
    );
    // Through the shim, as the engines call it.
    assert_eq!(h.call2(shims::rt_eq, x, y).unwrap(), Value::TRUE);
    assert_eq!(h.call2(shims::rt_ne, x, z).unwrap(), Value::TRUE);
    for v in [x, y, z, nan] {
        h.release(v);
    }
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}

#[test]
fn equality_of_unshared_trees_keeps_no_memo_and_nan_is_never_equal() {
    let mut h = Harness::new(1 << 12);
    let a = h.list(&[int(1), int(2)]);
    let b = h.list(&[int(1), int(2)]);
    let outer_a = h.list(&[a]);
    let outer_b = h.list(&[b]);
    assert_eq!(
        values_equal_counting(&mut *h.ctx, outer_a, outer_b).unwrap(),
        (true, 4)
    );
    // Identity is no shortcut: a List holding NaN is not equal to itself.
    let nan = h.list(&[Value::float(f64::NAN)]);
    assert_eq!(h.call2(shims::rt_eq, nan, nan).unwrap(), Value::FALSE);
    for v in [outer_a, outer_b, nan] {
        h.release(v);
    }
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}

fn long_list(h: &mut Harness, n: i64) -> Value {
    let items: Vec<Value> = (0..n).map(int).collect();
    h.list(&items)
}

#[test]
fn long_equality_charges_one_fuel_unit_per_1024_pairs_and_runs_out() {
    // 100,001 pairs (the root and 100,000 elements): 97 fuel units.
    let mut h = Harness::with_limits(Limits {
        fuel: Some(97),
        ..Limits::default()
    });
    let (xs, ys) = (long_list(&mut h, 100_000), long_list(&mut h, 100_000));
    let before = h.ctx.heap.blocks_in_use();
    assert_eq!(h.call2(shims::rt_eq, xs, ys).unwrap(), Value::TRUE);
    assert_eq!(h.ctx.fuel_remaining, 0);
    let error = h.call2(shims::rt_eq, xs, ys).unwrap_err();
    assert_eq!(
        (error.code, error.message.as_str()),
        (ErrorCode::RT0502, "out of fuel")
    );
    assert_eq!(h.ctx.heap.blocks_in_use(), before);
    h.release(xs);
    h.release(ys);
}

#[test]
fn long_equality_observes_cancellation() {
    let mut h = Harness::new(1 << 12);
    let (xs, ys) = (long_list(&mut h, 5_000), long_list(&mut h, 5_000));
    // Short values compare without a fuel point, so a set flag is not seen.
    let (a, b) = (long_list(&mut h, 10), long_list(&mut h, 10));
    h.ctx.cancel.cancel();
    assert_eq!(h.call2(shims::rt_eq, a, b).unwrap(), Value::TRUE);
    let error = h.call2(shims::rt_eq, xs, ys).unwrap_err();
    assert_eq!(error.code, ErrorCode::RT0503);
    h.ctx.cancel.reset();
    for v in [xs, ys, a, b] {
        h.release(v);
    }
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}

#[test]
fn printing_a_form_past_the_budget_is_rt0405_before_it_is_built() {
    // The form of `doubled(1, k)` is 5 * 2^k - 4 bytes: 1,276 for k = 8, 636 for k = 7.
    let mut h = Harness::with_limits(Limits {
        max_output_bytes: 1_000,
        ..Limits::default()
    });
    let small = doubled(&mut h, int(1), 7, false);
    let big = doubled(&mut h, int(1), 8, false);
    let before = h.snapshot();
    let error = h.call1(shims::rt_print, big).unwrap_err();
    assert_eq!(error.code, ErrorCode::RT0405);
    assert_eq!(
        error.message,
        "output too large: the printed form exceeds the limit of 1000 bytes"
    );
    assert_eq!(
        h.call1(shims::rt_str, big).unwrap_err().code,
        ErrorCode::RT0405
    );
    assert_eq!(
        h.call1(shims::rt_fail, big).unwrap_err().code,
        ErrorCode::RT0405
    );
    assert!(h.ctx.output.is_empty());
    h.assert_heap_equals(&before);
    // The context is reusable: the smaller value prints, exactly.
    assert_eq!(h.call1(shims::rt_print, small).unwrap(), Value::UNIT);
    assert_eq!(h.ctx.output.len(), 636 + 1);
    assert_eq!(
        canonical_form_for_run(&mut h.ctx, small, true)
            .unwrap()
            .len(),
        636
    );
    h.release(small);
    h.release(big);
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}

#[test]
fn printing_2_to_the_30_shared_leaves_fails_at_the_default_budget() {
    let mut h = Harness::new(1 << 12);
    let x = doubled(&mut h, int(1), 30, false);
    let blocks = h.ctx.heap.blocks_in_use();
    assert_eq!(blocks, 60, "30 Lists of two elements, two blocks each");
    let error = h.call1(shims::rt_print, x).unwrap_err();
    assert_eq!(
        (error.code, error.message.as_str()),
        (
            ErrorCode::RT0405,
            "output too large: the printed form exceeds the limit of 67108864 bytes"
        )
    );
    assert_eq!(h.ctx.heap.blocks_in_use(), blocks);
    h.release(x);
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}

#[test]
fn map_keys_that_share_tuples_normalize_and_compare_in_linear_time() {
    let mut h = Harness::new(1 << 12);
    let k1 = doubled(&mut h, int(1), 40, true);
    let k2 = doubled(&mut h, Value::float(1.0), 40, true);
    let k3 = doubled(&mut h, int(2), 40, true);
    assert_eq!(normalize_key(&h.ctx.heap, k1).unwrap(), k1);
    assert_eq!(
        compare_keys(&h.ctx.heap, k1, k2).unwrap(),
        std::cmp::Ordering::Equal
    );
    assert_eq!(
        compare_keys(&h.ctx.heap, k1, k3).unwrap(),
        std::cmp::Ordering::Less
    );
    assert_eq!(
        compare_keys(&h.ctx.heap, k3, k1).unwrap(),
        std::cmp::Ordering::Greater
    );
    for v in [k1, k2, k3] {
        h.release(v);
    }
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}
