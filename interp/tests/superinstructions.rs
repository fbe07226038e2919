//! The superinstruction pass: what a counting loop's fast code becomes, that jump targets
//! stay on instruction boundaries, that only releases of never-heap variables are dropped
//! (the plain and generic code keep theirs), and that a host call passing kinds the module
//! itself never passes runs the generic code, whose releases are all there.

mod support;

use cairn_interp::Instr;
use cairn_lang::SourceFile;
use cairn_lang::ir::{Module, ParamMode};
use cairn_runtime::abi::shims;
use cairn_runtime::heap::compare_snapshots;
use support::{context, expect_int, run_clean, small_limits};

fn compile(text: &str) -> Module {
    match cairn_lang::compile(&SourceFile::new("test.cairn", text)) {
        Ok(module) => module,
        Err(diagnostics) => panic!("compile failed: {diagnostics:?}"),
    }
}

const COUNTING_LOOP: &str = "fn go(i, n, s) = if i == n then s else go(i + 1, n, s + (i % 7) * (i % 7) % 7)\nfn main() = go(0, 1000, 0)\n";

#[test]
fn a_counting_loop_becomes_fused_instructions_and_keeps_its_result() {
    let module = compile(COUNTING_LOOP);
    let program = cairn_interp::load(&module).expect("loads");
    let go = &program.functions()[0];
    let count =
        |code: &[Instr], wanted: fn(&Instr) -> bool| code.iter().filter(|i| wanted(i)).count();
    // The plain code keeps one instruction per op, releases of Ints included.
    assert!(count(&go.code, |i| matches!(i, Instr::Release { .. })) >= 10);
    let fast = &go.fast_code;
    assert!(fast.len() < go.code.len() / 2, "{fast:?}");
    assert_eq!(
        count(fast, |i| matches!(i, Instr::FuelMovesJump { moves: 2, .. })),
        1
    );
    assert_eq!(
        count(fast, |i| matches!(
            i,
            Instr::RemConstant { constant: 7, .. }
        )),
        3
    );
    assert_eq!(
        count(fast, |i| matches!(
            i,
            Instr::AddConstant { constant: 1, .. }
        )),
        1
    );
    assert_eq!(count(fast, |i| matches!(i, Instr::CompareBranch { .. })), 1);
    let dropped = |i: &Instr| {
        matches!(
            i,
            Instr::Release { .. }
                | Instr::Release2 { .. }
                | Instr::Const { .. }
                | Instr::Fuel { .. }
        )
    };
    assert_eq!(count(fast, dropped), 0, "{fast:?}");
    // The generic code cannot know the loop variables are Ints: their releases stay.
    let releases = |i: &Instr| matches!(i, Instr::Release { .. } | Instr::Release2 { .. });
    assert!(count(&go.generic_fast_code, releases) >= 2);
    let (result, _) = run_clean(&module, small_limits());
    let expected: i64 = (0..1000).map(|i| (i % 7) * (i % 7) % 7).sum();
    assert_eq!(expect_int(&result), expected);
}

#[test]
fn every_jump_target_of_the_fast_code_is_an_instruction() {
    let module = compile(
        "fn classify(n) = if n % 15 == 0 then 3 else if n % 5 == 0 then 2 else if n % 3 == 0 then 1 else 0\n\
         fn total(i, acc) = if i > 100 then acc else total(i + 1, acc + classify(i))\n\
         fn main() = total(1, 0)\n",
    );
    let program = cairn_interp::load(&module).expect("loads");
    for function in program.functions() {
        for code in [&function.fast_code, &function.generic_fast_code] {
            for instr in code.iter() {
                let targets: Vec<u32> = match *instr {
                    Instr::Jump { target } | Instr::FuelMovesJump { target, .. } => vec![target],
                    Instr::Branch {
                        then_pc, else_pc, ..
                    }
                    | Instr::CompareBranch {
                        then_pc, else_pc, ..
                    }
                    | Instr::CompareConstantBranch {
                        then_pc, else_pc, ..
                    } => {
                        vec![then_pc, else_pc]
                    }
                    _ => vec![],
                };
                assert!(
                    targets.iter().all(|&t| (t as usize) < code.len()),
                    "{code:?}"
                );
            }
        }
    }
    let (result, _) = run_clean(&module, small_limits());
    let expected: i64 = (1..=100)
        .map(|n| match (n % 15, n % 5, n % 3) {
            (0, _, _) => 3,
            (_, 0, _) => 2,
            (_, _, 0) => 1,
            _ => 0,
        })
        .sum();
    assert_eq!(expect_int(&result), expected);
}

#[test]
fn a_host_call_with_kinds_the_module_never_passes_runs_the_generic_code() {
    // `main` only ever passes an Int, so the specialized code of `twice` drops the release
    // of `x`; a host passing a Text must get the generic code, or the Text would leak.
    let module = compile("fn twice(x) = x + x\nfn main() = twice(21)\n");
    let program = cairn_interp::load(&module).expect("loads");
    let twice = module
        .functions
        .iter()
        .position(|f| f.name == "twice")
        .expect("twice exists");
    let mut ctx = context(small_limits());
    let before = ctx.heap.snapshot();
    let bytes = b"ab";
    // SAFETY: the context is live and exclusively ours; `bytes` outlives the call.
    let text = unsafe { shims::rt_text_literal(ctx.as_ptr(), bytes.as_ptr() as u64, 2) };
    assert_ne!(text, 0);
    let result = program
        .call(&mut ctx, twice as u32, &[text])
        .expect("Text + Text joins");
    // SAFETY: as above; `result` is the owned result word.
    let length = unsafe { shims::rt_len(ctx.as_ptr(), result.0) };
    assert_eq!(cairn_runtime::value::Value(length).as_int(), Some(4));
    // SAFETY: as above; each word is released once, by its owner.
    unsafe {
        shims::rt_release(ctx.as_ptr(), result.0);
        if module.functions[twice].params[0].mode == ParamMode::Borrowed {
            shims::rt_release(ctx.as_ptr(), text);
        }
    }
    let delta = compare_snapshots(&before, &ctx.heap.snapshot());
    assert!(delta.is_clean(), "heap not clean: {delta}");
    // The same function called with an Int (a kind `main` passes) gives the same answer
    // as through `main`.
    let forty_two = cairn_runtime::value::Value::int(21).expect("fits").bits();
    let result = program
        .call(&mut ctx, twice as u32, &[forty_two])
        .expect("runs");
    assert_eq!(result.as_int(), Some(42));
}
