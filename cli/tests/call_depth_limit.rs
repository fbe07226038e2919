//! `--max-depth`: at most `cairn::MAX_CALL_DEPTH` (one million), refused up front (exit 2,
//! naming the maximum) beyond it; at the maximum both engines run a program recursing to the
//! limit and fail the next level with the same RT0501.

mod support;

use support::{cairn, cairn_on, code, stderr, stdout, write_program};

#[test]
fn a_depth_limit_beyond_the_maximum_is_refused_before_anything_runs() {
    let program = write_program("depth_refused", "fn main() = { print(\"ran\"); 1 }\n");
    for engine in ["interp", "jit"] {
        for depth in ["1000001", "100000000", "18446744073709551615"] {
            let out = cairn_on("run", &program, &["--engine", engine, "--max-depth", depth]);
            assert_eq!(code(&out), 2, "{engine} {depth}: {}", stderr(&out));
            assert_eq!(stdout(&out), "");
            assert!(stderr(&out).contains("1..=1000000"), "{}", stderr(&out));
        }
    }
    let out = cairn(&["run", "--help"]);
    assert!(stdout(&out).contains("1..=1000000"), "{}", stdout(&out));
}

#[test]
fn both_engines_honour_the_maximum_depth_exactly() {
    // `down(n)` nests n + 1 levels (main is entered at the run's base, counted like the
    // engines count it): down(999999) reaches depth 1,000,000, down(1000000) one more.
    let fits = write_program(
        "depth_fits",
        "fn down(n) = if n == 0 then 0 else 1 + down(n - 1)\nfn main() = down(999999)\n",
    );
    let one_more = write_program(
        "depth_one_more",
        "fn down(n) = if n == 0 then 0 else 1 + down(n - 1)\nfn main() = down(1000000)\n",
    );
    for engine in ["interp", "jit"] {
        let out = cairn_on(
            "run",
            &fits,
            &["--engine", engine, "--max-depth", "1000000"],
        );
        assert_eq!(code(&out), 0, "{engine}: {}", stderr(&out));
        assert_eq!(stdout(&out), "999999\n", "{engine}");

        let out = cairn_on(
            "run",
            &one_more,
            &["--engine", engine, "--max-depth", "1000000"],
        );
        assert_eq!(code(&out), 1, "{engine}: {}", stderr(&out));
        assert!(
            stderr(&out).starts_with("error[RT0501]: stack overflow: call depth exceeds 1000000"),
            "{engine}: {}",
            stderr(&out)
        );
    }
}

/// The JIT maps its run stack before any code exists. A function on no call cycle (here
/// `main`, whose 3,000-Text literal makes a frame of a few hundred KB) is budgeted once, not
/// at every one of the 10,000 levels (which was more than 2 GB of address space, so under an
/// address-space limit the JIT refused with RT0001 a program the interpreter ran).
#[cfg(unix)]
#[test]
fn a_big_frame_that_cannot_recurse_is_not_budgeted_at_every_level() {
    let texts: Vec<String> = (0..3_000).map(|i| format!("\"t{i}\"")).collect();
    let program = write_program(
        "big_frame_once",
        &format!(
            "fn down(n) = if n == 0 then 0 else 1 + down(n - 1)\n\
             fn main() = {{ xs = [{}]; len(xs) + down(9000) }}\n",
            texts.join(", ")
        ),
    );
    for engine in ["interp", "jit"] {
        // 1.5 GB of address space (`ulimit -v` counts KiB).
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg("ulimit -v 1500000 && exec \"$0\" run --engine \"$1\" \"$2\"")
            .arg(env!("CARGO_BIN_EXE_cairn"))
            .arg(engine)
            .arg(&program)
            .output()
            .expect("run cairn under sh");
        assert_eq!(code(&out), 0, "{engine}: {}", stderr(&out));
        assert_eq!(stdout(&out), "12000\n", "{engine}");
    }
}

/// A depth limit whose run stack the process cannot map (here under a 1.5 GB address-space
/// limit: a million levels need about 4 GB) is the environment's limit, not an internal
/// error: RT0410 naming the depth asked for and the stack it needs, on both engines, before
/// anything runs.
#[cfg(unix)]
#[test]
fn a_run_stack_that_cannot_be_mapped_is_rt0410_naming_the_depth() {
    let program = write_program("depth_unmappable", "fn main() = { print(\"ran\"); 1 }\n");
    for engine in ["interp", "jit"] {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg("ulimit -v 1500000 && exec \"$0\" run --engine \"$1\" --max-depth 1000000 \"$2\"")
            .arg(env!("CARGO_BIN_EXE_cairn"))
            .arg(engine)
            .arg(&program)
            .output()
            .expect("run cairn under sh");
        assert_eq!(code(&out), 1, "{engine}: {}", stderr(&out));
        assert_eq!(stdout(&out), "", "{engine}: nothing ran");
        let message = stderr(&out);
        assert!(
            message.starts_with(
                "error[RT0410]: run stack unavailable: the call depth limit 1000000 needs "
            ) && message.contains(" MiB of stack, which this process cannot map ("),
            "{engine}: {message}"
        );
    }
}
