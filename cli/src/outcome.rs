//! How a command ends and the process exit code it maps to: 0 success, 1 a diagnostic or a
//! failed check (already reported), 2 a usage or I/O error.

use std::process::ExitCode;

/// A command that ran to completion: it either succeeded or reported a failure itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// A diagnostic, a divergence or a failed program was already printed.
    Failure,
}

/// A usage or I/O problem (missing file, unreadable directory, unwritable trace path).
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn exit_code(result: Result<Outcome, UsageError>) -> ExitCode {
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}
