//! Exact diagnostics of the shims: every RT01xx indexing message, arithmetic (RT0301,
//! RT0302, RT0303 wordings), comparisons, `len`, `str`, `print`, and the control shims
//! (RT0501 / RT0502 / RT0503) with their depth protocol.

mod shim_harness;

use cairn_runtime::abi::shims;
use cairn_runtime::value::{INT_MAX, INT_MIN};
use cairn_runtime::{ErrorCode, Limits, Value};
use shim_harness::{Harness, int};

fn message(
    h: &mut Harness,
    result: Result<Value, cairn_runtime::RuntimeError>,
) -> (ErrorCode, String) {
    let error = result.unwrap_err();
    assert!(h.ctx.pending_error().is_none());
    (error.code, error.message)
}

#[test]
fn every_indexing_diagnostic_has_the_exact_spec_wording() {
    let mut h = Harness::new(64);
    let before = h.snapshot();
    let xs = h.list(&[int(1), int(2), int(3)]);
    let t = h.tuple(&[int(1), Value::TRUE]);
    let a = h.text("a");
    let key_b = h.text("b");
    let m = h.map(&[a, int(1)]);
    let one_point_five = Value::float(1.5);
    let inner = h.list(&[]);

    let cases: Vec<(Value, Value, ErrorCode, &str)> = vec![
        (
            xs,
            one_point_five,
            ErrorCode::RT0101,
            "list index expects an Int, got Float",
        ),
        (
            xs,
            key_b,
            ErrorCode::RT0101,
            "list index expects an Int, got Text",
        ),
        (
            t,
            Value::UNIT,
            ErrorCode::RT0102,
            "tuple index expects an Int, got Unit",
        ),
        (
            xs,
            int(-1),
            ErrorCode::RT0103,
            "index out of bounds: index -1, length 3",
        ),
        (
            xs,
            int(3),
            ErrorCode::RT0103,
            "index out of bounds: index 3, length 3",
        ),
        (
            t,
            int(2),
            ErrorCode::RT0103,
            "index out of bounds: index 2, length 2",
        ),
        (
            m,
            inner,
            ErrorCode::RT0104,
            "map key is not a valid key type: List",
        ),
        (
            m,
            Value::float(f64::NAN),
            ErrorCode::RT0104,
            "map key is NaN, which is not a valid key (NaN equals nothing, not even itself)",
        ),
        (m, key_b, ErrorCode::RT0105, "missing map key: \"b\""),
        (m, int(7), ErrorCode::RT0105, "missing map key: 7"),
        (
            int(5),
            int(0),
            ErrorCode::RT0106,
            "expected List/Tuple/Map/Text for indexed access, got Int",
        ),
        (
            Value::TRUE,
            int(0),
            ErrorCode::RT0106,
            "expected List/Tuple/Map/Text for indexed access, got Bool",
        ),
    ];
    for (base, index, code, text) in cases {
        let got = h.call2(shims::rt_index, base, index);
        assert_eq!(message(&mut h, got), (code, text.to_string()));
    }
    assert_eq!(h.call2(shims::rt_index, xs, int(2)).unwrap(), int(3));
    assert_eq!(h.call2(shims::rt_index, t, int(1)).unwrap(), Value::TRUE);
    let a_again = h.text("a");
    assert_eq!(h.call2(shims::rt_index, m, a_again).unwrap(), int(1));
    for v in [xs, t, m, key_b, inner, a_again] {
        h.release(v);
    }
    h.assert_heap_equals(&before);
}

