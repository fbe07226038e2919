//! Embedding Cairn in a Rust program: compile a script once, call its functions with
//! structured arguments, read structured results (typed or as a `Value`), and handle a
//! `CompileError` and a `RunError`.
//!
//! Run it with `cargo run --example embed_basic` (add `-- interp` for the interpreter).

use std::collections::BTreeMap;

use cairn::{CompileError, Engine, EngineKind, Limits, RunError, Value};

/// An order book: items are `(name, unit price in cents, quantity)` tuples, stock is a Map
/// from item name to units on hand.
const SCRIPT: &str = r#"
fn main() = ()

fn line_total(item) = item[1] * item[2]
fn order_total(items) = fold(items, 0, \acc, item -> acc + line_total(item))

fn low_stock(stock, threshold) =
  collect(map(filter(stock, \entry -> entry[1] < threshold), \entry -> entry[0]))

fn restock(stock, level) =
  fold(stock, stock, \m, entry -> if entry[1] < level then insert(m, entry[0], level) else m)

fn report(items, stock) = {
  print("checking " ++ str(len(items)) ++ " lines")
  (order_total(items), low_stock(stock, 5), restock(stock, 10))
}

fn units(stock, name) = get(stock, name, ())
fn average(xs) = sum(xs) / len(xs)
fn unit_price(item) = item[1] / item[2]
"#;

