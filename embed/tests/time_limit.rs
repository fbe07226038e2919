//! `Limits::time_limit`: a wall-clock limit stops an endless call on both engines (RT0503
//! naming the limit), leaves the heap as it was, does not stop the next call, and a zero
//! limit is refused. No timing is asserted beyond "it stopped".

use std::time::Duration;

use cairn::{Engine, EngineKind, Limits, Value};

const SCRIPT: &str = "fn main() = 0
fn spin(n) = spin(n + 1)
fn build(xs) = build(xs ++ [len(xs)])
fn hold() = ref([1, 2, 3])
fn add(a, b) = a + b";

fn limited() -> Limits {
    Limits {
        time_limit: Some(Duration::from_millis(50)),
        ..Limits::default()
    }
}

#[test]
fn an_endless_call_stops_at_the_time_limit_on_both_engines() {
    for kind in [EngineKind::Interpreter, EngineKind::Jit] {
        let engine = Engine::new(kind);
        let module = engine.compile("spin.cairn", SCRIPT).unwrap();
        let mut rt = engine.runtime(limited()).unwrap();
        let held: Value = rt.call(&module, "hold", ()).unwrap();
        let before = rt.blocks_in_use();
        for function in ["spin", "build"] {
            let arg = if function == "spin" {
                Value::Int(0)
            } else {
                Value::List(vec![])
            };
            let error = rt.call_value(&module, function, vec![arg]).unwrap_err();
            assert_eq!(error.code(), "RT0503", "{kind:?} {function}");
            assert_eq!(
                error.message(),
                "execution cancelled: time limit of 50 ms exceeded",
                "{kind:?} {function}"
            );
            assert_eq!(
                rt.blocks_in_use(),
                before,
                "{kind:?} {function}: heap as before"
            );
            assert!(!rt.cancel_handle().is_cancelled(), "{kind:?}: flag reset");
            // The limit is per call: the next call runs.
            assert_eq!(
                rt.call::<i64>(&module, "add", (2, 3)).unwrap(),
                5,
                "{kind:?}"
            );
        }
        drop(held);
        assert_eq!(rt.blocks_in_use(), 0, "{kind:?}");
    }
}

#[test]
fn a_quick_call_under_a_time_limit_leaves_no_cancel_behind() {
    let engine = Engine::new(EngineKind::Jit);
    let module = engine.compile("quick.cairn", SCRIPT).unwrap();
    let mut rt = engine
        .runtime(Limits {
            time_limit: Some(Duration::from_secs(600)),
            ..Limits::default()
        })
        .unwrap();
    for _ in 0..2_000 {
        assert_eq!(rt.call::<i64>(&module, "add", (1, 2)).unwrap(), 3);
    }
    assert!(!rt.cancel_handle().is_cancelled());
}

#[test]
fn a_host_cancel_under_a_time_limit_is_still_a_plain_cancel() {
    let engine = Engine::new(EngineKind::Interpreter);
    let module = engine.compile("spin.cairn", SCRIPT).unwrap();
    let mut rt = engine
        .runtime(Limits {
            time_limit: Some(Duration::from_secs(3600)),
            ..Limits::default()
        })
        .unwrap();
    rt.cancel_handle().cancel();
    let error = rt.call::<i64>(&module, "spin", (0,)).unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        ("RT0503", "execution cancelled")
    );
}

#[test]
fn zero_limits_are_refused_naming_the_value() {
    let engine = Engine::new(EngineKind::Interpreter);
    let cases = [
        (
            Limits {
                time_limit: Some(Duration::ZERO),
                ..Limits::default()
            },
            "invalid limits: the time limit must be positive (None is unlimited), got 0",
        ),
        (
            Limits {
                fuel: Some(0),
                ..Limits::default()
            },
            "invalid limits: the fuel must be at least 1 (None is unlimited), got 0",
        ),
        (
            Limits {
                max_call_depth: 0,
                ..Limits::default()
            },
            "invalid limits: the call depth limit must be 1..=1000000, got 0",
        ),
        (
            Limits {
                heap_quota: Some(0),
                ..Limits::default()
            },
            "invalid limits: the heap quota must be 1..=16777216 blocks (the heap size), got 0",
        ),
        (
            Limits {
                heap_blocks: 100,
                heap_quota: Some(101),
                ..Limits::default()
            },
            "invalid limits: the heap quota must be 1..=100 blocks (the heap size), got 101",
        ),
    ];
    for (limits, message) in cases {
        let error = engine.runtime(limits).unwrap_err();
        assert_eq!((error.code(), error.message()), ("RT0404", message));
    }
    let at_the_heap_size = Limits {
        heap_blocks: 100,
        heap_quota: Some(100),
        ..Limits::default()
    };
    assert!(engine.runtime(at_the_heap_size).is_ok());
}
