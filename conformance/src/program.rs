//! Loading one corpus program: a `.cairn` source (compiled by `cairn_lang::compile`), a
//! directory of modules (`main.cairn` with its expectations, and the files it imports,
//! docs/LANGUAGE.md "Modules"), or a host-built `.ir.json` module (deserialised directly, so
//! the verifier's verdict and each engine's own load-time check are observed independently).

use std::path::{Path, PathBuf};

use cairn_lang::ir::{self, Span};
use cairn_lang::modules::{LoadedModule, ModuleContent, ModuleLoader};
use cairn_lang::{Diagnostic, SourceFile, SourceMap};
use serde::Deserialize;

use crate::expectations::{Expectations, JsonExpectations, LineColumn, parse_source_expectations};

/// What the front end made of a program.
#[derive(Debug)]
pub enum FrontEnd {
    /// Source that compiled, or host IR the verifier accepted: both engines run it.
    Accepted(ir::Module),
    /// Source the compiler rejected: only the front end runs (the engines are skipped).
    CompileError(Diagnostic),
    /// Host IR the verifier rejected: the engines still load it, and must reject it too.
    VerifierRejected {
        module: ir::Module,
        diagnostic: Diagnostic,
    },
}

#[derive(Debug)]
pub struct Program {
    /// The file name (`fib.cairn`), used as the trial and table name.
    pub name: String,
    /// The source, for mapping spans to line:column. Host IR gets an empty file, so every
    /// span maps to 1:1.
    pub source: SourceFile,
    /// Every file of the program (for a single file, that one file): spans point into it.
    pub sources: SourceMap,
    /// A multi-file program (a directory with `main.cairn`).
    pub is_directory: bool,
    pub expectations: Expectations,
    pub front_end: FrontEnd,
    pub is_host_ir: bool,
}

impl Program {
    /// The module the engines run, if any.
    pub fn module(&self) -> Option<&ir::Module> {
        match &self.front_end {
            FrontEnd::Accepted(module) | FrontEnd::VerifierRejected { module, .. } => Some(module),
            FrontEnd::CompileError(_) => None,
        }
    }

    pub fn position(&self, span: Span) -> LineColumn {
        let (_, position) = self.sources.line_column(span.start);
        LineColumn {
            line: position.line as u32,
            column: position.column as u32,
        }
    }

    /// The file a span is in, relative to the program's directory, when it is not the main
    /// file.
    pub fn file_of(&self, span: Span) -> Option<String> {
        let (base, file) = self.sources.file_at(span.start);
        (base != 0).then(|| file.name.clone())
    }
}

/// True for a directory the corpus holds as one multi-file program: it has a `main.cairn`.
pub fn is_program_directory(path: &Path) -> bool {
    path.is_dir() && path.join(MAIN_FILE).is_file()
}

/// The main file of a multi-file program, holding its expectations.
pub const MAIN_FILE: &str = "main.cairn";

/// Resolves the imports of a multi-file program as the CLI's file resolver does: `import a`
/// is `a.cairn` and `import a::b` is `a/b.cairn`, relative to the importing file's directory;
/// a module's name is its path from the program's directory (`shapes::util`).
struct DirectoryLoader {
    dir: PathBuf,
}

impl ModuleLoader for DirectoryLoader {
    fn load(&mut self, importer: Option<&str>, path: &str) -> Result<LoadedModule, String> {
        let mut parts: Vec<&str> = importer.map_or(Vec::new(), |key| key.split("::").collect());
        parts.pop();
        parts.extend(path.split("::"));
        let relative = format!("{}.cairn", parts.join("/"));
        let text = std::fs::read_to_string(self.dir.join(&relative))
            .map_err(|error| format!("cannot read `{relative}`: {error}"))?;
        let name = parts.join("::");
        Ok(LoadedModule {
            key: name.clone(),
            name,
            content: ModuleContent::Source(SourceFile::new(relative, text)),
        })
    }
}

/// Prepares a multi-file program: `dir/main.cairn` and the modules it imports.
pub fn program_from_directory(dir: &Path) -> Result<Program, String> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("<unnamed>")
        .to_string();
    let main = dir.join(MAIN_FILE);
    let text = std::fs::read_to_string(&main)
        .map_err(|e| format!("cannot read {}: {e}", main.display()))?;
    let expectations = parse_source_expectations(&text).map_err(|e| format!("{name}: {e}"))?;
    let source = SourceFile::new(MAIN_FILE, text);
    let mut loader = DirectoryLoader {
        dir: dir.to_path_buf(),
    };
    let (result, sources) = cairn_lang::compile_with_modules(source.clone(), &[], &mut loader);
    let front_end = match result {
        Ok(module) => FrontEnd::Accepted(module),
        Err(diagnostics) => match diagnostics.into_iter().next() {
            Some(first) => FrontEnd::CompileError(first),
            None => return Err(format!("{name}: compile failed without a diagnostic")),
        },
    };
    Ok(Program {
        name,
        source,
        sources,
        is_directory: true,
        expectations,
        front_end,
        is_host_ir: false,
    })
}

/// True for the file names the corpus is made of.
pub fn is_program_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".cairn") || name.ends_with(".ir.json")
}

/// Reads and prepares the program at `path`. `Err` is a broken corpus entry (unreadable,
/// malformed expectations or JSON), reported as a failure of that program.
pub fn load_program(path: &Path) -> Result<Program, String> {
    if is_program_directory(path) {
        return program_from_directory(path);
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("<unnamed>")
        .to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if name.ends_with(".ir.json") {
        program_from_ir_json(&name, &text)
    } else if name.ends_with(".cairn") {
        program_from_source(&name, &text)
    } else {
        Err(format!("{name}: not a .cairn or .ir.json program"))
    }
}

/// Prepares a `.cairn` program from its text (expectations are its `//#` lines).
pub fn program_from_source(name: &str, text: &str) -> Result<Program, String> {
    let expectations = parse_source_expectations(text).map_err(|e| format!("{name}: {e}"))?;
    let source = SourceFile::new(name, text);
    let front_end = match cairn_lang::compile(&source) {
        Ok(module) => FrontEnd::Accepted(module),
        Err(diagnostics) => match diagnostics.into_iter().next() {
            Some(first) => FrontEnd::CompileError(first),
            None => return Err(format!("{name}: compile failed without a diagnostic")),
        },
    };
    Ok(Program {
        name: name.to_string(),
        sources: SourceMap::new(source.clone()),
        source,
        is_directory: false,
        expectations,
        front_end,
        is_host_ir: false,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IrProgramFile {
    expect: JsonExpectations,
    module: ir::Module,
}

/// Prepares a host-built IR program: `{"expect": {..}, "module": <ir::Module as JSON>}`.
pub fn program_from_ir_json(name: &str, text: &str) -> Result<Program, String> {
    let file: IrProgramFile =
        serde_json::from_str(text).map_err(|e| format!("{name}: bad IR program JSON: {e}"))?;
    let expectations = file
        .expect
        .into_expectations()
        .map_err(|e| format!("{name}: {e}"))?;
    let module = file.module;
    let front_end = match cairn_lang::verify(&module) {
        Ok(()) => FrontEnd::Accepted(module),
        Err(diagnostic) => FrontEnd::VerifierRejected { module, diagnostic },
    };
    Ok(Program {
        name: name.to_string(),
        source: SourceFile::new(name, ""),
        sources: SourceMap::new(SourceFile::new(name, "")),
        is_directory: false,
        expectations,
        front_end,
        is_host_ir: true,
    })
}