#[test]
fn get_returns_the_default_when_absent_but_still_raises_type_errors() {
    let mut h = Harness::new(64);
    let before = h.snapshot();
    let xs = h.list(&[int(10)]);
    let k = h.text("k");
    let m = h.map(&[k, int(1)]);
    let default = h.text("default");
    let got = h.call3(shims::rt_get, xs, int(5), default).unwrap();
    assert_eq!(got, default);
    let got2 = h.call3(shims::rt_get, xs, int(-1), got).unwrap();
    assert_eq!(h.show(got2), "\"default\"");
    // Found: the element comes back, the default is released.
    assert_eq!(h.call3(shims::rt_get, xs, int(0), got2).unwrap(), int(10));
    let k2 = h.text("k");
    assert_eq!(h.call3(shims::rt_get, m, k2, Value::UNIT).unwrap(), int(1));
    assert_eq!(
        h.call3(shims::rt_get, m, int(1), Value::FALSE).unwrap(),
        Value::FALSE
    );
    let d = h.text("d");
    let got = h.call3(shims::rt_get, xs, Value::TRUE, d);
    assert_eq!(
        message(&mut h, got).1,
        "list index expects an Int, got Bool"
    );
    let d = h.text("d");
    let got = h.call3(shims::rt_get, int(1), int(0), d);
    assert_eq!(message(&mut h, got).0, ErrorCode::RT0106);
    let d = h.text("d");
    let got = h.call3(shims::rt_get, m, xs, d);
    assert_eq!(
        message(&mut h, got).1,
        "map key is not a valid key type: List"
    );
    for v in [xs, m, k2] {
        h.release(v);
    }
    h.assert_heap_equals(&before);
}

#[test]
fn integer_arithmetic_is_checked_and_floats_promote() {
    let mut h = Harness::new(16);
    assert_eq!(h.call2(shims::rt_add, int(2), int(3)).unwrap(), int(5));
    assert_eq!(h.call2(shims::rt_sub, int(2), int(3)).unwrap(), int(-1));
    assert_eq!(h.call2(shims::rt_mul, int(-4), int(3)).unwrap(), int(-12));
    assert_eq!(h.call2(shims::rt_div, int(-7), int(2)).unwrap(), int(-3));
    assert_eq!(h.call2(shims::rt_rem, int(-7), int(2)).unwrap(), int(-1));
    assert_eq!(h.call2(shims::rt_rem, int(7), int(-2)).unwrap(), int(1));
    assert_eq!(
        h.call2(shims::rt_add, int(1), Value::float(0.5)).unwrap(),
        Value::float(1.5)
    );
    assert_eq!(h.call2(shims::rt_div, int(1), int(2)).unwrap(), int(0));
    assert_eq!(
        h.call2(shims::rt_div, Value::float(1.0), int(0)).unwrap(),
        Value::float(f64::INFINITY)
    );
    assert_eq!(
        h.call1(shims::rt_neg, Value::float(2.5)).unwrap(),
        Value::float(-2.5)
    );
    assert_eq!(h.call1(shims::rt_neg, int(INT_MAX)).unwrap(), int(-INT_MAX));
    let overflow = [
        h.call2(shims::rt_add, int(INT_MAX), int(1)),
        h.call2(shims::rt_sub, int(INT_MIN), int(1)),
        h.call2(shims::rt_mul, int(INT_MAX), int(2)),
        h.call2(shims::rt_div, int(INT_MIN), int(-1)),
        h.call1(shims::rt_neg, int(INT_MIN)),
    ];
    for result in overflow {
        assert_eq!(
            message(&mut h, result),
            (ErrorCode::RT0301, "integer overflow".to_string())
        );
    }
    for result in [
        h.call2(shims::rt_div, int(1), int(0)),
        h.call2(shims::rt_rem, int(1), int(0)),
    ] {
        assert_eq!(
            message(&mut h, result),
            (ErrorCode::RT0302, "division by zero".to_string())
        );
    }
}

