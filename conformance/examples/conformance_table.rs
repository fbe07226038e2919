//! Prints the conformance table for a corpus directory (default: the shipped corpus)
//! without the CLI: `cargo run -p cairn-conformance --example conformance_table [DIR]`.

use std::path::PathBuf;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(cairn_conformance::default_corpus_dir);
    let report = cairn_conformance::run_corpus(&dir, |_| {});
    print!("{}", report.render_table());
    if !report.all_passed() {
        std::process::exit(1);
    }
}
