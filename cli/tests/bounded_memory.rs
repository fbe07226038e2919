//! Long runs keep bounded memory: `run --trace` streams its events instead of holding them
//! (docs/MEMORY.md, *Trace streaming*), and `stress` folds each engine's trace into its
//! summary as it goes. Each test compares the peak resident set of a child process (its own
//! `wait4` rusage) on a long run with that of a short one, or of the same run untraced.

mod support;

use std::process::{Command, Stdio};

use support::write_program;

/// Runs the `cairn` binary with `args` and returns its exit code and peak RSS in KiB.
fn peak_rss_kib(args: &[&str]) -> (i32, i64) {
    let child = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn cairn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data that `wait4` fills; zeroed is a valid value of it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet waited for (`child` is never waited on: it is
    // forgotten below), and both pointers are to live locals.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    std::mem::forget(child);
    assert_eq!(waited, pid, "wait4: {}", std::io::Error::last_os_error());
    assert!(libc::WIFEXITED(status), "cairn was killed");
    (libc::WEXITSTATUS(status), usage.ru_maxrss)
}

/// 150,000 iterations of 6 refcount events each: 900,000 events, which held in memory are
/// more than 21 MB (24 bytes each) besides the growth of their vector.
#[test]
fn a_traced_run_holds_no_more_memory_than_an_untraced_one() {
    let program = write_program(
        "many_events",
        "fn main() = fold(range(0, 150000), 0, \\a, x -> a + len([x]))\n",
    );
    let program = program.to_str().unwrap();
    let (code, untraced) = peak_rss_kib(&["run", program, "--engine", "interp"]);
    assert_eq!(code, 0);
    let (code, traced) =
        peak_rss_kib(&["run", program, "--engine", "interp", "--trace", "/dev/null"]);
    assert_eq!(code, 0);
    assert!(
        traced - untraced < 8 * 1024,
        "traced run peaked at {traced} KiB, untraced at {untraced} KiB"
    );
}

/// `deep-nesting` records about 790 refcount events per iteration: 3,000 iterations are
/// about 2.4 million events (57 MB held in memory), 100 iterations 80,000.
#[test]
fn a_long_stress_run_holds_no_more_memory_than_a_short_one() {
    let run = |iterations: &str| {
        peak_rss_kib(&[
            "stress",
            "deep-nesting",
            "--engine",
            "interp",
            "--iterations",
            iterations,
        ])
    };
    let (code, short) = run("100");
    assert_eq!(code, 0);
    let (code, long) = run("3000");
    assert_eq!(code, 0);
    assert!(
        long - short < 16 * 1024,
        "3,000 iterations peaked at {long} KiB, 100 at {short} KiB"
    );
}