#[test]
fn type_mismatches_name_the_operator_the_expectation_and_the_kinds() {
    let mut h = Harness::new(16);
    let before = h.snapshot();
    let s = h.text("s");
    let xs = h.list(&[]);
    let cases = [
        (
            h.call2(shims::rt_add, int(1), s),
            "type mismatch: + expects numbers or Text, got Int and Text",
        ),
        (
            h.call2(shims::rt_sub, s, s),
            "type mismatch: - expects numbers, got Text and Text",
        ),
        (
            h.call2(shims::rt_mul, Value::TRUE, int(1)),
            "type mismatch: * expects numbers, got Bool and Int",
        ),
        (
            h.call2(shims::rt_div, Value::UNIT, int(1)),
            "type mismatch: / expects numbers, got Unit and Int",
        ),
        (
            h.call2(shims::rt_rem, xs, int(1)),
            "type mismatch: % expects numbers, got List and Int",
        ),
        (
            h.call2(shims::rt_concat, xs, s),
            "type mismatch: ++ expects two Lists or two Texts, got List and Text",
        ),
        (
            h.call1(shims::rt_neg, s),
            "type mismatch: - expects numbers, got Text",
        ),
        (
            h.call1(shims::rt_not, int(0)),
            "type mismatch: not expects Bool, got Int",
        ),
        (
            h.call2(shims::rt_lt, int(1), s),
            "type mismatch: < expects numbers or Text, got Int and Text",
        ),
        (
            h.call2(shims::rt_ge, xs, xs),
            "type mismatch: >= expects numbers or Text, got List and List",
        ),
        (
            h.call2(shims::rt_expect_bool, int(1), Value(0)),
            "type mismatch: if expects Bool, got Int",
        ),
        (
            h.call2(shims::rt_expect_bool, Value::UNIT, Value(1)),
            "type mismatch: and expects Bool, got Unit",
        ),
        (
            h.call2(shims::rt_expect_bool, s, Value(2)),
            "type mismatch: or expects Bool, got Text",
        ),
        (
            h.call1(shims::rt_len, int(3)),
            "type mismatch: len expects List, Tuple, Map or Text, got Int",
        ),
    ];
    for (result, text) in cases {
        let (code, got) = message(&mut h, result);
        assert_eq!((code, got.as_str()), (ErrorCode::RT0303, text));
    }
    assert_eq!(
        h.call2(shims::rt_expect_bool, Value::TRUE, Value(1))
            .unwrap(),
        Value::TRUE
    );
    assert_eq!(h.call1(shims::rt_not, Value::TRUE).unwrap(), Value::FALSE);
    h.release(s);
    h.release(xs);
    h.assert_heap_equals(&before);
}

#[test]
fn comparisons_are_structural_and_numeric_across_int_and_float() {
    let mut h = Harness::new(64);
    let a1 = h.text("abc");
    let a2 = h.text("abc");
    let b = h.text("abd");
    assert_eq!(h.call2(shims::rt_eq, a1, a2).unwrap(), Value::TRUE);
    assert_eq!(h.call2(shims::rt_lt, a1, b).unwrap(), Value::TRUE);
    assert_eq!(h.call2(shims::rt_ge, a1, b).unwrap(), Value::FALSE);
    assert_eq!(
        h.call2(shims::rt_eq, int(1), Value::float(1.0)).unwrap(),
        Value::TRUE
    );
    assert_eq!(
        h.call2(shims::rt_ne, int(1), Value::TRUE).unwrap(),
        Value::TRUE
    );
    let nan = Value::float(f64::NAN);
    assert_eq!(h.call2(shims::rt_eq, nan, nan).unwrap(), Value::FALSE);
    assert_eq!(h.call2(shims::rt_lt, nan, int(1)).unwrap(), Value::FALSE);
    assert_eq!(h.call2(shims::rt_ge, nan, int(1)).unwrap(), Value::FALSE);
    assert_eq!(
        h.call2(shims::rt_le, int(2), Value::float(2.0)).unwrap(),
        Value::TRUE
    );
    assert_eq!(
        h.call2(shims::rt_gt, int(3), Value::float(2.5)).unwrap(),
        Value::TRUE
    );
    let l1 = h.list(&[int(1), Value::float(2.0)]);
    let l2 = h.list(&[Value::float(1.0), int(2)]);
    let l3 = h.list(&[int(1)]);
    assert_eq!(h.call2(shims::rt_eq, l1, l2).unwrap(), Value::TRUE);
    assert_eq!(h.call2(shims::rt_eq, l1, l3).unwrap(), Value::FALSE);
    let t1 = h.tuple(&[int(1)]);
    assert_eq!(h.call2(shims::rt_eq, t1, l3).unwrap(), Value::FALSE);
    let k1 = h.text("k");
    let k2 = h.text("k");
    let m1 = h.map(&[k1, int(1), int(2), Value::UNIT]);
    let m2 = h.map(&[Value::float(2.0), Value::UNIT, k2, Value::float(1.0)]);
    assert_eq!(h.call2(shims::rt_eq, m1, m2).unwrap(), Value::TRUE);
    assert_eq!(
        h.call2(shims::rt_eq, Value::UNIT, Value::UNIT).unwrap(),
        Value::TRUE
    );
}

