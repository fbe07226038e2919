//! RC pass behaviour on compiled programs: moves on last use, immediate release of dead
//! bindings, borrowed params never touched, one retain for a var used twice in owned
//! positions, releases at the top of the branch that does not use a var, exact cleanup
//! lists, self tail calls as fuel + jump, and determinism.

use cairn_lang::ir::{Function, Module, OpKind, ParamMode, TerminatorKind, Var};
use cairn_lang::{SourceFile, compile};

fn compiled(source: &str) -> Module {
    match compile(&SourceFile::new("test.cairn", source)) {
        Ok(module) => module,
        Err(diagnostics) => panic!("compile failed: {diagnostics:?}"),
    }
}

fn function<'m>(module: &'m Module, name: &str) -> &'m Function {
    module
        .functions
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no function {name}"))
}

fn all_ops(function: &Function) -> impl Iterator<Item = &OpKind> {
    function
        .blocks
        .iter()
        .flat_map(|b| b.ops.iter().map(|op| &op.kind))
}

fn defining_op(function: &Function, var: Var) -> &OpKind {
    all_ops(function)
        .find(|kind| kind.dst() == Some(var))
        .expect("var has a defining op")
}

#[test]
fn last_use_in_owned_position_moves_without_retain() {
    let module = compiled("fn main() = { xs = [1]; push(xs, 2) }");
    let main = function(&module, "main");
    let (list, push_args) = all_ops(main)
        .find_map(|kind| match kind {
            OpKind::Builtin { args, .. } => Some((args[0], args.clone())),
            _ => None,
        })
        .unwrap();
    assert!(matches!(defining_op(main, list), OpKind::MakeList { .. }));
    assert_eq!(push_args.len(), 2);
    assert!(!all_ops(main).any(|k| matches!(k, OpKind::Retain { .. })));
    assert!(!all_ops(main).any(|k| matches!(k, OpKind::Release { var } if *var == list)));
}

#[test]
fn dead_binding_is_released_right_after_its_definition() {
    let module = compiled("fn main() = { unused = [7]; 1 }");
    let ops = &function(&module, "main").blocks[1].ops;
    let position = ops
        .iter()
        .position(|op| matches!(op.kind, OpKind::MakeList { .. }))
        .unwrap();
    let list = ops[position].kind.dst().unwrap();
    assert_eq!(ops[position + 1].kind, OpKind::Release { var: list });
}

#[test]
fn borrowed_param_is_never_retained_released_or_consumed() {
    // Not a tail call: a tail call would hand `size` an owned list (its param would be Owned).
    let module = compiled("fn size(xs) = len(xs) + len(xs)\nfn main() = size([1]) + 0");
    let size = function(&module, "size");
    assert_eq!(size.params[0].mode, ParamMode::Borrowed);
    let loop_param = size.blocks[1].params[0].var;
    for kind in all_ops(size) {
        match kind {
            OpKind::Release { var } => assert_ne!(*var, loop_param),
            OpKind::Retain { src, .. } => assert_ne!(*src, loop_param),
            _ => {}
        }
    }
    assert!(
        !size
            .blocks
            .iter()
            .any(|b| b.cleanup.iter().any(|range| range.var == loop_param))
    );
    // The caller keeps ownership and releases its list after the call.
    let main = function(&module, "main");
    assert!(all_ops(main).any(|k| matches!(k, OpKind::Release { .. })));
}

#[test]
fn a_tail_call_passing_an_owned_value_makes_the_callee_param_owned() {
    let module = compiled("fn size(xs) = len(xs)\nfn main() = size([1])");
    assert_eq!(function(&module, "size").params[0].mode, ParamMode::Owned);
    let main = function(&module, "main");
    assert!(matches!(
        main.blocks[1].terminator.kind,
        TerminatorKind::TailCall { .. }
    ));
    // A borrowed param passed on in tail position to a borrowed callee param stays borrowed.
    let module = compiled(
        "fn size(xs) = len(xs)\nfn outer(xs) = size(xs)\nfn main() = { ys = [1]; n = outer(ys); n }",
    );
    assert_eq!(
        function(&module, "outer").params[0].mode,
        ParamMode::Borrowed
    );
    assert_eq!(
        function(&module, "size").params[0].mode,
        ParamMode::Borrowed
    );
}

