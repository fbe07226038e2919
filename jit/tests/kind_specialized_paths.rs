//! The lowering the value-kind analysis enables (`jit/src/kind_specialized.rs`,
//! `lower_binary.rs`, `inline_control.rs`) must fail exactly like the generic one: RT0301
//! from the same shim with the same frames when a proven-Int op overflows, the generic
//! paths for functions that also receive Floats or Text, RT0303 for non-Bool conditions,
//! and the saturating `rt_leave` when a module's depth is not provably balanced.

mod support;

use cairn_lang::SourceFile;
use cairn_lang::analysis::{KindSet, infer_value_kinds};
use cairn_lang::ir::{BinaryOp, FuncId, Module, OpKind, ParamMode};
use cairn_runtime::context::Limits;
use cairn_runtime::error::ErrorCode;
use cairn_runtime::value::{INT_MAX, INT_MIN};
use support::ir_builder::{FunctionBuilder, module};
use support::{expect_failure, expect_int, run_clean, run_clean_with, small_limits};

fn compile_source(text: &str) -> Module {
    cairn_lang::compile(&SourceFile::new("test.cairn", text)).expect("compiles")
}

fn function_index(module: &Module, name: &str) -> u32 {
    module
        .functions
        .iter()
        .position(|f| f.name == name)
        .unwrap_or_else(|| panic!("no function `{name}`")) as u32
}

/// The function-wide index of the first `Binary` op in function `name`.
fn first_binary_op(module: &Module, name: &str) -> u32 {
    let function = &module.functions[function_index(module, name) as usize];
    let mut index = 0;
    for block in &function.blocks {
        for op in &block.ops {
            if matches!(op.kind, OpKind::Binary { .. }) {
                return index;
            }
            index += 1;
        }
        index += 1;
    }
    panic!("no binary op in `{name}`")
}

fn param_kinds(module: &Module, name: &str) -> Vec<KindSet> {
    let kinds = infer_value_kinds(module);
    let index = function_index(module, name);
    let function = kinds.function(FuncId(index)).expect("kinds");
    (0..module.functions[index as usize].params.len())
        .map(|position| function.param(position))
        .collect()
}

#[test]
fn overflow_in_proven_int_functions_is_rt0301_at_the_op() {
    let cases = [
        (
            "inc",
            "fn inc(n) = n + 1\nfn main() = inc(140737488355327)\n",
        ),
        (
            "inc",
            "fn inc(n) = 1 + n\nfn main() = inc(140737488355327)\n",
        ),
        (
            "dec",
            "fn dec(n) = n - 1\nfn main() = dec(0 - 140737488355327 - 1)\n",
        ),
        (
            "dec",
            "fn dec(n) = n - -5\nfn main() = dec(140737488355323)\n",
        ),
        (
            "add",
            "fn add(a, b) = a + b\nfn main() = add(140737488355327, 1)\n",
        ),
        (
            "add",
            "fn add(a, b) = a - b\nfn main() = add(0 - 140737488355327, 2)\n",
        ),
        (
            "add",
            "fn add(a, b) = a * b\nfn main() = add(140737488355327, 2)\n",
        ),
    ];
    for (name, source) in cases {
        let module = compile_source(source);
        assert!(
            param_kinds(&module, name).iter().all(|k| k.is_only_int()),
            "{source}: the analysis must prove the params Int for this test to mean anything"
        );
        let (result, _) = run_clean(&module, small_limits());
        let failure = expect_failure(result, ErrorCode::RT0301);
        assert_eq!(failure.error.message, "integer overflow", "{source}");
        // main tail-calls the function, so only its frame is on the stack.
        assert_eq!(failure.frames.len(), 1, "{source}");
        assert_eq!(failure.frames[0].function, function_index(&module, name));
        assert_eq!(
            failure.frames[0].op,
            first_binary_op(&module, name),
            "{source}"
        );
    }
}

#[test]
fn proven_int_arithmetic_is_exact_up_to_the_i48_edges() {
    let cases = [
        ("fn f(n) = n + 1\nfn main() = f(140737488355326)\n", INT_MAX),
        (
            "fn f(n) = n - 1\nfn main() = f(0 - 140737488355327)\n",
            INT_MIN,
        ),
        (
            "fn f(n) = -3 + n\nfn main() = f(0 - 140737488355325)\n",
            INT_MIN,
        ),
        ("fn f(a, b) = a + b\nfn main() = f(0 - 5, 3)\n", -2),
        (
            "fn f(a, b) = a - b\nfn main() = f(0 - 140737488355327, 1)\n",
            INT_MIN,
        ),
        (
            "fn f(a, b) = a * b\nfn main() = f(0 - 1, 140737488355327)\n",
            -INT_MAX,
        ),
        (
            "fn f(a, b) = if a < b then 1 else 2\nfn main() = f(0 - 1, 1) * 10 + f(1, 0 - 1)\n",
            12,
        ),
        (
            "fn f(a) = if a >= 0 - 3 then 1 else 2\nfn main() = f(0 - 3) * 10 + f(0 - 4)\n",
            12,
        ),
    ];
    for (source, expected) in cases {
        let module = compile_source(source);
        assert_eq!(
            expect_int(&run_clean(&module, small_limits()).0),
            expected,
            "{source}"
        );
    }
}

