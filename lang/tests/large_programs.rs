//! Hostile-size programs: flat literals compile in time linear in their length (a 200,000
//! element literal finishes in a moment in a debug build; the quadratic RC pass it replaced
//! took minutes; big map and tuple literals of fallible elements have linear cleanups), and
//! the implementation limits (docs/LANGUAGE.md "Limits") are compile-time
//! E04xx diagnostics with a span, never a runtime RT0001.

use cairn_lang::ir::load_check::{MAX_FUNCTION_VARIABLES, check_loadable};
use cairn_lang::limits::{MAX_LITERAL_ELEMENTS, check_module_limits};
use cairn_lang::{SourceFile, compile};

fn joined(count: usize, element: impl Fn(usize) -> String) -> String {
    (0..count).map(element).collect::<Vec<_>>().join(", ")
}

#[test]
fn a_200k_element_list_literal_compiles_to_one_make_list() {
    let count = 200_000;
    let text = format!("fn main() = len([{}])", joined(count, |i| i.to_string()));
    let module = compile(&SourceFile::new("list.cairn", text)).unwrap();
    let main = &module.functions[module.entry.0 as usize];
    assert!(main.var_count as usize > count);
    check_loadable(&module).unwrap();
}

#[test]
fn long_map_tuple_and_text_literals_compile() {
    let count = 20_000;
    for text in [
        format!(
            "fn main() = len(#{{{}}})",
            joined(count, |i| format!("{i}: {i}"))
        ),
        format!("fn main() = len(({}))", joined(count, |i| i.to_string())),
        format!(
            "fn main() = len([{}])",
            joined(count, |i| format!("\"t{i}\""))
        ),
    ] {
        compile(&SourceFile::new("big.cairn", text)).unwrap();
    }
}

#[test]
fn a_literal_over_the_element_limit_is_e0403_at_the_literal() {
    let text = format!("fn main() = ({})", "0,".repeat(MAX_LITERAL_ELEMENTS + 1));
    let errors = compile(&SourceFile::new("tuple.cairn", text)).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, "E0403");
    assert_eq!(
        errors[0].message,
        format!("tuple literal too large: more than {MAX_LITERAL_ELEMENTS} elements")
    );
    // From the opening parenthesis to the first element past the limit, where the parser
    // stopped.
    let first_past = 13 + 2 * MAX_LITERAL_ELEMENTS;
    assert_eq!(errors[0].span.start, 12);
    assert_eq!(errors[0].span.end as usize, first_past + 1);
}

#[test]
fn too_many_variables_is_e0401_at_the_function_not_a_runtime_error() {
    let mut module = compile(&SourceFile::new(
        "small.cairn",
        "fn helper(x) = x + 1\nfn main() = helper(1)",
    ))
    .unwrap();
    check_module_limits(&module).unwrap();
    let helper = module
        .functions
        .iter_mut()
        .find(|f| f.name == "helper")
        .unwrap();
    helper.var_count = MAX_FUNCTION_VARIABLES + 1;
    let span = helper.span;
    let errors = check_module_limits(&module).unwrap_err();
    assert_eq!(errors[0].code, "E0401");
    assert_eq!(
        errors[0].message,
        format!(
            "too many variables in function `helper`: {} exceed the limit of {MAX_FUNCTION_VARIABLES}",
            MAX_FUNCTION_VARIABLES + 1
        )
    );
    assert_eq!(errors[0].span, span);
}

/// Every op of `main`, with the entries of its blocks' cleanup tables.
fn main_ops(module: &cairn_lang::ir::Module) -> (Vec<&cairn_lang::ir::OpKind>, usize) {
    let main = &module.functions[module.entry.0 as usize];
    let ops: Vec<_> = main.blocks.iter().flat_map(|b| &b.ops).collect();
    let cleanups = main.blocks.iter().map(|b| b.cleanup.len()).sum();
    (ops.iter().map(|op| &op.kind).collect(), cleanups)
}

fn builtin_count(ops: &[&cairn_lang::ir::OpKind], wanted: cairn_lang::ir::Builtin) -> usize {
    ops.iter()
        .filter(|kind| {
            matches!(kind, cairn_lang::ir::OpKind::Builtin { builtin, .. } if *builtin == wanted)
        })
        .count()
}

/// A map or tuple literal of fallible elements (Texts, nested lists, calls) is gathered into
/// a List and finished by one builtin: the cleanups (and variables) grow linearly with its
/// length. The quadratic lowering (one MakeMap / MakeTuple) had about N²/2 cleanup entries:
/// 12.5 million for these 5,000 elements against the bound of 10 per element here.
#[test]
fn big_fallible_map_and_tuple_literals_have_linear_cleanups() {
    use cairn_lang::ir::Builtin;
    let count = 5_000;
    let map = format!(
        "fn main() = len(#{{{}}})",
        joined(count, |i| format!("\"k{i}\": [{i}]"))
    );
    let tuple = format!(
        "fn id(x) = x\nfn main() = len(({}))",
        joined(count, |i| {
            if i % 2 == 0 {
                format!("\"t{i}\"")
            } else {
                format!("id({i})")
            }
        })
    );
    for (text, finisher) in [(map, Builtin::MapFromList), (tuple, Builtin::TupleFromList)] {
        let module = compile(&SourceFile::new("big.cairn", text)).unwrap();
        let (ops, cleanups) = main_ops(&module);
        assert!(
            cleanups <= 10 * count,
            "{finisher:?}: {cleanups} cleanup entries for {count} elements"
        );
        let main = &module.functions[module.entry.0 as usize];
        assert!(
            (main.var_count as usize) <= 8 * count,
            "{finisher:?}: {} variables",
            main.var_count
        );
        assert_eq!(builtin_count(&ops, finisher), 1, "{finisher:?}");
        check_loadable(&module).unwrap();
    }
}