#[test]
fn len_str_and_print_follow_the_canonical_form() {
    let mut h = Harness::new(64);
    let before = h.snapshot();
    let s = h.text("héllo");
    assert_eq!(h.call1(shims::rt_len, s).unwrap(), int(5));
    let xs = h.list(&[int(1), int(2)]);
    assert_eq!(h.call1(shims::rt_len, xs).unwrap(), int(2));
    let t = h.tuple(&[int(1), int(2), int(3)]);
    assert_eq!(h.call1(shims::rt_len, t).unwrap(), int(3));
    let m = h.map(&[int(1), int(2)]);
    assert_eq!(h.call1(shims::rt_len, m).unwrap(), int(1));

    let same = h.call1(shims::rt_str, s).unwrap();
    assert_eq!(same, s, "str of a Text is the Text itself");
    let quoted = h.text("q\"");
    let nested = h.list(&[quoted, Value::float(2.0)]);
    let shown = h.call1(shims::rt_str, nested).unwrap();
    assert_eq!(h.show(shown), r#""[\"q\\\"\", 2.0]""#);

    for v in [s, nested, Value::float(-1.5), Value::UNIT] {
        assert_eq!(h.call1(shims::rt_print, v).unwrap(), Value::UNIT);
    }
    assert_eq!(
        String::from_utf8(h.ctx.output.clone()).unwrap(),
        "héllo\n[\"q\\\"\", 2.0]\n-1.5\n()\n"
    );
    for v in [s, same, xs, t, m, nested, shown] {
        h.release(v);
    }
    h.assert_heap_equals(&before);
}

#[test]
fn enter_counts_depth_fuel_and_cancellation_and_leave_always_balances() {
    let mut h = Harness::with_limits(Limits {
        heap_blocks: 4,
        max_call_depth: 2,
        fuel: Some(4),
        ..Limits::default()
    });
    assert_eq!(h.call0(shims::rt_enter).unwrap(), Value(1));
    assert_eq!(h.call0(shims::rt_enter).unwrap(), Value(1));
    let error = h.call0(shims::rt_enter).unwrap_err();
    assert_eq!(
        (error.code, error.message.as_str()),
        (ErrorCode::RT0501, "stack overflow: call depth exceeds 2")
    );
    assert_eq!(
        h.ctx.call_depth, 3,
        "a failed Enter leaves the depth incremented"
    );
    for _ in 0..3 {
        assert_eq!(h.call0(shims::rt_leave).unwrap(), Value(1));
    }
    assert_eq!(h.ctx.call_depth, 0);
    assert_eq!(h.call0(shims::rt_leave).unwrap(), Value(1));
    assert_eq!(h.ctx.call_depth, 0, "leave saturates at zero");

    assert_eq!(h.call0(shims::rt_fuel).unwrap(), Value(1));
    assert_eq!(h.call0(shims::rt_fuel).unwrap(), Value(1));
    let error = h.call0(shims::rt_fuel).unwrap_err();
    assert_eq!(
        (error.code, error.message.as_str()),
        (ErrorCode::RT0502, "out of fuel")
    );

    h.ctx.begin_run();
    h.ctx.cancel.cancel();
    let error = h.call0(shims::rt_enter).unwrap_err();
    assert_eq!(
        (error.code, error.message.as_str()),
        (ErrorCode::RT0503, "execution cancelled")
    );

    let ptr = h.ctx.as_ptr();
    // SAFETY: live context, unaliased during the call.
    assert_eq!(unsafe { shims::rt_unwind_frame(ptr, 3, 9) }, 0);
    assert_eq!(
        h.ctx.error_frames,
        vec![cairn_runtime::ErrorFrame { function: 3, op: 9 }]
    );
}
