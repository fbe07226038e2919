//! Compiles each file given on the command line and prints `ok` or its first diagnostic;
//! a quick way to run the front end over a corpus (`--example check_many DIR/*.cairn`).

fn main() {
    for path in std::env::args().skip(1) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            println!("{path}: unreadable");
            continue;
        };
        let file = cairn_lang::SourceFile::new(path.clone(), text);
        match cairn_lang::compile(&file) {
            Ok(_) => println!("{path}: ok"),
            Err(diagnostics) => {
                let first = &diagnostics[0];
                let at = file.line_column(first.span.start);
                println!(
                    "{path}: {} @{}:{} {}",
                    first.code, at.line, at.column, first.message
                );
            }
        }
    }
}
