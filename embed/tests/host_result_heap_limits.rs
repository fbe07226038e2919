//! A heap limit hit while a host function's result is stored in the heap is the limit's own
//! diagnostic (RT0401 heap exhausted, RT0402 quota exceeded) at the host call, as when the
//! script's own op hits it, not the host function's failure (RT0701): the host did not fail,
//! the script's heap is full. The call leaves the heap as it was, on both engines. (Found by
//! `cairn soak`, which injects allocation failures into every call of its workload.)

use cairn::{Engine, EngineKind, Limits, RunError, Value};

const SCRIPT: &str = "
fn main() = 0
fn tokens(line) = len(words(line))
fn build(n) = len(big(n))
";

fn engine(kind: EngineKind) -> Engine {
    let mut engine = Engine::new(kind);
    engine
        .register_fn("words", |line: String| {
            line.split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .unwrap();
    engine
        .register_raw("big", 1, |_host, args| {
            let Value::Int(n) = args[0] else {
                return Ok(Value::Unit);
            };
            Ok(Value::List(
                (0..n).map(|i| Value::List(vec![Value::Int(i)])).collect(),
            ))
        })
        .unwrap();
    engine
}

fn fails(kind: EngineKind, limits: Limits, function: &str, arg: Value) -> RunError {
    let engine = engine(kind);
    let module = engine.compile("host_heap.cairn", SCRIPT).expect("compiles");
    let mut rt = engine.runtime(limits).expect("runtime");
    let error = rt
        .call_value(&module, function, vec![arg.clone()])
        .expect_err("the heap limit stops the call");
    assert_eq!(
        rt.blocks_in_use(),
        0,
        "{kind:?} {function}: blocks left behind"
    );
    assert!(rt.integrity_violations().is_empty());
    // Usable again with room to spare.
    let mut roomy = engine.runtime(Limits::default()).expect("runtime");
    assert!(roomy.call_value(&module, function, vec![arg]).is_ok());
    error
}

#[test]
fn an_injected_allocation_failure_in_a_host_result_is_rt0401() {
    for kind in [EngineKind::Interpreter, EngineKind::Jit] {
        let limits = Limits {
            fail_alloc_at: Some(1),
            ..Limits::default()
        };
        let error = fails(kind, limits, "tokens", Value::Text("a b c".into()));
        assert_eq!(error.code(), "RT0401", "{kind:?}: {error}");
        assert!(
            error
                .message()
                .starts_with("heap exhausted: 1 block requested, "),
            "{kind:?}: {error}"
        );
        assert_eq!(error.stack(), ["in tokens at 3:23"], "{kind:?}");
        assert_eq!((error.line(), error.column()), (3, 23));
    }
}

#[test]
fn a_host_result_over_the_quota_or_the_heap_is_the_limit_s_diagnostic() {
    for kind in [EngineKind::Interpreter, EngineKind::Jit] {
        let quota = Limits {
            heap_quota: Some(100),
            ..Limits::default()
        };
        let error = fails(kind, quota, "build", Value::Int(500));
        assert_eq!(error.code(), "RT0402", "{kind:?}: {error}");
        assert!(
            error.message().starts_with("heap quota exceeded: "),
            "{error}"
        );
        assert_eq!(error.stack(), ["in build at 4:19"], "{kind:?}");

        let small = Limits {
            heap_blocks: 200,
            ..Limits::default()
        };
        let error = fails(kind, small, "build", Value::Int(500));
        assert_eq!(error.code(), "RT0401", "{kind:?}: {error}");
        assert!(error.message().starts_with("heap exhausted: "), "{error}");
    }
}

#[test]
fn an_int_result_outside_48_bits_is_rt0301_as_the_script_s_own_would_be() {
    // An Int outside 48 bits is reported as the script's own arithmetic reports it (it was
    // RT0701 with "RT0301" inside its message).
    for kind in [EngineKind::Interpreter, EngineKind::Jit] {
        let mut engine = Engine::new(kind);
        engine.register_fn("huge", || cairn::INT_MAX + 1).unwrap();
        let module = engine
            .compile("huge.cairn", "fn main() = huge()")
            .expect("compiles");
        let mut rt = engine.runtime(Limits::default()).expect("runtime");
        let error = rt.call::<i64>(&module, "main", ()).unwrap_err();
        assert_eq!(error.code(), "RT0301", "{kind:?}: {error}");
        assert_eq!(
            error.message(),
            "integer overflow: 140737488355328 does not fit in a script Int (48 bits)"
        );
        assert_eq!(error.stack(), ["in main at 1:13"]);
    }
}
