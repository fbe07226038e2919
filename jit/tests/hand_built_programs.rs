//! Hand-built IR run through the JIT: inline Int fast paths and their shim fallbacks,
//! branches, loops with block params, direct calls, literals, and failure paths whose
//! cleanup leaves the heap exactly as it was.

mod support;

use cairn_lang::ir::{BinaryOp, Builtin, Constant, Module, ParamMode, UnaryOp};
use cairn_runtime::context::ErrorFrame;
use cairn_runtime::error::ErrorCode;
use cairn_runtime::value::{INT_MAX, INT_MIN, Value};
use support::ir_builder::{BORROWED, FunctionBuilder, OWNED, module};
use support::{expect_failure, expect_int, run_clean, run_clean_with, small_limits};

/// `main() = lhs <op> rhs` on constants.
fn binary_module(op: BinaryOp, lhs: Constant, rhs: Constant) -> Module {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let a = main.constant(lhs);
    let b = main.constant(rhs);
    let r = main.binary(op, a, b, &[]);
    main.ret(r);
    module(vec![main.finish()], 0)
}

fn run_binary(
    op: BinaryOp,
    lhs: Constant,
    rhs: Constant,
) -> Result<Value, cairn_runtime::RunFailure> {
    run_clean(&binary_module(op, lhs, rhs), small_limits()).0
}

#[test]
fn inline_int_arithmetic_matches_i48_semantics() {
    use Constant::Int;
    let cases = [
        (BinaryOp::Add, 2, 3, 5),
        (BinaryOp::Add, -7, 3, -4),
        (BinaryOp::Sub, 2, 5, -3),
        (BinaryOp::Mul, -6, 7, -42),
        (BinaryOp::Mul, 1 << 23, 1 << 23, 1 << 46),
        (BinaryOp::Add, INT_MAX - 1, 1, INT_MAX),
        (BinaryOp::Sub, INT_MIN + 1, 1, INT_MIN),
        (BinaryOp::Mul, INT_MIN, 1, INT_MIN),
    ];
    for (op, a, b, expected) in cases {
        let result = run_binary(op, Int(a), Int(b));
        assert_eq!(expect_int(&result), expected, "{a} {op:?} {b}");
    }
}

#[test]
fn int_overflow_falls_back_to_the_shim_and_raises_rt0301_at_the_op() {
    use Constant::Int;
    for (op, a, b) in [
        (BinaryOp::Add, INT_MAX, 1),
        (BinaryOp::Sub, INT_MIN, 1),
        (BinaryOp::Mul, 1 << 24, 1 << 24),
        (BinaryOp::Mul, INT_MAX, INT_MAX),
        (BinaryOp::Mul, INT_MIN, -1),
    ] {
        let failure = expect_failure(run_binary(op, Int(a), Int(b)), ErrorCode::RT0301);
        assert_eq!(failure.error.message, "integer overflow");
        assert_eq!(failure.frames, vec![ErrorFrame { function: 0, op: 3 }]);
    }
}

#[test]
fn non_int_operands_go_through_the_shims() {
    let result = run_binary(BinaryOp::Add, Constant::Int(1), Constant::Float(1.5)).unwrap();
    assert_eq!(result.as_float(), Some(2.5));
    let result = run_binary(BinaryOp::Mul, Constant::Float(2.0), Constant::Float(4.0)).unwrap();
    assert_eq!(result.as_float(), Some(8.0));
    let result = run_binary(BinaryOp::Eq, Constant::Int(1), Constant::Float(1.0)).unwrap();
    assert_eq!(result, Value::TRUE);
    let failure = expect_failure(
        run_binary(BinaryOp::Add, Constant::Int(1), Constant::Bool(true)),
        ErrorCode::RT0303,
    );
    assert_eq!(failure.frames, vec![ErrorFrame { function: 0, op: 3 }]);
    let failure = expect_failure(
        run_binary(BinaryOp::Div, Constant::Int(1), Constant::Int(0)),
        ErrorCode::RT0302,
    );
    assert_eq!(failure.error.message, "division by zero");
    assert_eq!(
        expect_int(&run_binary(
            BinaryOp::Div,
            Constant::Int(7),
            Constant::Int(2)
        )),
        3
    );
    assert_eq!(
        expect_int(&run_binary(
            BinaryOp::Rem,
            Constant::Int(7),
            Constant::Int(4)
        )),
        3
    );
}

