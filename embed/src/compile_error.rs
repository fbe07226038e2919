//! [`CompileError`]: every diagnostic one compilation found, each a [`CompileDiagnostic`]
//! with its code, message, file, line, column and byte span, rendered as the `cairn` CLI
//! prints them, followed by a count line (docs/EMBEDDING.md, "Errors").

use std::fmt;
use std::ops::Range;

use crate::render::{DiagnosticView, RenderSource, Renderer};

/// One diagnostic of a [`CompileError`]: a stable code (listed in docs/LANGUAGE.md), a
/// one-line message, where it points and its rendering.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileDiagnostic {
    code: String,
    message: String,
    file: String,
    line: usize,
    column: usize,
    span: Option<Range<usize>>,
    notes: Vec<String>,
    rendered: String,
}

impl CompileDiagnostic {
    fn new(view: DiagnosticView, renderer: &Renderer<'_>) -> CompileDiagnostic {
        let (line, column) = view
            .span
            .as_ref()
            .map_or((0, 0), |span| renderer.line_and_column(span.start));
        CompileDiagnostic {
            rendered: renderer.render(&view),
            code: view.code,
            message: view.message,
            file: renderer.name().to_string(),
            line,
            column,
            span: view.span,
            notes: view.notes,
        }
    }

    /// The stable code, e.g. `"E0101"`.
    pub fn code(&self) -> &str {
        &self.code
    }
    /// The one-line message.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The name of the file it points into (the name given to `Engine::compile`).
    pub fn file(&self) -> &str {
        &self.file
    }
    /// 1-based line of the span's start (0 when it has no position).
    pub fn line(&self) -> usize {
        self.line
    }
    /// 1-based column (in characters) of the span's start (0 when it has no position).
    pub fn column(&self) -> usize {
        self.column
    }
    /// The byte range of the source it points at; `None` for a module the engine refused
    /// to load (no position).
    pub fn span(&self) -> Option<Range<usize>> {
        self.span.clone()
    }
    /// The notes printed after the snippet as `= note: ...`.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }
}

impl fmt::Display for CompileDiagnostic {
    /// The diagnostic as the CLI prints it (source line underlined), ending in a blank line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rendered)
    }
}

/// The script did not compile. Holds every diagnostic the front end found (duplicate
/// definitions, and every function's unknown names and arity mismatches, not only the
/// first), in source order: at most 100, then one E0006 with the count of the rest
/// (docs/LANGUAGE.md, "Diagnostics"). [`CompileError::diagnostics`] lists them; the other
/// accessors describe the first. `Display` renders all of them, then the count line, exactly
/// as `cairn check` and `cairn run` print them.
///
/// ```
/// use cairn::{Engine, EngineKind};
///
/// let engine = Engine::new(EngineKind::Interpreter);
/// let error = engine
///     .compile("two.cairn", "fn main() = f(1)\nfn g() = h()")
///     .unwrap_err();
/// assert_eq!(error.count(), 2);
/// assert_eq!((error.code(), error.line(), error.column()), ("E0101", 1, 13));
/// let second = &error.diagnostics()[1];
/// assert_eq!((second.code(), second.message()), ("E0101", "unknown name `h`"));
/// assert_eq!((second.file(), second.line(), second.column()), ("two.cairn", 2, 10));
/// assert_eq!(second.span(), Some(26..27));
/// assert_eq!(
///     error.to_string(),
///     "error[E0101]: unknown name `f`
///   --> two.cairn:1:13
///   |
/// 1 | fn main() = f(1)
///   |             ^
///
/// error[E0101]: unknown name `h`
///   --> two.cairn:2:10
///   |
/// 2 | fn g() = h()
///   |          ^
///
/// error: could not compile `two.cairn` due to 2 previous errors
/// "
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    diagnostics: Vec<CompileDiagnostic>,
    /// The errors found, counting those an E0006 says were not shown.
    total: usize,
    file: String,
}

