//! Writing a shrunk divergence as a corpus program: the program text unchanged (so every
//! position and lambda name stays the same), a comment naming the seed, index and kind, and
//! the `//#` expectations of what the interpreter did, appended at the end.

use std::path::{Path, PathBuf};

use super::check::Divergence;
use crate::run::{EngineRun, Outcome};

/// The reproducer's text: `source` followed by the interpreter's behaviour as expectations.
pub fn reproducer_text(
    source: &str,
    divergence: &Divergence,
    interp: Option<&EngineRun>,
) -> String {
    let mut text = source.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!("// fuzz divergence: {}\n", divergence.kind));
    for line in divergence.detail.lines().take(40) {
        text.push_str(&format!("//   {line}\n"));
    }
    let Some(run) = interp else {
        text.push_str("// (the interpreter did not run: no expectations)\n");
        return text;
    };
    text.push_str("// expectations: what the interpreter does\n");
    for line in run.output.lines() {
        text.push_str(&format!("//# output: {line}\n"));
    }
    match &run.outcome {
        Outcome::Returned(result) if result.contains('\n') => {
            text.push_str("// (the result spans lines: not checked)\n");
        }
        Outcome::Returned(result) => text.push_str(&format!("//# result: {result}\n")),
        Outcome::RejectedAtLoad(error) | Outcome::Failed(error) => {
            text.push_str(&format!("//# error: {} {}\n", error.code, error.message));
            if let Some(at) = error.at {
                text.push_str(&format!("//# at: {at}\n"));
            }
        }
    }
    text
}

/// Writes `text` to `dir/fuzz_<seed>_<index>.cairn`, creating `dir`.
pub fn write_reproducer(dir: &Path, seed: u64, index: u64, text: &str) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("fuzz_{seed}_{index}.cairn"));
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}
