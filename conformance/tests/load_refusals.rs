//! Both engines refuse what `cairn_lang::ir::load_check::check_loadable` refuses (the cases
//! are tested there) before running anything, and report each problem identically: the same
//! runtime diagnostic (code, message and frames) on the interpreter and the JIT.

use cairn_lang::ir::builder::{FunctionBuilder, module};
use cairn_lang::ir::{Constant, GeneratorItem, Module, OpKind, ParamMode, Var};
use cairn_runtime::context::{ErrorFrame, RunFailure};
use cairn_runtime::error::ErrorCode;

/// The refusal of `module`, which must be identical on both engines.
fn refusal(module: &Module) -> RunFailure {
    let Err(interp) = cairn_interp::load(module) else {
        panic!("the interpreter loaded a module it must refuse");
    };
    let Err(jit) = cairn_jit::compile(module) else {
        panic!("the JIT compiled a module it must refuse");
    };
    assert_eq!(interp, jit, "the engines refuse the module differently");
    interp
}

fn generator_item_in_main() -> Module {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let x = main.int(1);
    main.op(
        OpKind::GeneratorItem {
            item: GeneratorItem::Yield,
        },
        &[],
    );
    main.ret(x);
    module(vec![main.finish()], 0)
}

#[test]
fn a_generator_item_is_rt0201_at_its_op() {
    let failure = refusal(&generator_item_in_main());
    assert_eq!(failure.error.code, ErrorCode::RT0201);
    assert_eq!(
        failure.error.message,
        "unsupported block item in plain block: Yield"
    );
    assert_eq!(failure.frames, vec![ErrorFrame { function: 0, op: 2 }]);
}

#[test]
fn malformed_ir_is_rt0001_naming_the_problem() {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    main.ret(Var(99));
    let failure = refusal(&module(vec![main.finish()], 0));
    assert_eq!(failure.error.code, ErrorCode::RT0001);
    assert_eq!(
        failure.error.message,
        "internal runtime error: malformed IR in function `main`: \
         variable v99 is out of range (var_count 0)"
    );
    assert_eq!(failure.frames, vec![ErrorFrame { function: 0, op: 1 }]);
}

#[test]
fn an_entry_with_params_is_rt0305() {
    let (mut main, params) = FunctionBuilder::new("main", &[ParamMode::Owned]);
    main.enter(&params);
    main.ret(params[0]);
    let failure = refusal(&module(vec![main.finish()], 0));
    assert_eq!(failure.error.code, ErrorCode::RT0305);
    assert_eq!(
        failure.error.message,
        "arity mismatch: main expects 1 argument, got 0"
    );
    assert!(failure.frames.is_empty());
}

#[test]
fn an_int_constant_outside_i48_is_rt0301_at_its_op() {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let x = main.constant(Constant::Int(1 << 50));
    main.ret(x);
    let failure = refusal(&module(vec![main.finish()], 0));
    assert_eq!(failure.error.code, ErrorCode::RT0301);
    assert_eq!(failure.error.message, "integer overflow");
    assert_eq!(failure.frames, vec![ErrorFrame { function: 0, op: 1 }]);
}
