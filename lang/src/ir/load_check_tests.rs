//! Tests of [`check_loadable`]: a table of malformed modules, each with the exact problem
//! (kind, function, op) it must be refused with, plus the order of checks and the mapping of
//! each problem to the diagnostic the engines report.

use crate::ir::builder::{FunctionBuilder, module};
use crate::ir::load_check::{
    LoadProblem, LoadProblemKind, LoadRefusal, MAX_FUNCTION_VARIABLES, check_loadable,
};
use crate::ir::{
    BlockId, Builtin, Constant, Function, GeneratorItem, Module, OpKind, ParamMode, Var,
};
use crate::parser::{INT_MAX, INT_MIN};

const OWNED: ParamMode = ParamMode::Owned;

/// `main() = { enter; return 1 }`.
fn returns_one(name: &str) -> Function {
    let (mut f, _) = FunctionBuilder::new(name, &[]);
    f.enter(&[]);
    let one = f.int(1);
    f.ret(one);
    f.finish()
}

/// `main() = { enter; x = 1; <item>; return x }` as function 1 of two.
fn module_with_item(item: GeneratorItem) -> Module {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let x = main.int(1);
    main.op(OpKind::GeneratorItem { item }, &[]);
    main.ret(x);
    module(vec![returns_one("helper"), main.finish()], 1)
}

/// `main` (function 0 of one) built by `body` after its `enter`.
fn main_module(body: impl FnOnce(&mut FunctionBuilder)) -> Module {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    body(&mut main);
    module(vec![main.finish()], 0)
}

fn malformed_in_main(op: Option<u32>, detail: &str) -> LoadProblem {
    LoadProblem {
        kind: LoadProblemKind::Malformed(format!("malformed IR in function `main`: {detail}")),
        function: Some(0),
        op,
    }
}

fn with_constant(value: i64) -> Module {
    main_module(|f| {
        let x = f.constant(Constant::Int(value));
        f.ret(x);
    })
}

