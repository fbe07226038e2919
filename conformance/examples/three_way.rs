//! Runs `.cairn` files (with optional `//# limits:` headers) on the interpreter, the JIT
//! and the reference evaluator, exactly as the fuzzer checks a generated program, and
//! prints each file's verdict (a compile error: the front end's first diagnostic against the
//! oracle's): a quick way to try a hand-written program three ways.
//! `cargo run -p cairn-conformance --example three_way -- FILE...`

use cairn_conformance::fuzz::check_source;
use cairn_conformance::oracle::{compare_observations, run_oracle};
use cairn_conformance::program::{FrontEnd, program_from_source};
use cairn_conformance::run::Outcome;
use cairn_reference::End;

fn main() {
    let mut disagreements = 0;
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).expect("read the program");
        let program = program_from_source(&path, &text).expect("valid expectations");
        if let FrontEnd::CompileError(d) = &program.front_end {
            let oracle = run_oracle(&text, &program.expectations.limits);
            let expected = End::Failed {
                code: d.code.clone(),
                message: d.message.clone(),
            };
            match compare_observations("", &expected, &oracle) {
                None => println!("{path}: agree ({} {})", d.code, d.message),
                Some(problem) => {
                    disagreements += 1;
                    println!(
                        "{path}: front end and oracle differ\n  {}",
                        problem.replace('\n', "\n  ")
                    );
                }
            }
            continue;
        }
        let checked = check_source(&path, &text);
        let interp = checked.interp.as_ref().map_or_else(
            || "no run".to_string(),
            |run| match &run.outcome {
                Outcome::Returned(text) => format!("result {text}"),
                Outcome::Failed(e) | Outcome::RejectedAtLoad(e) => {
                    format!("{} {}", e.code, e.message)
                }
            },
        );
        match checked.divergence {
            None => println!("{path}: agree ({interp}; oracle {:?})", checked.oracle),
            Some(divergence) => {
                disagreements += 1;
                println!(
                    "{path}: {}\n  {}",
                    divergence.kind,
                    divergence.detail.replace('\n', "\n  ")
                );
            }
        }
    }
    std::process::exit(i32::from(disagreements > 0));
}
