//! Limits and cancellation through the embedding API, deterministic across engines: for each
//! limit the same script fails the same way on the interpreter and the JIT (code, message,
//! position, the full refcount trace), leaves `blocks_in_use()` as it was, and the runtime
//! stays usable for the next call.

use std::time::Duration;

use cairn::{Engine, EngineKind, Limits, RunError, TraceEvent};

const SCRIPT: &str = "
fn spin(n, acc) = spin(n + 1, push(acc, n) |> pop)
fn deep(n) = 1 + deep(n + 1)
fn hoard(n, acc) = if n == 0 then len(acc) else hoard(n - 1, push(acc, [n, n, n]))
fn pipeline() = count(filter(map(range(0, 100000000), \\x -> x * 2), \\y -> y % 3 == 0))
fn ok() = [1, 2, 3]
fn main() = 0
";

fn run(kind: EngineKind, limits: Limits, function: &str) -> (RunError, Vec<TraceEvent>) {
    let engine = Engine::new(kind);
    let module = engine.compile("limits.cairn", SCRIPT).expect("compiles");
    let mut rt = engine.runtime(limits).expect("runtime");
    let before = rt.blocks_in_use();
    rt.start_trace();
    let error = match function {
        "hoard" => rt.call::<i64>(&module, function, (100_000, Vec::<i64>::new())),
        "spin" => rt.call::<i64>(&module, function, (0, Vec::<i64>::new())),
        "deep" => rt.call::<i64>(&module, function, (0,)),
        _ => rt.call::<i64>(&module, function, ()),
    }
    .expect_err("the limit stops the call");
    let trace = rt.take_trace();
    assert_eq!(
        rt.blocks_in_use(),
        before,
        "{kind:?} {function}: blocks left behind"
    );
    assert!(rt.integrity_violations().is_empty());
    // Usable again.
    assert_eq!(
        rt.call::<Vec<i64>>(&module, "ok", ()).unwrap(),
        vec![1, 2, 3]
    );
    (error, trace)
}

fn same_on_both(limits: Limits, function: &str) -> RunError {
    let (interp, interp_trace) = run(EngineKind::Interpreter, limits.clone(), function);
    let (jit, jit_trace) = run(EngineKind::Jit, limits, function);
    assert_eq!(interp, jit, "{function}: the engines fail differently");
    assert!(
        interp_trace == jit_trace,
        "{function}: the engines' traces differ"
    );
    interp
}

#[test]
fn fuel_stops_an_infinite_loop_at_the_same_event() {
    let limits = Limits {
        fuel: Some(10_000),
        ..Limits::default()
    };
    let error = same_on_both(limits, "spin");
    assert_eq!((error.code(), error.message()), ("RT0502", "out of fuel"));
}

#[test]
fn the_depth_limit_stops_unbounded_recursion() {
    let limits = Limits {
        max_call_depth: 200,
        ..Limits::default()
    };
    let error = same_on_both(limits, "deep");
    assert_eq!(error.code(), "RT0501");
    assert_eq!(error.message(), "stack overflow: call depth exceeds 200");
}

#[test]
fn a_small_heap_and_a_quota_stop_a_memory_bomb() {
    let heap = Limits {
        heap_blocks: 2_000,
        ..Limits::default()
    };
    assert_eq!(same_on_both(heap, "hoard").code(), "RT0401");
    let quota = Limits {
        heap_quota: Some(500),
        ..Limits::default()
    };
    let error = same_on_both(quota, "hoard");
    assert_eq!(error.code(), "RT0402");
}

#[test]
fn cancel_from_another_thread_stops_a_long_pipeline() {
    for kind in [EngineKind::Interpreter, EngineKind::Jit] {
        let engine = Engine::new(kind);
        let module = engine.compile("limits.cairn", SCRIPT).expect("compiles");
        let mut rt = engine.runtime(Limits::default()).expect("runtime");
        let cancel = rt.cancel_handle();
        let canceller = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            cancel.cancel();
        });
        let error = rt
            .call::<i64>(&module, "spin", (0, Vec::<i64>::new()))
            .unwrap_err();
        canceller.join().unwrap();
        assert_eq!(
            (error.code(), error.message()),
            ("RT0503", "execution cancelled")
        );
        assert_eq!(rt.blocks_in_use(), 0, "{kind:?}");
        // The cancellation ended with the call: the runtime runs the next one.
        assert_eq!(
            rt.call::<Vec<i64>>(&module, "ok", ()).unwrap(),
            vec![1, 2, 3]
        );
        // A long runtime-only loop (no IR fuel points) also notices cancellation.
        let cancel = rt.cancel_handle();
        let canceller = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            cancel.cancel();
        });
        let error = rt.call::<i64>(&module, "pipeline", ()).unwrap_err();
        canceller.join().unwrap();
        assert_eq!(error.code(), "RT0503", "{kind:?}");
        assert_eq!(rt.blocks_in_use(), 0, "{kind:?}");
    }
}

#[test]
fn a_call_depth_limit_beyond_the_maximum_is_refused_when_the_runtime_is_created() {
    for kind in [EngineKind::Interpreter, EngineKind::Jit] {
        let engine = Engine::new(kind);
        let at_maximum = Limits {
            max_call_depth: cairn::MAX_CALL_DEPTH,
            ..Limits::default()
        };
        assert!(engine.runtime(at_maximum).is_ok(), "{kind:?}");
        let beyond = Limits {
            max_call_depth: cairn::MAX_CALL_DEPTH + 1,
            ..Limits::default()
        };
        let Err(error) = engine.runtime(beyond) else {
            panic!("{kind:?}: a depth limit of 1,000,001 was accepted");
        };
        assert_eq!(error.code(), "RT0404", "{kind:?}");
        assert!(
            error
                .to_string()
                .contains("the call depth limit must be 1..=1000000, got 1000001"),
            "{kind:?}: {error}"
        );
    }
}