impl CompileError {
    pub(crate) fn new(diagnostics: &[cairn_lang::Diagnostic], renderer: &Renderer<'_>) -> Self {
        let total = cairn_lang::diagnostic::error_total(diagnostics);
        let diagnostics = diagnostics
            .iter()
            .map(|d| {
                let view = DiagnosticView {
                    code: d.code.to_string(),
                    message: d.message.clone(),
                    span: Some(d.span.start as usize..d.span.end as usize),
                    notes: d.notes.clone(),
                };
                CompileDiagnostic::new(view, renderer)
            })
            .collect();
        CompileError {
            diagnostics,
            total,
            file: renderer.name().to_string(),
        }
    }

    /// Diagnostics of a program of modules: each rendered against the file its span is in.
    pub(crate) fn in_sources(
        diagnostics: &[cairn_lang::Diagnostic],
        sources: &cairn_lang::SourceMap,
    ) -> Self {
        let total = cairn_lang::diagnostic::error_total(diagnostics);
        let diagnostics = diagnostics
            .iter()
            .map(|d| {
                let (file, span) = sources.locate(d.span);
                let view = DiagnosticView {
                    code: d.code.to_string(),
                    message: d.message.clone(),
                    span: Some(span.start as usize..span.end as usize),
                    notes: d.notes.clone(),
                };
                CompileDiagnostic::new(view, &Renderer::of_file(file))
            })
            .collect();
        CompileError {
            diagnostics,
            total,
            file: sources.root().name.clone(),
        }
    }

    /// A module the engine refused to load (host-built limits, JIT failure): its runtime
    /// diagnostic as a compile error.
    pub(crate) fn from_load_failure(
        failure: &cairn_runtime::RunFailure,
        name: &str,
        text: &str,
    ) -> Self {
        let view = DiagnosticView {
            code: failure.error.code.as_str().to_string(),
            message: failure.error.message.clone(),
            span: None,
            notes: Vec::new(),
        };
        let renderer = Renderer::new(&RenderSource { name, text });
        CompileError {
            diagnostics: vec![CompileDiagnostic::new(view, &renderer)],
            total: 1,
            file: name.to_string(),
        }
    }

    fn first(&self) -> Option<&CompileDiagnostic> {
        self.diagnostics.first()
    }

    /// Every diagnostic, in source order (at most 101: the first 100 found, then one E0006
    /// with the count of the rest).
    pub fn diagnostics(&self) -> &[CompileDiagnostic] {
        &self.diagnostics
    }
    /// The stable code of the first diagnostic, e.g. `"E0101"`.
    pub fn code(&self) -> &str {
        self.first().map_or("E0000", |d| d.code())
    }
    /// The one-line message of the first diagnostic.
    pub fn message(&self) -> &str {
        self.first().map_or("", |d| d.message())
    }
    /// 1-based line of the first diagnostic (0 when it has no position).
    pub fn line(&self) -> usize {
        self.first().map_or(0, |d| d.line())
    }
    /// 1-based column (in characters) of the first diagnostic (0 when it has no position).
    pub fn column(&self) -> usize {
        self.first().map_or(0, |d| d.column())
    }
    /// How many diagnostics the compiler reported: `diagnostics().len()`, at most 101.
    pub fn count(&self) -> usize {
        self.diagnostics.len()
    }
    /// How many errors the compiler found: [`CompileError::count`], except that an E0006
    /// counts as the errors it says were not shown.
    pub fn error_total(&self) -> usize {
        self.total
    }
    /// The count line `Display` ends with (no newline): `error: could not compile
    /// `NAME` due to N previous errors` (`1 previous error` for one).
    pub fn summary(&self) -> String {
        crate::render::compile_summary(&self.file, self.total)
    }
}

impl fmt::Display for CompileError {
    /// Every diagnostic rendered as the CLI prints it (source line underlined), then the
    /// count line ([`CompileError::summary`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostic in &self.diagnostics {
            write!(f, "{diagnostic}")?;
        }
        writeln!(f, "{}", self.summary())
    }
}

impl std::error::Error for CompileError {}
