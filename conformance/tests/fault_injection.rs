//! Allocation-failure injection over the whole conformance corpus (issue 9, deliverable 3):
//! one trial per program, each failing every allocation the program performs in turn, on
//! both engines (see `cairn_conformance::fault_injection`). Programs too long to fail every
//! allocation of in a debug build get a budget (`TEST_BUDGET_EVENTS`; set
//! `CAIRN_FAIL_ALLOC_BUDGET=all` to fail every one, or `cairn conform --fail-alloc-all`).
//! A program the budget does not cover at every N is also forked at up to `TEST_FORKS`
//! allocations spread over its whole run (`cairn conform --fail-alloc-all` forks at every
//! allocation of every program).

use std::path::PathBuf;

use cairn_conformance::fault_injection::{Coverage, TEST_FORKS, inject_allocation_failures};
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
        let replayed = inject_allocation_failures(&program, Coverage::from_env());
        let mut problems = replayed.problems;
        // What the replay budget did not reach at every N: fork the normal run at up to
        // `TEST_FORKS` allocations spread over all of it.
        if cfg!(unix) && replayed.skipped.is_none() && replayed.injected < replayed.mallocs {
            let forked = Coverage::Fork {
                jobs: 2,
                at_most: Some(TEST_FORKS),
                allocations: Some(replayed.mallocs),
            };
            problems.extend(inject_allocation_failures(&program, forked).problems);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n").into())
        }
    })
}
