//! The pipeline fusion pass (`lang/src/fuse_pipelines.rs`): the lowered IR of a few shapes
//! printed before and after the pass, which shapes it fuses and which it leaves alone (a
//! callback it cannot see, a Seq used twice, a local named like a builtin), and that the
//! fused IR passes the verifier after the RC pass.

use cairn_lang::fuse_pipelines::fuse_pipelines;
use cairn_lang::ir::{Builtin, Module, OpKind};
use cairn_lang::print::print_module;
use cairn_lang::{SourceFile, compile, lower, parser, resolve};

/// The lowered module (before borrow inference and RC) of `source`.
fn lowered(source: &SourceFile) -> Module {
    let program = parser::parse(&source.text).expect("parses");
    let table = resolve::build_function_table(&program).expect("resolves");
    lower::lower_program(&program, &table, source).expect("lowers")
}

/// The printed `main` before and after the pass.
fn before_and_after(text: &str) -> (String, String) {
    let source = SourceFile::new("fusion.cairn", text);
    let mut module = lowered(&source);
    let before = print_module(&module, Some(&source));
    fuse_pipelines(&mut module);
    cairn_lang::verify::verify_structure(&module).expect("the fused IR is well-formed");
    let after = print_module(&module, Some(&source));
    (main_of(&before), main_of(&after))
}

/// `main`'s printed lines without the (still empty) cleanup annotations.
fn main_of(printed: &str) -> String {
    let start = printed.find("fn main(").expect("main is printed");
    let mut out = String::new();
    for line in printed[start..].lines() {
        let line = line.split(" [cleanup:").next().unwrap_or(line).trim_end();
        out.push_str(line);
        out.push('\n');
        if line == "}" {
            break;
        }
    }
    out
}

fn builtins(module: &Module, function: &str) -> Vec<Builtin> {
    let function = module
        .functions
        .iter()
        .find(|f| f.name == function)
        .expect("function");
    (function.blocks.iter())
        .flat_map(|block| &block.ops)
        .filter_map(|op| match op.kind {
            OpKind::Builtin { builtin, .. } => Some(builtin),
            _ => None,
        })
        .collect()
}

fn compiled(text: &str) -> Module {
    compile(&SourceFile::new("fusion.cairn", text)).expect("compiles")
}

#[test]
fn sum_of_map_over_range_becomes_a_loop() {
    let (before, after) = before_and_after("fn main() = sum(map(range(0, 10), \\x -> x * 2))\n");
    println!("before:\n{before}\nafter:\n{after}");
    assert_eq!(
        before,
        "fn main() {
b0():
  enter                               @1:1
  jump b1()                           @1:1
b1():
  v0 = const 0                        @1:27
  v1 = const 10                       @1:30
  v2 = builtin range(v0, v1)          @1:21
  v3 = closure lambda@1:35[]          @1:35
  v4 = builtin map(v2, v3)            @1:17
  v5 = builtin sum(v4)                @1:13
  return v5                           @1:13
}
"
    );
    // After: the range check stays at `range`; the first pull's depth check (2 levels: the
    // map, the range); the loop header b3 holds the range's next Int, the total and the
    // item count; the callback is called directly one level deeper; a `fuel` after every
    // 1,024th item; b2 receives the sum and runs the rest of the block.
    assert_eq!(
        after,
        "fn main() {
b0():
  enter                               @1:1
  jump b1()                           @1:1
b1():
  v0 = const 0                        @1:27
  v1 = const 10                       @1:30
  v2 = builtin fused_range_check(v0, v1) @1:21
  v3 = closure lambda@1:35[]          @1:35
  v6 = const 0                        @1:13
  v7 = const 0                        @1:13
  v11 = const 2                       @1:13
  v12 = builtin fused_depth_check(v11) @1:13
  jump b3(v0, v6, v7)                 @1:13
b2(v5):
  return v5                           @1:13
b3(v8, v9, v10):
  v13 = lt v8, v1                     @1:13
  branch if v13 -> b4, b5             @1:13
b4():
  v14 = const 1                       @1:13
  v15 = add v8, v14                   @1:13
  v16 = const 1                       @1:13
  v17 = builtin fused_depth_add(v16)  @1:13
  v18 = call lambda@1:35(v3, v8)      @1:13
  v19 = builtin fused_sum_add(v9, v18) @1:13
  v20 = const 1                       @1:13
  v21 = add v10, v20                  @1:13
  v22 = const 1024                    @1:13
  v23 = rem v21, v22                  @1:13
  v24 = const 0                       @1:13
  v25 = eq v23, v24                   @1:13
  v26 = const -1                      @1:13
  v27 = builtin fused_depth_add(v26)  @1:13
  branch if v25 -> b6, b7             @1:13
b5():
  jump b2(v9)                         @1:13
b6():
  fuel                                @1:13
  jump b3(v15, v19, v21)              @1:13
b7():
  jump b3(v15, v19, v21)              @1:13
}
"
    );
}

