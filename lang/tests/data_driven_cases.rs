//! Data-driven front-end tests: each `tests/cases/NAME.cairn` is compiled and the result —
//! the printed post-RC IR, or one `CODE @line:col message` line per diagnostic — must equal
//! `tests/cases/NAME.expected`. Run with `BLESS=1` to (re)write the expectation files, then
//! review the diff.

use std::path::Path;

use cairn_lang::{SourceFile, compile, print_module};

fn outcome(file: &SourceFile) -> String {
    match compile(file) {
        Ok(module) => print_module(&module, Some(file)),
        Err(diagnostics) => diagnostics
            .iter()
            .map(|d| {
                let at = file.line_column(d.span.start);
                format!("{} @{}:{} {}\n", d.code, at.line, at.column, d.message)
            })
            .collect(),
    }
}

#[test]
fn every_case_matches_its_expectation() {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let bless = std::env::var_os("BLESS").is_some();
    let mut paths: Vec<_> = std::fs::read_dir(&directory)
        .expect("tests/cases exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "cairn"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 10,
        "expected the case corpus, found {}",
        paths.len()
    );
    let mut failures = Vec::new();
    for path in &paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).expect("readable case");
        let actual = outcome(&SourceFile::new(name.clone(), text));
        let expected_path = path.with_extension("expected");
        if bless {
            std::fs::write(&expected_path, &actual).expect("writable expectation");
            continue;
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!(
                "{name}:\n--- expected\n{expected}--- actual\n{actual}"
            )),
            Err(_) => failures.push(format!("{name}: missing {}", expected_path.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
