//! Hostile scripts stopped by cancellation from another thread (issue 9, deliverable 5):
//! runaway programs with no fuel limit (a runtime loop over a huge `range`) or that
//! run until stopped (an endless tail loop, an endless generator, a churning loop), each
//! cancelled through the runtime's `CancelHandle` once the script signals it has started
//! (a host function; no timing involved), on both engines. Each call fails with RT0503,
//! leaves no block behind, and the same runtime then runs a normal call.

use std::sync::mpsc;
use std::thread;

use cairn::{Engine, EngineKind, Limits};

const RUNAWAYS: &str = r#"
fn huge_range() = started() + sum(range(0, 140737488355327))
fn spin(n) = spin(n + 1)
fn endless_loop() = started() + spin(0)
fn endless_generator() = started() + sum(generate { loop n = 1 { yield n; recurse n + 1 } })
fn churn(s) = churn(str(len(s)) ++ "x")
fn churning() = started() + churn([1, 2, 3])
fn normal() = sum(collect(range(0, 100)))
fn main() = ()
"#;

#[test]
fn a_runaway_call_is_cancelled_from_another_thread_and_the_runtime_is_reused() {
    for kind in [EngineKind::Interpreter, EngineKind::Jit] {
        let (started_tx, started_rx) = mpsc::channel::<()>();
        let mut engine = Engine::new(kind);
        engine
            .register_fn("started", move || {
                started_tx.send(()).expect("the canceller listens");
                0i64
            })
            .unwrap();
        let module = engine
            .compile("runaways.cairn", RUNAWAYS)
            .expect("compiles");
        let mut rt = engine.runtime(Limits::default()).expect("a runtime");
        let (to_canceller, canceller_requests) = mpsc::channel::<cairn::CancelHandle>();
        let canceller = thread::spawn(move || {
            // One cancel per call: wait until the script has started, then cancel.
            for cancel in canceller_requests {
                started_rx.recv().expect("the script signals its start");
                cancel.cancel();
            }
        });
        for name in [
            "huge_range",
            "endless_loop",
            "endless_generator",
            "churning",
        ] {
            let before = rt.blocks_in_use();
            to_canceller
                .send(rt.cancel_handle())
                .expect("the canceller runs");
            let error = rt
                .call::<i64>(&module, name, ())
                .expect_err("a runaway call cannot finish");
            assert_eq!(
                error.code(),
                "RT0503",
                "{kind:?} {name}: {}",
                error.message()
            );
            assert_eq!(error.message(), "execution cancelled");
            assert_eq!(rt.blocks_in_use(), before, "{kind:?} {name} leaked");
            let normal = rt.call::<i64>(&module, "normal", ());
            assert_eq!(
                normal.expect("the runtime is reusable"),
                4950,
                "{kind:?} {name}"
            );
            assert_eq!(rt.blocks_in_use(), before);
        }
        drop(to_canceller);
        canceller.join().expect("the canceller does not panic");
    }
}
