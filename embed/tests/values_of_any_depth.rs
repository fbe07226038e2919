//! Values of any depth and sharing through the embedding API: a value nested 100,000 deep
//! crosses `Runtime::call` both ways and is cloned, compared, printed and dropped on a thread
//! with a 256 KiB stack (no recursion anywhere on the host's stack); a result or host
//! function argument that shares objects so much that its host copy would pass
//! `Limits::max_output_bytes` is RT0405, measured before anything is built, and the runtime
//! is reusable with nothing left in its heap.

use cairn::{Engine, EngineKind, Limits, Value};

const SCRIPT: &str = "
fn id(x) = x
fn nest(x, n) = if n == 0 then x else nest([x], n - 1)
fn dbl(x, n) = if n == 0 then x else dbl([x, x], n - 1)
fn show(x) = len(str(x))
fn to_host(x) = leaves(x)
fn main() = 0
";

const SMALL_STACK: usize = 256 << 10;
const DEPTH: usize = 100_000;

/// Runs `f` on a thread with a 256 KiB stack: any recursion per level of a 100,000-deep
/// value would overflow it.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the small-stack thread finished")
}

/// `[[...[0]...]]`, `depth` Lists deep, with a Tuple and a Map every few levels.
fn deep_host_value(depth: usize) -> Value {
    let mut value = Value::Int(0);
    for level in 0..depth {
        value = match level % 3 {
            0 => Value::List(vec![value]),
            1 => Value::Tuple(vec![value, Value::Text("t".into())]),
            _ => Value::Map(vec![(Value::Int(1), value)]),
        };
    }
    value
}

fn engine(kind: EngineKind) -> Engine {
    let mut engine = Engine::new(kind);
    engine
        .register_fn("leaves", |value: Value| value.to_string().len() as i64)
        .unwrap();
    engine
}

#[test]
fn a_value_100_000_deep_round_trips_through_call_on_a_small_stack() {
    for kind in [EngineKind::Interpreter, EngineKind::Jit] {
        let engine = engine(kind);
        let module = engine.compile("deep.cairn", SCRIPT).expect("compiles");
        let mut rt = engine.runtime(Limits::default()).expect("runtime");
        let (length, blocks) = on_small_stack(move || {
            let sent = deep_host_value(DEPTH);
            let back = rt
                .call_value(&module, "id", vec![sent.clone()])
                .expect("id");
            assert!(back == sent, "{kind:?}: the value came back unchanged");
            let printed = back.to_string();
            assert!(format!("{back:?}").starts_with("List([Map([(Int(1), Tuple([List(["));
            let length: i64 = rt.call(&module, "show", (back,)).expect("show");
            assert_eq!(
                length as usize,
                printed.len(),
                "{kind:?}: str in the script agrees"
            );
            // Built by the script, returned: 100,000 Lists.
            let built = rt.call_value(
                &module,
                "nest",
                vec![Value::Int(7), Value::Int(DEPTH as i64)],
            );
            let built = built.expect("nest");
            let mut expected = Value::Int(7);
            for _ in 0..DEPTH {
                expected = Value::List(vec![expected]);
            }
            assert!(built == expected, "{kind:?}");
            drop((sent, built, expected));
            (printed.len(), rt.blocks_in_use())
        });
        // `#{1: ` + `(` + `[` per three levels and their closers, around `0`.
        assert!(length > 3 * DEPTH, "{kind:?}: {length}");
        assert_eq!(blocks, 0, "{kind:?}");
    }
}

#[test]
fn cloning_comparing_printing_and_dropping_a_deep_host_value_uses_no_recursion() {
    let length = on_small_stack(|| {
        let value = deep_host_value(DEPTH);
        let copy = value.clone();
        assert!(copy == value);
        let different = deep_host_value(DEPTH + 1);
        assert!(copy != Value::Unit && different != value);
        let printed = copy.to_string();
        drop((value, copy, different));
        printed.len()
    });
    // Per three levels `[` `]`, `(` `, "t")` and `#{1: ` `}` (15 bytes); the outermost
    // level is one more List; `0` inside.
    assert_eq!(length, 15 * (DEPTH / 3) + 2 + 1);
}

#[test]
fn a_result_that_shares_too_much_is_rt0405_and_the_runtime_is_reusable() {
    for kind in [EngineKind::Interpreter, EngineKind::Jit] {
        let engine = engine(kind);
        let module = engine.compile("dag.cairn", SCRIPT).expect("compiles");
        let mut rt = engine.runtime(Limits::default()).expect("runtime");
        // 30 Lists in the heap, 2^31 - 1 nodes in a host tree: refused before building.
        let error = rt
            .call_value(&module, "dbl", vec![Value::Int(1), Value::Int(30)])
            .unwrap_err();
        assert_eq!(error.code(), "RT0405", "{kind:?}");
        assert_eq!(
            error.message(),
            "output too large: the host copy of the value exceeds the limit of 67108864 bytes"
        );
        assert_eq!(rt.blocks_in_use(), 0, "{kind:?}");
        assert_eq!(rt.call::<i64>(&module, "show", (vec![1, 2],)).unwrap(), 6);

        // The budget counts one `Value` per node (Texts add their bytes): a tree of 2^(n+1) - 1
        // nodes fits under a budget of exactly that many `Value`s and not one node more.
        let node = std::mem::size_of::<Value>();
        let limits = Limits {
            max_output_bytes: 31 * node,
            ..Limits::default()
        };
        let mut small = engine.runtime(limits).expect("runtime");
        let four = small.call_value(&module, "dbl", vec![Value::Int(1), Value::Int(4)]);
        assert_eq!(four.expect("31 nodes fit").to_string().len(), 5 * 16 - 4);
        let five = small.call_value(&module, "dbl", vec![Value::Int(1), Value::Int(5)]);
        assert_eq!(
            five.unwrap_err().code(),
            "RT0405",
            "{kind:?}: 63 nodes do not"
        );
        assert_eq!(small.blocks_in_use(), 0);
    }
}

#[test]
fn a_host_function_given_a_value_that_shares_too_much_fails_the_call_with_rt0405() {
    let script = format!("{SCRIPT}fn send(n) = to_host(dbl(1, n))\n");
    for kind in [EngineKind::Interpreter, EngineKind::Jit] {
        let engine = engine(kind);
        let module = engine.compile("send.cairn", &script).expect("compiles");
        let mut rt = engine.runtime(Limits::default()).expect("runtime");
        let error = rt.call::<i64>(&module, "send", (30,)).unwrap_err();
        assert_eq!(error.code(), "RT0405", "{kind:?}: {error}");
        assert_eq!(rt.blocks_in_use(), 0, "{kind:?}");
        assert_eq!(rt.call::<i64>(&module, "send", (3,)).unwrap(), 5 * 8 - 4);
        assert_eq!(rt.blocks_in_use(), 0, "{kind:?}");
    }
}
