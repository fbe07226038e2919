//! The interpreter's own load limit, checked after `cairn_lang::ir::load_check::check_loadable`
//! (which both engines run; their identical refusals are tested in
//! `conformance/tests/load_refusals.rs`): a function needing more registers than the
//! interpreter's frames hold is RT0001 with no frame.

mod support;

use cairn_lang::ir::Module;
use cairn_runtime::context::RunFailure;
use cairn_runtime::error::ErrorCode;
use support::ir_builder::{FunctionBuilder, OWNED, module};

fn load_error(module: &Module) -> RunFailure {
    match cairn_interp::load(module) {
        Ok(_) => panic!("module should be refused"),
        Err(failure) => failure,
    }
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
