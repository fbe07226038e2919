//! A fused pipeline (lang's `fuse_pipelines.rs`) whose callback fails inside a closure that a
//! host function calls back and whose failure the host handles: the run goes on at the call
//! depth it had, so the deepest call chain that fits before still fits after, on both
//! engines (docs/ARCHITECTURE.md, "Pipeline fusion").

use cairn::{Engine, EngineKind, Limits};

const SCRIPT: &str = "fn main() = 0
fn probe(n) = if n == 0 then 0 else 1 + probe(n - 1)
fn failing() = sum(map(range(0, 3), \\x -> 10 / (x - 1)))
fn after_failure(k) = { a = attempt(\\ -> failing(), -1); (a, probe(k)) }
";

#[test]
fn a_handled_callback_failure_leaves_the_call_depth_as_it_was() {
    for kind in [EngineKind::Interpreter, EngineKind::Jit] {
        let mut engine = Engine::new(kind);
        engine
            .register_raw("attempt", 2, |host, args| {
                Ok(host.call(&args[0], ()).unwrap_or_else(|_| args[1].clone()))
            })
            .expect("registers");
        let module = engine.compile("fused.cairn", SCRIPT).expect("compiles");
        let limits = Limits {
            max_call_depth: 40,
            ..Limits::default()
        };
        let mut rt = engine.runtime(limits).expect("runtime");
        // The deepest `probe` that fits: the same with `after_failure`'s extra frame.
        let deepest = (0..40)
            .take_while(|&k| rt.call::<i64>(&module, "probe", (k + 1,)).is_ok())
            .last()
            .expect("some depth fits");
        let error = rt.call::<i64>(&module, "failing", ()).unwrap_err();
        assert_eq!(error.code(), "RT0302", "{kind:?}");
        let (handled, depth): (i64, i64) = rt
            .call(&module, "after_failure", (deepest,))
            .unwrap_or_else(|error| panic!("{kind:?}: {error:?}"));
        assert_eq!((handled, depth), (-1, deepest), "{kind:?}");
        assert!(
            rt.call::<(i64, i64)>(&module, "after_failure", (deepest + 1,))
                .is_err(),
            "{kind:?}: one deeper does not fit"
        );
    }
}
