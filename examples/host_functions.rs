//! Host functions: Rust functions a script calls like its own. Typed ones (arguments and
//! results converted with FromValue/IntoValue), fallible ones (`Result<_, HostError>`), raw
//! ones that receive the argument `Value`s and a `HostContext` to call script closures back,
//! and what the script sees when a host function fails (RT0701) or panics (RT0702): a
//! diagnostic with the script's call stack, after which the runtime is still usable.
//!
//! Run it with `cargo run --example host_functions` (add `-- interp` for the interpreter).

use std::sync::{Arc, Mutex};

use cairn::{Engine, EngineKind, FromValue, HostError, Limits, MAX_HOST_NESTING, RunError, Value};

const SCRIPT: &str = r#"
fn main() = ()

// Typed host functions are called like any function.
fn bounded(xs) = collect(map(xs, \x -> clip(x, 0, 100)))
fn tokens(line) = { ws = words(line); log_line("split " ++ str(len(ws))); ws }

// A raw host function receiving a script closure, which it calls back.
fn by_length(ws) = sort_by_key(ws, \w -> len(w))
// Re-entrant: host -> script -> host (the key function calls `clip`).
fn by_capped_value(xs) = sort_by_key(xs, \x -> clip(x, 0, 10))

// Failures inside host functions, deep in the script.
fn hypotenuse(a, b) = safe_sqrt(a * a + b * b)
fn side(c, a) = safe_sqrt(c * c - a * a)
fn sides(pairs) = collect(map(pairs, \p -> side(p[0], p[1])))
fn parse_all(texts) = collect(map(texts, parse_number))
fn misuse() = clip("ten", 0, 100)

// Nesting host -> script -> host ... is bounded.
fn descend(n) = sort_by_key([n], \k -> descend(k + 1))
"#;

