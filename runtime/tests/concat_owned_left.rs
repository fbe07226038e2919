//! `rt_concat_owned_left` (`++` with its left operand owned) against `rt_concat`: the same
//! results and the same diagnostics for every pair of operand kinds, the left operand
//! consumed whether it succeeds or fails, a unique Text appended to in place with no trace
//! event, and a shared one left unchanged.

mod shim_harness;

use cairn_runtime::abi::shims;
use cairn_runtime::{ErrorCode, Value};
use shim_harness::{Harness, int};

#[test]
fn results_and_diagnostics_equal_the_borrowing_concat_and_the_left_is_consumed() {
    let mut h = Harness::new(256);
    let before = h.snapshot();
    let operands = |h: &mut Harness| {
        vec![
            h.text("ab"),
            h.text(&"ü".repeat(40)),
            h.list(&[int(1), int(2)]),
            h.list(&[]),
            int(3),
            Value::float(1.5),
            Value::TRUE,
            Value::UNIT,
        ]
    };
    let lefts = operands(&mut h);
    let rights = operands(&mut h);
    for &left in &lefts {
        for &right in &rights {
            let shown_before = h.show(left);
            let borrowing = h.call2(shims::rt_concat, left, right);
            let owned_left = h.retain(left);
            let consuming = h.call2(shims::rt_concat_owned_left, owned_left, right);
            match (borrowing, consuming) {
                (Ok(expected), Ok(actual)) => {
                    assert_eq!(h.show(actual), h.show(expected));
                    h.release(expected);
                    h.release(actual);
                }
                (Err(expected), Err(actual)) => {
                    assert_eq!(
                        (actual.code, actual.message),
                        (expected.code, expected.message)
                    );
                }
                (expected, actual) => panic!("{expected:?} vs {actual:?}"),
            }
            assert_eq!(h.show(left), shown_before, "a shared left is unchanged");
        }
    }
    for value in lefts.into_iter().chain(rights) {
        h.release(value);
    }
    h.assert_heap_equals(&before);
}

#[test]
fn a_unique_text_is_appended_to_in_place_and_a_shared_one_is_copied() {
    let mut h = Harness::new(64);
    let before = h.snapshot();
    let piece = h.text(&"p".repeat(70));
    let mut built = h.text("");
    h.start_trace();
    for _ in 0..5 {
        let next = h.call2(shims::rt_concat_owned_left, built, piece).unwrap();
        assert_eq!(next, built, "in place");
        built = next;
    }
    assert!(h.trace_ops().is_empty(), "no refcount event");
    assert_eq!(h.show(built).len(), 350 + 2);
    let kept = h.retain(built);
    let copied = h.call2(shims::rt_concat_owned_left, built, piece).unwrap();
    assert_ne!(copied, kept);
    assert_eq!(h.show(kept), format!("\"{}\"", "p".repeat(350)));
    assert_eq!(h.show(copied), format!("\"{}\"", "p".repeat(420)));
    for value in [kept, copied, piece] {
        h.release(value);
    }
    h.assert_heap_equals(&before);
}

#[test]
fn quota_failure_of_an_append_consumes_the_left_and_changes_nothing_else() {
    let mut h = Harness::new(64);
    let piece = h.text(&"p".repeat(200));
    let before = h.snapshot();
    let left = h.text("left");
    h.ctx.heap.set_quota(Some(h.ctx.heap.blocks_in_use() + 1));
    let error = h
        .call2(shims::rt_concat_owned_left, left, piece)
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::RT0402);
    h.ctx.heap.set_quota(None);
    h.assert_heap_equals(&before);
    h.release(piece);
}
