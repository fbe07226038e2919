//! Tests of the value-kind inference on compiled source programs and on hand-built IR.

use super::*;
use crate::SourceFile;
use crate::ir::{Block, Constant, Function, Module, Op, Param, ParamMode, Span, Terminator};

fn compile(source: &str) -> Module {
    crate::compile(&SourceFile::new("test.cairn", source)).expect("program compiles")
}

fn function<'a>(module: &Module, kinds: &'a ModuleKinds, name: &str) -> &'a FunctionKinds {
    let index = module
        .functions
        .iter()
        .position(|f| f.name == name)
        .expect("function exists");
    kinds.function(FuncId(index as u32)).expect("kinds exist")
}

fn numbers() -> KindSet {
    KindSet::INT.union(KindSet::FLOAT)
}

#[test]
fn fib_param_and_result_are_ints() {
    let module =
        compile("fn fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2)\nfn main() = fib(25)\n");
    let kinds = infer_value_kinds(&module);
    let fib = function(&module, &kinds, "fib");
    assert_eq!(fib.param(0), KindSet::INT);
    assert_eq!(fib.returns(), KindSet::INT);
    let fib_ir = &module.functions[0];
    for block in &fib_ir.blocks {
        for param in &block.params {
            assert_eq!(fib.var(param.var), KindSet::INT, "{:?}", param.var);
        }
        if let TerminatorKind::Branch { condition, .. } = block.terminator.kind {
            assert_eq!(fib.var(condition), KindSet::BOOL);
        }
    }
    assert_eq!(function(&module, &kinds, "main").returns(), KindSet::INT);
}

#[test]
fn params_join_every_call_site() {
    let module =
        compile("fn twice(x) = x + x\nfn main() = { a = twice(1); b = twice(2.5); print(b); a }\n");
    let kinds = infer_value_kinds(&module);
    let twice = function(&module, &kinds, "twice");
    assert_eq!(twice.param(0), numbers());
    assert_eq!(twice.returns(), numbers());
    assert_eq!(function(&module, &kinds, "main").returns(), numbers());
}

#[test]
fn text_concatenation_is_heap() {
    let module = compile("fn glue(a, b) = a + b\nfn main() = glue(\"a\", \"b\")\n");
    let kinds = infer_value_kinds(&module);
    assert_eq!(function(&module, &kinds, "glue").returns(), KindSet::HEAP);
    let module = compile("fn main() = \"a\" ++ \"b\"\n");
    let kinds = infer_value_kinds(&module);
    assert_eq!(function(&module, &kinds, "main").returns(), KindSet::HEAP);
}

#[test]
fn index_and_get_results_are_unknown() {
    let module = compile("fn main() = [1, 2][0]\n");
    let kinds = infer_value_kinds(&module);
    assert_eq!(function(&module, &kinds, "main").returns(), KindSet::ALL);
    let module = compile("fn main() = get([1], 5, 0) + 1\n");
    let kinds = infer_value_kinds(&module);
    // Anything + Int: Int, Float, or nothing (the failing pairs).
    assert_eq!(function(&module, &kinds, "main").returns(), numbers());
}

#[test]
fn loop_header_params_join_the_back_edge() {
    let module =
        compile("fn f(i, acc) = if i > 3 then acc else f(i + 1, acc + 0.5)\nfn main() = f(0, 0)\n");
    let kinds = infer_value_kinds(&module);
    let f = function(&module, &kinds, "f");
    // The entry sees Int for `acc`; only the back edge brings Float.
    assert_eq!(f.param(1), KindSet::INT);
    assert_eq!(f.returns(), numbers());
    let ir = module.functions.iter().find(|g| g.name == "f").unwrap();
    let header = ir
        .blocks
        .iter()
        .find(|block| {
            block.params.len() == 2 && !block.ops.iter().any(|op| op.kind == OpKind::Enter)
        })
        .expect("loop header");
    assert_eq!(f.var(header.params[0].var), KindSet::INT);
    assert_eq!(f.var(header.params[1].var), numbers());
}

#[test]
fn mutual_recursion_reaches_a_fixed_point() {
    let module = compile(
        "fn even(n) = if n == 0 then true else odd(n - 1)\n\
         fn odd(n) = if n == 0 then false else even(n - 1)\n\
         fn main() = even(10)\n",
    );
    let kinds = infer_value_kinds(&module);
    for name in ["even", "odd"] {
        let f = function(&module, &kinds, name);
        assert_eq!(f.param(0), KindSet::INT, "{name}");
        assert_eq!(f.returns(), KindSet::BOOL, "{name}");
    }
}

