//! Runs only the reference evaluator (`cairn-reference`) over the corpus and compares it
//! with each program's expectations: a quick way to work on the oracle itself.
//! `cargo run -p cairn-conformance --example oracle_corpus [FILTER]`

use cairn_conformance::expectations::parse_source_expectations;
use cairn_conformance::oracle::{Verdict, check_expectations};

fn main() {
    let filter = std::env::args().nth(1).unwrap_or_default();
    let files = cairn_conformance::corpus_files(&cairn_conformance::default_corpus_dir())
        .expect("read the corpus");
    let (mut agree, mut skipped, mut differ) = (0, 0, 0);
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        if !name.contains(&filter) || !name.ends_with(".cairn") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read a program");
        let expectations = parse_source_expectations(&text).expect("valid expectations");
        match check_expectations(&text, &expectations) {
            Verdict::Agrees => agree += 1,
            Verdict::Skipped(reason) => {
                skipped += 1;
                println!("{name}: skipped: {reason}");
            }
            Verdict::Differs(problem) => {
                differ += 1;
                println!("{name}: {problem}");
            }
        }
    }
    println!("{agree} agree, {skipped} skipped, {differ} differ");
}
