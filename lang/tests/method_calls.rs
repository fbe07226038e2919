//! Method calls (docs/LANGUAGE.md, "Method calls"): `receiver.name(args)` parses as a postfix
//! form, lowers to a host call of the `.name` signature listed after the embedder's host
//! functions (one entry per name and argument count), and `receiver.name` without
//! parentheses is a syntax error.

use cairn_lang::ir::{HostSignature, OpKind};
use cairn_lang::{SourceFile, compile, compile_with_host_functions};

fn signatures(module: &cairn_lang::ir::Module) -> Vec<(String, usize)> {
    module
        .host_functions
        .iter()
        .map(|s| (s.name.clone(), s.arity))
        .collect()
}

#[test]
fn method_calls_are_host_calls_of_dot_signatures_after_the_host_functions() {
    let source = SourceFile::new(
        "m.cairn",
        "fn main() = 0\nfn f(p, q) = [p.damage(1), q.damage(2), p.damage(1, 2), record(p.hp()), p.hp().abs()]",
    );
    let hosts = [HostSignature {
        name: "record".into(),
        arity: 1,
    }];
    let module = compile_with_host_functions(&source, &hosts).unwrap();
    assert_eq!(
        signatures(&module),
        [
            ("record".to_string(), 1),
            (".damage".to_string(), 2),
            (".damage".to_string(), 3),
            (".hp".to_string(), 1),
            (".abs".to_string(), 1),
        ]
    );
    let calls: Vec<(u32, usize)> = module.functions[1]
        .blocks
        .iter()
        .flat_map(|block| &block.ops)
        .filter_map(|op| match &op.kind {
            OpKind::CallHost { host, args, .. } => Some((*host, args.len())),
            _ => None,
        })
        .collect();
    assert_eq!(
        calls,
        [(1, 2), (1, 2), (2, 3), (3, 1), (0, 1), (3, 1), (4, 1)]
    );
}

#[test]
fn a_dot_without_a_call_is_a_syntax_error() {
    for text in [
        "fn main() = p.hp\nfn p() = 1",
        "fn main() = 1.(2)",
        "fn main() = [1]..len()",
    ] {
        let errors = compile(&SourceFile::new("m.cairn", text)).unwrap_err();
        assert_eq!(errors[0].code, "E0001", "{text}: {errors:?}");
    }
}

#[test]
fn method_calls_bind_as_tightly_as_calls_and_indexing() {
    let source = SourceFile::new(
        "m.cairn",
        "fn main() = 0\nfn f(xs) = -xs[0].neg().abs() + 1",
    );
    let module = compile(&source).unwrap();
    assert_eq!(
        signatures(&module),
        [(".neg".to_string(), 1), (".abs".to_string(), 1)]
    );
}
