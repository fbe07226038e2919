//! Loads and verifies IR modules from JSON files (`--example verify_json FILE...`), printing
//! `ok` or the verifier's diagnostic for each.

fn main() {
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        match cairn_lang::module_from_json(&text) {
            Ok(_) => println!("{path}: ok"),
            Err(diagnostic) => println!("{path}: {diagnostic} {:?}", diagnostic.span),
        }
    }
}
