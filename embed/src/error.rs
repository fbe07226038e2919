//! The errors a host sees when calling: [`RunError`] (a call failed: a runtime diagnostic
//! with its call stack, a value of the wrong kind, a bad call) and [`HostError`] (what a host
//! function returns to fail the script's call). `Display` of a run error renders exactly what
//! the `cairn` CLI prints. Compile errors are in `compile_error.rs`.

use std::fmt;

use crate::render::{DiagnosticView, Renderer};

/// A runtime diagnostic with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Located {
    code: String,
    message: String,
    line: usize,
    column: usize,
    rendered: String,
}

impl Located {
    fn new(view: &DiagnosticView, renderer: &Renderer<'_>) -> Located {
        let (line, column) = view
            .span
            .as_ref()
            .map_or((0, 0), |span| renderer.line_and_column(span.start));
        Located {
            code: view.code.clone(),
            message: view.message.clone(),
            line,
            column,
            rendered: renderer.render(view),
        }
    }
}

/// A call failed. Either a runtime diagnostic of the script (docs/LANGUAGE.md, "Runtime
/// diagnostics": code, message, the innermost frame's position and the call stack), or a problem of
/// the call itself (an unknown function, a value of the wrong kind for the host type asked for, a
/// Value of another runtime).
///
/// `Display` renders it exactly as `cairn run` prints it. A problem of the call itself has
/// no position and no stack (`line()` and `column()` are 0): RT0001 for an unknown function
/// or an [`crate::Opaque`] of another runtime, RT0305 for a wrong argument count, RT0303 for
/// a result of the wrong kind, RT0301 for an Int argument outside 48 bits. The runtime codes
/// are listed in docs/ABI.md.
///
/// ```
/// use cairn::{Engine, EngineKind, Limits};
///
/// let engine = Engine::new(EngineKind::Jit);
/// let module = engine
///     .compile("div.cairn", "fn main() = 0\nfn ratio(a, b) = a / b\nfn half(x) = 2 * ratio(x, 0)")
///     .unwrap();
/// let mut rt = engine.runtime(Limits::default()).unwrap();
/// let error = rt.call::<i64>(&module, "half", (10,)).unwrap_err();
/// assert_eq!((error.code(), error.message()), ("RT0302", "division by zero"));
/// assert_eq!((error.line(), error.column()), (2, 18));
/// assert_eq!(error.stack(), ["in ratio at 2:18", "in half at 3:18"]);
/// assert_eq!(
///     error.to_string(),
///     "error[RT0302]: division by zero
///   --> div.cairn:2:18
///   |
/// 2 | fn ratio(a, b) = a / b
///   |                  ^^^^^
///   |
///   = in ratio at 2:18
///   = in half at 3:18
///
/// "
/// );
///
/// let error = rt.call::<i64>(&module, "missing", ()).unwrap_err();
/// assert_eq!((error.code(), error.line()), ("RT0001", 0));
/// assert_eq!(error.to_string(), "error[RT0001]: `div.cairn` has no function `missing`\n");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunError {
    located: Located,
    stack: Vec<String>,
}

impl RunError {
    pub(crate) fn from_failure(
        failure: &cairn_runtime::RunFailure,
        module: &cairn_lang::ir::Module,
        sources: &cairn_lang::SourceMap,
    ) -> RunError {
        let (view, file) = crate::runtime_failure::failure_view(module, sources, failure);
        RunError {
            stack: view.notes.clone(),
            located: Located::new(&view, &Renderer::of_file(file)),
        }
    }

    /// A problem of the call itself, with a runtime code (RT0001 bad use of the API, RT0303
    /// a value of the wrong kind, RT0305 a wrong argument count).
    pub(crate) fn api(code: &str, message: impl Into<String>) -> RunError {
        let message = message.into();
        RunError {
            located: Located {
                rendered: format!("error[{code}]: {message}\n"),
                code: code.to_string(),
                message,
                line: 0,
                column: 0,
            },
            stack: Vec::new(),
        }
    }

    /// `RT0303 type mismatch: {context} expects {expected}, got {actual}`.
    pub(crate) fn wrong_kind(context: &str, expected: &str, actual: &str) -> RunError {
        RunError::api(
            "RT0303",
            format!("type mismatch: {context} expects {expected}, got {actual}"),
        )
    }

    /// A value of the wrong kind for a host type: RT0303 `type mismatch: the host expects
    /// {expected}, got {kind of found}`, as the built-in conversions report it. For a custom
    /// [`crate::FromValue`].
    ///
    /// ```
    /// use cairn::{RunError, Value};
    /// let error = RunError::type_mismatch("a Point", &Value::Int(1));
    /// assert_eq!((error.code(), error.message()), ("RT0303", "type mismatch: the host expects a Point, got Int"));
    /// ```
    pub fn type_mismatch(expected: &str, found: &crate::Value) -> RunError {
        RunError::wrong_kind("the host", expected, found.kind_name())
    }