#[test]
fn floats_and_text_flowing_into_int_called_functions_take_the_generic_paths() {
    let source = "fn twice(x) = x + x\n\
                  fn dec(x) = x - 1\n\
                  fn small(x) = x < 1\n\
                  fn main() = {\n\
                    t = twice(\"ab\");\n\
                    print(t);\n\
                    if small(0.5) and not small(3) then twice(2) + twice(1.5) + dec(2.5) else 0.0\n\
                  }\n";
    let module = compile_source(source);
    let numbers_or_text = KindSet::INT.union(KindSet::FLOAT).union(KindSet::HEAP);
    assert_eq!(param_kinds(&module, "twice"), [numbers_or_text]);
    assert_eq!(param_kinds(&module, "dec"), [KindSet::FLOAT]);
    assert_eq!(
        param_kinds(&module, "small"),
        [KindSet::INT.union(KindSet::FLOAT)]
    );
    let (result, ctx) = run_clean_with(&module, small_limits(), |_, value| {
        assert_eq!(value.as_float(), Some(4.0 + 3.0 + 1.5));
    });
    assert!(result.is_ok());
    assert_eq!(String::from_utf8_lossy(&ctx.output), "abab\n");
}

#[test]
fn a_float_into_an_int_called_function_overflows_nothing() {
    // `dec` is called with an Int and a Float: the constant shape must not apply.
    let source =
        "fn dec(x) = x - 1\nfn main() = { a = dec(3); b = dec(0.5); if b < 0.0 then a else 0 }\n";
    let module = compile_source(source);
    assert_eq!(
        param_kinds(&module, "dec"),
        [KindSet::INT.union(KindSet::FLOAT)]
    );
    assert_eq!(expect_int(&run_clean(&module, small_limits()).0), 2);
}

#[test]
fn non_bool_conditions_fail_with_rt0303_from_the_shim() {
    let source =
        "fn pick(c) = if c then 1 else 2\nfn main() = pick(true) + pick(false) + pick(3)\n";
    let module = compile_source(source);
    assert_eq!(
        param_kinds(&module, "pick"),
        [KindSet::INT.union(KindSet::BOOL)]
    );
    let failure = expect_failure(run_clean(&module, small_limits()).0, ErrorCode::RT0303);
    assert_eq!(
        failure.error.message,
        "type mismatch: if expects Bool, got Int"
    );
    assert_eq!(failure.frames.len(), 2);

    let source =
        "fn both(a, b) = a and b\nfn main() = { print(both(true, false)); both(1, true) }\n";
    let failure = expect_failure(
        run_clean(&compile_source(source), small_limits()).0,
        ErrorCode::RT0303,
    );
    assert_eq!(
        failure.error.message,
        "type mismatch: and expects Bool, got Int"
    );
}

#[test]
fn proven_bool_conditions_branch_both_ways() {
    let source = "fn pick(c) = if c then 1 else 2\n\
                  fn main() = pick(true) * 10 + pick(false) + pick(1 < 2) * 100\n";
    let module = compile_source(source);
    assert_eq!(param_kinds(&module, "pick"), [KindSet::BOOL]);
    assert_eq!(expect_int(&run_clean(&module, small_limits()).0), 112);
}

#[test]
fn a_function_without_enter_keeps_the_saturating_leave() {
    // Unverified host IR: `helper` has no Enter, so its Return's `rt_leave` lowers the depth
    // `mid`'s Enter raised, and `mid`'s own Leave then takes it one lower than it found it.
    // With a depth limit of 2, `deep` -> `deeper` then fits: depth 0 -> 1 -> 2. Restoring
    // the depth each Enter read (only valid when every function enters once) would leave it
    // at 1 after `mid` and fail `deeper` with RT0501.
    let (mut helper, params) = FunctionBuilder::new("helper", &[ParamMode::Owned]);
    helper.ret(params[0]);
    let (mut mid, _) = FunctionBuilder::new("mid", &[]);
    mid.enter(&[]);
    let seven = mid.int(7);
    let result = mid.call(0, &[seven], &[]);
    mid.ret(result);
    let (mut deeper, _) = FunctionBuilder::new("deeper", &[]);
    deeper.enter(&[]);
    let one = deeper.int(1);
    deeper.ret(one);
    let (mut deep, _) = FunctionBuilder::new("deep", &[]);
    deep.enter(&[]);
    let result = deep.call(2, &[], &[]);
    deep.ret(result);
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let a = main.call(1, &[], &[]);
    let b = main.call(3, &[], &[a]);
    let sum = main.binary(BinaryOp::Add, a, b, &[]);
    main.ret(sum);
    let functions = vec![
        helper.finish(),
        mid.finish(),
        deeper.finish(),
        deep.finish(),
        main.finish(),
    ];
    let module = module(functions, 4);
    let limits = Limits {
        max_call_depth: 2,
        ..small_limits()
    };
    // `run_clean` also asserts the depth is back to 0.
    assert_eq!(expect_int(&run_clean(&module, limits).0), 8);
}
