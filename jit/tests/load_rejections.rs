//! The JIT refuses what `cairn_lang::ir::load_check::check_loadable` refuses (the cases are
//! tested there), before any code is generated, and reports each problem as its SPEC §7
//! diagnostic with the offending op as the only frame.

mod support;

use cairn_lang::ir::{Constant, GeneratorItem, Module, OpKind, Var};
use cairn_runtime::context::{ErrorFrame, RunFailure};
use cairn_runtime::error::ErrorCode;
use support::ir_builder::{FunctionBuilder, OWNED, module};

fn compile_error(module: &Module) -> RunFailure {
    match cairn_jit::compile(module) {
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
    let failure = compile_error(&module(vec![main.finish()], 0));
    assert_eq!(failure.error.code, ErrorCode::RT0201);
    assert_eq!(
        failure.error.message,
        "unsupported block item in plain block: Yield"
    );
    assert_eq!(failure.frames, vec![ErrorFrame { function: 0, op: 2 }]);

    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    main.ret(Var(99));
    let failure = compile_error(&module(vec![main.finish()], 0));
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
    let failure = compile_error(&module(vec![main.finish()], 0));
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
    let failure = compile_error(&module(vec![main.finish()], 0));
    assert_eq!(failure.error.code, ErrorCode::RT0301);
    assert_eq!(failure.error.message, "integer overflow");
    assert_eq!(failure.frames, vec![ErrorFrame { function: 0, op: 1 }]);
}
