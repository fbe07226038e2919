//! Tests of `rt_expect_tuple_arity`: the three outcomes (match, Tuple of another length,
//! not a Tuple) with their exact RT0303 wordings, a malformed arity, and that both
//! arguments stay borrowed (the heap is back to its snapshot after releasing the inputs).

use super::{rt_expect_tuple_arity, rt_list_from, rt_release, rt_tuple_from};
use crate::context::{Context, Limits};
use crate::error::{ErrorCode, RuntimeError};
use crate::heap::compare_snapshots;
use crate::value::{UNIT_WORD, Value};

fn context() -> Context {
    Context::new(Limits {
        heap_blocks: 64,
        ..Limits::default()
    })
    .expect("context")
}

fn int(n: i64) -> u64 {
    Value::int(n).expect("Int in range").bits()
}

/// A Tuple (or List) of the Ints `0..count`, built through the literal shim.
fn aggregate(
    context: &mut Context,
    shim: unsafe extern "C" fn(*mut Context, u64, u64) -> u64,
    count: i64,
) -> u64 {
    let words: Vec<u64> = (0..count).map(int).collect();
    let ptr = context.as_ptr();
    // SAFETY: `ptr` is the live context; `words` holds `count` initialised words.
    let word = unsafe { shim(ptr, words.as_ptr() as u64, words.len() as u64) };
    assert_ne!(word, 0, "literal failed: {:?}", context.pending_error());
    word
}

fn expect(context: &mut Context, value: u64, arity: u64) -> Result<u64, RuntimeError> {
    let ptr = context.as_ptr();
    // SAFETY: `ptr` is the live context, unaliased during the call.
    let word = unsafe { rt_expect_tuple_arity(ptr, value, arity) };
    if word == 0 {
        Err(context.take_failure().error)
    } else {
        assert!(context.pending_error().is_none());
        Ok(word)
    }
}

fn release(context: &mut Context, word: u64) {
    let ptr = context.as_ptr();
    // SAFETY: `ptr` is the live context; `word` is an owned value of this heap.
    assert_eq!(unsafe { rt_release(ptr, word) }, 1);
    assert!(context.heap.integrity_violations.is_empty());
}

#[test]
fn a_tuple_of_exactly_the_arity_gives_unit() {
    let mut context = context();
    let before = context.heap.snapshot();
    let pair = aggregate(&mut context, rt_tuple_from, 2);
    let single = aggregate(&mut context, rt_tuple_from, 1);
    assert_eq!(expect(&mut context, pair, int(2)), Ok(UNIT_WORD));
    assert_eq!(expect(&mut context, single, int(1)), Ok(UNIT_WORD));
    release(&mut context, pair);
    release(&mut context, single);
    let delta = compare_snapshots(&before, &context.heap.snapshot());
    assert!(delta.is_clean(), "borrowed arguments were touched: {delta}");
}

#[test]
fn a_tuple_of_another_length_is_rt0303_with_both_lengths() {
    let mut context = context();
    let before = context.heap.snapshot();
    let triple = aggregate(&mut context, rt_tuple_from, 3);
    let single = aggregate(&mut context, rt_tuple_from, 1);
    let cases = [
        (
            triple,
            2,
            "type mismatch: tuple pattern expects a Tuple of 2 elements, got Tuple of 3 elements",
        ),
        (
            triple,
            4,
            "type mismatch: tuple pattern expects a Tuple of 4 elements, got Tuple of 3 elements",
        ),
        (
            single,
            2,
            "type mismatch: tuple pattern expects a Tuple of 2 elements, got Tuple of 1 element",
        ),
        (
            triple,
            1,
            "type mismatch: tuple pattern expects a Tuple of 1 element, got Tuple of 3 elements",
        ),
    ];
    for (value, arity, message) in cases {
        let error = expect(&mut context, value, int(arity)).unwrap_err();
        assert_eq!(
            (error.code, error.message.as_str()),
            (ErrorCode::RT0303, message)
        );
    }
    release(&mut context, triple);
    release(&mut context, single);
    let delta = compare_snapshots(&before, &context.heap.snapshot());
    assert!(
        delta.is_clean(),
        "a failed check leaked or released: {delta}"
    );
}

#[test]
fn a_value_that_is_not_a_tuple_is_rt0303_with_its_kind() {
    let mut context = context();
    let before = context.heap.snapshot();
    let list = aggregate(&mut context, rt_list_from, 2);
    let cases = [
        (list, "List"),
        (int(7), "Int"),
        (UNIT_WORD, "Unit"),
        (Value::TRUE.bits(), "Bool"),
    ];
    for (value, kind) in cases {
        let error = expect(&mut context, value, int(2)).unwrap_err();
        assert_eq!(error.code, ErrorCode::RT0303);
        assert_eq!(
            error.message,
            format!("type mismatch: tuple pattern expects a Tuple of 2 elements, got {kind}")
        );
    }
    release(&mut context, list);
    let delta = compare_snapshots(&before, &context.heap.snapshot());
    assert!(
        delta.is_clean(),
        "a failed check leaked or released: {delta}"
    );
}

#[test]
fn an_arity_that_is_not_a_non_negative_int_is_an_internal_error() {
    let mut context = context();
    let pair = aggregate(&mut context, rt_tuple_from, 2);
    for arity in [int(-1), Value::float(2.0).bits(), UNIT_WORD] {
        let error = expect(&mut context, pair, arity).unwrap_err();
        assert_eq!(error.code, ErrorCode::RT0001, "{}", error.message);
        assert!(
            error.message.contains("rt_expect_tuple_arity"),
            "{}",
            error.message
        );
    }
    release(&mut context, pair);
}
