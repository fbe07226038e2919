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
    /// For a multi-file program that compiles, the one-file program the reference
    /// evaluator runs instead ([`merged_source`]).
    pub oracle_source: Option<String>,
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
    /// Every import resolved: the importer's module name (`None` for the main file), the
    /// path as written, and the module's name and text.
    loads: Vec<(Option<String>, String, String, String)>,
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
        self.loads.push((
            importer.map(str::to_string),
            path.to_string(),
            name.clone(),
            text.clone(),
        ));
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
        loads: Vec::new(),
    };
    let (result, sources) = cairn_lang::compile_with_modules(source.clone(), &[], &mut loader);
    let oracle_source = result
        .is_ok()
        .then(|| merged_source(&source.text, &loader.loads));
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
        oracle_source,
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
        oracle_source: None,
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
        oracle_source: None,
        is_directory: false,
        expectations,
        front_end,
        is_host_ir: true,
    })
}

/// A program of modules as one source for the reference evaluator, which has no modules
/// (the runner feeds it the merged program): the `import` lines and `pub` words dropped,
/// each module's functions renamed `module__function` (`shapes::circle::area` is
/// `shapes__circle__area`) where they are defined and wherever the module's own file names
/// them (every occurrence of the name in that file, locals included: a consistent renaming),
/// and each qualified name replaced by the function it resolves to; then the main file and
/// the modules, one after the other. Only for programs that compiled, so the imports are
/// known to resolve; positions are not kept (the oracle does not check them).
pub fn merged_source(main: &str, loads: &[(Option<String>, String, String, String)]) -> String {
    use cairn_lang::lexer::{TokenKind, TokenStream};
    let mangle = |module: &str, name: &str| format!("{}__{name}", module.replace("::", "__"));
    let mut files: Vec<(Option<String>, &str)> = vec![(None, main)];
    for (_, _, name, text) in loads {
        if !files.iter().any(|(seen, _)| seen.as_deref() == Some(name)) {
            files.push((Some(name.clone()), text));
        }
    }
    let mut merged = String::new();
    for (module, text) in &files {
        let alias = |path: &str| {
            loads
                .iter()
                .find(|(importer, written, _, _)| importer == module && written == path)
                .map(|(_, _, name, _)| name.clone())
        };
        let mut tokens = Vec::new();
        let mut stream = TokenStream::new(text);
        while let Ok(token) = stream.next_token() {
            if token.kind == TokenKind::Eof {
                break;
            }
            tokens.push(token);
        }
        let own: Vec<&str> = tokens
            .windows(2)
            .filter(|pair| pair[0].kind == TokenKind::Fn)
            .filter_map(|pair| match &pair[1].kind {
                TokenKind::Ident(name) => Some(name.as_str()),
                _ => None,
            })
            .collect();
        // The `import PATH` lines: the leading pairs of tokens.
        let mut imports = 0;
        while matches!(tokens.get(imports).map(|t| &t.kind), Some(TokenKind::Ident(w)) if w == "import")
        {
            imports += 2;
        }
        let mut out = String::new();
        let mut at = 0;
        for (index, token) in tokens.iter().enumerate() {
            let (start, end) = (token.span.start as usize, token.span.end as usize);
            let replacement = match &token.kind {
                _ if index < imports => Some(String::new()),
                TokenKind::Ident(word)
                    if word == "pub"
                        && tokens.get(index + 1).map(|t| &t.kind) == Some(&TokenKind::Fn) =>
                {
                    Some(String::new())
                }
                TokenKind::Ident(word) => match word.rsplit_once("::") {
                    Some((path, local)) => alias(path).map(|target| mangle(&target, local)),
                    None => match module {
                        Some(module) if own.contains(&word.as_str()) => Some(mangle(module, word)),
                        _ => None,
                    },
                },
                _ => None,
            };
            if let Some(replacement) = replacement {
                out.push_str(&text[at..start]);
                out.push_str(&replacement);
                at = end;
            }
        }
        out.push_str(&text[at..]);
        merged.push_str(&out);
        merged.push('\n');
    }
    merged
}
