//! Execution of hand-built post-RC IR: arithmetic, calls, branches, loops through block
//! parameters (including a swapping parallel move), text, lists, printing, and the heap
//! left exactly as found on every path.

mod support;

use cairn_lang::ir::{BinaryOp, Builtin, Constant, OpKind};
use cairn_runtime::error::ErrorCode;
use cairn_runtime::value::INT_MAX;
use support::ir_builder::{BORROWED, FunctionBuilder, OWNED, module};
use support::{expect_failure, expect_int, run_clean, small_limits};

#[test]
fn adds_two_ints() {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let a = main.int(2);
    let b = main.int(40);
    let sum = main.binary(BinaryOp::Add, a, b, &[]);
    main.ret(sum);
    let (result, _) = run_clean(&module(vec![main.finish()], 0), small_limits());
    assert_eq!(expect_int(&result), 42);
}

#[test]
fn int_overflow_goes_to_the_shim_and_fails_with_rt0301() {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let a = main.int(INT_MAX);
    let b = main.int(1);
    let sum = main.binary(BinaryOp::Add, a, b, &[]);
    main.ret(sum);
    let (result, _) = run_clean(&module(vec![main.finish()], 0), small_limits());
    let failure = expect_failure(result, ErrorCode::RT0301);
    assert_eq!(failure.frames.len(), 1);
    assert_eq!((failure.frames[0].function, failure.frames[0].op), (0, 3));
}

#[test]
fn float_arithmetic_uses_the_shim() {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let a = main.constant(Constant::Float(1.5));
    let b = main.int(2);
    let product = main.binary(BinaryOp::Mul, a, b, &[]);
    main.ret(product);
    let (result, _) = run_clean(&module(vec![main.finish()], 0), small_limits());
    assert_eq!(result.expect("runs").as_float(), Some(3.0));
}

/// `add(a, b) = a + b` (borrowed params); `main() = add(20, 22)`.
#[test]
fn calls_a_function() {
    let (mut add, params) = FunctionBuilder::new("add", &[BORROWED, BORROWED]);
    add.enter(&[]);
    let sum = add.binary(BinaryOp::Add, params[0], params[1], &[]);
    add.ret(sum);
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let a = main.int(20);
    let b = main.int(22);
    let r = main.call(0, &[a, b], &[]);
    main.ret(r);
    let (result, _) = run_clean(
        &module(vec![add.finish(), main.finish()], 1),
        small_limits(),
    );
    assert_eq!(expect_int(&result), 42);
}

/// `main() = if a < b then 1 else 2` for both outcomes.
#[test]
fn branches_both_ways() {
    for (a, b, expected) in [(3, 5, 1), (5, 3, 2)] {
        let (mut main, _) = FunctionBuilder::new("main", &[]);
        let (then_block, _) = main.block(&[]);
        let (else_block, _) = main.block(&[]);
        let (join, joined) = main.block(&[OWNED]);
        main.enter(&[]);
        let x = main.int(a);
        let y = main.int(b);
        let less = main.binary(BinaryOp::Lt, x, y, &[]);
        main.branch(less, then_block, else_block);
        main.switch_to(then_block);
        let one = main.int(1);
        main.jump(join, &[one]);
        main.switch_to(else_block);
        let two = main.int(2);
        main.jump(join, &[two]);
        main.switch_to(join);
        main.ret(joined[0]);
        let (result, _) = run_clean(&module(vec![main.finish()], 0), small_limits());
        assert_eq!(expect_int(&result), expected);
    }
}

#[test]
fn branch_on_a_non_bool_is_rt0303_and_releases_its_cleanup() {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    let (then_block, _) = main.block(&[]);
    let (else_block, _) = main.block(&[]);
    main.enter(&[]);
    let text = main.text("held across the branch", &[]);
    let not_a_bool = main.int(7);
    main.branch_with_cleanup(not_a_bool, then_block, else_block, &[text]);
    for block in [then_block, else_block] {
        main.switch_to(block);
        main.ret(text);
    }
    let (result, _) = run_clean(&module(vec![main.finish()], 0), small_limits());
    let failure = expect_failure(result, ErrorCode::RT0303);
    assert_eq!((failure.frames[0].function, failure.frames[0].op), (0, 3));
}

/// `sum(n)`: a loop header `b1(i, acc)` with `Fuel` before the back-edge, like lang's
/// lowering of a self tail call.
fn counting_loop(n: i64) -> cairn_lang::ir::Module {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    let (header, loop_vars) = main.block(&[OWNED, OWNED]);
    let (body, _) = main.block(&[]);
    let (done, _) = main.block(&[]);
    let (i, acc) = (loop_vars[0], loop_vars[1]);
    main.enter(&[]);
    let zero = main.int(0);
    let zero_acc = main.int(0);
    main.jump(header, &[zero, zero_acc]);
    main.switch_to(header);
    let limit = main.int(n);
    let more = main.binary(BinaryOp::Lt, i, limit, &[]);
    main.branch(more, body, done);
    main.switch_to(body);
    let next_acc = main.binary(BinaryOp::Add, acc, i, &[]);
    let one = main.int(1);
    let next_i = main.binary(BinaryOp::Add, i, one, &[]);
    main.op(OpKind::Fuel, &[]);
    main.jump(header, &[next_i, next_acc]);
    main.switch_to(done);
    main.ret(acc);
    module(vec![main.finish()], 0)
}