#[test]
fn uncalled_functions_have_empty_params_and_failing_ops_produce_nothing() {
    let module = compile("fn unused(x) = -x\nfn bad() = true + 1\nfn main() = { bad(); 1 }\n");
    let kinds = infer_value_kinds(&module);
    let unused = function(&module, &kinds, "unused");
    assert_eq!(unused.param(0), KindSet::EMPTY);
    assert_eq!(unused.returns(), KindSet::EMPTY);
    assert_eq!(function(&module, &kinds, "bad").returns(), KindSet::EMPTY);
}

fn op(kind: OpKind) -> Op {
    Op {
        kind,
        span: Span::default(),
    }
}

#[test]
fn malformed_ir_reads_as_unknown() {
    // f0 (entry, with a param a host would supply) calls f1 with the wrong arity and
    // f7 (missing), and reads a variable outside its range.
    let entry = Function {
        takes_closure: false,
        name: "main".into(),
        params: vec![Param {
            var: Var(0),
            mode: ParamMode::Owned,
        }],
        blocks: vec![Block {
            params: vec![Param {
                var: Var(0),
                mode: ParamMode::Owned,
            }],
            ops: vec![
                op(OpKind::Const {
                    dst: Var(1),
                    value: Constant::Int(1),
                }),
                op(OpKind::Call {
                    dst: Var(2),
                    function: FuncId(1),
                    args: vec![Var(1), Var(1)],
                }),
                op(OpKind::Call {
                    dst: Var(3),
                    function: FuncId(7),
                    args: vec![],
                }),
                op(OpKind::Retain {
                    dst: Var(4),
                    src: Var(99),
                }),
            ],
            terminator: Terminator {
                kind: TerminatorKind::Return { value: Var(1) },
                span: Span::default(),
            },
            cleanup: Vec::new(),
        }],
        var_count: 5,
        span: Span::default(),
    };
    let callee = Function {
        takes_closure: false,
        name: "one".into(),
        params: vec![Param {
            var: Var(0),
            mode: ParamMode::Owned,
        }],
        blocks: vec![Block {
            params: vec![Param {
                var: Var(0),
                mode: ParamMode::Owned,
            }],
            ops: vec![],
            terminator: Terminator {
                kind: TerminatorKind::Return { value: Var(0) },
                span: Span::default(),
            },
            cleanup: Vec::new(),
        }],
        var_count: 1,
        span: Span::default(),
    };
    let module = Module {
        host_functions: Vec::new(),
        functions: vec![entry, callee],
        entry: FuncId(0),
    };
    let kinds = infer_value_kinds(&module);
    let main = kinds.function(FuncId(0)).unwrap();
    assert_eq!(main.var(Var(0)), KindSet::ALL);
    assert_eq!(main.var(Var(2)), KindSet::ALL);
    assert_eq!(main.var(Var(3)), KindSet::ALL);
    assert_eq!(main.var(Var(4)), KindSet::ALL);
    assert_eq!(main.var(Var(99)), KindSet::ALL);
    assert_eq!(kinds.function(FuncId(1)).unwrap().param(0), KindSet::ALL);
    assert!(kinds.function(FuncId(2)).is_none());
}

/// A call chain as long as the module, in both directions (params flowing against the
/// functions' order, then returns flowing against it): every link is inferred. A round
/// over all functions per link made this quadratic (a 20,000-function chain took minutes);
/// the worklist visits a function again only when something it reads changed.
#[test]
fn long_call_chains_are_inferred_end_to_end() {
    const LINKS: usize = 1_500;
    for callee_is_next in [false, true] {
        let mut source = String::new();
        for i in 0..LINKS {
            let callee = if callee_is_next {
                i + 1
            } else {
                i.wrapping_sub(1)
            };
            if (callee_is_next && i + 1 == LINKS) || (!callee_is_next && i == 0) {
                source.push_str(&format!("fn f{i}(a) = a\n"));
            } else {
                source.push_str(&format!("fn f{i}(a) = f{callee}(a) + 1\n"));
            }
        }
        let top = if callee_is_next { 0 } else { LINKS - 1 };
        let bottom = if callee_is_next { LINKS - 1 } else { 0 };
        source.push_str(&format!("fn main() = f{top}(1) + f{top}(2.5)\n"));
        let module = compile(&source);
        let kinds = infer_value_kinds(&module);
        let bottom_kinds = function(&module, &kinds, &format!("f{bottom}"));
        assert_eq!(
            bottom_kinds.param(0),
            numbers(),
            "callee_is_next: {callee_is_next}"
        );
        assert_eq!(bottom_kinds.returns(), numbers());
        let top_kinds = function(&module, &kinds, &format!("f{top}"));
        assert_eq!(top_kinds.returns(), numbers());
        assert_eq!(function(&module, &kinds, "main").returns(), numbers());
    }
}
