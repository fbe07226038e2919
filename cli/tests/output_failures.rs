//! A closed or full stdout and unwritable output files: no subcommand panics. A closed
//! pipe ends the process by `SIGPIPE` (the Unix convention, like `cat`), a full disk is a
//! one-line `error: cannot write to stdout` and exit 2, and an output file that cannot be
//! created is exit 2 before the program runs (nothing printed).

mod support;

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Output, Stdio};

use support::{code, repo_root, scratch_dir, stderr, stdout, write_program};

/// Runs `cairn args` with stdout a pipe whose reading end is already closed.
fn with_closed_stdout(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .current_dir(repo_root())
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .expect("run cairn")
}

/// Runs `cairn args` with stdout `/dev/full` (every write fails with ENOSPC).
fn with_full_stdout(args: &[&str]) -> Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full");
    Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .current_dir(repo_root())
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .expect("run cairn")
}

fn assert_ended_by_sigpipe(args: &[&str], out: &Output) {
    assert_eq!(
        out.status.signal(),
        Some(libc_sigpipe()),
        "{args:?}: {:?}, stderr: {}",
        out.status,
        stderr(out)
    );
    assert!(
        !stderr(out).contains("panicked"),
        "{args:?}: {}",
        stderr(out)
    );
    if args[0] == "run" {
        // Quietly: no diagnostic, no leak report.
        assert_eq!(stderr(out), "", "{args:?}");
    }
}

fn assert_reports_a_full_disk(args: &[&str], out: &Output) {
    assert_eq!(code(out), 2, "{args:?}: {}", stderr(out));
    let text = stderr(out);
    assert!(
        text.ends_with("error: cannot write to stdout: No space left on device (os error 28)\n"),
        "{args:?}: {text}"
    );
    assert!(!text.contains("panicked"), "{args:?}: {text}");
}

/// SIGPIPE is 13 on every Unix Cairn builds for.
fn libc_sigpipe() -> i32 {
    13
}

/// Every subcommand that writes to stdout, with arguments that make it write.
fn writing_commands(program: &str, result_only: &str) -> Vec<Vec<String>> {
    let bench = write_program("bench", "fn main() = 1 + 2\n");
    let commands: [&[&str]; 8] = [
        &["run", program, "--engine", "interp"],
        &["run", program, "--engine", "jit"],
        &["run", result_only, "--engine", "interp"],
        &["run", result_only, "--engine", "jit"],
        &["check", program],
        &["check", program, "--ir"],
        &["stress", "--list"],
        &["heap", "stats", program],
    ];
    let mut all: Vec<Vec<String>> = commands
        .iter()
        .map(|args| args.iter().map(|s| s.to_string()).collect())
        .collect();
    let bench = bench.to_str().expect("utf-8").to_string();
    all.push(vec![
        "bench".into(),
        "--iterations".into(),
        "1".into(),
        bench,
    ]);
    all
}

fn programs() -> (String, String) {
    let printing = write_program(
        "printing",
        "fn say(n) = if n == 0 then 0 else { print(n); say(n - 1) }\nfn main() = say(50)\n",
    );
    let result_only = write_program("result_only", "fn main() = [1, 2, 3]\n");
    (
        printing.to_str().expect("utf-8").to_string(),
        result_only.to_str().expect("utf-8").to_string(),
    )
}

#[test]
fn a_closed_stdout_ends_every_command_by_sigpipe_without_a_panic() {
    let (printing, result_only) = programs();
    for args in writing_commands(&printing, &result_only) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = with_closed_stdout(&args);
        assert_ended_by_sigpipe(&args, &out);
    }
}

#[test]
fn a_full_stdout_is_a_one_line_error_and_exit_2_for_every_command() {
    let (printing, result_only) = programs();
    for args in writing_commands(&printing, &result_only) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = with_full_stdout(&args);
        assert_reports_a_full_disk(&args, &out);
    }
}

#[test]
fn a_program_whose_print_fails_leaves_no_block_behind() {
    // The failing `print` fails the run (unwound like any error); the CLI then checks the
    // heap is back to empty, which would add a leak line to stderr.
    let (printing, _) = programs();
    for engine in ["interp", "jit"] {
        let out = with_full_stdout(&["run", &printing, "--engine", engine]);
        assert_eq!(
            stderr(&out),
            "error: cannot write to stdout: No space left on device (os error 28)\n",
            "{engine}"
        );
    }
}

#[test]
fn an_unwritable_trace_path_is_refused_before_the_program_prints_anything() {
    let program = write_program("prints", "fn main() = { print(\"ran\"); 1 }\n");
    let missing_dir = scratch_dir().join("no-such-dir").join("trace.jsonl");
    let a_directory = scratch_dir();
    for trace in [missing_dir, a_directory] {
        for engine in ["interp", "jit"] {
            let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
                .args(["run", "--engine", engine, "--trace"])
                .arg(&trace)
                .arg(&program)
                .output()
                .expect("run cairn");
            assert_eq!(
                code(&out),
                2,
                "{engine} {}: {}",
                trace.display(),
                stderr(&out)
            );
            assert_eq!(stdout(&out), "", "{engine}: the program must not have run");
            assert!(
                stderr(&out).starts_with(&format!(
                    "error: cannot create output file `{}`",
                    trace.display()
                )),
                "{}",
                stderr(&out)
            );
        }
    }
}

#[test]
fn an_unwritable_graph_output_is_refused_before_the_program_prints_anything() {
    let program = write_program("graph_prints", "fn main() = { print(\"ran\"); [1] }\n");
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["heap", "graph", "-o"])
        .arg(scratch_dir())
        .arg(&program)
        .output()
        .expect("run cairn");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert!(!stderr(&out).contains("ran"), "{}", stderr(&out));
}
