//! The ABI handshake at load: a compiled program records the Value ABI version it was generated
//! against, and `run_main` refuses (RT0601, the text of docs/ABI.md, "Versioning") before running
//! any code when the runtime cannot provide it.

mod support;

use cairn_lang::ir::Module;
use cairn_runtime::abi::version::{AIVI_VALUE_ABI_MAJOR, AIVI_VALUE_ABI_MINOR};
use cairn_runtime::error::ErrorCode;
use cairn_runtime::heap::compare_snapshots;
use support::ir_builder::{FunctionBuilder, module};
use support::{context, expect_int, small_limits};

/// `main() = { print(7); 42 }`: observable if it runs at all.
fn printing_module() -> Module {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let seven = main.int(7);
    let unit = main.builtin(cairn_lang::ir::Builtin::Print, &[seven], &[]);
    main.release(unit);
    let answer = main.int(42);
    main.ret(answer);
    module(vec![main.finish()], 0)
}

#[test]
fn compile_records_the_runtime_abi_version() {
    let program = cairn_jit::compile(&printing_module()).expect("compiles");
    assert_eq!(
        program.abi_required(),
        (AIVI_VALUE_ABI_MAJOR, AIVI_VALUE_ABI_MINOR)
    );
    let program = cairn_jit::compile_with_abi(&printing_module(), (0, 0)).expect("compiles");
    assert_eq!(program.abi_required(), (0, 0));
}

#[test]
fn same_major_older_or_equal_minor_loads_and_runs() {
    for version in [(0, 0), (0, 1)] {
        let program = cairn_jit::compile_with_abi(&printing_module(), version).expect("compiles");
        let mut ctx = context(small_limits());
        let result = program.run_main(&mut ctx);
        assert_eq!(expect_int(&result), 42, "ABI {version:?}");
        assert_eq!(ctx.output, b"7\n");
    }
}

#[test]
fn newer_minor_and_other_major_are_refused_with_the_spec_text() {
    let cases = [
        (
            (0, 2),
            "AIVI value ABI mismatch: required minor version is newer than runtime (required 0.2.0, runtime 0.1.0)",
        ),
        (
            (1, 0),
            "AIVI value ABI mismatch: major version differs (required 1.0.0, runtime 0.1.0)",
        ),
    ];
    for (version, text) in cases {
        let program = cairn_jit::compile_with_abi(&printing_module(), version).expect("compiles");
        let mut ctx = context(small_limits());
        let before = ctx.heap.snapshot();
        let failure = program.run_main(&mut ctx).expect_err("refused");
        assert_eq!(failure.error.code, ErrorCode::RT0601);
        assert_eq!(failure.error.message, text);
        assert!(failure.frames.is_empty());
        // Refused before any code ran: nothing printed, nothing entered, heap untouched.
        assert!(ctx.output.is_empty());
        assert_eq!(ctx.call_depth, 0);
        assert!(compare_snapshots(&before, &ctx.heap.snapshot()).is_clean());
    }
}