/// Runs the example on `kind`; panics (with the reason) if anything behaves unexpectedly.
pub fn run(kind: EngineKind) {
    println!("== embed_basic on {kind:?}");

    // 1. Compile once. The Module is immutable, cheap to clone, Send + Sync.
    let engine = Engine::new(kind);
    let module = engine
        .compile("orders.cairn", SCRIPT)
        .unwrap_or_else(|error| panic!("the script should compile:\n{error}"));
    println!(
        "compiled {:?}: {:?}",
        module.name(),
        module.function_names()
    );

    // 2. A runtime: one heap with its limits, used by one thread at a time.
    let mut rt = engine
        .runtime(Limits::default())
        .expect("default limits are valid");

    // 3. Structured arguments: Rust tuples, Vecs and BTreeMaps convert with IntoValue.
    let items = vec![
        ("widget".to_string(), 250_i64, 4_i64),
        ("gadget".to_string(), 1_999, 1),
        ("gizmo".to_string(), 75, 12),
    ];
    let stock: BTreeMap<String, i64> = [("widget", 3), ("gadget", 40), ("gizmo", 0)]
        .into_iter()
        .map(|(name, units)| (name.to_string(), units))
        .collect();

    let total: i64 = rt
        .call(&module, "order_total", (items.clone(),))
        .expect("order_total");
    println!("order_total = {total}");
    assert_eq!(total, 250 * 4 + 1_999 + 75 * 12);

    // 4. Structured results: ask for the Rust type you expect (FromValue) ...
    let (report_total, low, restocked): (i64, Vec<String>, BTreeMap<String, i64>) = rt
        .call(&module, "report", (items.clone(), stock.clone()))
        .expect("report");
    println!("report: total {report_total}, low stock {low:?}, restocked {restocked:?}");
    assert_eq!(report_total, total);
    assert_eq!(low, ["gizmo", "widget"]); // Map order: ascending keys
    assert_eq!(restocked["gizmo"], 10);
    assert_eq!(restocked["gadget"], 40);
    // What the script printed during the last call.
    let printed = String::from_utf8_lossy(rt.output()).into_owned();
    println!("the script printed: {printed:?}");
    assert_eq!(printed, "checking 3 lines\n");

    // ... or take a `Value` and inspect it (Display is the script's canonical form).
    let value: Value = rt
        .call(&module, "report", (items, stock.clone()))
        .expect("report");
    println!("as a Value: {value}");
    let Value::Tuple(parts) = &value else {
        panic!("report returns a Tuple, got {}", value.kind_name())
    };
    assert_eq!(parts[0], Value::Int(total));
    assert_eq!(parts[2].kind_name(), "Map");

    // Option<T> maps Unit to None; f64 accepts Ints too.
    let widgets: Option<i64> = rt
        .call(&module, "units", (stock.clone(), "widget"))
        .unwrap();
    let sprockets: Option<i64> = rt.call(&module, "units", (stock, "sprocket")).unwrap();
    println!("units: widget {widgets:?}, sprocket {sprockets:?}");
    assert_eq!((widgets, sprockets), (Some(3), None));
    let mean: f64 = rt.call(&module, "average", (vec![1.5, 2.5, 4.0],)).unwrap();
    assert_eq!(mean, 8.0 / 3.0);

    // 5. A RunError: the script's diagnostic with its call stack; Display is what the CLI
    //    prints. The runtime stays usable.
    let error: RunError = rt
        .call::<i64>(&module, "unit_price", (("freebie", 100, 0),))
        .unwrap_err();
    print!(
        "RunError {} at {}:{}: {}\n  stack {:?}\n{error}",
        error.code(),
        error.line(),
        error.column(),
        error.message(),
        error.stack()
    );
    assert_eq!(error.code(), "RT0302");
    assert_eq!(error.message(), "division by zero");
    assert_eq!((error.line(), error.column()), (20, 23));
    assert_eq!(error.stack(), ["in unit_price at 20:23"]);
    assert!(
        error
            .to_string()
            .starts_with("error[RT0302]: division by zero\n")
    );

    // Problems of the call itself are RunErrors too: a result of the wrong kind, an unknown
    // function, a wrong argument count, an Int outside the script's 48 bits.
    let wrong_kind = rt
        .call::<String>(&module, "average", (vec![1, 2],))
        .unwrap_err();
    println!(
        "wrong kind: {}: {}",
        wrong_kind.code(),
        wrong_kind.message()
    );
    assert_eq!(
        (wrong_kind.code(), wrong_kind.message()),
        ("RT0303", "type mismatch: the host expects Text, got Int")
    );
    let unknown = rt.call::<i64>(&module, "refund", ()).unwrap_err();
    println!(
        "unknown function: {}: {}",
        unknown.code(),
        unknown.message()
    );
    assert_eq!(unknown.code(), "RT0001");
    let arity = rt.call::<i64>(&module, "average", ()).unwrap_err();
    println!("wrong arity: {}: {}", arity.code(), arity.message());
    assert_eq!(
        arity.message(),
        "arity mismatch: average expects 1 argument, got 0"
    );
    let too_big = rt
        .call::<f64>(&module, "average", (vec![1_i64 << 50],))
        .unwrap_err();
    println!("too big: {}: {}", too_big.code(), too_big.message());
    assert_eq!(too_big.code(), "RT0301");

    assert_eq!(
        rt.call::<i64>(&module, "order_total", (Vec::<(String, i64, i64)>::new(),))
            .unwrap(),
        0,
        "the runtime is usable after failed calls"
    );

    // 6. A CompileError: every diagnostic, the first one's code and position.
    let broken = "fn main() = totl([1, 2])\nfn total(xs) = sum(xs)\n";
    let error: CompileError = engine.compile("broken.cairn", broken).unwrap_err();
    print!(
        "CompileError {} at {}:{} ({} diagnostic(s)): {}\n{error}",
        error.code(),
        error.line(),
        error.column(),
        error.count(),
        error.message()
    );
    assert_eq!(error.code(), "E0101");
    assert_eq!(error.message(), "unknown name `totl`");
    assert_eq!((error.line(), error.column()), (1, 13));
    assert!(error.to_string().contains("--> broken.cairn:1:13"));

    // 7. Nothing leaks: every call released what it allocated.
    assert_eq!(rt.blocks_in_use(), 0);
    println!("blocks in use at the end: {}", rt.blocks_in_use());
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
