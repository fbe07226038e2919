//! Running one program on one engine with everything observable recorded: a fresh
//! `Context`, a heap snapshot, the refcount trace, the printed output, the result in
//! canonical form (then released) or the failure mapped to a source position, and the heap
//! delta afterwards.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use cairn_lang::ir;
use cairn_runtime::heap::{HeapDelta, TraceEvent, compare_snapshots};
use cairn_runtime::{Context, Limits, RunFailure, Value};

use crate::expectations::LineColumn;
use crate::program::Program;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Interpreter,
    Jit,
}

impl Engine {
    pub const BOTH: [Engine; 2] = [Engine::Interpreter, Engine::Jit];

    pub fn name(self) -> &'static str {
        match self {
            Engine::Interpreter => "interp",
            Engine::Jit => "jit",
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One frame of a failure's call stack, mapped through the IR and the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedFrame {
    pub function: String,
    pub op: u32,
    /// `None` when the frame does not name an op of the module (itself a bug to report).
    pub at: Option<LineColumn>,
}

impl fmt::Display for ObservedFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some(at) => write!(f, "in {} at {at} (op {})", self.function, self.op),
            None => write!(f, "in {} at <no such op {}>", self.function, self.op),
        }
    }
}

/// A diagnostic as an engine (or the front end) reported it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedError {
    pub code: String,
    pub message: String,
    /// Innermost frame first; empty for front-end diagnostics.
    pub frames: Vec<ObservedFrame>,
    /// The primary position: the innermost frame's op span start (or the diagnostic's span).
    pub at: Option<LineColumn>,
    /// The file of a multi-file program the primary position is in (relative to the
    /// program's directory); `None` for the main file.
    pub file: Option<String>,
}

impl fmt::Display for ObservedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.message)?;
        if let Some(at) = self.at {
            match &self.file {
                Some(file) => write!(f, " at {file}:{at}")?,
                None => write!(f, " at {at}")?,
            }
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `main` returned; its top-level canonical form (`()` for Unit).
    Returned(String),
    /// The engine refused the module at load time.
    RejectedAtLoad(ObservedError),
    /// The run failed.
    Failed(ObservedError),
}

impl Outcome {
    pub fn error(&self) -> Option<&ObservedError> {
        match self {
            Outcome::Returned(_) => None,
            Outcome::RejectedAtLoad(error) | Outcome::Failed(error) => Some(error),
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Returned(text) => write!(f, "result {text}"),
            Outcome::RejectedAtLoad(error) => write!(f, "rejected at load: {error}"),
            Outcome::Failed(error) => write!(f, "error {error}"),
        }
    }
}

/// Everything one engine did with one program.
#[derive(Clone, Debug)]
pub struct EngineRun {
    pub engine: Engine,
    /// Everything `print` wrote.
    pub output: String,
    pub outcome: Outcome,
    pub trace: Vec<TraceEvent>,
    pub heap: HeapDelta,
    /// Violations the runtime detected in operations that cannot fail (release).
    pub integrity_violations: Vec<String>,
    pub elapsed: Duration,
    /// What audit mode recorded, when the limits turned it on.
    pub audit: Option<crate::audit_pass::AuditRecord>,
}

/// Loads `module` on `engine` and runs `main` under `limits`. `Err` means the harness could
/// not even set up a run (no context, or the engine panicked): a failure of that engine.
pub fn run_on_engine(
    program: &Program,
    engine: Engine,
    limits: &Limits,
) -> Result<EngineRun, String> {
    run_observed_or_not(program, engine, limits, true)
}

/// [`run_on_engine`] with nothing observing the heap: no trace (so `trace` is empty), no
/// counting hook. This is how embedders run programs, and the only state in which the
/// engines' unobserved fast paths (the runtime's and the JIT's inline count steps) run.
pub fn run_unobserved(
    program: &Program,
    engine: Engine,
    limits: &Limits,
) -> Result<EngineRun, String> {
    run_observed_or_not(program, engine, limits, false)
}

