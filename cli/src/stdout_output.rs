//! Every write the `cairn` binary makes to stdout goes through [`emit`], so none of them can
//! panic the way `print!` does on a closed or full stdout. A closed stdout (`cairn run x |
//! head -1`) ends the process the conventional Unix way: [`restore_default_sigpipe`] undoes
//! Rust's `SIGPIPE` ignore at startup, so the write that finds the pipe closed ends the process
//! by `SIGPIPE` (exit status 141 in a shell), exactly like `cat` or `grep`, quietly and without
//! running the rest of the program. Any other write error (ENOSPC on `/dev/full`) is a one-line
//! `error: cannot write to stdout: ...` on stderr and exit 2.

use std::io::Write;

use crate::outcome::UsageError;

/// Restores the default disposition of `SIGPIPE` (Rust's runtime ignores it before `main`),
/// so that writing to a closed pipe ends the process by the signal instead of an `EPIPE`.
pub fn restore_default_sigpipe() {
    // SAFETY: `signal` with `SIG_DFL` installs no handler; it is called once at the start of
    // `main`, before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Writes `text` to stdout and flushes it. `BrokenPipe` (only seen when the parent ignores
/// `SIGPIPE` for us) ends the output quietly; any other error is returned as an I/O error.
pub fn emit(text: &str) -> Result<(), UsageError> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(stdout_failure(&error)),
    }
}

/// [`emit`] of `text` and a newline.
pub fn emit_line(text: &str) -> Result<(), UsageError> {
    emit(&format!("{text}\n"))
}

/// Flushes what earlier writes left buffered (before a diagnostic goes to stderr).
pub fn flush() -> Result<(), UsageError> {
    emit("")
}

/// The one-line report of a failed stdout write.
pub fn stdout_failure(error: &dyn std::fmt::Display) -> UsageError {
    UsageError(format!("cannot write to stdout: {error}"))
}
