//! `--engine interp` and `--engine jit` agree: same stdout, stderr and exit code on a set
//! of programs covering values, copy-on-write, maps, text and errors.

mod support;

use support::{cairn_on, code, stderr, stdout, write_program};

const PROGRAMS: &[(&str, &str)] = &[
    (
        "fib",
        "fn fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2)\nfn main() = fib(18)\n",
    ),
    (
        "cow",
        "fn main() = {\n  xs = [1, 2];\n  ys = set(xs, 0, 9);\n  print(xs);\n  print(ys);\n  [...xs, ...ys]\n}\n",
    ),
    (
        "maps",
        "fn main() = {\n  m = #{\"b\": 2, 1: \"one\", (): 0};\n  print(m);\n  (remove(m, 1), has(m, \"b\"), get(m, \"z\", 7))\n}\n",
    ),
    (
        "text",
        "fn main() = {\n  t = \"caf\u{e9} \" ++ str(1.5) ++ \" \" + str([\"q\\\"\"]);\n  print(t);\n  len(t)\n}\n",
    ),
    (
        "floats",
        "fn main() = (1 / 2, 1.0 / 2, 2.0, 0.1 + 0.2, 1e20, 7 % -3)\n",
    ),
    (
        "logic",
        "fn main() = (1 < 2 and 2 < 3, not true or false, 1 == 1.0, \"a\" < \"b\")\n",
    ),
    ("overflow", "fn main() = 140737488355327 + 1\n"),
    ("type-error", "fn main() = 1 + \"a\"\n"),
    ("missing-key", "fn main() = #{\"a\": 1}[\"b\"]\n"),
];

#[test]
fn interp_and_jit_agree_on_every_program() {
    for (name, source) in PROGRAMS {
        let path = write_program(name, source);
        let jit = cairn_on("run", &path, &["--engine", "jit"]);
        let interp = cairn_on("run", &path, &["--engine", "interp"]);
        assert_eq!(code(&jit), code(&interp), "{name}: {}", stderr(&jit));
        assert_eq!(stdout(&jit), stdout(&interp), "{name}");
        assert_eq!(stderr(&jit), stderr(&interp), "{name}");
        assert!(
            !stdout(&jit).is_empty() || !stderr(&jit).is_empty(),
            "{name}"
        );
    }
}

#[test]
fn known_results_on_both_engines() {
    let expectations = [
        ("fib", "2584\n"),
        ("cow", "[1, 2]\n[9, 2]\n[1, 2, 9, 2]\n"),
        ("floats", "(0, 0.5, 2.0, 0.30000000000000004, 1e20, 1)\n"),
        ("logic", "(true, false, true, true)\n"),
    ];
    for (name, expected) in expectations {
        let source = PROGRAMS.iter().find(|(n, _)| *n == name).unwrap().1;
        let path = write_program(name, source);
        for engine in ["jit", "interp"] {
            let out = cairn_on("run", &path, &["--engine", engine]);
            assert_eq!(code(&out), 0, "{name} {engine}: {}", stderr(&out));
            assert_eq!(stdout(&out), expected, "{name} {engine}");
        }
    }
}
