//! A Text literal is built once per run (docs/MEMORY.md, "Text literals"): on both engines a
//! literal evaluated many times allocates once, every evaluation after the first is one
//! `incRef`, the run's table is released when the run ends (also when it fails), and the
//! heap after the run is the heap before it.

use cairn_lang::SourceFile;
use cairn_runtime::abi::shims::rt_release;
use cairn_runtime::context::{Context, Limits, RunFailure};
use cairn_runtime::heap::{RefOp, TraceEvent, compare_snapshots};
use cairn_runtime::value::Value;

const PROGRAM: &str = "\
fn loop_len(i, n, acc) = if i == n then acc else loop_len(i + 1, n, acc + len(\"literal\"))
fn parse(i, n, hits) = if i == n then hits else parse(i + 1, n, if str(i % 3) == \"1\" then hits + 1 else hits)
fn broken(i) = if i == 50 then fail(\"stop\" ++ str(i)) else broken(i + 1)
fn main() = 0
";

type Run = (Result<String, String>, Vec<TraceEvent>);

fn run_on(
    name: &str,
    args: &[i64],
    call: impl Fn(&mut Context, u32, &[u64]) -> Result<Value, RunFailure>,
    module: &cairn_lang::ir::Module,
) -> Run {
    let mut ctx = Context::new(Limits::default()).expect("context");
    let before = ctx.heap.snapshot();
    ctx.heap.start_trace();
    let index = module
        .functions
        .iter()
        .position(|f| f.name == name)
        .expect("function") as u32;
    let words: Vec<u64> = args
        .iter()
        .map(|&n| Value::int(n).unwrap().bits())
        .collect();
    let result = match call(&mut ctx, index, &words) {
        Ok(value) => {
            let text = cairn_runtime::canonical_form(&ctx.heap, value, true);
            // SAFETY: `ctx` is live and the result word is ours, released once.
            unsafe { rt_release(ctx.as_ptr(), value.bits()) };
            Ok(text)
        }
        Err(failure) => Err(failure.error.message),
    };
    let trace = ctx.heap.take_trace();
    assert!(
        compare_snapshots(&before, &ctx.heap.snapshot()).is_clean(),
        "{name}: the heap is not back to its state before the run"
    );
    (result, trace)
}

fn both(name: &str, args: &[i64]) -> Run {
    let module =
        cairn_lang::compile(&SourceFile::new("literals.cairn", PROGRAM)).expect("compiles");
    let interp = cairn_interp::load(&module).expect("loads");
    let jit = cairn_jit::compile(&module).expect("compiles");
    let on_interp = run_on(name, args, |ctx, f, a| interp.call(ctx, f, a), &module);
    let on_jit = run_on(name, args, |ctx, f, a| jit.call(ctx, f, a), &module);
    assert_eq!(on_interp, on_jit, "{name}: the engines disagree");
    on_interp
}

fn count(trace: &[TraceEvent], op: RefOp) -> usize {
    trace.iter().filter(|event| event.op == op).count()
}

#[test]
fn a_literal_evaluated_a_thousand_times_allocates_once() {
    let (result, trace) = both("loop_len", &[0, 1000, 0]);
    assert_eq!(result, Ok("7000".to_string()));
    assert_eq!(
        count(&trace, RefOp::Malloc),
        1,
        "one Text for 1,000 evaluations"
    );
    assert_eq!(
        count(&trace, RefOp::IncRef),
        1000,
        "the table's copy retained per evaluation"
    );
    assert_eq!(count(&trace, RefOp::Free), 1, "released when the run ends");
}

#[test]
fn comparing_with_a_literal_in_a_loop_builds_the_literal_once() {
    let (result, trace) = both("parse", &[0, 300, 0]);
    assert_eq!(result, Ok("100".to_string()));
    // One Text per `str(i % 3)` and one for the literal "1".
    assert_eq!(count(&trace, RefOp::Malloc), 301);
}

#[test]
fn a_failed_run_releases_its_literals() {
    let (result, trace) = both("broken", &[0]);
    assert_eq!(result, Err("stop50".to_string()));
    assert_eq!(count(&trace, RefOp::Malloc), count(&trace, RefOp::Free));
}