/// Registers every host function of the example on a new engine of `kind`; `log` collects
/// what the script logs.
fn engine(kind: EngineKind, log: Arc<Mutex<Vec<String>>>) -> Engine {
    let mut engine = Engine::new(kind);

    // Typed: FromValue arguments, IntoValue result.
    engine
        .register_fn("clip", |x: i64, lo: i64, hi: i64| x.clamp(lo, hi))
        .unwrap();
    engine
        .register_fn("words", |line: String| {
            line.split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .unwrap();
    // Host state: anything Send + Sync + 'static, here a shared log. `()` is Unit.
    engine
        .register_fn("log_line", move |message: String| {
            log.lock().expect("log lock").push(message);
        })
        .unwrap();

    // Fallible: an Err(HostError) fails the script's call with RT0701.
    engine
        .register_fn("safe_sqrt", |x: f64| -> Result<f64, HostError> {
            if x < 0.0 {
                Err(HostError::new(format!("negative input {x}")))
            } else {
                Ok(x.sqrt())
            }
        })
        .unwrap();
    // A host bug: a panic is caught at the boundary and fails the call with RT0702.
    engine
        .register_fn("parse_number", |text: String| {
            text.trim().parse::<i64>().expect("a number")
        })
        .unwrap();

    // Raw: the argument Values plus a HostContext to call script closures back.
    engine
        .register_raw("sort_by_key", 2, |host, mut args| {
            let key_fn = args.pop().expect("two arguments");
            // `Value` frees deep trees without recursion (it implements `Drop`), so take a
            // List's items with `FromValue` (or by `&mut` and `std::mem::take`), not by a move.
            let items = Vec::<Value>::from_value(args.pop().expect("two arguments"))
                .map_err(|_| HostError::new("sort_by_key expects a List"))?;
            let mut keyed = Vec::with_capacity(items.len());
            for item in items {
                // A failure of the closure comes back as a RunError; `?` passes it on, so the
                // script fails with the closure's own error and call stack.
                let key = host.call(&key_fn, (item.clone(),))?;
                keyed.push((i64::from_value(key)?, item));
            }
            keyed.sort_by_key(|(key, _)| *key);
            Ok(Value::List(
                keyed.into_iter().map(|(_, item)| item).collect(),
            ))
        })
        .unwrap();
    engine
}

/// Prints a failed call's diagnostic as the CLI would.
fn show(what: &str, error: &RunError) {
    print!(
        "{what}: {} {:?} stack {:?}\n{error}",
        error.code(),
        error.message(),
        error.stack()
    );
}

/// Runs the example on `kind`; panics (with the reason) if anything behaves unexpectedly.
pub fn run(kind: EngineKind) {
    println!("== host_functions on {kind:?}");
    let log = Arc::new(Mutex::new(Vec::new()));
    let engine = engine(kind, log.clone());
    println!("{engine:?}");
    let module = engine
        .compile("hosts.cairn", SCRIPT)
        .unwrap_or_else(|error| panic!("the script should compile:\n{error}"));
    let mut rt = engine.runtime(Limits::default()).expect("runtime");

    // Typed host functions.
    let bounded: Vec<i64> = rt.call(&module, "bounded", (vec![-5, 50, 500],)).unwrap();
    println!("bounded = {bounded:?}");
    assert_eq!(bounded, [0, 50, 100]);
    let tokens: Vec<String> = rt
        .call(&module, "tokens", ("the quick  brown fox",))
        .unwrap();
    println!("tokens = {tokens:?}, log = {:?}", log.lock().unwrap());
    assert_eq!(tokens, ["the", "quick", "brown", "fox"]);
    assert_eq!(*log.lock().unwrap(), ["split 4"]);
    let hypotenuse: f64 = rt.call(&module, "hypotenuse", (3, 4)).unwrap();
    assert_eq!(hypotenuse, 5.0);

    // A raw host function calling a script closure back, and re-entrancy.
    let sorted: Vec<String> = rt
        .call(&module, "by_length", (vec!["ccc", "a", "bb"],))
        .unwrap();
    println!("by_length = {sorted:?}");
    assert_eq!(sorted, ["a", "bb", "ccc"]);
    let capped: Vec<i64> = rt
        .call(&module, "by_capped_value", (vec![30, 5, -2, 7],))
        .unwrap();
    println!("by_capped_value = {capped:?}");
    assert_eq!(capped, [-2, 5, 7, 30]);

    // A HostError: RT0701 with the script's call stack (innermost first).
    let error = rt
        .call::<Vec<f64>>(&module, "sides", (vec![(5, 4), (3, 5)],))
        .unwrap_err();
    show("HostError", &error);
    assert_eq!(error.code(), "RT0701");
    assert_eq!(
        error.message(),
        "host function safe_sqrt failed: negative input -16"
    );
    // (The lambda tail-calls `side`, so it leaves no frame of its own.)
    assert_eq!(error.stack(), ["in side at 15:17", "in sides at 16:19"]);

    // A panic: RT0702 (Rust's panic hook still prints the panic to stderr first).
    let error = rt
        .call::<Vec<i64>>(&module, "parse_all", (vec!["12", "x3"],))
        .unwrap_err();
    show("panic", &error);
    assert_eq!(error.code(), "RT0702");
    assert!(
        error
            .message()
            .starts_with("host function parse_number panicked: a number: ParseIntError"),
        "{}",
        error.message()
    );

    // A script passing the wrong kind to a typed host function: RT0701 naming the kinds.
    let error = rt.call::<i64>(&module, "misuse", ()).unwrap_err();
    show("wrong argument kind", &error);
    assert_eq!(
        error.message(),
        "host function clip failed: type mismatch: the host expects Int, got Text"
    );

    // host -> script -> host ... nests at most MAX_HOST_NESTING host calls deep.
    let error = rt.call::<Value>(&module, "descend", (0,)).unwrap_err();
    println!("nesting: {}: {}", error.code(), error.message());
    assert_eq!(error.code(), "RT0701");
    assert_eq!(
        error.message(),
        format!(
            "host function sort_by_key failed: host functions nested more than \
             {MAX_HOST_NESTING} deep"
        )
    );

    // The runtime is still usable, and nothing leaked.
    let parsed: Vec<i64> = rt.call(&module, "parse_all", (vec!["1", " 2 "],)).unwrap();
    assert_eq!(parsed, [1, 2]);
    assert_eq!(rt.blocks_in_use(), 0);
    println!("still usable: parse_all = {parsed:?}; blocks in use: 0");
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
