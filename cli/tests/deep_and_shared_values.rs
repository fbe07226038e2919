//! The CLI on values that are deep or share objects: `cairn run`, `heap stats` and `bench`
//! print or convert a List nested 10,000 deep without overflowing their stack (exit 0), and
//! a value whose printed form or host copy would pass the 64 MiB output budget is RT0405
//! (exit 1, a diagnostic, no abort).

mod support;

use support::{cairn, cairn_on, code, stderr, stdout, write_program};

const DEEP: usize = 10_000;

fn deep_program() -> std::path::PathBuf {
    write_program(
        "deep_value",
        &format!(
            "fn nest(x, n) = if n == 0 then x else nest([x], n - 1)\nfn main() = nest(0, {DEEP})\n"
        ),
    )
}

#[test]
fn run_prints_a_result_nested_10_000_deep() {
    let path = deep_program();
    let expected = format!("{}0{}\n", "[".repeat(DEEP), "]".repeat(DEEP));
    for engine in ["interp", "jit"] {
        let out = cairn_on("run", &path, &["--engine", engine]);
        assert_eq!(code(&out), 0, "{engine}: {}", stderr(&out));
        assert!(
            stdout(&out) == expected,
            "{engine}: the whole nested List is printed"
        );
    }
}

#[test]
fn heap_stats_and_bench_convert_a_result_nested_10_000_deep() {
    let path = deep_program();
    let out = cairn(&["heap", "stats", path.to_str().expect("utf-8 path")]);
    assert_eq!(code(&out), 0, "heap stats: {}", stderr(&out));
    let out = cairn_on("bench", &path, &[]);
    assert_eq!(code(&out), 0, "bench: {}", stderr(&out));
    assert!(stdout(&out).contains("deep_value"), "{}", stdout(&out));
}

#[test]
fn a_shared_value_past_the_output_budget_is_rt0405_not_an_abort() {
    let printed = write_program(
        "shared_print",
        "fn dbl(x, n) = if n == 0 then x else dbl([x, x], n - 1)\nfn main() = { print(dbl(1, 30)); 0 }\n",
    );
    let returned = write_program(
        "shared_result",
        "fn dbl(x, n) = if n == 0 then x else dbl([x, x], n - 1)\nfn main() = dbl(1, 30)\n",
    );
    for engine in ["interp", "jit"] {
        let out = cairn_on("run", &printed, &["--engine", engine]);
        assert_eq!(code(&out), 1, "{engine}: {}", stderr(&out));
        assert!(
            stderr(&out).starts_with(
                "error[RT0405]: output too large: the printed form exceeds the limit of 67108864 bytes"
            ),
            "{engine}: {}",
            stderr(&out)
        );
        let out = cairn_on("run", &returned, &["--engine", engine]);
        assert_eq!(code(&out), 1, "{engine}: {}", stderr(&out));
        assert!(
            stderr(&out).starts_with(
                "error[RT0405]: output too large: the host copy of the value exceeds the limit of 67108864 bytes"
            ),
            "{engine}: {}",
            stderr(&out)
        );
    }
    let out = cairn_on("bench", &returned, &[]);
    assert_eq!(code(&out), 1, "bench: {}", stderr(&out));
    assert!(stderr(&out).contains("error[RT0405]"), "{}", stderr(&out));
}

#[test]
fn max_output_bytes_sets_the_output_budget() {
    let path = write_program(
        "output_budget",
        "fn main() = { print([1, 2, 3]); print([1, 2, 3, 4]); 0 }\n",
    );
    for engine in ["interp", "jit"] {
        // `[1, 2, 3]` is 9 bytes and fits; `[1, 2, 3, 4]` is 12 and does not.
        let out = cairn_on(
            "run",
            &path,
            &["--engine", engine, "--max-output-bytes", "10"],
        );
        assert_eq!(code(&out), 1, "{engine}: {}", stderr(&out));
        assert_eq!(stdout(&out), "[1, 2, 3]\n", "{engine}");
        assert!(
            stderr(&out).starts_with(
                "error[RT0405]: output too large: the printed form exceeds the limit of 10 bytes"
            ),
            "{engine}: {}",
            stderr(&out)
        );
    }
}