/// 20,000 Text keys took about 26 s and 3 GB to compile when every key's cleanup listed every
/// earlier entry; gathered, it is one `MapFromList` after the pushes.
#[test]
fn a_20k_text_key_map_literal_compiles() {
    let count = 20_000;
    let text = format!(
        "fn main() = len(#{{{}}})",
        joined(count, |i| format!("\"k{i}\": {i}"))
    );
    let module = compile(&SourceFile::new("map.cairn", text)).unwrap();
    let (ops, cleanups) = main_ops(&module);
    assert!(cleanups <= 10 * count, "{cleanups} cleanup entries");
    assert_eq!(builtin_count(&ops, cairn_lang::ir::Builtin::MapFromList), 1);
}

/// Up to `GATHERED_LITERAL_CHUNK` words (and whenever every element is a constant) a map or
/// tuple literal is still one MakeMap / MakeTuple, so small literals lower (and trace)
/// exactly as before.
#[test]
fn small_or_constant_map_and_tuple_literals_stay_one_op() {
    use cairn_lang::ir::{Builtin, OpKind};
    use cairn_lang::lower::GATHERED_LITERAL_CHUNK;
    let entries = GATHERED_LITERAL_CHUNK / 2;
    let elements = GATHERED_LITERAL_CHUNK;
    let cases = [
        format!(
            "fn main() = #{{{}}}",
            joined(entries, |i| format!("\"k{i}\": \"v{i}\""))
        ),
        format!(
            "fn main() = ({})",
            joined(elements, |i| format!("\"t{i}\""))
        ),
        format!(
            "fn main() = #{{{}}}",
            joined(5_000, |i| format!("{i}: {i}"))
        ),
        format!("fn main() = ({})", joined(5_000, |i| i.to_string())),
    ];
    for text in cases {
        let module = compile(&SourceFile::new("small.cairn", text)).unwrap();
        let (ops, _) = main_ops(&module);
        let makes = ops
            .iter()
            .filter(|kind| matches!(kind, OpKind::MakeMap { .. } | OpKind::MakeTuple { .. }))
            .count();
        assert_eq!(makes, 1);
        assert_eq!(builtin_count(&ops, Builtin::MapFromList), 0);
        assert_eq!(builtin_count(&ops, Builtin::TupleFromList), 0);
        assert_eq!(builtin_count(&ops, Builtin::Push), 0);
    }
    // One word past the chunk, the literal is gathered.
    let text = format!(
        "fn main() = ({})",
        joined(elements + 1, |i| format!("\"t{i}\""))
    );
    let module = compile(&SourceFile::new("gathered.cairn", text)).unwrap();
    let (ops, _) = main_ops(&module);
    assert_eq!(builtin_count(&ops, Builtin::TupleFromList), 1);
    assert_eq!(builtin_count(&ops, Builtin::Push), 1);
}

/// A function of more params, or a call of more args, than the engines pass
/// (`MAX_CALL_WORDS`: Cranelift's `tail` convention pops stack args with a 16-bit
/// immediate, so 8,196 params panicked inside Cranelift) is E0404 at compile time; the
/// limit itself compiles. Host IR past it is refused by the load check, for both engines.
#[test]
fn too_many_params_or_call_args_is_e0404_not_an_engine_failure() {
    use cairn_lang::ir::load_check::MAX_CALL_WORDS;
    let params = |n: usize| joined(n, |i| format!("x{i}"));
    let args = |n: usize| joined(n, |i| i.to_string());
    let at_limit = format!(
        "fn f({}) = x0\nfn main() = f({})",
        params(MAX_CALL_WORDS),
        args(MAX_CALL_WORDS)
    );
    let module = compile(&SourceFile::new("limit.cairn", at_limit)).unwrap();
    check_loadable(&module).unwrap();

    let over = MAX_CALL_WORDS + 1;
    let source = format!("fn f({}) = x0\nfn main() = 0", params(over));
    let errors = compile(&SourceFile::new("params.cairn", source)).unwrap_err();
    assert_eq!(errors[0].code, "E0404");
    assert_eq!(
        errors[0].message,
        format!("too many parameters in function `f`: {over} exceed the limit of {MAX_CALL_WORDS}")
    );
    // A value call of a lambda: the lambda's params (with its closure param) and the
    // call's words (with the callee) are both over.
    let lambda = format!(
        "fn main() = {{\n  g = \\{} -> x0;\n  g({})\n}}",
        params(MAX_CALL_WORDS),
        args(MAX_CALL_WORDS)
    );
    let file = SourceFile::new("lambda.cairn", lambda);
    let errors = compile(&file).unwrap_err();
    let codes: Vec<&str> = errors.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["E0404", "E0404"], "{errors:?}");
    assert!(
        errors[1]
            .message
            .starts_with("too many arguments in one call"),
        "{errors:?}"
    );
    assert_eq!(file.line_column(errors[1].span.start).line, 3);

    // The same module built by a host skips the compile-time check: the load check refuses.
    let mut module = compile(&SourceFile::new("ok.cairn", "fn f(x) = x\nfn main() = 0")).unwrap();
    let f = &mut module.functions[0];
    for i in 1..over {
        let var = cairn_lang::ir::Var(f.var_count + i as u32);
        let param = cairn_lang::ir::Param {
            var,
            mode: cairn_lang::ir::ParamMode::Borrowed,
        };
        f.params.push(param);
        f.blocks[0].params.push(param);
    }
    f.var_count += over as u32;
    let problem = check_loadable(&module).unwrap_err();
    let refusal = format!("{:?}", problem.refusal());
    assert!(refusal.contains("too many parameters"), "{refusal}");
}
