//! Running untrusted scripts: fuel, call depth, heap size and heap quota limits, and
//! cancellation from another thread after a timeout, against hostile scripts (an infinite
//! loop, infinite recursion, a memory bomb). Every failure is a diagnostic, the runtime stays
//! usable, and its heap holds exactly what the host still owns — before and after.
//!
//! Run it with `cargo run --example sandbox` (add `-- interp` for the interpreter).

use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use cairn::{Engine, EngineKind, FromValue, IntoArgs, Limits, Module, RunError, Runtime, Value};

const HOSTILE: &str = r#"
fn main() = ()

// Something the host keeps between calls (a Ref holding a list).
fn make_state() = ref([1, 2, 3])
fn total(state) = sum(!state)

// Hostile code.
fn spin(n) = spin(n + 1)
fn dive(n) = 1 + dive(n + 1)
fn bomb(s) = bomb(s ++ s)
fn count_forever() = count(range(0, 100_000_000_000_000))
"#;

/// Calls `name`, cancelling it from a watchdog thread if it runs longer than `timeout`.
fn call_with_timeout<R: FromValue>(
    rt: &mut Runtime,
    module: &Module,
    name: &str,
    args: impl IntoArgs,
    timeout: Duration,
) -> Result<R, RunError> {
    let cancel = rt.cancel_handle();
    let (done, finished) = mpsc::channel::<()>();
    let watchdog = thread::spawn(move || {
        let timed_out = finished.recv_timeout(timeout) == Err(RecvTimeoutError::Timeout);
        if timed_out {
            cancel.cancel(); // RT0503 at the script's next fuel point
        }
        timed_out
    });
    let result = rt.call(module, name, args);
    drop(done); // wakes the watchdog if it is still waiting
    let fired = watchdog.join().expect("the watchdog does not panic");
    if fired {
        // A cancel the call did not consume (it finished just as the watchdog fired) would
        // stop the next call: clear it. The watchdog is joined, so nothing can set it again.
        rt.cancel_handle().reset();
    }
    result
}

/// Runs `hostile` in a fresh runtime with `limits`, holding some state across the call, and
/// checks that the call fails with `code`, the heap is as it was, and the runtime still works.
fn contain(
    engine: &Engine,
    module: &Module,
    limits: Limits,
    what: &str,
    hostile: impl FnOnce(&mut Runtime) -> Result<Value, RunError>,
    code: &str,
) -> RunError {
    println!("-- {what}: {limits:?}");
    let mut rt = engine.runtime(limits).expect("valid limits");
    let state: Value = rt.call(module, "make_state", ()).expect("make_state");
    let before = rt.blocks_in_use();

    let started = Instant::now();
    let error = hostile(&mut rt).expect_err("the hostile call must fail");
    let after = rt.blocks_in_use();
    println!(
        "   {} after {:?}: {}\n   stack {:?}\n   blocks in use before {before}, after {after}",
        error.code(),
        started.elapsed(),
        error.message(),
        error.stack()
    );
    assert_eq!(error.code(), code, "{what}: {error}");
    assert!(before > 0, "the host's state occupies blocks");
    assert_eq!(
        after, before,
        "{what}: the heap holds exactly the host's values"
    );

    // The runtime is still usable: limits apply per call.
    let total: i64 = rt.call(module, "total", (state.clone(),)).expect("total");
    assert_eq!(total, 6);
    drop(state);
    assert_eq!(rt.blocks_in_use(), 0, "{what}: dropping the state frees it");
    error
}

