//! Hostile-size programs: flat literals compile in time linear in their length (a 200,000
//! element literal finishes in a moment in a debug build; the quadratic RC pass it replaced
//! took minutes), and the implementation limits (docs/LANGUAGE.md "Limits") are compile-time
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
        format!(
            "tuple literal too large: {} elements exceed the limit of {MAX_LITERAL_ELEMENTS}",
            MAX_LITERAL_ELEMENTS + 1
        )
    );
    assert_eq!(errors[0].span.start, 12);
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
