//! Reading a `.cairn` source file for `run` and `check`: an unreadable file is a usage error;
//! a file over the source size limit (read no further than one byte past it, so `/dev/zero`
//! stops at once) or not UTF-8 is a compile error (E0004, E0005) rendered like any other.

use std::io::Read;
use std::path::Path;

use cairn::render::{DiagnosticView, RenderSource, compile_summary, render_diagnostic};
use cairn_lang::source::{MAX_SOURCE_BYTES, SourceFile};

use crate::outcome::UsageError;
use crate::output_file::{FileIdentity, InputFile};

/// A loaded source file: the name shown in diagnostics and its text, or the rendered
/// diagnostic saying why its bytes are not a source (compile_or_report prints it).
pub struct LoadedSource {
    pub name: String,
    pub text: Result<String, String>,
    /// The file it was read from, and which file that is (no output may be it); `None`
    /// for a built-in program.
    pub file: Option<(std::path::PathBuf, FileIdentity)>,
}

impl LoadedSource {
    /// The source file as the input an output file is checked against.
    pub fn input(&self) -> Option<InputFile<'_>> {
        self.file.as_ref().map(|(path, identity)| InputFile {
            path,
            identity: *identity,
        })
    }
}

pub fn read_source(path: &Path) -> Result<LoadedSource, UsageError> {
    let cannot_read =
        |error: std::io::Error| UsageError(format!("cannot read `{}`: {error}", path.display()));
    let file = std::fs::File::open(path).map_err(cannot_read)?;
    let identity = FileIdentity::of(&file.metadata().map_err(cannot_read)?);
    let mut bytes = Vec::new();
    file.take(MAX_SOURCE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    let name = path.display().to_string();
    let text = match SourceFile::from_bytes(name.clone(), bytes) {
        Ok(file) => Ok(file.text),
        Err(error) => {
            let diagnostic = error.diagnostic;
            let view = DiagnosticView {
                code: diagnostic.code,
                message: diagnostic.message,
                span: Some(diagnostic.span.start as usize..diagnostic.span.end as usize),
                notes: diagnostic.notes,
            };
            let source = RenderSource {
                name: &name,
                text: &error.file.text,
            };
            // As `CompileError` renders a compilation's diagnostics: then the count line.
            let summary = compile_summary(&name, 1);
            Err(format!("{}{summary}\n", render_diagnostic(&source, &view)))
        }
    };
    Ok(LoadedSource {
        name,
        text,
        file: Some((path.to_path_buf(), identity)),
    })
}