/// Every refused module of the table: (what it shows, module, the problem).
fn refused_cases() -> Vec<(&'static str, Module, LoadProblem)> {
    let mut cases = Vec::new();
    for item in [
        GeneratorItem::Filter,
        GeneratorItem::Yield,
        GeneratorItem::Recurse,
    ] {
        let problem = LoadProblem {
            kind: LoadProblemKind::GeneratorItem(item),
            function: Some(1),
            op: Some(2),
        };
        cases.push(("generator item", module_with_item(item), problem));
    }

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
    main.ret(Var(7));
    let problem = LoadProblem {
        kind: LoadProblemKind::GeneratorItem(GeneratorItem::Yield),
        function: Some(1),
        op: Some(1),
    };
    // The entry is missing too: generator items are checked before everything else.
    let generator_first = module(vec![broken.finish(), main.finish()], 9);
    cases.push(("generator item wins", generator_first, problem));

    let missing = |entry, function_count| LoadProblem {
        kind: LoadProblemKind::MissingEntry {
            entry,
            function_count,
        },
        function: None,
        op: None,
    };
    let (mut with_params, params) = FunctionBuilder::new("main", &[OWNED]);
    with_params.enter(&params);
    with_params.ret(params[0]);
    let with_params = with_params.finish();
    cases.push(("no functions", module(vec![], 0), missing(0, 0)));
    let entry_missing = module(vec![returns_one("main"), with_params.clone()], 3);
    cases.push(("missing entry wins", entry_missing, missing(3, 2)));

    let mut bad_later = returns_one("later");
    bad_later.blocks.clear();
    let entry_params = module(vec![with_params, bad_later], 0);
    let problem = LoadProblem {
        kind: LoadProblemKind::EntryHasParams {
            name: "main".into(),
            count: 1,
        },
        function: Some(0),
        op: None,
    };
    cases.push(("entry with params wins", entry_params, problem));

    for value in [INT_MAX + 1, INT_MIN - 1, 1 << 50, i64::MIN] {
        let problem = LoadProblem {
            kind: LoadProblemKind::IntConstantOutOfRange(value),
            function: Some(0),
            op: Some(1),
        };
        cases.push(("Int constant outside i48", with_constant(value), problem));
    }

    let unknown_var = main_module(|f| f.ret(Var(99)));
    let detail = "variable v99 is out of range (var_count 0)";
    cases.push((
        "unknown var",
        unknown_var,
        malformed_in_main(Some(1), detail),
    ));

    let undefined = main_module(|f| {
        let never_defined = f.var();
        f.ret(never_defined);
    });
    let detail = "variable v0 is used but never defined";
    cases.push((
        "undefined var",
        undefined,
        malformed_in_main(Some(1), detail),
    ));

    let undefined_cleanup = main_module(|f| {
        let never_defined = f.var();
        let text = f.text("t", &[never_defined]);
        f.ret(text);
    });
    let detail = "variable v0 is used but never defined";
    let problem = malformed_in_main(Some(1), detail);
    cases.push(("undefined var in cleanup", undefined_cleanup, problem));

    let unknown_function = main_module(|f| {
        let r = f.call(7, &[], &[]);
        f.ret(r);
    });
    let problem = malformed_in_main(Some(1), "function f7 does not exist");
    cases.push(("unknown function", unknown_function, problem));

    let (mut callee, params) = FunctionBuilder::new("callee", &[OWNED]);
    callee.enter(&params);
    callee.ret(params[0]);
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let r = main.call(0, &[], &[]);
    main.ret(r);
    let call_arity = module(vec![callee.finish(), main.finish()], 1);
    let mut problem = malformed_in_main(Some(1), "call to `callee` passes 0 arguments, it takes 1");
    problem.function = Some(1);
    cases.push(("call arity", call_arity, problem));

    // A closure of a function that is not closure-callable (param 0 borrowed / no params).
    let (mut borrowed, params) = FunctionBuilder::new("borrowed", &[ParamMode::Borrowed]);
    borrowed.enter(&[]);
    let one = borrowed.int(1);
    borrowed.ret(one);
    let _ = params;
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let closure = main.make_closure(0, &[], &[]);
    main.ret(closure);
    let not_callable = module(vec![borrowed.finish(), main.finish()], 1);
    let mut problem = malformed_in_main(
        Some(1),
        "closure of `borrowed`, which is not closure-callable (param 0 is the closure, every param owned)",
    );
    problem.function = Some(1);
    cases.push((
        "closure of a borrowed-param function",
        not_callable,
        problem,
    ));

    let unknown_closure = main_module(|f| {
        let c = f.make_closure(5, &[], &[]);
        f.ret(c);
    });
    let problem = malformed_in_main(Some(1), "closure of function f5 that does not exist");
    cases.push(("closure of an unknown function", unknown_closure, problem));

    let undefined_callee = main_module(|f| {
        let r = f.call_value(Var(40), &[], &[]);
        f.ret(r);
    });
    let detail = "variable v40 is out of range (var_count 1)";
    cases.push((
        "value call of an undefined var",
        undefined_callee,
        malformed_in_main(Some(1), detail),
    ));

    let (mut callee, params) = FunctionBuilder::new("callee", &[OWNED]);
    callee.enter(&params);
    callee.ret(params[0]);
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    main.tail_call(0, &[]);
    let tail_arity = module(vec![callee.finish(), main.finish()], 1);
    let mut problem = malformed_in_main(
        Some(1),
        "tail call to `callee` passes 0 arguments, it takes 1",
    );
    problem.function = Some(1);
    cases.push(("tail call arity", tail_arity, problem));

    let unknown_tail = main_module(|f| f.tail_call(9, &[]));
    let problem = malformed_in_main(Some(1), "tail call to function f9 that does not exist");
    cases.push(("tail call to an unknown function", unknown_tail, problem));

    let builtin_arity = main_module(|f| {
        let one = f.int(1);
        let r = f.builtin(Builtin::Len, &[one, one], &[]);
        f.ret(r);
    });
    let detail = "builtin Len takes 1 argument, got 2";
    cases.push((
        "builtin arity",
        builtin_arity,
        malformed_in_main(Some(2), detail),
    ));

    let tuple_check_arity = main_module(|f| {
        let two = f.int(2);
        let r = f.builtin(Builtin::ExpectTupleArity, &[two], &[]);
        f.ret(r);
    });
    let detail = "builtin ExpectTupleArity takes 2 arguments, got 1";
    cases.push((
        "internal builtin arity",
        tuple_check_arity,
        malformed_in_main(Some(2), detail),
    ));

    let unknown_block = main_module(|f| f.jump(BlockId(5), &[]));
    let detail = "block b5 does not exist (1 blocks)";
    cases.push((
        "unknown block",
        unknown_block,
        malformed_in_main(Some(1), detail),
    ));

    let jump_arity = main_module(|f| {
        let (exit, params) = f.block(&[OWNED]);
        f.jump(exit, &[]);
        f.switch_to(exit);
        f.ret(params[0]);
    });
    let detail = "jump to b1 passes 0 arguments, the block takes 1";
    cases.push(("jump arity", jump_arity, malformed_in_main(Some(1), detail)));

    let branch_to_params = main_module(|f| {
        let (target, params) = f.block(&[OWNED]);
        let (other, _) = f.block(&[]);
        let condition = f.constant(Constant::Bool(true));
        f.branch(condition, other, target);
        f.switch_to(target);
        f.ret(params[0]);
        f.switch_to(other);
        f.ret(condition);
    });
    let detail = "branch target b1 has block parameters";
    cases.push((
        "branch target with params",
        branch_to_params,
        malformed_in_main(Some(2), detail),
    ));

    let mut no_blocks = returns_one("main");
    no_blocks.blocks.clear();
    let problem = malformed_in_main(None, "the function has no blocks");
    cases.push(("no blocks", module(vec![no_blocks], 0), problem));

    let mut params_differ = returns_one("main");
    params_differ.blocks[0].params = vec![crate::ir::Param {
        var: Var(0),
        mode: OWNED,
    }];
    let problem = malformed_in_main(None, "block b0's params are not the function's params");
    cases.push(("block 0 params", module(vec![params_differ], 0), problem));

    let mut block_param_out_of_range = main_module(|f| {
        let (exit, params) = f.block(&[OWNED]);
        let one = f.int(1);
        f.jump(exit, &[one]);
        f.switch_to(exit);
        f.ret(params[0]);
    });
    block_param_out_of_range.functions[0].blocks[1].params[0].var = Var(40);
    let detail = "variable v40 is out of range (var_count 2)";
    let problem = malformed_in_main(None, detail);
    cases.push((
        "block param out of range",
        block_param_out_of_range,
        problem,
    ));

    let mut too_many_variables = returns_one("main");
    too_many_variables.var_count = MAX_FUNCTION_VARIABLES + 1;
    let detail = format!(
        "{} variables exceed the limit of {MAX_FUNCTION_VARIABLES}",
        MAX_FUNCTION_VARIABLES + 1
    );
    let problem = malformed_in_main(None, &detail);
    cases.push((
        "too many variables",
        module(vec![too_many_variables], 0),
        problem,
    ));
    cases
}

