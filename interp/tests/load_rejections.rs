//! Load-time rejections: generator items (RT0201 with the op as the frame), malformed IR
//! (RT0001, never a crash), entry points with parameters (RT0305), out-of-range constants.

mod support;

use cairn_lang::ir::{BlockId, Constant, GeneratorItem, OpKind, Var};
use cairn_runtime::context::{ErrorFrame, RunFailure};
use cairn_runtime::error::ErrorCode;
use support::ir_builder::{FunctionBuilder, OWNED, module};

fn load_error(module: &cairn_lang::ir::Module) -> RunFailure {
    match cairn_interp::load(module) {
        Ok(_) => panic!("module should be refused"),
        Err(failure) => failure,
    }
}

/// `main() = { enter; x = 1; <item>; return x }` in function 1 of two.
fn module_with_item(item: GeneratorItem) -> cairn_lang::ir::Module {
    let (mut helper, _) = FunctionBuilder::new("helper", &[]);
    helper.enter(&[]);
    let one = helper.int(1);
    helper.ret(one);
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let x = main.int(1);
    main.op(OpKind::GeneratorItem { item }, &[]);
    main.ret(x);
    module(vec![helper.finish(), main.finish()], 1)
}

#[test]
fn generator_items_are_rt0201_with_the_op_as_frame() {
    for (item, name) in [
        (GeneratorItem::Filter, "Filter"),
        (GeneratorItem::Yield, "Yield"),
        (GeneratorItem::Recurse, "Recurse"),
    ] {
        let failure = load_error(&module_with_item(item));
        assert_eq!(failure.error.code, ErrorCode::RT0201);
        assert_eq!(
            failure.error.message,
            format!("unsupported block item in plain block: {name}")
        );
        assert_eq!(failure.frames, vec![ErrorFrame { function: 1, op: 2 }]);
    }
}

#[test]
fn unknown_variable_is_an_internal_error_not_a_crash() {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    main.ret(Var(99));
    let failure = load_error(&module(vec![main.finish()], 0));
    assert_eq!(failure.error.code, ErrorCode::RT0001);
    assert!(failure.error.message.contains("v99"), "{}", failure.error);
    assert_eq!(failure.frames, vec![ErrorFrame { function: 0, op: 1 }]);
}

#[test]
fn unknown_function_and_wrong_arity_are_refused() {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let r = main.call(7, &[], &[]);
    main.ret(r);
    let failure = load_error(&module(vec![main.finish()], 0));
    assert_eq!(failure.error.code, ErrorCode::RT0001);
    assert!(failure.error.message.contains("f7"), "{}", failure.error);

    let (mut callee, params) = FunctionBuilder::new("callee", &[OWNED]);
    callee.enter(&params);
    callee.ret(params[0]);
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let r = main.call(0, &[], &[]);
    main.ret(r);
    let failure = load_error(&module(vec![callee.finish(), main.finish()], 1));
    assert_eq!(failure.error.code, ErrorCode::RT0001);
    assert!(failure.error.message.contains("passes 0 arguments"));
}

#[test]
fn unknown_block_and_bad_jump_arity_are_refused() {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    main.jump(BlockId(5), &[]);
    let failure = load_error(&module(vec![main.finish()], 0));
    assert_eq!(failure.error.code, ErrorCode::RT0001);
    assert!(failure.error.message.contains("b5"), "{}", failure.error);

    let (mut main, _) = FunctionBuilder::new("main", &[]);
    let (exit, params) = main.block(&[OWNED]);
    main.enter(&[]);
    main.jump(exit, &[]);
    main.switch_to(exit);
    main.ret(params[0]);
    let failure = load_error(&module(vec![main.finish()], 0));
    assert_eq!(failure.error.code, ErrorCode::RT0001);
}

#[test]
fn entry_with_parameters_and_missing_entry_are_refused() {
    let (mut main, params) = FunctionBuilder::new("main", &[OWNED]);
    main.enter(&params);
    main.ret(params[0]);
    let failure = load_error(&module(vec![main.finish()], 0));
    assert_eq!(failure.error.code, ErrorCode::RT0305);
    assert_eq!(
        failure.error.message,
        "arity mismatch: main expects 1 arguments, got 0"
    );

    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let x = main.int(1);
    main.ret(x);
    let failure = load_error(&module(vec![main.finish()], 3));
    assert_eq!(failure.error.code, ErrorCode::RT0001);
    assert!(load_error(&module(vec![], 0)).error.code == ErrorCode::RT0001);
}

#[test]
fn int_constant_outside_i48_is_refused() {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let x = main.constant(Constant::Int(1 << 50));
    main.ret(x);
    let failure = load_error(&module(vec![main.finish()], 0));
    assert_eq!(failure.error.code, ErrorCode::RT0301);
    assert_eq!(failure.frames, vec![ErrorFrame { function: 0, op: 1 }]);
}

#[test]
fn well_formed_module_loads() {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let x = main.int(1);
    main.ret(x);
    let program = cairn_interp::load(&module(vec![main.finish()], 0)).expect("loads");
    assert_eq!(program.functions().len(), 1);
    assert_eq!(program.functions()[0].name, "main");
}

#[test]
fn use_of_a_variable_nothing_defines_is_refused() {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let never_defined = main.var();
    main.ret(never_defined);
    let failure = load_error(&module(vec![main.finish()], 0));
    assert_eq!(failure.error.code, ErrorCode::RT0001);
    assert!(
        failure.error.message.contains("never defined"),
        "{}",
        failure.error
    );
}

#[test]
fn generator_items_win_over_other_problems_in_earlier_functions() {
    let (mut broken, _) = FunctionBuilder::new("broken", &[]);
    broken.enter(&[]);
    broken.ret(Var(42));
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    main.op(
        OpKind::GeneratorItem {
            item: GeneratorItem::Yield,
        },
        &[],
    );
    let x = main.int(1);
    main.ret(x);
    let failure = load_error(&module(vec![broken.finish(), main.finish()], 1));
    assert_eq!(failure.error.code, ErrorCode::RT0201);
    assert_eq!(failure.frames, vec![ErrorFrame { function: 1, op: 1 }]);
}