fn run_observed_or_not(
    program: &Program,
    engine: Engine,
    limits: &Limits,
    observed: bool,
) -> Result<EngineRun, String> {
    let module = program
        .module()
        .ok_or_else(|| "the program has no module to run".to_string())?;
    let started = Instant::now();
    let mut ctx =
        Context::new(limits.clone()).map_err(|e| format!("cannot create a context: {e}"))?;
    let before = ctx.heap.snapshot();
    let hook_counter = if observed {
        let counter = crate::audit_pass::install_counting_hook(&mut ctx);
        ctx.heap.start_trace();
        counter
    } else {
        None
    };
    let ran = catch_unwind(AssertUnwindSafe(|| {
        execute(program, module, engine, &mut ctx)
    }));
    let trace = ctx.heap.take_trace();
    let after = ctx.heap.snapshot();
    let outcome = ran.map_err(|panic| format!("{engine} panicked: {}", panic_text(&*panic)))?;
    Ok(EngineRun {
        engine,
        output: String::from_utf8_lossy(&ctx.output).into_owned(),
        outcome,
        trace,
        heap: compare_snapshots(&before, &after),
        integrity_violations: ctx.heap.integrity_violations.clone(),
        elapsed: started.elapsed(),
        audit: hook_counter.map(|counter| crate::audit_pass::AuditRecord::collect(&ctx, &counter)),
    })
}

/// Installs, for a module whose host functions are all method-call signatures (`.name`,
/// docs/ABI.md "Host objects"), the method dispatcher with no host types, as the `cairn` CLI
/// runs such a program: every method call is RT0307. Corpus programs have no other host
/// functions; a module that has some is left as it is.
pub(crate) fn install_host_methods(ctx: &mut Context, module: &ir::Module) {
    use cairn_runtime::abi::host_methods::{is_method_signature, method_dispatcher};
    if module.host_functions.is_empty()
        || !module
            .host_functions
            .iter()
            .all(|signature| is_method_signature(&signature.name))
    {
        return;
    }
    let table = std::sync::Arc::new(cairn_runtime::abi::host_methods::HostMethodTable::new());
    ctx.host_functions = module
        .host_functions
        .iter()
        .map(|signature| method_dispatcher(&signature.name, signature.arity, table.clone()))
        .collect();
}

pub(crate) fn execute(
    program: &Program,
    module: &ir::Module,
    engine: Engine,
    ctx: &mut Context,
) -> Outcome {
    install_host_methods(ctx, module);
    let result = match engine {
        Engine::Interpreter => match cairn_interp::load(module) {
            Ok(loaded) => loaded.run_main(ctx),
            Err(failure) => {
                return Outcome::RejectedAtLoad(observe_failure(program, module, failure));
            }
        },
        Engine::Jit => match cairn_jit::compile(module) {
            Ok(compiled) => compiled.run_main(ctx),
            Err(failure) => {
                return Outcome::RejectedAtLoad(observe_failure(program, module, failure));
            }
        },
    };
    match result {
        Ok(value) => Outcome::Returned(print_and_release(ctx, value)),
        Err(failure) => Outcome::Failed(observe_failure(program, module, failure)),
    }
}

/// The result's top-level canonical form; the owned result word is released afterwards
/// (inside the trace, as every embedder must).
pub(crate) fn print_and_release(ctx: &mut Context, value: Value) -> String {
    let text = cairn_runtime::canonical_form(&ctx.heap, value, true);
    // SAFETY: `ctx` is a live, exclusively borrowed context for the duration of the call,
    // obtained through `Context::as_ptr` as the shim contract (`abi::shims::guard`) requires;
    // `value` is the owned result word `run_main` handed us and is not used again.
    unsafe {
        cairn_runtime::abi::shims::rt_release(ctx.as_ptr(), value.0);
    }
    text
}

pub(crate) fn observe_failure(
    program: &Program,
    module: &ir::Module,
    failure: RunFailure,
) -> ObservedError {
    let frames: Vec<ObservedFrame> = failure
        .frames
        .iter()
        .map(|frame| {
            let function = module.functions.get(frame.function as usize);
            ObservedFrame {
                function: function.map_or_else(
                    || format!("<function {}>", frame.function),
                    |f| f.name.clone(),
                ),
                op: frame.op,
                at: function
                    .and_then(|f| f.op_at(frame.op))
                    .map(|op| program.position(op.span())),
            }
        })
        .collect();
    let file = failure.frames.first().and_then(|frame| {
        let op = module
            .functions
            .get(frame.function as usize)?
            .op_at(frame.op)?;
        program.file_of(op.span())
    });
    ObservedError {
        code: failure.error.code.as_str().to_string(),
        message: failure.error.message,
        at: frames.first().and_then(|frame| frame.at),
        file,
        frames,
    }
}

/// The message of a caught panic, for reports.
pub fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-text panic".to_string())
}
