//! Cairn's differential conformance runner: every corpus program runs on the interpreter
//! and the JIT with tracing on; output, result or diagnostic, the full refcount trace and
//! the heap state afterwards are compared against the program's expectations and between
//! the engines; every source program also runs on the reference evaluator (`oracle`), a
//! third implementation sharing no code with the engines, against the same expectations.
//!
//! ```text
//! let report = cairn_conformance::run_corpus(Path::new("conformance/corpus"), |p| eprintln!("{}", p.name));
//! print!("{}", report.render_table());
//! ```

pub mod attribute;
pub mod audit_pass;
pub mod compare;
pub mod expectations;
pub mod fault_injection;
pub mod fuzz;
pub mod oracle;
pub mod program;
pub mod report;
pub mod run;
pub mod stress;
pub mod trace_diff;

use std::path::{Path, PathBuf};
use std::time::Instant;

pub use report::{CheckStatus, CorpusReport, ProgramReport};

/// The corpus shipped with this crate (`conformance/corpus`).
pub fn default_corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// The programs of a corpus directory (`*.cairn`, `*.ir.json` files and directories with a
/// `main.cairn`, one multi-file program each), sorted by name.
pub fn corpus_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .path();
        if (path.is_file() && program::is_program_file(&path))
            || program::is_program_directory(&path)
        {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Runs one program file on both engines and checks everything.
pub fn run_program(path: &Path) -> ProgramReport {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("<unnamed>");
    finish(name, program::load_program(path))
}

/// Runs a `.cairn` program given as text (expectations in its `//#` lines): the entry
/// point for synthetic programs in tests.
pub fn run_source(name: &str, text: &str) -> ProgramReport {
    finish(name, program::program_from_source(name, text))
}

/// Runs a host-built IR program given as `.ir.json` text: the entry point for synthetic
/// IR programs in tests.
pub fn run_ir_json(name: &str, text: &str) -> ProgramReport {
    finish(name, program::program_from_ir_json(name, text))
}

fn finish(name: &str, loaded: Result<program::Program, String>) -> ProgramReport {
    let started = Instant::now();
    let mut report = match loaded {
        Ok(program) => compare::check_program(&program),
        Err(problem) => {
            let mut report = ProgramReport::new(name);
            report.front_end = CheckStatus::Fail;
            report.problems.push(problem);
            report
        }
    };
    report.elapsed = started.elapsed();
    report
}

/// Runs every program of `dir` in name order, calling `progress` after each one. A
/// directory that cannot be read is reported as one failing entry.
pub fn run_corpus(dir: &Path, mut progress: impl FnMut(&ProgramReport)) -> CorpusReport {
    let started = Instant::now();
    let mut report = CorpusReport::default();
    match corpus_files(dir) {
        Ok(files) => {
            for file in files {
                let program = run_program(&file);
                progress(&program);
                report.programs.push(program);
            }
        }
        Err(problem) => {
            let mut program = ProgramReport::new(&dir.display().to_string());
            program.front_end = CheckStatus::Fail;
            program.problems.push(problem);
            progress(&program);
            report.programs.push(program);
        }
    }
    report.elapsed = started.elapsed();
    report
}
