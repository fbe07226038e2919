//! A host may call any function with any values, whatever the script itself passes to it:
//! the JIT's kind-specialized code must stay correct (and give the interpreter's answers and
//! diagnostics) for arguments the script never passes.

use cairn::{Engine, EngineKind, Limits, Value};

#[test]
fn functions_the_script_calls_with_ints_accept_anything_from_the_host() {
    let source = "fn add(a, b) = a + b
fn halve(n) = if n < 2 then n else halve(n / 2)
fn main() = add(1, 2) + halve(40)
";
    let mut answers = Vec::new();
    for kind in [EngineKind::Interpreter, EngineKind::Jit] {
        let engine = Engine::new(kind);
        let module = engine.compile("kinds.cairn", source).expect("compiles");
        let mut rt = engine.runtime(Limits::default()).expect("runtime");
        let mut results: Vec<String> = Vec::new();
        for args in [
            vec![Value::Int(1), Value::Int(2)],
            vec![Value::Float(1.5), Value::Int(2)],
            vec![Value::Text("a".into()), Value::Text("b".into())],
            vec![Value::List(vec![]), Value::Int(1)],
        ] {
            results.push(match rt.call_value(&module, "add", args) {
                Ok(value) => value.to_string(),
                Err(error) => format!("{}: {}", error.code(), error.message()),
            });
        }
        for arg in [Value::Int(40), Value::Float(40.0), Value::Text("x".into())] {
            results.push(match rt.call_value(&module, "halve", vec![arg]) {
                Ok(value) => value.to_string(),
                Err(error) => format!("{}: {}", error.code(), error.message()),
            });
        }
        assert_eq!(rt.blocks_in_use(), 0);
        answers.push(results);
    }
    assert_eq!(
        answers[0], answers[1],
        "the JIT disagrees with the interpreter"
    );
    assert_eq!(
        answers[0],
        [
            "3",
            "3.5",
            "ab",
            "RT0303: type mismatch: + expects numbers or Text, got List and Int",
            "1",
            "1.25",
            "RT0303: type mismatch: < expects numbers or Text, got Text and Int",
        ]
    );
}
