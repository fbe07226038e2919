//! Shared helpers for the CLI integration tests: write a program to a unique temporary
//! file and run the built `cairn` binary on it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT_FILE: AtomicUsize = AtomicUsize::new(0);

/// A fresh directory for this test process (removed by the OS's temp cleaning).
pub fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cairn-cli-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Writes `text` to a new `.cairn` file named after `stem` and returns its path.
pub fn write_program(stem: &str, text: &str) -> PathBuf {
    let n = NEXT_FILE.fetch_add(1, Ordering::SeqCst);
    let path = scratch_dir().join(format!("{stem}-{n}.cairn"));
    std::fs::write(&path, text).expect("write program");
    path
}

pub fn cairn(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .output()
        .expect("run cairn")
}

pub fn cairn_on(command: &str, path: &Path, extra: &[&str]) -> Output {
    let path = path.to_str().expect("utf-8 path");
    let mut args = vec![command, path];
    args.extend_from_slice(extra);
    cairn(&args)
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The exit code, failing the test if the process was killed by a signal.
pub fn code(output: &Output) -> i32 {
    output
        .status
        .code()
        .unwrap_or_else(|| panic!("cairn was killed: {}", stderr(output)))
}

/// The repository root (the workspace directory).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}
