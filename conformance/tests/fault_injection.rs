//! Allocation-failure injection over the whole conformance corpus (issue 9, deliverable 3):
//! one trial per program, each failing every allocation the program performs in turn, on
//! both engines (see `cairn_conformance::fault_injection`). Programs too long to fail every
//! allocation of in a debug build get a budget (`TEST_BUDGET_EVENTS`; set
//! `CAIRN_FAIL_ALLOC_BUDGET=all` to fail every one, or `cairn conform --fail-alloc-all`).

use std::path::PathBuf;

use cairn_conformance::fault_injection::{Coverage, inject_allocation_failures};
use cairn_conformance::program::load_program;
use cairn_conformance::{corpus_files, default_corpus_dir};
use libtest_mimic::{Arguments, Trial};

fn main() {
    let args = Arguments::from_args();
    let files = corpus_files(&default_corpus_dir()).expect("the corpus directory is readable");
    let trials: Vec<Trial> = files.into_iter().map(program_trial).collect();
    libtest_mimic::run(&args, trials).exit();
}

fn program_trial(path: PathBuf) -> Trial {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("<unnamed>")
        .to_string();
    Trial::test(format!("fail_alloc::{name}"), move || {
        let program = load_program(&path)?;
        let report = inject_allocation_failures(&program, Coverage::from_env());
        if report.passed() {
            Ok(())
        } else {
            Err(report.problems.join("\n").into())
        }
    })
}
