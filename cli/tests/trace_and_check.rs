//! `run --trace PATH` writes the refcount trace as JSON Lines (seq from 0, one event per
//! line, identical on both engines); `check` prints `ok` or the IR with `--ir`.

mod support;

use serde_json::Value as Json;
use support::{cairn_on, code, scratch_dir, stderr, stdout, write_program};

const LIST_PROGRAM: &str =
    "fn main() = {\n  xs = [1, 2, 3];\n  ys = push(xs, 4);\n  print(xs);\n  len(ys)\n}\n";

fn traced(engine: &str, name: &str) -> (std::process::Output, String) {
    let path = write_program(name, LIST_PROGRAM);
    let trace = scratch_dir().join(format!("{name}-{engine}.jsonl"));
    let trace_arg = trace.to_str().unwrap().to_string();
    let out = cairn_on("run", &path, &["--engine", engine, "--trace", &trace_arg]);
    let text = std::fs::read_to_string(&trace).expect("trace file written");
    (out, text)
}

#[test]
fn trace_is_json_lines_with_seq_from_zero() {
    let (out, text) = traced("jit", "trace");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "[1, 2, 3]\n4\n");
    let events: Vec<Json> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    assert!(!events.is_empty(), "a program building lists allocates");
    for (index, event) in events.iter().enumerate() {
        assert_eq!(event["seq"].as_u64(), Some(index as u64), "{event}");
        let op = event["op"].as_str().expect("op");
        assert!(
            ["malloc", "incRef", "decRef", "free", "cow"].contains(&op),
            "{event}"
        );
        assert!(event["block"].is_u64() && event["old"].is_u64() && event["new"].is_u64());
    }
    assert_eq!(events[0]["op"], "malloc");
    let mallocs = events.iter().filter(|e| e["op"] == "malloc").count();
    let frees = events.iter().filter(|e| e["op"] == "free").count();
    assert_eq!(
        mallocs, frees,
        "every allocation is freed by the end of the run"
    );
}

#[test]
fn both_engines_write_the_same_trace() {
    let (jit_out, jit) = traced("jit", "same-trace");
    let (interp_out, interp) = traced("interp", "same-trace");
    assert_eq!(code(&jit_out), 0);
    assert_eq!(code(&interp_out), 0);
    assert_eq!(jit, interp);
}

#[test]
fn unwritable_trace_path_exits_2() {
    let path = write_program("trace-io", "fn main() = [1]\n");
    let out = cairn_on("run", &path, &["--trace", "/definitely/not/a/dir/t.jsonl"]);
    assert_eq!(code(&out), 2);
    // The file is created before the program runs (nothing is printed, nothing runs).
    assert!(
        stderr(&out).contains("cannot create output file `/definitely/not/a/dir/t.jsonl`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn check_prints_ok_and_ir() {
    let path = write_program(
        "check",
        "fn fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2)\nfn main() = fib(10)\n",
    );
    let out = cairn_on("check", &path, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "ok\n");

    let out = cairn_on("check", &path, &["--ir"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let ir = stdout(&out);
    assert!(ir.contains("fn fib("), "{ir}");
    assert!(ir.contains("fn main("), "{ir}");
    assert!(ir.contains("enter"), "{ir}");
    assert!(ir.contains("branch"), "{ir}");
}