/// The reference semantics of a comparison on two Ints.
type IntPredicate = fn(i64, i64) -> bool;

#[test]
fn inline_int_comparisons_order_negative_and_positive_values() {
    use Constant::Int;
    let pairs = [
        (-5, 3),
        (3, -5),
        (4, 4),
        (INT_MIN, INT_MAX),
        (-1, 0),
        (0, -1),
    ];
    let ops: [(BinaryOp, IntPredicate); 6] = [
        (BinaryOp::Eq, |a, b| a == b),
        (BinaryOp::Ne, |a, b| a != b),
        (BinaryOp::Lt, |a, b| a < b),
        (BinaryOp::Le, |a, b| a <= b),
        (BinaryOp::Gt, |a, b| a > b),
        (BinaryOp::Ge, |a, b| a >= b),
    ];
    for (a, b) in pairs {
        for (op, reference) in ops {
            let result = run_binary(op, Int(a), Int(b)).unwrap();
            assert_eq!(result, Value::bool(reference(a, b)), "{a} {op:?} {b}");
        }
    }
}

#[test]
fn unary_ops_use_the_shims() {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let a = main.int(5);
    let r = main.unary(UnaryOp::Neg, a, &[]);
    main.ret(r);
    assert_eq!(
        expect_int(&run_clean(&module(vec![main.finish()], 0), small_limits()).0),
        -5
    );
}

/// `fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2)`, `n` borrowed.
fn fib_function() -> cairn_lang::ir::Function {
    let (mut fib, params) = FunctionBuilder::new("fib", &[BORROWED]);
    let n = params[0];
    let (small, _) = fib.block(&[]);
    let (large, _) = fib.block(&[]);
    fib.enter(&[]);
    let two = fib.int(2);
    let is_small = fib.binary(BinaryOp::Lt, n, two, &[]);
    fib.branch(is_small, small, large);
    fib.switch_to(small);
    let result = fib.retain(n, &[]);
    fib.ret(result);
    fib.switch_to(large);
    let one = fib.int(1);
    let n1 = fib.binary(BinaryOp::Sub, n, one, &[]);
    let f1 = fib.call(0, &[n1], &[n1]);
    fib.release(n1);
    let n2 = fib.binary(BinaryOp::Sub, n, two, &[f1]);
    let f2 = fib.call(0, &[n2], &[f1, n2]);
    fib.release(n2);
    let sum = fib.binary(BinaryOp::Add, f1, f2, &[f1, f2]);
    fib.release(f1);
    fib.release(f2);
    fib.ret(sum);
    fib.finish()
}

#[test]
fn recursive_fib_via_direct_calls() {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let n = main.int(20);
    let r = main.call(0, &[n], &[]);
    main.ret(r);
    let module = module(vec![fib_function(), main.finish()], 1);
    assert_eq!(expect_int(&run_clean(&module, small_limits()).0), 6765);
}

/// `main() = loop(0, 0)` with `loop(i, acc) = if i == n then acc else loop(i + 1, acc + i)`
/// as a block-param loop with a Fuel op on the back edge.
fn counting_loop(n: i64) -> Module {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    let (header, vars) = main.block(&[OWNED, OWNED]);
    let (done, _) = main.block(&[]);
    let (body, _) = main.block(&[]);
    let (i, acc) = (vars[0], vars[1]);
    main.enter(&[]);
    let zero = main.int(0);
    let zero2 = main.int(0);
    main.jump(header, &[zero, zero2]);
    main.switch_to(header);
    let limit = main.int(n);
    let finished = main.binary(BinaryOp::Eq, i, limit, &[i, acc]);
    main.branch_with_cleanup(finished, done, body, &[i, acc]);
    main.switch_to(done);
    main.release(i);
    main.ret(acc);
    main.switch_to(body);
    let one = main.int(1);
    let next_i = main.binary(BinaryOp::Add, i, one, &[i, acc]);
    let next_acc = main.binary(BinaryOp::Add, acc, i, &[i, acc, next_i]);
    main.release(i);
    main.release(acc);
    main.fuel(&[next_i, next_acc]);
    main.jump(header, &[next_i, next_acc]);
    module(vec![main.finish()], 0)
}