#[test]
fn var_used_twice_in_owned_positions_is_retained_once() {
    let module = compiled("fn main() = { xs = [1]; push(xs, xs) }");
    let main = function(&module, "main");
    let retains: Vec<(Var, Var)> = all_ops(main)
        .filter_map(|k| match k {
            OpKind::Retain { dst, src } => Some((*dst, *src)),
            _ => None,
        })
        .collect();
    assert_eq!(retains.len(), 1);
    let (copy, original) = retains[0];
    let args = all_ops(main)
        .find_map(|k| match k {
            OpKind::Builtin { args, .. } => Some(args.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(args, vec![copy, original]);
}

#[test]
fn var_used_in_one_branch_is_released_at_the_top_of_the_other() {
    let module = compiled(
        "fn pick(c) = { xs = [1, 2]; if c then len(xs) else 0 }\nfn main() = pick(true) + 0",
    );
    let pick = function(&module, "pick");
    let xs = all_ops(pick)
        .find_map(|k| match k {
            OpKind::MakeList { dst, .. } => Some(*dst),
            _ => None,
        })
        .unwrap();
    let TerminatorKind::Branch {
        then_block,
        else_block,
        ..
    } = pick.blocks[1].terminator.kind
    else {
        panic!("b1 ends in a branch");
    };
    let else_ops = &pick.blocks[else_block.0 as usize].ops;
    assert_eq!(else_ops[0].kind, OpKind::Release { var: xs });
    let then_ops = &pick.blocks[then_block.0 as usize].ops;
    assert!(matches!(then_ops[0].kind, OpKind::Builtin { .. }));
    assert_eq!(then_ops[1].kind, OpKind::Release { var: xs });
}

#[test]
fn cleanup_of_a_failing_op_deep_in_a_block_lists_exactly_the_held_owned_vars() {
    let module = compiled(
        "fn main() = {\n  a = [1]\n  b = [2]\n  used_up = [3]\n  c = push(used_up, 4)\n  d = a[5]\n  push(b, d)\n}",
    );
    let main = function(&module, "main");
    let lists: Vec<Var> = all_ops(main)
        .filter_map(|k| match k {
            OpKind::MakeList { dst, .. } => Some(*dst),
            _ => None,
        })
        .collect();
    let (a, b) = (lists[0], lists[1]);
    let c = all_ops(main)
        .find_map(|k| match k {
            OpKind::Builtin { dst, .. } => Some(*dst),
            _ => None,
        })
        .unwrap();
    let (block, position) = (main.blocks.iter())
        .find_map(|b| {
            let at = b
                .ops
                .iter()
                .position(|op| matches!(op.kind, OpKind::Index { .. }));
            at.map(|at| (b, at))
        })
        .unwrap();
    let OpKind::Index { index, .. } = block.ops[position].kind else {
        unreachable!()
    };
    let cleanup = block.cleanup_at(position);
    // `c` is dead and already released; `used_up` was consumed by push; `a` is read by the
    // index (its last use) and still held; `b` and the index constant are held.
    assert!(!cleanup.contains(&c));
    let mut expected = vec![a, b, index];
    expected.sort();
    assert_eq!(cleanup, expected);
}

#[test]
fn self_tail_call_becomes_fuel_and_jump_to_the_loop_header() {
    let module = compiled(
        "fn count_down(n) = if n == 0 then 0 else count_down(n - 1)\nfn main() = count_down(5)",
    );
    let function = function(&module, "count_down");
    assert!(!all_ops(function).any(|k| matches!(k, OpKind::Call { .. })));
    let back_edges: Vec<_> = function
        .blocks
        .iter()
        .filter(
            |b| matches!(b.terminator.kind, TerminatorKind::Jump { target, .. } if target.0 == 1),
        )
        .collect();
    // b0's entry jump plus the one back edge.
    assert_eq!(back_edges.len(), 2);
    let back_edge = back_edges[1];
    assert_eq!(back_edge.ops.last().unwrap().kind, OpKind::Fuel);
    assert_eq!(function.blocks[0].ops[0].kind, OpKind::Enter);
    // The fresh `n - 1` passed around the loop forces the param to be owned.
    assert_eq!(function.params[0].mode, ParamMode::Owned);
}

#[test]
fn compiling_twice_gives_identical_ir_and_json_round_trips() {
    let source = "fn f(xs, i) = if i < len(xs) then f(push(xs, i), i + 1) else xs\nfn main() = { m = #{1: [1]}; f(m[1], 0) ++ [9] }";
    let first = compiled(source);
    let second = compiled(source);
    assert_eq!(first, second);
    let json = cairn_lang::module_to_json(&first);
    assert_eq!(cairn_lang::module_from_json(&json).unwrap(), first);
}

#[test]
fn param_passed_on_to_an_owned_callee_param_in_a_tail_call_is_owned() {
    let module = compiled(
        "fn work(xs, i) = set(xs, 0, i)\nfn wrapper(xs, i) = work(xs, i)\nfn main() = wrapper([1], 2)",
    );
    let wrapper = function(&module, "wrapper");
    assert_eq!(wrapper.params[0].mode, ParamMode::Owned);
    // The list is moved into the tail call, never retained for it.
    assert!(!all_ops(wrapper).any(|k| matches!(k, OpKind::Retain { .. })));
    assert_eq!(function(&module, "work").params[0].mode, ParamMode::Owned);
}

#[test]
fn param_projected_into_an_update_is_owned_and_released_after_its_last_projection() {
    let module = compiled(
        "fn step(state, i) = { (xs, n) = state; (set(xs, 0, i), n + 1) }\nfn main() = step(([1], 0), 5)",
    );
    let step = function(&module, "step");
    assert_eq!(step.params[0].mode, ParamMode::Owned);
    let ops: Vec<&OpKind> = all_ops(step).collect();
    let state = step.blocks[1].params[0].var;
    let last_projection = ops
        .iter()
        .rposition(|k| matches!(k, OpKind::Index { base, .. } if *base == state))
        .unwrap();
    let release = ops
        .iter()
        .position(|k| matches!(k, OpKind::Release { var } if *var == state))
        .expect("the owned state is released");
    let update = ops
        .iter()
        .position(|k| matches!(k, OpKind::Builtin { builtin, .. } if builtin.name() == Some("set")))
        .unwrap();
    assert!(last_projection < release && release < update);
}

#[test]
fn param_projected_only_to_be_read_or_returned_stays_borrowed() {
    let module = compiled(
        "fn first(pair) = pair[0]\nfn total(pair) = pair[0] + pair[1]\nfn main() = { p = (1, 2); first(p) + total(p) }",
    );
    assert_eq!(
        function(&module, "first").params[0].mode,
        ParamMode::Borrowed
    );
    assert_eq!(
        function(&module, "total").params[0].mode,
        ParamMode::Borrowed
    );
}