#[test]
fn loops_through_block_parameters() {
    let (result, _) = run_clean(&counting_loop(1000), small_limits());
    assert_eq!(expect_int(&result), 499_500);
}

#[test]
fn fuel_runs_out_at_a_back_edge() {
    let limits = cairn_runtime::Limits {
        fuel: Some(10),
        ..small_limits()
    };
    let (result, _) = run_clean(&counting_loop(1000), limits);
    let failure = expect_failure(result, ErrorCode::RT0502);
    // Ops are numbered b0: 0..=3 (3 ops + jump), b1: 4..=6 (2 ops + branch), b2: add 7,
    // const 8, add 9, fuel 10.
    assert_eq!(failure.frames.len(), 1);
    assert_eq!(failure.frames[0].op, 10);
}

/// Iterative Fibonacci with the loop `(a, b) -> (b, a + b)`: the jump's moves swap
/// registers, so they must behave as one parallel move.
#[test]
fn jump_arguments_are_a_parallel_move() {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    let (header, vars) = main.block(&[OWNED, OWNED, OWNED]);
    let (body, _) = main.block(&[]);
    let (done, _) = main.block(&[]);
    let (n, a, b) = (vars[0], vars[1], vars[2]);
    main.enter(&[]);
    let start_n = main.int(50);
    let zero = main.int(0);
    let one = main.int(1);
    main.jump(header, &[start_n, zero, one]);
    main.switch_to(header);
    let zero = main.int(0);
    let more = main.binary(BinaryOp::Gt, n, zero, &[]);
    main.branch(more, body, done);
    main.switch_to(body);
    let one = main.int(1);
    let next_n = main.binary(BinaryOp::Sub, n, one, &[]);
    let next_b = main.binary(BinaryOp::Add, a, b, &[]);
    main.op(OpKind::Fuel, &[]);
    // (n, a, b) <- (n - 1, b, a + b): `b` is both a source and a destination.
    main.jump(header, &[next_n, b, next_b]);
    main.switch_to(done);
    main.ret(a);
    let (result, _) = run_clean(&module(vec![main.finish()], 0), small_limits());
    assert_eq!(expect_int(&result), 12_586_269_025);

    // A pure swap of two params: (x, y) -> (y, x), three times, then x - y.
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    let (header, vars) = main.block(&[OWNED, OWNED, OWNED]);
    let (body, _) = main.block(&[]);
    let (done, _) = main.block(&[]);
    let (k, x, y) = (vars[0], vars[1], vars[2]);
    main.enter(&[]);
    let three = main.int(3);
    let ten = main.int(10);
    let one = main.int(1);
    main.jump(header, &[three, ten, one]);
    main.switch_to(header);
    let zero = main.int(0);
    let more = main.binary(BinaryOp::Gt, k, zero, &[]);
    main.branch(more, body, done);
    main.switch_to(body);
    let one = main.int(1);
    let next_k = main.binary(BinaryOp::Sub, k, one, &[]);
    main.jump(header, &[next_k, y, x]);
    main.switch_to(done);
    let difference = main.binary(BinaryOp::Sub, x, y, &[]);
    main.ret(difference);
    let (result, _) = run_clean(&module(vec![main.finish()], 0), small_limits());
    assert_eq!(expect_int(&result), 1 - 10);
}

#[test]
fn prints_text_and_builds_and_indexes_a_list() {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let text = main.text("hello", &[]);
    let unit = main.builtin(Builtin::Print, &[text], &[text]);
    main.release(unit);
    main.release(text);
    let a = main.int(10);
    let b = main.int(20);
    let c = main.int(30);
    let list = main.make_list(&[a, b, c], &[]);
    let index = main.int(1);
    let element = main.var();
    main.op(
        OpKind::Index {
            dst: element,
            base: list,
            index,
        },
        &[list],
    );
    main.release(list);
    main.ret(element);
    let (result, ctx) = run_clean(&module(vec![main.finish()], 0), small_limits());
    assert_eq!(expect_int(&result), 20);
    assert_eq!(ctx.output, b"hello\n");
}

#[test]
fn a_jump_to_the_next_block_falls_through() {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    let (next, params) = main.block(&[OWNED]);
    main.enter(&[]);
    let seven = main.int(7);
    main.jump(next, &[seven]);
    main.switch_to(next);
    main.ret(params[0]);
    let module = module(vec![main.finish()], 0);
    let program = cairn_interp::load(&module).expect("loads");
    let code = &program.functions()[0].code;
    assert!(
        !code
            .iter()
            .any(|instr| matches!(instr, cairn_interp::Instr::Jump { .. })),
        "{code:?}"
    );
    let (result, _) = run_clean(&module, small_limits());
    assert_eq!(expect_int(&result), 7);
}
