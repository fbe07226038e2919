//! One object spans at most one heap segment (65,535 blocks of 60 payload bytes): a host
//! `Value::Text` larger than that — passed as an argument or returned by a host function —
//! is refused with the same RT0406 the script's own `++` gets, naming the per-object limit
//! rather than reporting a heap with millions of free blocks as exhausted; nothing is left
//! allocated and the runtime stays usable.

use cairn::{Engine, EngineKind, Limits, Value};

const SCRIPT: &str = "
fn length(s) = len(s)
fn from_host() = len(big_text())
fn main() = 0
";

/// 4,000,000 bytes: 66,667 blocks, 1,132 more than a segment holds.
const TOO_BIG: usize = 4_000_000;
const MESSAGE: &str = "object too large: 66667 blocks requested, one object spans at most 65535 blocks (one heap segment)";

#[test]
fn a_host_text_larger_than_a_segment_is_rt0406_on_both_engines() {
    for kind in [EngineKind::Interpreter, EngineKind::Jit] {
        let mut engine = Engine::new(kind);
        engine
            .register_raw("big_text", 0, |_host, _args| {
                Ok(Value::Text("x".repeat(TOO_BIG)))
            })
            .unwrap();
        let module = engine.compile("size.cairn", SCRIPT).expect("compiles");
        let mut rt = engine.runtime(Limits::default()).expect("runtime");
        let before = rt.blocks_in_use();

        let error = rt
            .call::<i64>(&module, "length", ("y".repeat(TOO_BIG),))
            .expect_err("an argument larger than a segment");
        assert_eq!(
            (error.code(), error.message()),
            ("RT0406", MESSAGE),
            "{kind:?}"
        );
        assert_eq!(rt.blocks_in_use(), before, "{kind:?}");

        let error = rt
            .call::<i64>(&module, "from_host", ())
            .expect_err("a host result larger than a segment");
        assert_eq!(
            (error.code(), error.message()),
            ("RT0406", MESSAGE),
            "{kind:?}"
        );
        assert_eq!(rt.blocks_in_use(), before, "{kind:?}");

        // The largest Text that fits one segment (its 12-byte header and the bytes in
        // 65,535 blocks of 60) is fine; one byte more is not.
        let fits = 65_535 * 60 - 12;
        let error = rt
            .call::<i64>(&module, "length", ("z".repeat(fits + 1),))
            .expect_err("one byte over a segment");
        assert_eq!(error.code(), "RT0406", "{kind:?}: {error}");
        assert!(
            error
                .message()
                .starts_with("object too large: 65536 blocks requested")
        );
        let n = rt
            .call::<i64>(&module, "length", ("z".repeat(fits),))
            .expect("a Text within one segment");
        assert_eq!(n, fits as i64);
        assert_eq!(rt.blocks_in_use(), before, "{kind:?}");
    }
}
