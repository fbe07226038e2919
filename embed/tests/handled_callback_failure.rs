//! A host function that calls a script closure back, sees it fail and handles the failure
//! (returns a value) leaves no stale error behind: the run's next failure is reported as
//! itself, on both engines, with identical traces and a clean heap.

use cairn::{Engine, EngineKind, HostError, Limits, Value};

const SCRIPT: &str = "fn main() = 0
fn recovered() = try_call(\\ -> 1 / 0, 7) + try_call(\\ -> 5, 0)
fn later_failure() = { x = try_call(\\ -> 1 / 0, 7); x + \"a\" }
fn propagated() = try_or_fail(\\ -> fail(\"inner\"))
";

fn engine(kind: EngineKind) -> Engine {
    let mut engine = Engine::new(kind);
    engine
        .register_raw("try_call", 2, |host, args| {
            Ok(host.call(&args[0], ()).unwrap_or_else(|_| args[1].clone()))
        })
        .unwrap();
    engine
        .register_raw("try_or_fail", 1, |host, args| {
            host.call(&args[0], ())?;
            Err(HostError::new("unreachable"))
        })
        .unwrap();
    engine
}

#[test]
fn a_handled_callback_failure_is_discarded() {
    let mut traces = Vec::new();
    for kind in [EngineKind::Interpreter, EngineKind::Jit] {
        let engine = engine(kind);
        let module = engine.compile("handled.cairn", SCRIPT).unwrap();
        let mut rt = engine.runtime(Limits::default()).unwrap();
        rt.start_trace();

        let value: i64 = rt.call(&module, "recovered", ()).unwrap();
        assert_eq!(value, 12, "{kind:?}");

        let error = rt.call::<Value>(&module, "later_failure", ()).unwrap_err();
        assert_eq!(error.code(), "RT0303", "{kind:?}: {error}");
        assert_eq!(
            error.message(),
            "type mismatch: + expects numbers or Text, got Int and Text"
        );
        assert_eq!(error.stack(), ["in later_failure at 3:53"], "{kind:?}");

        // A failure the host returns (with `?`) is still the callback's own error.
        let error = rt.call::<Value>(&module, "propagated", ()).unwrap_err();
        assert_eq!(error.code(), "RT0900", "{kind:?}: {error}");
        assert_eq!(error.message(), "inner");
        assert_eq!(error.stack()[0], "in lambda@4:31 at 4:36", "{kind:?}");

        traces.push(rt.take_trace());
        assert_eq!(rt.blocks_in_use(), 0, "{kind:?}");
    }
    assert_eq!(traces[0], traces[1], "the engines' traces differ");
}