#[test]
fn every_malformed_module_is_refused_with_its_exact_problem() {
    for (what, module, expected) in refused_cases() {
        assert_eq!(check_loadable(&module), Err(expected), "{what}");
    }
}

#[test]
fn well_formed_modules_load_including_the_int_range_bounds() {
    let mut modules = vec![
        module(vec![returns_one("main")], 0),
        with_constant(INT_MAX),
        with_constant(INT_MIN),
    ];
    let (mut callee, params) = FunctionBuilder::new("callee", &[OWNED]);
    callee.enter(&params);
    let (exit, exit_params) = callee.block(&[OWNED]);
    callee.jump(exit, &[params[0]]);
    callee.switch_to(exit);
    callee.ret(exit_params[0]);
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let one = main.int(1);
    let r = main.call(1, &[one], &[]);
    main.ret(r);
    modules.push(module(vec![main.finish(), callee.finish()], 0));
    for module in modules {
        assert_eq!(check_loadable(&module), Ok(()));
    }
}

#[test]
fn compiled_source_programs_are_loadable() {
    let source = "fn build(n) = if n == 0 then [] else push(build(n - 1), str(n))\n\
                  fn main() = {\n  xs = build(3);\n  (a, b) = (xs, 1);\n  print(a);\n  len(xs) + b\n}\n";
    let module = crate::compile(&crate::SourceFile::new("t.cairn", source)).expect("compiles");
    assert_eq!(check_loadable(&module), Ok(()));
}

