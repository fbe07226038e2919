//! `cairn run`: output then result, Unit results not printed, limits flags, exit codes.

mod support;

use support::{cairn, cairn_on, code, stderr, stdout, write_program};

#[test]
fn prints_output_in_order_then_the_result() {
    let path = write_program(
        "output",
        "fn main() = {\n  print(\"hello\");\n  print([1, 2]);\n  print((1, \"a\"));\n  40 + 2\n}\n",
    );
    for engine in ["jit", "interp"] {
        let out = cairn_on("run", &path, &["--engine", engine]);
        assert_eq!(code(&out), 0, "{engine}: {}", stderr(&out));
        assert_eq!(stdout(&out), "hello\n[1, 2]\n(1, \"a\")\n42\n", "{engine}");
        assert_eq!(stderr(&out), "", "{engine}");
    }
}

#[test]
fn a_unit_result_is_not_printed_and_text_results_are_raw() {
    let unit = write_program("unit", "fn main() = print(\"only this\")\n");
    let out = cairn_on("run", &unit, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "only this\n");

    let text = write_program("text", "fn main() = \"a\" ++ \"b\"\n");
    let out = cairn_on("run", &text, &[]);
    assert_eq!(stdout(&out), "ab\n");
}

#[test]
fn the_default_engine_is_the_jit_and_runs_a_million_iteration_loop() {
    let path = write_program(
        "loop",
        "fn sum_to(i, n, acc) = if i > n then acc else sum_to(i + 1, n, acc + i)\nfn main() = sum_to(1, 1000000, 0)\n",
    );
    let out = cairn_on("run", &path, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "500000500000\n");
}

#[test]
fn time_limit_stops_an_endless_run_on_both_engines() {
    let spin = write_program("spin", "fn spin(n) = spin(n + 1)\nfn main() = spin(0)\n");
    for engine in ["jit", "interp"] {
        let out = cairn_on("run", &spin, &["--engine", engine, "--time-limit", "50"]);
        assert_eq!(code(&out), 1, "{engine}");
        assert!(
            stderr(&out)
                .starts_with("error[RT0503]: execution cancelled: time limit of 50 ms exceeded"),
            "{engine}: {}",
            stderr(&out)
        );
    }
    let out = cairn_on("run", &spin, &["--time-limit", "0"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

#[test]
fn max_depth_fuel_and_heap_blocks_set_the_limits() {
    let deep = write_program(
        "deep",
        "fn down(n) = if n == 0 then 0 else 1 + down(n - 1)\nfn main() = down(50)\n",
    );
    let out = cairn_on("run", &deep, &["--max-depth", "100"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "50\n");
    let out = cairn_on("run", &deep, &["--max-depth", "20"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).starts_with("error[RT0501]: stack overflow: call depth exceeds 20"),
        "{}",
        stderr(&out)
    );

    let out = cairn_on("run", &deep, &["--fuel", "10"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).starts_with("error[RT0502]: out of fuel"),
        "{}",
        stderr(&out)
    );

    let big = write_program(
        "big",
        "fn grow(xs, n) = if n == 0 then len(xs) else grow(push(xs, n), n - 1)\nfn main() = grow([], 2000)\n",
    );
    let out = cairn_on("run", &big, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "2000\n");
    let out = cairn_on("run", &big, &["--heap-blocks", "16"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).starts_with("error[RT0401]: heap exhausted"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn usage_and_io_errors_exit_2() {
    let out = cairn(&["run", "/definitely/not/here.cairn"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("cannot read `/definitely/not/here.cairn`"),
        "{}",
        stderr(&out)
    );

    let path = write_program("flags", "fn main() = 1\n");
    let out = cairn_on("run", &path, &["--engine", "steam"]);
    assert_eq!(code(&out), 2);
    let out = cairn_on("run", &path, &["--no-such-flag"]);
    assert_eq!(code(&out), 2);
    let out = cairn_on("run", &path, &["--heap-blocks", "70000000"]);
    assert_eq!(code(&out), 2);
    let out = cairn_on("run", &path, &["--heap-blocks", "100", "--heap-mib", "2"]);
    assert_eq!(code(&out), 2, "the two heap sizes conflict");
    let out = cairn_on("run", &path, &["--heap-mib", "2"]);
    assert_eq!(code(&out), 0);
    let out = cairn(&["frobnicate"]);
    assert_eq!(code(&out), 2);
}

#[test]
fn the_tour_runs_and_both_engines_agree() {
    let tour = support::repo_root().join("examples/tour.cairn");
    let jit = cairn_on("run", &tour, &["--engine", "jit"]);
    let interp = cairn_on("run", &tour, &["--engine", "interp"]);
    assert_eq!(code(&jit), 0, "{}", stderr(&jit));
    assert_eq!(stdout(&jit), stdout(&interp));
    assert!(
        stdout(&jit).starts_with("fib(20) = 6765\n"),
        "{}",
        stdout(&jit)
    );
}
