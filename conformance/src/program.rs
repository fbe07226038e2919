//! Loading one corpus program: a `.cairn` source (compiled by `cairn_lang::compile`) or a
//! host-built `.ir.json` module (deserialised directly, so the verifier's verdict and each
//! engine's own load-time check are observed independently).

use std::path::Path;

use cairn_lang::ir::{self, Span};
use cairn_lang::{Diagnostic, SourceFile};
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
        let position = self.source.line_column(span.start);
        LineColumn {
            line: position.line as u32,
            column: position.column as u32,
        }
    }
}

/// True for the file names the corpus is made of.
pub fn is_program_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".cairn") || name.ends_with(".ir.json")
}

/// Reads and prepares the program at `path`. `Err` is a broken corpus entry (unreadable,
/// malformed expectations or JSON), reported as a failure of that program.
pub fn load_program(path: &Path) -> Result<Program, String> {
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
        source,
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
        expectations,
        front_end,
        is_host_ir: true,
    })
}
