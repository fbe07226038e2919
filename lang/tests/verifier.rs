//! The IR verifier rejects malformed or unbalanced IR (E0301) and generator items (RT0201),
//! and accepts what the compiler produces. Each test breaks one invariant of a compiled
//! module.

use cairn_lang::ir::{BlockId, GeneratorItem, Module, Op, OpKind, Span, TerminatorKind, Var};
use cairn_lang::{SourceFile, compile, verify};

fn compiled(source: &str) -> Module {
    compile(&SourceFile::new("test.cairn", source)).expect("compiles")
}

const PROGRAM: &str = "fn main() = { xs = [1]; n = len(xs); push(xs, n) }";

fn rejection(module: &Module) -> (String, String) {
    let diagnostic = verify(module).expect_err("verifier must reject");
    (diagnostic.code, diagnostic.message)
}

#[test]
fn compiled_modules_verify() {
    assert!(verify(&compiled(PROGRAM)).is_ok());
}

#[test]
fn a_missing_release_is_a_leak() {
    let mut module = compiled("fn main() = { unused = [7]; 1 }");
    let ops = &mut module.functions[0].blocks[1].ops;
    let release = ops
        .iter()
        .position(|op| matches!(op.kind, OpKind::Release { .. }))
        .unwrap();
    ops.remove(release);
    let (code, message) = rejection(&module);
    assert_eq!(code, "E0301");
    assert!(message.contains("still held at return"), "{message}");
}

#[test]
fn a_double_release_is_rejected() {
    let mut module = compiled("fn main() = { unused = [7]; 1 }");
    let ops = &mut module.functions[0].blocks[1].ops;
    let release = ops
        .iter()
        .position(|op| matches!(op.kind, OpKind::Release { .. }))
        .unwrap();
    let copy = ops[release].clone();
    ops.insert(release, copy);
    let (code, message) = rejection(&module);
    assert_eq!(code, "E0301");
    assert!(message.contains("released but not held"), "{message}");
}

#[test]
fn releasing_a_borrowed_param_is_rejected() {
    let mut module = compiled("fn size(xs) = len(xs)\nfn main() = size([1]) + 0");
    let size = &mut module.functions[0];
    let param = size.blocks[1].params[0].var;
    let at = size.blocks[1].ops.len();
    size.blocks[1].ops.insert(
        at,
        Op {
            kind: OpKind::Release { var: param },
            span: Span::default(),
        },
    );
    let (_, message) = rejection(&module);
    assert!(message.contains("borrowed v1 is released"), "{message}");
}

#[test]
fn a_wrong_cleanup_list_is_rejected() {
    let mut module = compiled(PROGRAM);
    // Drop the table entries covering the builtin: its cleanup no longer lists what it holds.
    let block = &mut module.functions[0].blocks[1];
    let at = (block.ops.iter())
        .position(|op| matches!(op.kind, OpKind::Builtin { .. }))
        .unwrap() as u32;
    assert!(block.cleanup.iter().any(|range| range.covers(at)));
    block.cleanup.retain(|range| !range.covers(at));
    let (code, message) = rejection(&module);
    assert_eq!(code, "E0301");
    assert!(message.contains("cleanup"), "{message}");
}

#[test]
fn a_generator_item_is_rt0201_with_its_span() {
    let mut module = compiled(PROGRAM);
    module.functions[0].blocks[1].ops.insert(
        0,
        Op {
            kind: OpKind::GeneratorItem {
                item: GeneratorItem::Yield,
            },
            span: Span::new(3, 9),
        },
    );
    let diagnostic = verify(&module).unwrap_err();
    assert_eq!(diagnostic.code, "RT0201");
    assert_eq!(
        diagnostic.message,
        "unsupported block item in plain block: Yield"
    );
    assert_eq!(diagnostic.span, Span::new(3, 9));
}

#[test]
fn a_use_before_definition_is_rejected() {
    let mut module = compiled("fn main() = 1 + 2");
    let ops = &mut module.functions[0].blocks[1].ops;
    ops.swap(0, 2);
    let (code, message) = rejection(&module);
    assert_eq!(code, "E0301");
    assert!(message.contains("definition does not reach"), "{message}");
}

#[test]
fn a_branch_target_with_two_predecessors_is_rejected() {
    let mut module = compiled("fn main() = if true then 1 else 2");
    let function = &mut module.functions[0];
    let TerminatorKind::Branch { then_block, .. } = function.blocks[1].terminator.kind else {
        panic!("branch expected");
    };
    if let TerminatorKind::Branch { else_block, .. } = &mut function.blocks[1].terminator.kind {
        *else_block = then_block;
    }
    let (_, message) = rejection(&module);
    assert!(message.contains("exactly one predecessor"), "{message}");
}

#[test]
fn jump_arity_and_block_ids_are_checked() {
    let mut module = compiled(PROGRAM);
    if let TerminatorKind::Jump { args, .. } = &mut module.functions[0].blocks[0].terminator.kind {
        args.push(Var(0));
    }
    assert!(rejection(&module).1.contains("passes 1 args for 0 params"));
    let mut module = compiled(PROGRAM);
    if let TerminatorKind::Jump { target, .. } = &mut module.functions[0].blocks[0].terminator.kind
    {
        *target = BlockId(99);
    }
    assert!(rejection(&module).1.contains("out of range"));
}

#[test]
fn block_zero_must_start_with_enter() {
    let mut module = compiled(PROGRAM);
    module.functions[0].blocks[0].ops.remove(0);
    assert!(rejection(&module).1.contains("must start with `enter`"));
}

#[test]
fn a_var_defined_twice_is_rejected() {
    let mut module = compiled("fn main() = 1 + 2");
    if let OpKind::Const { dst, .. } = &mut module.functions[0].blocks[1].ops[1].kind {
        *dst = Var(0);
    }
    assert!(rejection(&module).1.contains("defined more than once"));
}

#[test]
fn malformed_json_is_e0302_and_loaded_json_is_verified() {
    assert_eq!(cairn_lang::module_from_json("{").unwrap_err().code, "E0302");
    let mut module = compiled("fn main() = { unused = [7]; 1 }");
    module.functions[0].blocks[1]
        .ops
        .retain(|op| !matches!(op.kind, OpKind::Release { .. }));
    let json = cairn_lang::module_to_json(&module);
    assert_eq!(
        cairn_lang::module_from_json(&json).unwrap_err().code,
        "E0301"
    );
}
