//! Regression tests for the embedder's defects found by writing hosts from the docs alone
//! (docs/EMBEDDING.md): a host function as a value, out-of-range Int results, refused
//! registrations, the NaN key message, `Opaque`'s `Debug`, argument-count plurals.

use cairn::{Engine, EngineKind, Limits, MAX_HOST_ARITY, Value};

const KINDS: [EngineKind; 2] = [EngineKind::Interpreter, EngineKind::Jit];

#[test]
fn a_host_function_used_as_a_value_is_a_named_function_of_the_module() {
    for kind in KINDS {
        let mut engine = Engine::new(kind);
        engine.register_fn("twice", |x: i64| x * 2).unwrap();
        let module = engine
            .compile("twice.cairn", "fn main() = map([1, 2], twice) |> collect")
            .unwrap();
        assert!(module.function_names().contains(&"twice"), "{kind:?}");
        let mut rt = engine.runtime(Limits::default()).unwrap();
        assert_eq!(rt.call::<Vec<i64>>(&module, "main", ()).unwrap(), [2, 4]);
        assert_eq!(
            rt.call::<i64>(&module, "twice", (21,)).unwrap(),
            42,
            "{kind:?}"
        );
        assert_eq!(rt.blocks_in_use(), 0);
    }
}

#[test]
fn a_typed_host_function_returning_an_int_beyond_48_bits_is_rt0301() {
    for kind in KINDS {
        let mut engine = Engine::new(kind);
        engine.register_fn("big", || 1i64 << 50).unwrap();
        engine.register_fn("wide", || u64::MAX).unwrap();
        let module = engine
            .compile("big.cairn", "fn main() = big() + 1\nfn w() = wide()")
            .unwrap();
        let mut rt = engine.runtime(Limits::default()).unwrap();
        let error = rt.call::<i64>(&module, "main", ()).unwrap_err();
        assert_eq!(
            (error.code(), error.message()),
            (
                "RT0301",
                "integer overflow: 1125899906842624 does not fit in a script Int (48 bits)"
            ),
            "{kind:?}"
        );
        assert_eq!(error.stack(), ["in main at 1:13"], "{kind:?}");
        assert_eq!(
            rt.call::<i64>(&module, "w", ()).unwrap_err().code(),
            "RT0301"
        );
        assert_eq!(rt.blocks_in_use(), 0);
    }
}

#[test]
fn registering_a_builtin_name_a_non_identifier_or_too_many_arguments_is_refused() {
    let mut engine = Engine::new(EngineKind::Interpreter);
    let error = engine.register_fn("len", |x: i64| x).unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        (
            "RT0001",
            "cannot register host function `len`: it is the name of a builtin (docs/LANGUAGE.md, \"Standard library\")"
        )
    );
    for name in ["", "two words", "1st", "then", "a-b"] {
        let error = engine.register_fn(name, || 1i64).unwrap_err();
        assert_eq!(
            error.message(),
            format!(
                "cannot register host function `{name}`: the name must be an identifier (letters, digits and `_`, not a keyword)"
            )
        );
    }
    let error = engine
        .register_raw("many", MAX_HOST_ARITY + 1, |_, _| Ok(Value::Unit))
        .unwrap_err();
    assert_eq!(
        error.message(),
        "cannot register host function `many`: 65 arguments exceed the limit of 64"
    );
    engine
        .register_raw("most", MAX_HOST_ARITY, |_, _| Ok(Value::Unit))
        .unwrap();
    // Nothing refused was registered: `len` is still the builtin.
    let module = engine
        .compile("len.cairn", "fn main() = len([1, 2, 3])")
        .unwrap();
    let mut rt = engine.runtime(Limits::default()).unwrap();
    assert_eq!(rt.call::<i64>(&module, "main", ()).unwrap(), 3);
}

#[test]
fn a_nan_key_is_reported_as_nan() {
    for kind in KINDS {
        let engine = Engine::new(kind);
        let module = engine
            .compile("nan.cairn", "fn main() = #{0.0 / 0.0: 1}")
            .unwrap();
        let mut rt = engine.runtime(Limits::default()).unwrap();
        let error = rt.call::<Value>(&module, "main", ()).unwrap_err();
        assert_eq!(
            (error.code(), error.message()),
            (
                "RT0104",
                "map key is NaN, which is not a valid key (NaN equals nothing, not even itself)"
            )
        );
    }
}

#[test]
fn opaque_debug_shows_no_internals() {
    let engine = Engine::new(EngineKind::Interpreter);
    let module = engine
        .compile("o.cairn", "fn main() = [ref(1)]\nfn f() = \\x -> x")
        .unwrap();
    let mut rt = engine.runtime(Limits::default()).unwrap();
    let value: Value = rt.call(&module, "main", ()).unwrap();
    assert_eq!(format!("{value:?}"), "List([Opaque(Ref <ref>)])");
    let Value::List(items) = &value else {
        unreachable!()
    };
    assert_eq!(format!("{:?}", items[0]), "Opaque(Ref <ref>)");
    let closure: Value = rt.call(&module, "f", ()).unwrap();
    let printed = format!("{closure:?}");
    assert!(printed.starts_with("Opaque(Closure <fn "), "{printed}");
    assert!(
        !printed.contains("word") && !printed.contains("queue"),
        "{printed}"
    );
}

#[test]
fn argument_counts_are_singular_for_one() {
    let engine = Engine::new(EngineKind::Jit);
    let module = engine
        .compile("one.cairn", "fn main() = 0\nfn inc(x) = x + 1")
        .unwrap();
    let mut rt = engine.runtime(Limits::default()).unwrap();
    let error = rt.call::<i64>(&module, "inc", ()).unwrap_err();
    assert_eq!(
        error.message(),
        "arity mismatch: inc expects 1 argument, got 0"
    );
    let error = engine
        .compile("c.cairn", "fn main() = inc()\nfn inc(x) = x")
        .unwrap_err();
    assert_eq!(
        error.message(),
        "arity mismatch: inc expects 1 argument, got 0"
    );
    let error = engine
        .compile("c.cairn", "fn main() = (\\x -> x)(1, 2)")
        .map(|m| {
            let mut rt = engine.runtime(Limits::default()).unwrap();
            rt.call::<i64>(&m, "main", ()).unwrap_err()
        })
        .unwrap();
    assert_eq!(
        error.message(),
        "arity mismatch: lambda@1:14 expects 1 argument, got 2"
    );
}