#[test]
fn filter_take_and_fold_shapes_are_fused() {
    let (_, after) = before_and_after(
        "fn main() = fold(take(filter(range(0, 100), \\x -> x % 3 == 0), 4), 0, \\a, x -> a + x)\n",
    );
    println!("{after}");
    // The take's count check stays at the take; the first pull checks depth 1 (the take),
    // then, when the count is positive, 3 (the range below the filter).
    assert!(after.contains("builtin fused_take_check("), "{after}");
    assert!(after.contains("branch filter "), "{after}");
    assert!(!after.contains("builtin take(") && !after.contains("builtin filter("));
    assert!(!after.contains("builtin fold(") && !after.contains("builtin range("));
    let module = compiled(
        "fn main() = (count(filter(range(0, 9), \\x -> x > 2)), sum(take(range(0, 5), 2)))\n",
    );
    let main = builtins(&module, "main");
    assert!(
        !main
            .iter()
            .any(|b| matches!(b, Builtin::Count | Builtin::Sum | Builtin::Filter))
    );
    assert_eq!(
        main.iter()
            .filter(|b| **b == Builtin::FusedDepthCheck)
            .count(),
        3,
        "{main:?}"
    );
}

#[test]
fn shapes_the_pass_cannot_see_are_left_alone() {
    for text in [
        // The callback comes through a function: not a closure made at the call site.
        "fn id(f) = f\nfn main() = sum(map(range(0, 3), id(\\x -> x)))\n",
        // The Seq is used twice.
        "fn main() = { s = map(range(0, 3), \\x -> x); (sum(s), count(s)) }\n",
        // The callback's arity does not fit: the runtime's RT0305 must stay.
        "fn main() = sum(map(range(0, 3), \\x, y -> x))\n",
        // A source that is not a range.
        "fn main() = sum(map([1, 2], \\x -> x))\n",
        // `collect` keeps its cursor (heap-limit failures would move otherwise).
        "fn main() = collect(map(range(0, 3), \\x -> x))\n",
        // A local named `map` is a value call, not the builtin.
        "fn main() = { map = \\s, f -> range(0, 2); sum(map(range(0, 3), \\x -> x)) }\n",
    ] {
        let (before, after) = before_and_after(text);
        assert_eq!(before, after, "{text}");
    }
}

#[test]
fn fused_ir_passes_the_verifier_after_the_rc_pass() {
    let module = compiled(
        "fn f(n) = sum(map(filter(take(range(0, n), 10), \\x -> x > n / 2), \\x -> x * n))\n\
         fn main() = { k = 3; (f(20), fold(map(range(0, 4), \\x -> [x, k]), [], \\acc, p -> push(acc, p))) }\n",
    );
    cairn_lang::verify(&module).expect("verifies");
    assert!(!builtins(&module, "f").contains(&Builtin::Sum));
    assert!(!builtins(&module, "main").contains(&Builtin::Fold));
}