#[test]
fn each_problem_maps_to_its_diagnostic_and_frame() {
    let item = LoadProblem {
        kind: LoadProblemKind::GeneratorItem(GeneratorItem::Recurse),
        function: Some(2),
        op: Some(5),
    };
    assert_eq!(item.refusal(), LoadRefusal::UnsupportedBlockItem("Recurse"));
    assert_eq!(item.frame(), Some((2, 5)));

    let constant = LoadProblem {
        kind: LoadProblemKind::IntConstantOutOfRange(1 << 50),
        function: Some(0),
        op: Some(1),
    };
    assert_eq!(constant.refusal(), LoadRefusal::IntegerOverflow);
    assert_eq!(constant.frame(), Some((0, 1)));

    let entry = LoadProblem {
        kind: LoadProblemKind::EntryHasParams {
            name: "main".into(),
            count: 2,
        },
        function: Some(0),
        op: None,
    };
    let expected = LoadRefusal::EntryArityMismatch {
        name: "main",
        expected: 2,
    };
    assert_eq!(entry.refusal(), expected);
    assert_eq!(entry.frame(), None);

    let missing = |entry, function_count| LoadProblem {
        kind: LoadProblemKind::MissingEntry {
            entry,
            function_count,
        },
        function: None,
        op: None,
    };
    assert_eq!(
        missing(3, 1).refusal(),
        LoadRefusal::Internal(
            "malformed IR module: entry function 3 does not exist (1 functions)".into()
        )
    );
    assert_eq!(
        missing(0, 0).refusal(),
        LoadRefusal::Internal("malformed IR module: the module has no functions".into())
    );

    let malformed = LoadProblem::malformed_in_function(1, "f", Some(4), "variable v9 is bad");
    assert_eq!(
        malformed.refusal(),
        LoadRefusal::Internal("malformed IR in function `f`: variable v9 is bad".into())
    );
    assert_eq!(malformed.frame(), Some((1, 4)));
    let whole_function = LoadProblem::malformed_in_function(1, "f", None, "x");
    assert_eq!(whole_function.frame(), None);
}

/// A block's cleanup table that the engines could not walk safely is refused at load (a
/// host's malformed table is a diagnostic, never a crash): vars out of order or repeated,
/// a range past the block's positions, a var out of range.
#[test]
fn malformed_cleanup_tables_are_refused() {
    use crate::ir::CleanupRange;
    // `main() = { enter; a = "a"; b = "b"; x = a ++ b; return x }`, its table rewritten.
    let base = || {
        main_module(|f| {
            let a = f.text("a", &[]);
            let b = f.text("b", &[a]);
            let x = f.binary(crate::ir::BinaryOp::Concat, a, b, &[a, b]);
            f.ret(x);
        })
    };
    check_loadable(&base()).unwrap();
    let range = |var: u32, from: u32, to: u32| CleanupRange {
        var: Var(var),
        from,
        to,
    };
    let cases: Vec<(Vec<CleanupRange>, &str)> = vec![
        (
            vec![range(1, 2, 4), range(0, 2, 4)],
            "cleanup table lists v0 after v1 (it must be strictly ascending by var)",
        ),
        (
            vec![range(0, 2, 4), range(0, 3, 4)],
            "cleanup table lists v0 after v0 (it must be strictly ascending by var)",
        ),
        (
            vec![range(0, 2, 6)],
            "cleanup range of v0 is 2..6, outside the block's positions 0..5",
        ),
        (
            vec![range(0, 3, 2)],
            "cleanup range of v0 is 3..2, outside the block's positions 0..5",
        ),
    ];
    for (table, detail) in cases {
        let mut module = base();
        module.functions[0].blocks[0].cleanup = table;
        let problem = check_loadable(&module).unwrap_err();
        let LoadProblemKind::Malformed(text) = &problem.kind else {
            panic!("{problem:?}")
        };
        assert!(text.ends_with(detail), "{text}");
    }
    let mut module = base();
    module.functions[0].blocks[0].cleanup = vec![range(99, 0, 1)];
    assert!(check_loadable(&module).is_err());
    // The same tables fail the verifier too.
    let mut module = base();
    module.functions[0].blocks[0].cleanup = vec![range(1, 2, 4), range(0, 2, 4)];
    assert_eq!(crate::verify(&module).unwrap_err().code, "E0301");
}

/// Host JSON in the former shape, a `cleanup` list on an op, is refused when it is read
/// rather than loaded with that cleanup silently dropped.
#[test]
fn per_op_cleanup_lists_in_host_json_are_refused() {
    let module = main_module(|f| {
        let a = f.text("a", &[]);
        f.ret(a);
    });
    let json = crate::module_to_json(&module);
    assert!(crate::module_from_json(&json).is_ok());
    let old = json.replacen(
        "\"kind\": \"Enter\",",
        "\"kind\": \"Enter\", \"cleanup\": [],",
        1,
    );
    assert_ne!(old, json, "the JSON has the shape this test expects");
    let error = crate::module_from_json(&old).unwrap_err();
    assert!(error.message.contains("cleanup"), "{}", error.message);
}
