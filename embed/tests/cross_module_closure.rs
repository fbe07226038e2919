//! A Closure handle made by one module and called through another module in the same runtime
//! is refused with RT0407 on both engines, whether the other module calls it directly or a
//! sequence operation calls it; nothing leaks, the runtime stays usable, and calls through
//! the closure's own module still work (docs/EMBEDDING.md, "Opaque handles (Seq, Closure, Ref)").

use cairn::{Engine, EngineKind, Limits, Value};

const PLUS: &str =
    "fn main() = 0\nfn make(n) = \\x -> x + n\nfn apply(f, x) = f(x)\nfn show(f) = print(f)";
const TIMES: &str =
    "fn main() = 0\nfn make(n) = \\x -> x * n\nfn apply(f, x) = f(x)\nfn show(f) = print(f)";
const PAIR: &str = "fn main() = 0\nfn make(a, b) = \\x -> [x, a, b]\nfn apply(f, x) = f(x)";
const MAPS: &str = "fn main() = 0\nfn apply(f, x) = collect(map(range(0, x), f))";

const FOREIGN: &str =
    "not callable: a closure of another module (call a closure through the module that made it)";

#[test]
fn a_closure_called_through_another_module_is_refused_with_rt0407() {
    for kind in [EngineKind::Interpreter, EngineKind::Jit] {
        let engine = Engine::new(kind);
        let plus = engine.compile("plus.cairn", PLUS).expect("compiles");
        let times = engine.compile("times.cairn", TIMES).expect("compiles");
        let pair = engine.compile("pair.cairn", PAIR).expect("compiles");
        let maps = engine.compile("maps.cairn", MAPS).expect("compiles");
        let mut rt = engine.runtime(Limits::default()).expect("runtime");
        let add_ten: Value = rt.call(&plus, "make", (10,)).expect("make");

        // Through its own module: x + 10.
        let own: i64 = rt
            .call(&plus, "apply", (add_ten.clone(), 1))
            .expect("apply");
        assert_eq!(own, 11, "{kind:?}");

        // Through another module (same function index, or one reading more captures, or a
        // runtime-called callback), never another module's function.
        for module in [&times, &pair, &maps] {
            let error = rt
                .call::<Value>(module, "apply", (add_ten.clone(), 1))
                .unwrap_err();
            assert_eq!(error.code(), "RT0407", "{kind:?}: {error}");
            assert_eq!(error.message(), FOREIGN, "{kind:?}");
            assert_eq!(rt.blocks_in_use(), 1, "{kind:?}: only the closure is live");
        }

        // A module that made its own closure since still refuses the first one, and its own
        // closure is refused by the first module: the stamp is per program.
        let times_ten: Value = rt.call(&times, "make", (10,)).expect("make");
        let error = rt
            .call::<Value>(&times, "apply", (add_ten.clone(), 2))
            .unwrap_err();
        assert_eq!(error.code(), "RT0407", "{kind:?}");
        let error = rt
            .call::<Value>(&plus, "apply", (times_ten.clone(), 2))
            .unwrap_err();
        assert_eq!(error.code(), "RT0407", "{kind:?}");

        // The runtime is still usable, and each closure works through its own module.
        let own: i64 = rt
            .call(&plus, "apply", (add_ten.clone(), 2))
            .expect("apply");
        assert_eq!(own, 12, "{kind:?}");
        let own: i64 = rt
            .call(&times, "apply", (times_ten.clone(), 2))
            .expect("apply");
        assert_eq!(own, 20, "{kind:?}");

        // Printed through its own module it has its name; through another, `<fn>`.
        let _: Value = rt.call(&plus, "show", (add_ten.clone(),)).expect("show");
        assert_eq!(rt.output(), b"<fn lambda@2:14>\n", "{kind:?}");
        let _: Value = rt.call(&times, "show", (add_ten.clone(),)).expect("show");
        assert_eq!(rt.output(), b"<fn>\n", "{kind:?}");

        drop((add_ten, times_ten));
        assert_eq!(rt.blocks_in_use(), 0, "{kind:?}");
    }
}

/// The same source compiled twice is two loaded programs: a closure of one is refused by the
/// other (each compilation has its own engine entries).
#[test]
fn two_compilations_of_one_source_are_two_programs() {
    for kind in [EngineKind::Interpreter, EngineKind::Jit] {
        let engine = Engine::new(kind);
        let first = engine.compile("plus.cairn", PLUS).expect("compiles");
        let second = engine.compile("plus.cairn", PLUS).expect("compiles");
        let mut rt = engine.runtime(Limits::default()).expect("runtime");
        let add_ten: Value = rt.call(&first, "make", (10,)).expect("make");
        let error = rt
            .call::<Value>(&second, "apply", (add_ten.clone(), 1))
            .unwrap_err();
        assert_eq!(error.code(), "RT0407", "{kind:?}");
        let own: i64 = rt
            .call(&first, "apply", (add_ten.clone(), 1))
            .expect("apply");
        assert_eq!(own, 11, "{kind:?}");
        drop(add_ten);
        assert_eq!(rt.blocks_in_use(), 0, "{kind:?}");
    }
}
