//! Modules through the facade (docs/EMBEDDING.md, "Modules"): sources served from memory by
//! a resolver, files next to the importing file, native modules of host functions, and
//! compile and runtime errors shown in the file they are in — on both engines, with
//! identical traces and nothing leaked.

use cairn::{
    Engine, EngineKind, FileResolver, Limits, MemoryResolver, ModuleResolver, ModuleSource,
};

const BOTH: [EngineKind; 2] = [EngineKind::Interpreter, EngineKind::Jit];

fn stats() -> MemoryResolver {
    MemoryResolver::new()
        .add(
            "stats",
            "import util\npub fn mean(xs) = util::total(xs) / len(xs)\n",
        )
        .add("util", "pub fn total(xs) = fold(xs, 0, \\a, x -> a + x)\n")
}

#[test]
fn a_memory_resolver_serves_modules_compiled_once_into_the_module() {
    let mut traces = Vec::new();
    for kind in BOTH {
        let mut engine = Engine::new(kind);
        engine.set_resolver(stats());
        let module = engine
            .compile(
                "main.cairn",
                "import stats\nimport util\nfn main() = [stats::mean([2, 4]), util::total([1, 2])]",
            )
            .unwrap();
        assert_eq!(
            module.function_names(),
            ["main", "stats::mean", "util::total"],
            "{kind:?}"
        );
        let mut rt = engine.runtime(Limits::default()).unwrap();
        rt.start_trace();
        let result: Vec<i64> = rt.call(&module, "main", ()).unwrap();
        assert_eq!(result, [3, 3]);
        traces.push(rt.take_trace());
        // A host calls a module's exported function by its qualified name.
        let mean: i64 = rt.call(&module, "stats::mean", (vec![10, 20],)).unwrap();
        assert_eq!(mean, 15);
        assert_eq!(rt.blocks_in_use(), 0);
    }
    assert!(!traces[0].is_empty());
    assert_eq!(traces[0], traces[1], "the engines' traces differ");
}

#[test]
fn a_compile_error_in_a_module_is_shown_in_its_file() {
    let mut engine = Engine::new(EngineKind::Interpreter);
    engine.set_resolver(MemoryResolver::new().add("util", "pub fn f() =\n  g(1)\n"));
    let error = engine
        .compile(
            "main.cairn",
            "import util\nimport gone\nfn main() = util::f()",
        )
        .unwrap_err();
    let found: Vec<(&str, &str, usize, usize)> = error
        .diagnostics()
        .iter()
        .map(|d| (d.code(), d.file(), d.line(), d.column()))
        .collect();
    assert_eq!(
        found,
        [("E0106", "main.cairn", 2, 8), ("E0101", "util.cairn", 2, 3)]
    );
    assert_eq!(
        error.to_string(),
        "error[E0106]: cannot find module `gone`: the resolver has no module of that name
  --> main.cairn:2:8
  |
2 | import gone
  |        ^^^^

error[E0101]: unknown name `g`
  --> util.cairn:2:3
  |
2 |   g(1)
  |   ^

error: could not compile `main.cairn` due to 2 previous errors
"
    );
}

#[test]
fn a_runtime_error_in_a_module_shows_its_file_and_qualified_frames() {
    for kind in BOTH {
        let mut engine = Engine::new(kind);
        engine.set_resolver(stats());
        let module = engine
            .compile(
                "main.cairn",
                "import stats\nfn main() = 1 + stats::mean([])",
            )
            .unwrap();
        let mut rt = engine.runtime(Limits::default()).unwrap();
        let error = rt.call::<i64>(&module, "main", ()).unwrap_err();
        assert_eq!(error.code(), "RT0302");
        assert_eq!((error.line(), error.column()), (2, 19), "{kind:?}");
        assert_eq!(
            error.stack(),
            ["in stats::mean at stats.cairn:2:19", "in main at 2:17"]
        );
        assert!(
            error.to_string().contains("--> stats.cairn:2:19"),
            "{error}"
        );
        assert_eq!(rt.blocks_in_use(), 0);
    }
}

#[test]
fn native_modules_are_imported_like_script_modules() {
    for kind in BOTH {
        let mut engine = Engine::new(kind);
        engine
            .register_native_module("mathx", |m| {
                m.register_fn("double", |x: i64| x * 2)?;
                m.register_raw("apply", 2, |host, args| {
                    host.call(&args[0], (args[1].clone(),))
                        .map_err(|e| cairn::HostError::new(e.to_string()))
                })
            })
            .unwrap();
        engine.set_resolver(MemoryResolver::new().add(
            "twice",
            "import mathx\npub fn quad(x) = mathx::double(mathx::double(x))",
        ));
        let module = engine
            .compile(
                "main.cairn",
                "import mathx\nimport twice\nfn main() = [mathx::double(4), twice::quad(1), mathx::apply(mathx::double, 5)]",
            )
            .unwrap();
        let mut rt = engine.runtime(Limits::default()).unwrap();
        let result: Vec<i64> = rt.call(&module, "main", ()).unwrap();
        assert_eq!(result, [8, 4, 10], "{kind:?}");
        // Unqualified, or from a file that does not import it, a native function is unknown.
        let error = engine
            .compile(
                "bad.cairn",
                "import twice\nfn main() = double(1) + mathx::double(1)",
            )
            .unwrap_err();
        let codes: Vec<&str> = error.diagnostics().iter().map(|d| d.code()).collect();
        assert_eq!(codes, ["E0101", "E0110"]);
        // Missing names of a native module.
        let error = engine
            .compile("bad.cairn", "import mathx\nfn main() = mathx::triple(1)")
            .unwrap_err();
        assert_eq!(error.message(), "module `mathx` has no function `triple`");
    }
    let mut engine = Engine::new(EngineKind::Interpreter);
    let refused = engine.register_native_module("bad name", |_| Ok(()));
    assert_eq!(refused.unwrap_err().code(), "RT0001");
    let refused = engine.register_native_module("m", |m| m.register_fn("fn", |x: i64| x));
    assert_eq!(refused.unwrap_err().code(), "RT0001");
}

