//! The diagnostic format on stderr: `error[CODE]: message`, `--> file:line:col`, the source
//! line underlined, and for runtime errors the call stack as notes; exit code 1.

mod support;

use support::{cairn_on, code, stderr, stdout, write_program};

/// `pick` is not called in tail position, so `main` stays on the call stack.
const INDEX_PROGRAM: &str =
    "fn pick(xs, i) = xs[i]\n\nfn main() = {\n  xs = [1, 2, 3];\n  v = pick(xs, 5);\n  v\n}\n";

#[test]
fn a_runtime_error_is_rendered_with_span_underline_and_call_stack() {
    let path = write_program("index", INDEX_PROGRAM);
    let file = path.display().to_string();
    for engine in ["jit", "interp"] {
        let out = cairn_on("run", &path, &["--engine", engine]);
        assert_eq!(code(&out), 1, "{engine}");
        assert_eq!(stdout(&out), "", "{engine}");
        let err = stderr(&out);
        assert!(
            err.starts_with("error[RT0103]: index out of bounds: index 5, length 3\n"),
            "{engine}: {err}"
        );
        assert!(err.contains(&format!("--> {file}:1:18")), "{engine}: {err}");
        assert!(err.contains("fn pick(xs, i) = xs[i]"), "{engine}: {err}");
        assert!(err.contains("^^^^^"), "{engine}: {err}");
        assert!(err.contains("= in pick at 1:18"), "{engine}: {err}");
        assert!(err.contains("= in main at 5:7"), "{engine}: {err}");
    }
}

#[test]
fn a_tail_call_leaves_no_frame_for_its_caller() {
    let program = "fn pick(xs, i) = xs[i]\n\nfn main() = {\n  xs = [1, 2, 3];\n  pick(xs, 5)\n}\n";
    let path = write_program("index-tail", program);
    for engine in ["jit", "interp"] {
        let err = stderr(&cairn_on("run", &path, &["--engine", engine]));
        assert!(err.contains("= in pick at 1:18"), "{engine}: {err}");
        assert!(!err.contains("in main"), "{engine}: {err}");
    }
}

#[test]
fn the_diagnostic_of_both_engines_is_identical() {
    let path = write_program("index-both", INDEX_PROGRAM);
    let jit = cairn_on("run", &path, &["--engine", "jit"]);
    let interp = cairn_on("run", &path, &["--engine", "interp"]);
    assert_eq!(stderr(&jit), stderr(&interp));
}

#[test]
fn a_syntax_error_is_rendered_and_exits_1() {
    let path = write_program("syntax", "fn main() = {\n  x = (1 + ;\n  x\n}\n");
    let file = path.display().to_string();
    for command in ["run", "check"] {
        let out = cairn_on(command, &path, &[]);
        assert_eq!(code(&out), 1, "{command}");
        let err = stderr(&out);
        assert!(err.starts_with("error[E0001]: "), "{command}: {err}");
        assert!(err.contains(&format!("--> {file}:2:")), "{command}: {err}");
        assert!(err.contains("  x = (1 + ;"), "{command}: {err}");
        assert!(err.contains('^'), "{command}: {err}");
        assert_eq!(stdout(&out), "", "{command}");
    }
}

#[test]
fn an_unknown_name_points_at_the_name() {
    let path = write_program("unknown", "fn main() = nope + 1\n");
    let out = cairn_on("check", &path, &[]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.starts_with("error[E0101]: "), "{err}");
    assert!(err.contains(":1:13"), "{err}");
    assert!(err.contains("^^^^"), "{err}");
}

#[test]
fn output_printed_before_a_failure_is_kept() {
    let path = write_program(
        "partial",
        "fn main() = {\n  print(\"before\");\n  1 / 0\n}\n",
    );
    let out = cairn_on("run", &path, &[]);
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out), "before\n");
    assert!(
        stderr(&out).starts_with("error[RT0302]: division by zero"),
        "{}",
        stderr(&out)
    );
}

/// 16,000 unknown names on one 48 KB line: 100 diagnostics, then E0006 with the count of
/// the rest, each echoing a window of the line, so stderr is linear in what is shown (it
/// was every diagnostic echoing the whole line: 768 MB).
#[test]
fn thousands_of_errors_on_one_long_line_print_a_hundred_and_a_count() {
    let source = format!("fn main() = [{}]\n", vec!["x"; 16_000].join(", "));
    let path = write_program("many-errors", &source);
    let out = cairn_on("check", &path, &[]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert_eq!(err.matches("error[E0101]: unknown name `x`").count(), 100);
    assert!(
        err.contains("error[E0006]: 15900 more errors not shown (only the first 100 are reported)"),
        "{}",
        &err[err.len().saturating_sub(500)..]
    );
    assert!(err.len() <= 101 * 400, "{} bytes on stderr", err.len());
}

/// A bidi override and a lone CR never reach the terminal raw.
#[test]
fn invisible_characters_and_a_lone_cr_are_printed_escaped() {
    let path = write_program("bidi", "fn main() =\r  \"\u{202e}\" ++ y\r");
    let err = stderr(&cairn_on("check", &path, &[]));
    assert!(!err.contains(['\r', '\u{202e}']), "{err:?}");
    assert!(
        err.contains("1 | fn main() =\\u{d}  \"\\u{202e}\" ++ y\\u{d}\n"),
        "{err}"
    );
}

/// Three errors in three functions: `check` and `run` (either engine) print all three in
/// source order, rustc-style, then the count line; the exit code is 1.
#[test]
fn every_error_of_a_compilation_is_printed_then_the_count() {
    let program = "fn main() = helper(1) + other()\nfn helper(x) = x + nope\n\
                   fn other() = helper(1, 2)\nfn third() = missing(3)\n";
    let path = write_program("three-errors", program);
    let file = path.display().to_string();
    let expected = "\
error[E0101]: unknown name `nope`
  --> FILE:2:20
  |
2 | fn helper(x) = x + nope
  |                    ^^^^

error[E0105]: arity mismatch: helper expects 1 argument, got 2
  --> FILE:3:14
  |
3 | fn other() = helper(1, 2)
  |              ^^^^^^^^^^^^

error[E0101]: unknown name `missing`
  --> FILE:4:14
  |
4 | fn third() = missing(3)
  |              ^^^^^^^

error: could not compile `FILE` due to 3 previous errors
"
    .replace("FILE", &file);
    let runs: [(&str, &[&str]); 3] = [
        ("check", &[]),
        ("run", &["--engine", "jit"]),
        ("run", &["--engine", "interp"]),
    ];
    for (command, options) in runs {
        let out = cairn_on(command, &path, options);
        assert_eq!(code(&out), 1, "{command} {options:?}");
        assert_eq!(stdout(&out), "", "{command} {options:?}");
        assert_eq!(stderr(&out), expected, "{command} {options:?}");
    }
}

/// One error ends with the count line in the singular.
#[test]
fn a_single_error_ends_with_the_count_line_in_the_singular() {
    let path = write_program("one-error", "fn main() = nope\n");
    let file = path.display().to_string();
    let err = stderr(&cairn_on("check", &path, &[]));
    assert!(
        err.ends_with(&format!(
            "\nerror: could not compile `{file}` due to 1 previous error\n"
        )),
        "{err}"
    );
}