#[test]
fn million_iteration_block_param_loop_runs_in_constant_stack() {
    let n = 1_000_000;
    let result = run_clean(&counting_loop(n), small_limits()).0;
    assert_eq!(expect_int(&result), n * (n - 1) / 2);
}

#[test]
fn fuel_runs_out_at_the_back_edge() {
    let limits = cairn_runtime::Limits {
        fuel: Some(10),
        ..small_limits()
    };
    let failure = expect_failure(
        run_clean(&counting_loop(1_000), limits).0,
        ErrorCode::RT0502,
    );
    assert_eq!(failure.error.message, "out of fuel");
    // Entry takes one unit; the back edge's Fuel op (index 14) is where it runs out.
    assert_eq!(
        failure.frames,
        vec![ErrorFrame {
            function: 0,
            op: 14
        }]
    );
}

#[test]
fn non_bool_condition_is_rt0303_at_the_branch() {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    let (yes, _) = main.block(&[]);
    let (no, _) = main.block(&[]);
    main.enter(&[]);
    let condition = main.int(1);
    main.branch(condition, yes, no);
    for block in [yes, no] {
        main.switch_to(block);
        let r = main.int(0);
        main.ret(r);
    }
    let failure = expect_failure(
        run_clean(&module(vec![main.finish()], 0), small_limits()).0,
        ErrorCode::RT0303,
    );
    assert_eq!(failure.frames, vec![ErrorFrame { function: 0, op: 2 }]);
}

#[test]
fn literals_index_and_builtins_round_trip_through_the_heap() {
    // main() = { xs = ["a", 2]; t = (xs, 3); m = #{"k": 9}; print(xs); len(xs) + t[1] + m["k"] }
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let a = main.text("a", &[]);
    let two = main.int(2);
    let xs = main.make_list(&[a, two], &[]);
    let xs_for_tuple = main.retain(xs, &[xs]);
    let three = main.int(3);
    let t = main.make_tuple(&[xs_for_tuple, three], &[xs]);
    let k = main.text("k", &[xs, t]);
    let nine = main.int(9);
    let m = main.make_map(&[(k, nine)], &[xs, t]);
    let unit = main.builtin(Builtin::Print, &[xs], &[xs, t, m]);
    main.release(unit);
    let length = main.builtin(Builtin::Len, &[xs], &[xs, t, m]);
    let one = main.int(1);
    let t1 = main.index(t, one, &[xs, t, m, length]);
    let key = main.text("k", &[xs, t, m, length, t1]);
    let m_k = main.index(m, key, &[xs, t, m, length, t1, key]);
    main.release(key);
    main.release(xs);
    main.release(t);
    main.release(m);
    let partial = main.binary(BinaryOp::Add, length, t1, &[m_k]);
    let total = main.binary(BinaryOp::Add, partial, m_k, &[]);
    main.ret(total);
    let (result, ctx) = run_clean(&module(vec![main.finish()], 0), small_limits());
    assert_eq!(expect_int(&result), 2 + 3 + 9);
    assert_eq!(String::from_utf8_lossy(&ctx.output), "[\"a\", 2]\n");
}

