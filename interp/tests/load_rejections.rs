//! The interpreter refuses what `cairn_lang::ir::load_check::check_loadable` refuses (the cases are
//! tested there), before translating, and reports each problem as its SPEC §7
//! diagnostic with the offending op as the only frame.

mod support;

use cairn_lang::ir::{Constant, GeneratorItem, Module, OpKind, Var};
use cairn_runtime::context::{ErrorFrame, RunFailure};
use cairn_runtime::error::ErrorCode;
use support::ir_builder::{FunctionBuilder, OWNED, module};

fn load_error(module: &Module) -> RunFailure {
    match cairn_interp::load(module) {
        Ok(_) => panic!("module should be refused"),
        Err(failure) => failure,
    }
}

#[test]
fn load_problems_are_refused_with_their_diagnostics_and_frames() {
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
    let failure = load_error(&module(vec![main.finish()], 0));
    assert_eq!(failure.error.code, ErrorCode::RT0201);
    assert_eq!(
        failure.error.message,
        "unsupported block item in plain block: Yield"
    );
    assert_eq!(failure.frames, vec![ErrorFrame { function: 0, op: 2 }]);

    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    main.ret(Var(99));
    let failure = load_error(&module(vec![main.finish()], 0));
    assert_eq!(failure.error.code, ErrorCode::RT0001);
    assert_eq!(
        failure.error.message,
        "internal runtime error: malformed IR in function `main`: \
         variable v99 is out of range (var_count 0)"
    );
    assert_eq!(failure.frames, vec![ErrorFrame { function: 0, op: 1 }]);

    let (mut main, params) = FunctionBuilder::new("main", &[OWNED]);
    main.enter(&params);
    main.ret(params[0]);
    let failure = load_error(&module(vec![main.finish()], 0));
    assert_eq!(failure.error.code, ErrorCode::RT0305);
    assert_eq!(
        failure.error.message,
        "arity mismatch: main expects 1 arguments, got 0"
    );
    assert!(failure.frames.is_empty());

    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let x = main.constant(Constant::Int(1 << 50));
    main.ret(x);
    let failure = load_error(&module(vec![main.finish()], 0));
    assert_eq!(failure.error.code, ErrorCode::RT0301);
    assert_eq!(failure.error.message, "integer overflow");
    assert_eq!(failure.frames, vec![ErrorFrame { function: 0, op: 1 }]);
}

#[test]
fn frame_over_the_register_limit_is_refused_after_the_shared_check() {
    // `loop(x, y) = loop(y, x)`: the swap needs a scratch register beyond the variables.
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    let (looping, params) = main.block(&[OWNED, OWNED]);
    main.enter(&[]);
    let a = main.int(1);
    let b = main.int(2);
    main.jump(looping, &[a, b]);
    main.switch_to(looping);
    main.jump(looping, &[params[1], params[0]]);
    let mut main = main.finish();
    main.var_count = cairn_lang::ir::load_check::MAX_FUNCTION_VARIABLES;
    let module = module(vec![main], 0);
    assert_eq!(cairn_lang::ir::load_check::check_loadable(&module), Ok(()));
    let failure = load_error(&module);
    assert_eq!(failure.error.code, ErrorCode::RT0001);
    let message = &failure.error.message;
    let prefix = "internal runtime error: malformed IR in function `main`: ";
    let suffix = format!(
        " registers exceed the interpreter's limit of {}",
        cairn_interp::MAX_FRAME_REGISTERS
    );
    assert!(
        message.starts_with(prefix) && message.ends_with(&suffix),
        "{message}"
    );
    assert!(failure.frames.is_empty());
}
