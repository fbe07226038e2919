//! `cairn conform DIR` prints a table (with the reference evaluator's column and skip
//! counts) and exits 1 on any failing program; `cairn bench`
//! times programs on both engines and prints the speed-up (a table, or JSON with `--json`).

mod support;

use support::{cairn, code, scratch_dir, stderr, stdout};

fn corpus_dir(name: &str, programs: &[(&str, &str)]) -> String {
    let dir = scratch_dir().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in programs {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir.to_str().unwrap().to_string()
}

const GOOD: &str =
    "//# output: 3\n//# result: [1, 2]\nfn main() = {\n  print(1 + 2);\n  [1, 2]\n}\n";
const WRONG: &str = "//# result: 5\nfn main() = 4\n";

#[test]
fn conform_passes_a_conforming_corpus() {
    let dir = corpus_dir("corpus-good", &[("good.cairn", GOOD)]);
    let out = cairn(&["conform", &dir]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let table = stdout(&out);
    assert!(table.contains("program"), "{table}");
    assert!(table.contains("good.cairn"), "{table}");
    assert!(
        table.contains("1 programs: 1 conforming, 0 failing"),
        "{table}"
    );
    assert!(table.contains("oracle"), "{table}");
    assert!(
        table.contains("reference evaluator: 1 judged, skipped: none"),
        "{table}"
    );
}

#[test]
fn conform_fails_on_a_wrong_expectation() {
    let dir = corpus_dir(
        "corpus-bad",
        &[("good.cairn", GOOD), ("wrong.cairn", WRONG)],
    );
    let out = cairn(&["conform", &dir]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let table = stdout(&out);
    assert!(
        table.contains("2 programs: 1 conforming, 1 failing"),
        "{table}"
    );
    assert!(table.contains("wrong.cairn"), "{table}");
    assert!(table.contains("FAIL"), "{table}");
    assert!(table.contains("oracle: outcome differs"), "{table}");
}

#[test]
fn conform_on_a_missing_directory_exits_2() {
    let out = cairn(&["conform", "/definitely/not/a/corpus"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("cannot read"), "{}", stderr(&out));
}

#[test]
fn bench_reports_both_engines_and_the_speed_up() {
    let dir = corpus_dir(
        "bench",
        &[(
            "small.cairn",
            "fn fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2)\nfn main() = fib(12)\n",
        )],
    );
    let program = format!("{dir}/small.cairn");
    let out = cairn(&["bench", "--iterations", "3", &program]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("median of 3 timed runs"), "{text}");
    let row = text
        .lines()
        .find(|line| line.starts_with(&program))
        .unwrap_or_else(|| panic!("no row for the program: {text}"));
    assert!(row.trim_end().ends_with('x'), "{row}");
    let ratio: f64 = row
        .split_whitespace()
        .last()
        .unwrap()
        .trim_end_matches('x')
        .parse()
        .unwrap();
    assert!(ratio > 0.0, "{row}");
}

#[test]
fn bench_reports_a_failing_program() {
    let dir = corpus_dir("bench-fail", &[("boom.cairn", "fn main() = 1 / 0\n")]);
    let out = cairn(&["bench", "--iterations", "1", &format!("{dir}/boom.cairn")]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("error[RT0302]: division by zero"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bench_json_reports_one_object_per_program() {
    let dir = corpus_dir(
        "bench-json",
        &[(
            "small.cairn",
            "fn fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2)\nfn main() = fib(12)\n",
        )],
    );
    let program = format!("{dir}/small.cairn");
    let out = cairn(&["bench", "--json", "--iterations", "1", &program]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    let rows = json
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {text}"));
    assert_eq!(rows.len(), 1, "{text}");
    let row = &rows[0];
    assert_eq!(row["name"], program.as_str(), "{text}");
    assert_eq!(row["iterations"], 1, "{text}");
    assert_eq!(row["result"], "144", "{text}");
    assert!(row["interp_median_ns"].is_u64(), "{text}");
    assert!(row["jit_median_ns"].is_u64(), "{text}");
    let speed_up = row["speed_up"].as_f64().unwrap_or_else(|| panic!("{text}"));
    assert!(speed_up > 0.0, "{text}");
}