#[test]
fn text_result_is_an_owned_heap_value() {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let a = main.text("héllo", &[]);
    let b = main.text(", world", &[a]);
    let joined = main.binary(BinaryOp::Concat, a, b, &[a, b]);
    main.release(a);
    main.release(b);
    main.ret(joined);
    let mut seen = None;
    let (result, _) = run_clean_with(
        &module(vec![main.finish()], 0),
        small_limits(),
        |ctx, value| {
            assert!(value.is_heap());
            let len = {
                let ptr = ctx.as_ptr();
                // SAFETY: `ptr` is from `Context::as_ptr` on the context the closure borrows,
                // unaliased during the call; `value` is a live owned word of that context.
                unsafe { cairn_runtime::abi::shims::rt_len(ptr, value.bits()) }
            };
            seen = Value(len).as_int();
        },
    );
    assert!(result.is_ok());
    assert_eq!(seen, Some(12));
}

/// `level_k(xs) = { s = "held by level k"; r = level_{k+1}(xs); ... }` down to a failing
/// index; every level holds a heap value in its cleanup list.
fn failing_chain(depth: u32) -> Module {
    let mut functions = Vec::new();
    for level in 0..depth {
        let (mut f, params) =
            FunctionBuilder::new(&format!("level{level}"), &[ParamMode::Borrowed]);
        let xs = params[0];
        f.enter(&[]);
        let held = f.text(&format!("held by level {level}"), &[]);
        let result = if level + 1 == depth {
            let far = f.int(99);
            f.index(xs, far, &[held])
        } else {
            f.call(level + 1, &[xs], &[held])
        };
        f.release(held);
        f.ret(result);
        functions.push(f.finish());
    }
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let one = main.int(1);
    let xs = main.make_list(&[one], &[]);
    let r = main.call(0, &[xs], &[xs]);
    main.release(xs);
    main.ret(r);
    functions.push(main.finish());
    module(functions, depth)
}

#[test]
fn failure_deep_in_a_call_chain_unwinds_every_frame_and_frees_everything() {
    let depth = 6;
    let (result, ctx) = run_clean(&failing_chain(depth), small_limits());
    let failure = expect_failure(result, ErrorCode::RT0103);
    assert_eq!(
        failure.error.message,
        "index out of bounds: index 99, length 1"
    );
    let mut expected = vec![ErrorFrame {
        function: depth - 1,
        op: 3,
    }];
    for level in (0..depth - 1).rev() {
        expected.push(ErrorFrame {
            function: level,
            op: 2,
        });
    }
    expected.push(ErrorFrame {
        function: depth,
        op: 3,
    });
    assert_eq!(failure.frames, expected);
    assert_eq!(ctx.call_depth, 0);
}

#[test]
fn failed_enter_still_leaves_once() {
    let limits = cairn_runtime::Limits {
        max_call_depth: 3,
        ..small_limits()
    };
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let n = main.int(30);
    let r = main.call(0, &[n], &[]);
    main.ret(r);
    let module = module(vec![fib_function(), main.finish()], 1);
    let failure = expect_failure(run_clean(&module, limits).0, ErrorCode::RT0501);
    assert_eq!(
        failure.error.message,
        "stack overflow: call depth exceeds 3"
    );
    // fib(28)'s Enter fails; fib(29), fib(30) fail at their first recursive call (op 8),
    // main at its call (op 2).
    let expected = vec![
        ErrorFrame { function: 0, op: 0 },
        ErrorFrame { function: 0, op: 8 },
        ErrorFrame { function: 0, op: 8 },
        ErrorFrame { function: 1, op: 2 },
    ];
    assert_eq!(failure.frames, expected);
}

#[test]
fn cleanup_vars_that_are_not_heap_words_are_skipped() {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let a = main.int(1);
    let b = main.constant(Constant::Float(0.5));
    let failing = main.builtin(Builtin::Len, &[a], &[a, b]);
    main.ret(failing);
    let failure = expect_failure(
        run_clean(&module(vec![main.finish()], 0), small_limits()).0,
        ErrorCode::RT0303,
    );
    assert_eq!(failure.frames, vec![ErrorFrame { function: 0, op: 3 }]);
}
