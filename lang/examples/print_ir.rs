//! Prints the post-RC IR of a source file (or its diagnostics): `cargo run -p cairn-lang
//! --example print_ir FILE`. The CLI's `cairn check --ir` does the same through the library.

fn main() -> std::process::ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: print_ir FILE.cairn");
        return std::process::ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("cannot read {path}: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    let file = cairn_lang::SourceFile::new(path, text);
    match cairn_lang::compile(&file) {
        Ok(module) => {
            print!("{}", cairn_lang::print::print_module(&module, Some(&file)));
            std::process::ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            for diagnostic in diagnostics {
                eprint!("{}", diagnostic.render(&file));
            }
            std::process::ExitCode::FAILURE
        }
    }
}