#[test]
fn a_custom_resolver_sees_the_importer() {
    struct Echo;
    impl ModuleResolver for Echo {
        fn resolve(&self, importer: Option<&str>, path: &str) -> Result<ModuleSource, String> {
            let text = match (importer, path) {
                (None, "a") => "import b\npub fn f() = b::who()",
                (Some("a"), "b") => "pub fn who() = \"b, imported by a\"",
                _ => return Err(format!("unexpected import of {path} by {importer:?}")),
            };
            Ok(ModuleSource::new(path, text))
        }
    }
    let mut engine = Engine::new(EngineKind::Jit);
    engine.set_resolver(Echo);
    let module = engine
        .compile("main.cairn", "import a\nfn main() = a::f()")
        .unwrap();
    let mut rt = engine.runtime(Limits::default()).unwrap();
    assert_eq!(
        rt.call::<String>(&module, "main", ()).unwrap(),
        "b, imported by a"
    );
}

#[test]
fn the_file_resolver_reads_imports_relative_to_the_importing_file() {
    let dir = std::env::temp_dir().join(format!("cairn-modules-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("shapes")).unwrap();
    std::fs::write(
        dir.join("shapes/circle.cairn"),
        "import util\npub fn area(r) = util::k() * r * r",
    )
    .unwrap();
    std::fs::write(dir.join("shapes/util.cairn"), "pub fn k() = 3").unwrap();
    let main = dir.join("main.cairn");
    let mut engine = Engine::new(EngineKind::Interpreter);
    engine.set_resolver(FileResolver::for_root_file(&main));
    let module = engine
        .compile(
            "main.cairn",
            "import shapes::circle\nfn main() = shapes::circle::area(2)",
        )
        .unwrap();
    assert_eq!(
        module.function_names(),
        ["main", "shapes::circle::area", "shapes::util::k"]
    );
    let mut rt = engine.runtime(Limits::default()).unwrap();
    assert_eq!(rt.call::<i64>(&module, "main", ()).unwrap(), 12);
    let error = engine
        .compile("main.cairn", "import shapes::square\nfn main() = 1")
        .unwrap_err();
    assert_eq!(error.code(), "E0106");
    assert!(
        error
            .message()
            .starts_with("cannot find module `shapes::square`: cannot read `"),
        "{}",
        error.message()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

struct Vec2 {
    x: i64,
    y: i64,
}

#[test]
fn a_native_module_provides_types_whose_objects_its_functions_make() {
    for kind in BOTH {
        let mut engine = Engine::new(kind);
        engine
            .register_native_module("geo", |m| {
                m.register_type::<Vec2>("Vec2")?
                    .method("dot", |v: &mut Vec2, x: i64, y: i64| v.x * x + v.y * y)?
                    .method("scale", |v: &mut Vec2, k: i64| {
                        v.x *= k;
                        v.y *= k;
                        v.x + v.y
                    })?;
                m.register_raw("vec2", 2, |host, args| {
                    let (cairn::Value::Int(x), cairn::Value::Int(y)) = (&args[0], &args[1]) else {
                        return Err(cairn::HostError::new("vec2(x, y)"));
                    };
                    Ok(host.new_object(Vec2 { x: *x, y: *y })?)
                })
            })
            .unwrap();
        let module = engine
            .compile(
                "main.cairn",
                "import geo\nfn main() = { v = geo::vec2(1, 2)\n (v.scale(3), v.dot(1, 1), str(v), v.len()) }",
            )
            .unwrap();
        let mut rt = engine.runtime(Limits::default()).unwrap();
        let error = rt.call::<cairn::Value>(&module, "main", ()).unwrap_err();
        assert_eq!(error.code(), "RT0307", "{kind:?}");
        assert_eq!(error.message(), "no method len on Vec2");
        let module = engine
            .compile(
                "main.cairn",
                "import geo\nfn main() = { v = geo::vec2(1, 2)\n (v.scale(3), v.dot(1, 1)) }",
            )
            .unwrap();
        let result: (i64, i64) = rt.call(&module, "main", ()).unwrap();
        assert_eq!(result, (9, 9), "{kind:?}");
        assert_eq!(rt.host_objects_alive(), 0, "dropped at the last release");
    }
}
