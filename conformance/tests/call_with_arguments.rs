//! Both engines call any function of a program with arguments (`InterpProgram::call`,
//! `JitProgram::call`), the way an embedding host does: the same result, the same refcount
//! trace, and — once the host releases what it owns — the heap as it was. Borrowed params stay
//! owned by the caller; owned params are consumed by the callee, also when it fails.

use cairn_lang::SourceFile;
use cairn_lang::ir::{Module, ParamMode};
use cairn_runtime::abi::shims::rt_release;
use cairn_runtime::canonical_form;
use cairn_runtime::context::{Context, Limits, RunFailure};
use cairn_runtime::error::ErrorCode;
use cairn_runtime::heap::{TraceEvent, compare_snapshots};
use cairn_runtime::value::Value;

const PROGRAM: &str = "\
fn add(a, b) = a + b
fn tag(xs, label) = push(xs, label)
fn total(xs) = fold(xs, 0, \\acc, x -> acc + x)
fn pick(xs, i) = xs[i]
fn apply(f, x) = f(x)
fn main() = 0
";

fn compile() -> Module {
    cairn_lang::compile(&SourceFile::new("call.cairn", PROGRAM)).expect("compiles")
}

fn function(module: &Module, name: &str) -> u32 {
    module
        .functions
        .iter()
        .position(|f| f.name == name)
        .expect("function exists") as u32
}

/// Builds the argument words in `ctx` (a fresh list `[1, 2, 3]` where `list` is asked for).
fn make_args(ctx: &mut Context, spec: &[Arg]) -> Vec<u64> {
    spec.iter()
        .map(|arg| match arg {
            Arg::Int(n) => Value::int(*n).unwrap().bits(),
            Arg::List => {
                let items: Vec<u64> = [1, 2, 3]
                    .iter()
                    .map(|n| Value::int(*n).unwrap().bits())
                    .collect();
                // SAFETY: `ctx` is live; `items` holds three owned immediates.
                unsafe {
                    cairn_runtime::abi::shims::rt_list_from(
                        ctx.as_ptr(),
                        items.as_ptr() as u64,
                        items.len() as u64,
                    )
                }
            }
            Arg::Text(text) => {
                // SAFETY: `ctx` is live; the bytes outlive the call.
                unsafe {
                    cairn_runtime::abi::shims::rt_text_literal(
                        ctx.as_ptr(),
                        text.as_ptr() as u64,
                        text.len() as u64,
                    )
                }
            }
        })
        .collect()
}

enum Arg {
    Int(i64),
    List,
    Text(&'static str),
}

type Outcome = (Result<String, (ErrorCode, String)>, Vec<TraceEvent>);

/// Calls `name` with `spec` on one engine; releases the result and the args passed to
/// borrowed params; checks the heap is back to its state before the args were built.
fn call_on(
    module: &Module,
    name: &str,
    spec: &[Arg],
    call: impl Fn(&mut Context, u32, &[u64]) -> Result<Value, RunFailure>,
) -> Outcome {
    let mut ctx = Context::new(Limits::default()).expect("context");
    let before = ctx.heap.snapshot();
    ctx.heap.start_trace();
    let args = make_args(&mut ctx, spec);
    let index = function(module, name);
    let outcome = call(&mut ctx, index, &args);
    let result = match outcome {
        Ok(value) => {
            let text = canonical_form(&ctx.heap, value, true);
            // SAFETY: `ctx` is live and the result word is owned by us, released once.
            unsafe { rt_release(ctx.as_ptr(), value.bits()) };
            Ok(text)
        }
        Err(failure) => Err((failure.error.code, failure.error.message)),
    };
    for (param, &word) in module.functions[index as usize].params.iter().zip(&args) {
        if param.mode == ParamMode::Borrowed {
            // SAFETY: as above: the host still owns what it passed to borrowed params.
            unsafe { rt_release(ctx.as_ptr(), word) };
        }
    }
    let trace = ctx.heap.take_trace();
    assert!(
        compare_snapshots(&before, &ctx.heap.snapshot()).is_clean(),
        "{name}: the heap is not back to its state before the call"
    );
    (result, trace)
}

fn both(name: &str, spec: &[Arg]) -> Result<String, (ErrorCode, String)> {
    let module = compile();
    let interp = cairn_interp::load(&module).expect("loads");
    let jit = cairn_jit::compile(&module).expect("compiles");
    let on_interp = call_on(&module, name, spec, |ctx, f, args| {
        interp.call(ctx, f, args)
    });
    let on_jit = call_on(&module, name, spec, |ctx, f, args| jit.call(ctx, f, args));
    assert_eq!(on_interp.0, on_jit.0, "{name}: results differ");
    assert_eq!(on_interp.1, on_jit.1, "{name}: traces differ");
    on_interp.0
}

#[test]
fn calls_with_immediates_containers_and_texts() {
    assert_eq!(both("add", &[Arg::Int(2), Arg::Int(40)]), Ok("42".into()));
    assert_eq!(
        both("tag", &[Arg::List, Arg::Text("x")]),
        Ok("[1, 2, 3, \"x\"]".into())
    );
    assert_eq!(both("total", &[Arg::List]), Ok("6".into()));
    assert_eq!(both("pick", &[Arg::List, Arg::Int(2)]), Ok("3".into()));
}

#[test]
fn a_failing_call_releases_what_it_owned() {
    assert_eq!(
        both("pick", &[Arg::List, Arg::Int(7)]),
        Err((
            ErrorCode::RT0103,
            "index out of bounds: index 7, length 3".into()
        ))
    );
    assert_eq!(
        both("apply", &[Arg::Int(1), Arg::List]),
        Err((ErrorCode::RT0304, "not callable: Int".into()))
    );
    assert_eq!(
        both("add", &[Arg::Text("a"), Arg::Int(1)]),
        Err((
            ErrorCode::RT0303,
            "type mismatch: + expects numbers or Text, got Text and Int".into()
        ))
    );
}

#[test]
fn a_wrong_argument_count_or_function_is_refused_before_running() {
    let module = compile();
    let interp = cairn_interp::load(&module).expect("loads");
    let jit = cairn_jit::compile(&module).expect("compiles");
    let mut ctx = Context::new(Limits::default()).expect("context");
    let add = function(&module, "add");
    let one = [Value::int(1).unwrap().bits()];
    let on_interp = interp.call(&mut ctx, add, &one).expect_err("arity");
    let on_jit = jit.call(&mut ctx, add, &one).expect_err("arity");
    assert_eq!(on_interp, on_jit);
    assert_eq!(on_interp.error.code, ErrorCode::RT0305);
    assert_eq!(
        on_interp.error.message,
        "arity mismatch: add expects 2 arguments, got 1"
    );
    let missing = interp.call(&mut ctx, 99, &[]).expect_err("missing");
    assert_eq!(missing.error.code, ErrorCode::RT0001);
    assert_eq!(jit.call(&mut ctx, 99, &[]).expect_err("missing"), missing);
}
