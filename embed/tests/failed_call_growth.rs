//! A call whose frame cannot be made (the interpreter's register file cannot grow) unwinds
//! without leaking the arguments it consumes: the interpreter releases them as the callee's
//! failed `Enter` would, so its refcount trace and call stack equal the JIT's when that
//! callee's `Enter` fails on the depth limit at the same call. The register file is capped
//! with the interpreter's test hook, on this test's thread only.

use cairn::{Engine, EngineKind, Limits, RunError, TraceEvent};

/// Non-tail recursion passing two owned lists (each is consumed by `push`) at every level;
/// the tail-call variant leaves its frame first.
const SCRIPT: &str = "
fn deep(n, xs, ys) = if n == 0 then len(xs) + len(ys) else 1 + deep(n - 1, push(xs, n), push(ys, [n]))
fn tail(n, xs, ys) = if n == 0 then len(xs) + len(ys) else tail_other(n - 1, push(xs, n), push(ys, [n]))
fn tail_other(n, xs, ys) = 1 + tail(n, push(xs, 0), ys)
fn main() = 0
";

fn run(
    kind: EngineKind,
    function: &str,
    max_call_depth: u64,
) -> (RunError, Vec<TraceEvent>, u32, u32) {
    let engine = Engine::new(kind);
    let module = engine.compile("growth.cairn", SCRIPT).expect("compiles");
    let limits = Limits {
        max_call_depth,
        ..Limits::default()
    };
    let mut rt = engine.runtime(limits).expect("runtime");
    let before = rt.blocks_in_use();
    rt.start_trace();
    let error = rt
        .call::<i64>(&module, function, (1_000, vec![1_i64, 2], vec![3_i64]))
        .expect_err("the run fails");
    let trace = rt.take_trace();
    let after = rt.blocks_in_use();
    (error, trace, before, after)
}

fn capped_interpreter_matches_the_jit_failing_at_the_same_entry(function: &str) {
    cairn_interp::limit_register_file_for_tests(Some(200));
    let (interp_error, interp_trace, before, after) =
        run(EngineKind::Interpreter, function, 10_000);
    cairn_interp::limit_register_file_for_tests(None);
    assert_eq!(interp_error.code(), "RT0001", "{interp_error}");
    assert_eq!(
        interp_error.message(),
        "internal runtime error: the interpreter's register stack could not grow"
    );
    assert_eq!(after, before, "{function}: the interpreter leaked blocks");

    // The frames the interpreter unwound: the callee that never entered, then its callers.
    let entered = interp_error.stack().len() as u64;
    let depth: u64 = interp_error
        .stack()
        .iter()
        .map(|note| match note.split_once(" (repeated ") {
            Some((_, count)) => {
                1 + count
                    .trim_end_matches(" more times)")
                    .parse::<u64>()
                    .unwrap()
            }
            None => 1,
        })
        .sum();
    assert!(
        entered >= 2 && depth > 10,
        "{function}: {:?}",
        interp_error.stack()
    );
    // The JIT fails entering that same callee when the limit is one less than its depth.
    let (jit_error, jit_trace, before, after) = run(EngineKind::Jit, function, depth - 1);
    assert_eq!(jit_error.code(), "RT0501", "{jit_error}");
    assert_eq!(after, before, "{function}: the JIT leaked blocks");
    assert_eq!(jit_error.stack(), interp_error.stack(), "{function}");
    assert!(
        interp_trace.len() > 20,
        "{function}: {}",
        interp_trace.len()
    );
    assert!(
        interp_trace == jit_trace,
        "{function}: the traces differ ({} vs {} events)",
        interp_trace.len(),
        jit_trace.len()
    );
}

#[test]
fn a_call_that_cannot_grow_the_register_file_releases_its_owned_arguments() {
    capped_interpreter_matches_the_jit_failing_at_the_same_entry("deep");
}

#[test]
fn a_tail_call_that_cannot_grow_the_register_file_releases_its_owned_arguments() {
    capped_interpreter_matches_the_jit_failing_at_the_same_entry("tail");
}