    /// An Int outside the range of a host type: RT0301 `integer overflow: {n} does not fit
    /// in {target}` (`target` as in `a u8`, `an i32`, `a script Int (48 bits)`).
    ///
    /// ```
    /// let error = cairn::RunError::out_of_range(300, "a u8");
    /// assert_eq!((error.code(), error.message()), ("RT0301", "integer overflow: 300 does not fit in a u8"));
    /// ```
    pub fn out_of_range(n: impl std::fmt::Display, target: &str) -> RunError {
        RunError::api(
            "RT0301",
            format!("integer overflow: {n} does not fit in {target}"),
        )
    }

    /// A value of the right kind the host type still refuses: RT0303 `invalid value:
    /// {reason}`.
    pub fn invalid_value(reason: impl std::fmt::Display) -> RunError {
        RunError::api("RT0303", format!("invalid value: {reason}"))
    }

    /// This error with `segment` (`[3]`, `.count`, `["key"]`) put in front of its message: a
    /// container conversion names where in the value its item failed. The code is kept.
    ///
    /// ```
    /// let error = cairn::RunError::out_of_range(300, "a u8").at("[3]").at(".items");
    /// assert_eq!(error.message(), ".items[3]: integer overflow: 300 does not fit in a u8");
    /// ```
    pub fn at(self, segment: &str) -> RunError {
        let message = self.located.message.as_str();
        let message = if message.starts_with(['.', '[', '(']) {
            format!("{segment}{message}")
        } else {
            format!("{segment}: {message}")
        };
        RunError::api(&self.located.code, message)
    }

    /// The stable code, e.g. `"RT0502"`.
    pub fn code(&self) -> &str {
        &self.located.code
    }
    /// The one-line message.
    pub fn message(&self) -> &str {
        &self.located.message
    }
    /// 1-based line of the innermost frame's op (0 when the error has no position).
    pub fn line(&self) -> usize {
        self.located.line
    }
    /// 1-based column of the innermost frame's op (0 when the error has no position).
    pub fn column(&self) -> usize {
        self.located.column
    }
    /// The call stack, innermost first, as `in NAME at LINE:COL` (runs of identical frames
    /// collapsed, as the CLI prints them).
    pub fn stack(&self) -> &[String] {
        &self.stack
    }
}

impl fmt::Display for RunError {
    /// The diagnostic as the CLI prints it (for a problem of the call itself, one line).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.located.rendered)
    }
}

impl std::error::Error for RunError {}

/// What a host function returns to fail the script's call: the script sees RT0701
/// `host function {name} failed: {message}`, with its call stack.
///
/// A [`RunError`] converts into it with `?`: in a host function, the failure of a script
/// closure called back with [`crate::HostContext::call`] passes through unchanged (the
/// script fails with the closure's own error and call stack, not RT0701).
///
/// ```
/// use cairn::{Engine, EngineKind, HostError, Limits};
///
/// let mut engine = Engine::new(EngineKind::Interpreter);
/// engine.register_fn("checked_sqrt", |x: f64| -> Result<f64, HostError> {
///     if x < 0.0 { Err(HostError::new(format!("{x} is negative"))) } else { Ok(x.sqrt()) }
/// }).unwrap();
/// let module = engine.compile("sqrt.cairn", "fn main() = checked_sqrt(-4)").unwrap();
/// let mut rt = engine.runtime(Limits::default()).unwrap();
/// let error = rt.call::<f64>(&module, "main", ()).unwrap_err();
/// assert_eq!(error.code(), "RT0701");
/// assert_eq!(error.message(), "host function checked_sqrt failed: -4 is negative");
/// assert_eq!(error.stack(), ["in main at 1:13"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostError {
    message: String,
    /// A script error (code, message) this error passes on unchanged: the failure of a
    /// closure the host called back, returned with `?`.
    pub(crate) raised: Option<(String, String)>,
}

impl HostError {
    /// A failure with `message` (the `{message}` of RT0701).
    pub fn new(message: impl Into<String>) -> HostError {
        HostError {
            message: message.into(),
            raised: None,
        }
    }
    /// The message given to [`HostError::new`] (for a passed-on [`RunError`], `CODE:
    /// message`).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HostError {}

impl From<RunError> for HostError {
    /// Passes a script error on unchanged: a host function that returns a failed callback's
    /// error with `?` makes the script fail with that error (and its call stack), not RT0701.
    fn from(error: RunError) -> HostError {
        HostError {
            message: format!("{}: {}", error.code(), error.message()),
            raised: Some((error.code().to_string(), error.message().to_string())),
        }
    }
}