/// Runs the example on `kind`; panics (with the reason) if anything behaves unexpectedly.
pub fn run(kind: EngineKind) {
    println!("== sandbox on {kind:?}");
    let engine = Engine::new(kind);
    let module = engine
        .compile("hostile.cairn", HOSTILE)
        .unwrap_or_else(|error| panic!("the script should compile:\n{error}"));
    let defaults = Limits::default();

    // Fuel: one unit per function entry and loop back-edge, per call.
    let fuel = Limits {
        fuel: Some(1_000_000),
        ..defaults.clone()
    };
    let error = contain(
        &engine,
        &module,
        fuel,
        "an infinite loop against fuel",
        |rt| rt.call(&module, "spin", (0,)),
        "RT0502",
    );
    assert_eq!(error.message(), "out of fuel");
    assert_eq!(error.stack(), ["in spin at 9:14"]);

    // Call depth: nested (non-tail) calls, per call.
    let depth = Limits {
        max_call_depth: 500,
        ..defaults.clone()
    };
    let error = contain(
        &engine,
        &module,
        depth,
        "infinite recursion against the call depth",
        |rt| rt.call(&module, "dive", (0,)),
        "RT0501",
    );
    assert_eq!(error.message(), "stack overflow: call depth exceeds 500");
    // Identical frames are collapsed, as the CLI prints them.
    assert_eq!(error.stack().len(), 2, "{:?}", error.stack());

    // Heap size: the runtime's whole heap is 1,024 blocks of 64 bytes.
    let small_heap = Limits {
        heap_blocks: 1_024,
        ..defaults.clone()
    };
    let error = contain(
        &engine,
        &module,
        small_heap,
        "a memory bomb against the heap size",
        |rt| rt.call(&module, "bomb", ("boom",)),
        "RT0401",
    );
    assert!(error.message().starts_with("heap exhausted: "));

    // Heap quota: a soft cap below the heap size.
    let quota = Limits {
        heap_quota: Some(512),
        ..defaults.clone()
    };
    let error = contain(
        &engine,
        &module,
        quota,
        "a memory bomb against the heap quota",
        |rt| rt.call(&module, "bomb", ("boom",)),
        "RT0402",
    );
    assert!(error.message().starts_with("heap quota exceeded: "));

    // Cancellation: no fuel limit, a watchdog thread cancels after 100 ms. Loops in the
    // runtime (count over a huge range) are cancellable too.
    let timeout = Duration::from_millis(100);
    for hostile in ["spin", "count_forever"] {
        let args: Vec<Value> = if hostile == "spin" {
            vec![Value::Int(0)]
        } else {
            Vec::new()
        };
        let error = contain(
            &engine,
            &module,
            defaults.clone(),
            &format!("`{hostile}` cancelled after {timeout:?}"),
            |rt| call_with_timeout(rt, &module, hostile, args, timeout),
            "RT0503",
        );
        assert_eq!(error.message(), "execution cancelled");
    }

    // A well-behaved call finishes before its timeout and is not cancelled.
    let mut rt = engine.runtime(defaults).expect("runtime");
    let state: Value = rt.call(&module, "make_state", ()).unwrap();
    let total: i64 = call_with_timeout(&mut rt, &module, "total", (state,), timeout).unwrap();
    assert_eq!(total, 6);

    // A cancel that arrives between calls stops the next call, once.
    let cancel = rt.cancel_handle();
    cancel.cancel();
    let error = rt.call::<Value>(&module, "make_state", ()).unwrap_err();
    assert_eq!(error.code(), "RT0503");
    assert!(!cancel.is_cancelled(), "a cancelled call resets the handle");
    let state: Value = rt.call(&module, "make_state", ()).unwrap();
    println!("-- a cancel between calls stops only the next call; then {state} works");
    drop(state);
    assert_eq!(rt.blocks_in_use(), 0);
}

/// The engine named on the command line: `jit` (default) or `interp`.
fn engine_from_args() -> EngineKind {
    match std::env::args().nth(1).as_deref() {
        None | Some("jit") => EngineKind::Jit,
        Some("interp" | "interpreter") => EngineKind::Interpreter,
        Some(other) => panic!("unknown engine {other:?}: expected `jit` or `interp`"),
    }
}

fn main() {
    run(engine_from_args());
}
