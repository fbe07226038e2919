//! Tuple destructuring `(a, b) = e` is checked: lowering emits the internal builtin
//! `ExpectTupleArity(e, <arity const>)` with the pattern's span before the `Index` ops that
//! bind the names, the RC pass treats it as a borrowed-argument fallible op whose Unit
//! result is released at once, and the builtin cannot be called by name.

use cairn_lang::ir::{Builtin, Constant, Function, Module, Op, OpKind, Span, Var};
use cairn_lang::{SourceFile, compile, lower, parser, resolve};

/// The pre-RC IR of `source` (parse, resolve, lower).
fn lowered(source: &str) -> Module {
    let program = parser::parse(source).expect("parses");
    let table = resolve::build_function_table(&program).expect("resolves");
    let file = SourceFile::new("test.cairn", source);
    lower::lower_program(&program, &table, &file).expect("lowers")
}

fn compiled(source: &str) -> Module {
    compile(&SourceFile::new("test.cairn", source)).expect("compiles")
}

fn ops(function: &Function) -> Vec<&Op> {
    function.blocks.iter().flat_map(|b| &b.ops).collect()
}

/// The cleanup of the `n`-th op of `function` in [`ops`] order, from its block's table.
fn cleanup_of(function: &Function, mut n: usize) -> Vec<Var> {
    for block in &function.blocks {
        if n < block.ops.len() {
            return block.cleanup_at(n);
        }
        n -= block.ops.len();
    }
    panic!("no op {n}")
}

fn int_constant_of(function: &Function, var: Var) -> Option<i64> {
    ops(function).into_iter().find_map(|op| match op.kind {
        OpKind::Const {
            dst,
            value: Constant::Int(n),
        } if dst == var => Some(n),
        _ => None,
    })
}

/// The span of `needle`'s first occurrence in `source`.
fn span_of(source: &str, needle: &str) -> Span {
    let start = source.find(needle).expect("needle in source") as u32;
    Span::new(start, start + needle.len() as u32)
}

const SOURCE: &str = "fn main() = {\n  t = (1, 2, 3);\n  (a, b, c) = t;\n  a + b + c\n}\n";

#[test]
fn lowering_checks_the_tuple_before_indexing_it() {
    let module = lowered(SOURCE);
    let main = &module.functions[0];
    let all = ops(main);
    let tuple = all
        .iter()
        .find_map(|op| match op.kind {
            OpKind::MakeTuple { dst, .. } => Some(dst),
            _ => None,
        })
        .expect("tuple literal");
    let check_position = all
        .iter()
        .position(|op| {
            matches!(
                op.kind,
                OpKind::Builtin {
                    builtin: Builtin::ExpectTupleArity,
                    ..
                }
            )
        })
        .expect("the destructuring emits ExpectTupleArity");
    let check = all[check_position];
    let OpKind::Builtin { args, .. } = &check.kind else {
        unreachable!()
    };
    assert_eq!(args[0], tuple, "the check is on the destructured value");
    assert_eq!(int_constant_of(main, args[1]), Some(3), "arity constant");
    assert_eq!(
        check.span,
        span_of(SOURCE, "(a, b, c)"),
        "the pattern's span"
    );

    let index_positions: Vec<usize> = all
        .iter()
        .enumerate()
        .filter(|(_, op)| matches!(op.kind, OpKind::Index { base, .. } if base == tuple))
        .map(|(position, _)| position)
        .collect();
    assert_eq!(index_positions.len(), 3);
    assert!(
        index_positions.iter().all(|&p| p > check_position),
        "every Index comes after the check"
    );
}

#[test]
fn every_destructuring_gets_its_own_check_with_its_arity() {
    let source = "fn f(p) = { (x, y) = p; { (u, v, w) = (x, y, 0); u + v + w } }\n\
                  fn main() = f((1, 2))\n";
    let module = lowered(source);
    let f = &module.functions[0];
    let arities: Vec<i64> = ops(f)
        .into_iter()
        .filter_map(|op| match &op.kind {
            OpKind::Builtin {
                builtin: Builtin::ExpectTupleArity,
                args,
                ..
            } => int_constant_of(f, args[1]),
            _ => None,
        })
        .collect();
    assert_eq!(arities, vec![2, 3]);
}

#[test]
fn the_rc_pass_borrows_the_tuple_and_releases_the_unit_result_at_once() {
    let module = compiled(SOURCE);
    let main = &module.functions[0];
    let all = ops(main);
    let position = all
        .iter()
        .position(|op| {
            matches!(
                op.kind,
                OpKind::Builtin {
                    builtin: Builtin::ExpectTupleArity,
                    ..
                }
            )
        })
        .expect("the check survives the RC pass");
    let OpKind::Builtin { dst, args, .. } = &all[position].kind else {
        unreachable!()
    };
    let tuple = args[0];
    // The tuple is still owned by `t` (the Index ops read it after the check), so a failing
    // check must release it.
    let cleanup = cleanup_of(main, position);
    assert!(cleanup.contains(&tuple), "cleanup {cleanup:?}");
    assert!(
        !all[..position]
            .iter()
            .any(|op| matches!(op.kind, OpKind::Retain { src, .. } if src == tuple)),
        "a borrowed argument needs no retain"
    );
    let released_result = all[position + 1..]
        .iter()
        .take(3)
        .any(|op| matches!(op.kind, OpKind::Release { var } if var == *dst));
    assert!(
        released_result,
        "the dead Unit result is released right away"
    );
}

#[test]
fn the_internal_builtin_is_not_callable_by_name() {
    assert_eq!(Builtin::from_name("expect_tuple_arity"), None);
    assert_eq!(Builtin::ExpectTupleArity.name(), None);
    assert_eq!(Builtin::ExpectTupleArity.ir_name(), "expect_tuple_arity");
    let source = "fn main() = expect_tuple_arity((1, 2), 2)\n";
    let diagnostics = compile(&SourceFile::new("t.cairn", source)).unwrap_err();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0].code, "E0101");
}
