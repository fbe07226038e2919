//! The embedding API end to end, on both engines: structured values in and out, host
//! functions (typed, raw, failing, panicking, calling closures back), opaque values across
//! calls, a Module shared by runtimes on several threads, and the heap holding exactly what
//! the host owns after every call.

use std::collections::BTreeMap;

use cairn::{Engine, EngineKind, HostError, Limits, Value};

const ENGINES: [EngineKind; 2] = [EngineKind::Interpreter, EngineKind::Jit];

const SCRIPT: &str = "
fn id(x) = x
fn add(a, b) = a + b
fn describe(m) = fold(m, \"\", \\acc, kv -> acc ++ kv[0] ++ \"=\" ++ str(kv[1]) ++ \";\")
fn adder(n) = \\x -> x + n
fn apply(f, x) = f(x)
fn counter() = ref(0)
fn bump(r) = { r := !r + 1; !r }
fn numbers(n) = range(0, n)
fn main() = 0
";

fn engine(kind: EngineKind) -> Engine {
    Engine::new(kind)
}

#[test]
fn values_round_trip_through_a_script() {
    for kind in ENGINES {
        let engine = engine(kind);
        let module = engine.compile("values.cairn", SCRIPT).expect("compiles");
        let mut rt = engine.runtime(Limits::default()).expect("runtime");
        assert_eq!(rt.call::<i64>(&module, "id", (42,)).unwrap(), 42);
        assert_eq!(rt.call::<i32>(&module, "id", (-7i32,)).unwrap(), -7);
        assert_eq!(rt.call::<f64>(&module, "id", (1.5,)).unwrap(), 1.5);
        assert!(rt.call::<bool>(&module, "id", (true,)).unwrap());
        rt.call::<()>(&module, "id", ((),)).unwrap();
        assert_eq!(
            rt.call::<String>(&module, "id", ("héllo",)).unwrap(),
            "héllo"
        );
        let list = vec![vec![1i64, 2], vec![], vec![3]];
        assert_eq!(
            rt.call::<Vec<Vec<i64>>>(&module, "id", (list.clone(),))
                .unwrap(),
            list
        );
        let tuple = (
            1i64,
            "two".to_string(),
            3.0f64,
            false,
            (),
            vec![Some(1i64), None],
        );
        assert_eq!(
            rt.call::<(i64, String, f64, bool, (), Vec<Option<i64>>)>(
                &module,
                "id",
                (tuple.clone(),)
            )
            .unwrap(),
            tuple
        );
        let map: BTreeMap<String, i64> = [("b".to_string(), 2), ("a".to_string(), 1)].into();
        assert_eq!(
            rt.call::<BTreeMap<String, i64>>(&module, "id", (map.clone(),))
                .unwrap(),
            map
        );
        assert_eq!(
            rt.call::<String>(&module, "describe", (map,)).unwrap(),
            "a=1;b=2;"
        );
        assert_eq!(rt.call::<i64>(&module, "add", (40, 2)).unwrap(), 42);
        assert_eq!(rt.call::<f64>(&module, "add", (0.5, 2)).unwrap(), 2.5);
        let value: Value = rt
            .call(
                &module,
                "id",
                (vec![Value::Int(1), Value::Text("x".into())],),
            )
            .unwrap();
        assert_eq!(value.to_string(), "[1, \"x\"]");
        assert_eq!(rt.blocks_in_use(), 0, "{kind:?}");
    }
}

#[test]
fn wrong_kinds_overflow_and_bad_calls_are_errors_that_leave_the_heap_clean() {
    for kind in ENGINES {
        let engine = engine(kind);
        let module = engine.compile("values.cairn", SCRIPT).expect("compiles");
        let mut rt = engine.runtime(Limits::default()).expect("runtime");
        let error = rt.call::<i64>(&module, "id", ("text",)).unwrap_err();
        assert_eq!(error.code(), "RT0303");
        assert_eq!(
            error.message(),
            "type mismatch: the host expects Int, got Text"
        );
        let error = rt
            .call::<i64>(&module, "id", (vec![1i64 << 50],))
            .unwrap_err();
        assert_eq!(error.code(), "RT0301");
        let error = rt.call::<i64>(&module, "add", (1,)).unwrap_err();
        assert_eq!(error.code(), "RT0305");
        assert_eq!(
            error.message(),
            "arity mismatch: add expects 2 arguments, got 1"
        );
        let error = rt.call::<i64>(&module, "nope", ()).unwrap_err();
        assert_eq!(error.code(), "RT0001");
        let error = rt.call::<i64>(&module, "add", ("a", 1)).unwrap_err();
        assert_eq!(error.code(), "RT0303");
        assert_eq!((error.line(), error.column()), (3, 16));
        assert_eq!(error.stack(), ["in add at 3:16"]);
        assert!(error.to_string().starts_with("error[RT0303]:"), "{error}");
        assert_eq!(rt.blocks_in_use(), 0, "{kind:?}");
        // Still usable.
        assert_eq!(rt.call::<i64>(&module, "add", (1, 1)).unwrap(), 2);
    }
}

#[test]
fn compile_errors_expose_code_message_and_position() {
    let engine = engine(EngineKind::Jit);
    let error = engine
        .compile("bad.cairn", "fn main() = {\n  x = 1\n  y + x\n}\n")
        .unwrap_err();
    assert_eq!(error.code(), "E0101");
    assert_eq!(error.message(), "unknown name `y`");
    assert_eq!((error.line(), error.column()), (3, 3));
    assert!(error.to_string().contains("--> bad.cairn:3:3"), "{error}");
}

#[test]
fn opaque_values_live_as_long_as_the_host_holds_them() {
    for kind in ENGINES {
        let engine = engine(kind);
        let module = engine.compile("values.cairn", SCRIPT).expect("compiles");
        let mut rt = engine.runtime(Limits::default()).expect("runtime");
        let add_ten: Value = rt.call(&module, "adder", (10,)).unwrap();
        assert_eq!(add_ten.kind_name(), "Closure");
        assert!(add_ten.to_string().starts_with("<fn lambda@"), "{add_ten}");
        assert!(rt.blocks_in_use() > 0);
        assert_eq!(
            rt.call::<i64>(&module, "apply", (add_ten.clone(), 5))
                .unwrap(),
            15
        );
        let cell: Value = rt.call(&module, "counter", ()).unwrap();
        assert_eq!(rt.call::<i64>(&module, "bump", (cell.clone(),)).unwrap(), 1);
        assert_eq!(rt.call::<i64>(&module, "bump", (cell.clone(),)).unwrap(), 2);
        let seq: Value = rt.call(&module, "numbers", (3,)).unwrap();
        assert_eq!(seq.to_string(), "<seq>");
        // Another runtime refuses them.
        let mut other = engine.runtime(Limits::default()).expect("runtime");
        let error = other
            .call::<i64>(&module, "apply", (add_ten.clone(), 1))
            .unwrap_err();
        assert_eq!(error.code(), "RT0001");
        assert_eq!(error.message(), "this Closure belongs to another runtime");
        drop((add_ten, cell, seq));
        assert_eq!(
            rt.blocks_in_use(),
            0,
            "{kind:?}: dropping the handles releases them"
        );
        assert_eq!(other.blocks_in_use(), 0);
    }
}

fn host_engine(kind: EngineKind) -> Engine {
    let mut engine = Engine::new(kind);
    engine
        .register_fn("clip", |x: i64, lo: i64, hi: i64| x.clamp(lo, hi))
        .unwrap();
    engine
        .register_fn("safe_sqrt", |x: f64| -> Result<f64, HostError> {
            if x < 0.0 {
                Err(HostError::new("negative input"))
            } else {
                Ok(x.sqrt())
            }
        })
        .unwrap();
    engine
        .register_fn("shout", |s: String| s.to_uppercase())
        .unwrap();
    engine
        .register_fn("explode", |_: i64| -> i64 { panic!("kaboom") })
        .unwrap();
    engine.register_fn("pair", || (1i64, "one")).unwrap();
    engine
        .register_raw("twice", 2, |host, args| {
            let once = host.call(&args[0], (args[1].clone(),))?;
            Ok(host.call(&args[0], (once,))?)
        })
        .unwrap();
    engine
}

const HOST_SCRIPT: &str = "
fn main() = [clip(42, 0, 10), shout(\"hi\"), pair(), twice(\\x -> x * 3, 2)]
fn root(x) = { keep = [x]; r = safe_sqrt(x); r }
fn boom() = { xs = [1, 2]; r = explode(len(xs)); r }
fn nested(n) = if n == 0 then 0 else twice(\\x -> nested(n - 1) + x, 1)
fn as_value() = collect(map([1, 20, 3], \\x -> clip(x, 2, 5)))
fn bad_kind() = clip(\"x\", 0, 1)
";

#[test]
fn host_functions_are_called_like_script_functions() {
    let mut results = Vec::new();
    for kind in ENGINES {
        let engine = host_engine(kind);
        let module = engine.compile("host.cairn", HOST_SCRIPT).expect("compiles");
        let mut rt = engine.runtime(Limits::default()).expect("runtime");
        rt.start_trace();
        let value: Value = rt.call(&module, "main", ()).unwrap();
        assert_eq!(value.to_string(), "[10, \"HI\", (1, \"one\"), 18]");
        assert_eq!(
            rt.call::<Vec<i64>>(&module, "as_value", ()).unwrap(),
            vec![2, 5, 3]
        );
        assert_eq!(rt.call::<i64>(&module, "nested", (5,)).unwrap(), 31);
        results.push(rt.take_trace());
        assert_eq!(rt.blocks_in_use(), 0);
    }
    assert_eq!(results[0], results[1], "the engines' traces differ");
}

#[test]
fn host_failures_and_panics_are_diagnostics_with_the_scripts_stack() {
    for kind in ENGINES {
        let engine = host_engine(kind);
        let module = engine.compile("host.cairn", HOST_SCRIPT).expect("compiles");
        let mut rt = engine.runtime(Limits::default()).expect("runtime");
        let error = rt.call::<f64>(&module, "root", (-4.0,)).unwrap_err();
        assert_eq!(error.code(), "RT0701");
        assert_eq!(
            error.message(),
            "host function safe_sqrt failed: negative input"
        );
        assert_eq!(error.stack(), ["in root at 3:32"]);
        let error = rt.call::<i64>(&module, "boom", ()).unwrap_err();
        assert_eq!(error.code(), "RT0702");
        assert_eq!(error.message(), "host function explode panicked: kaboom");
        let error = rt.call::<i64>(&module, "bad_kind", ()).unwrap_err();
        assert_eq!(error.code(), "RT0701");
        assert_eq!(
            error.message(),
            "host function clip failed: type mismatch: the host expects Int, got Text"
        );
        assert_eq!(rt.blocks_in_use(), 0, "{kind:?}");
        assert_eq!(rt.call::<f64>(&module, "root", (9.0,)).unwrap(), 3.0);
    }
}

#[test]
fn an_unknown_host_name_and_a_wrong_count_are_compile_errors() {
    let engine = host_engine(EngineKind::Interpreter);
    let error = engine
        .compile("h.cairn", "fn main() = clip(1, 2)")
        .unwrap_err();
    assert_eq!(error.code(), "E0105");
    assert_eq!(
        error.message(),
        "arity mismatch: clip expects 3 arguments, got 2"
    );
    let error = engine
        .compile("h.cairn", "fn main() = nothere(1)")
        .unwrap_err();
    assert_eq!(error.code(), "E0101");
    let error = engine
        .compile("h.cairn", "fn clip(x) = x\nfn main() = 0")
        .unwrap_err();
    assert_eq!(error.code(), "E0102");
}

#[test]
fn one_module_runs_on_four_threads() {
    for kind in ENGINES {
        let engine = host_engine(kind);
        let module = engine
            .compile(
                "par.cairn",
                "fn work(n) = sum(map(range(0, n), \\x -> clip(x, 0, 100)))\nfn main() = 0",
            )
            .expect("compiles");
        let handles: Vec<_> = (0..4i64)
            .map(|i| {
                let engine = engine.clone();
                let module = module.clone();
                std::thread::spawn(move || {
                    let mut rt = engine.runtime(Limits::default()).expect("runtime");
                    let total: i64 = rt.call(&module, "work", (1000 + i,)).unwrap();
                    assert_eq!(rt.blocks_in_use(), 0);
                    total
                })
            })
            .collect();
        let totals: Vec<i64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let expected: Vec<i64> = (0..4i64)
            .map(|i| (0..1000 + i).map(|x| x.clamp(0, 100)).sum())
            .collect();
        assert_eq!(totals, expected);
    }
}

#[test]
fn a_failing_callback_passes_through_the_host_and_nesting_is_bounded() {
    for kind in ENGINES {
        let mut engine = Engine::new(kind);
        engine
            .register_raw("each", 2, |host, args| {
                let Value::List(items) = &args[0] else {
                    return Err(HostError::new("each expects a List"));
                };
                let mut out = Vec::new();
                for item in items {
                    out.push(host.call(&args[1], (item.clone(),))?);
                }
                Ok(Value::List(out))
            })
            .unwrap();
        engine
            .register_raw("attempt", 1, |host, args| {
                // Handles the closure's failure itself: the script sees a value, not an error.
                Ok(match host.call(&args[0], ()) {
                    Ok(value) => value,
                    Err(error) => Value::Text(format!("caught {}", error.code())),
                })
            })
            .unwrap();
        engine
            .register_raw("recurse_host", 1, |host, args| Ok(host.call(&args[0], ())?))
            .unwrap();
        let module = engine
            .compile(
                "cb.cairn",
                "fn main() = 0
fn ok() = each([1, 2], \\x -> x * 10)
fn fails() = each([1, 0], \\x -> 10 / x)
fn caught() = [attempt(\\ -> 1 / 0), attempt(\\ -> 7)]
fn dive() = recurse_host(\\ -> dive())
",
            )
            .expect("compiles");
        let mut rt = engine.runtime(Limits::default()).expect("runtime");
        assert_eq!(
            rt.call::<Vec<i64>>(&module, "ok", ()).unwrap(),
            vec![10, 20]
        );
        let error = rt.call::<i64>(&module, "fails", ()).unwrap_err();
        assert_eq!(
            (error.code(), error.message()),
            ("RT0302", "division by zero")
        );
        assert_eq!(
            error.stack(),
            ["in lambda@3:27 at 3:33", "in fails at 3:14"]
        );
        let value: Value = rt.call(&module, "caught", ()).unwrap();
        assert_eq!(value.to_string(), "[\"caught RT0302\", 7]");
        let error = rt.call::<i64>(&module, "dive", ()).unwrap_err();
        assert_eq!(error.code(), "RT0701", "{kind:?}: {error}");
        assert_eq!(
            error.message(),
            format!(
                "host function recurse_host failed: host functions nested more than {} deep",
                cairn::MAX_HOST_NESTING
            )
        );
        assert_eq!(rt.blocks_in_use(), 0, "{kind:?}");
        assert_eq!(
            rt.call::<Vec<i64>>(&module, "ok", ()).unwrap(),
            vec![10, 20]
        );
    }
}

#[test]
fn the_api_types_have_the_promised_thread_bounds() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    fn clone<T: Clone>() {}
    send_sync::<Engine>();
    send_sync::<cairn::Module>();
    send_sync::<cairn::CancelHandle>();
    clone::<cairn::CancelHandle>();
    send_sync::<Value>();
    send::<cairn::Runtime>();
    send_sync::<cairn::RunError>();
    send_sync::<cairn::CompileError>();
}
