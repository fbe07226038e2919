//! [`Runtime`]: one heap and its limits, running modules' functions for one thread at a time.
//! After any call — succeeded, failed, out of fuel, cancelled — the heap holds exactly the
//! blocks of the values the host still owns (its [`crate::Opaque`] handles), and the runtime
//! can be used again.

use std::sync::Arc;

use cairn_runtime::heap::TraceEvent;
use cairn_runtime::value::Value as Word;
use cairn_runtime::{CancelHandle, Context, ErrorCode, Limits};

use crate::convert::{FromValue, IntoArgs};
use crate::error::RunError;
use crate::module::{Module, Program};
use crate::render::RenderSource;
use crate::value::{ReleaseQueue, Value, read_value, write_value};

/// A runtime: its own heap (sized by [`Limits`]), call-depth and fuel limits, and a cancel
/// handle. `Send`, not `Sync`: one thread uses it at a time (SPEC §3); run one per thread for
/// parallelism.
pub struct Runtime {
    ctx: Box<Context>,
    queue: Arc<ReleaseQueue>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("limits", &self.ctx.limits)
            .field("blocks_in_use", &self.ctx.heap.blocks_in_use())
            .finish()
    }
}

impl Runtime {
    pub(crate) fn new(limits: Limits) -> Result<Runtime, RunError> {
        let mut ctx =
            Context::new(limits).map_err(|e| RunError::api(e.code.as_str(), e.message))?;
        let queue = Arc::new(ReleaseQueue::default());
        ctx.embedder_data = Some(queue.clone());
        Ok(Runtime {
            ctx: Box::new(ctx),
            queue,
        })
    }

    /// Calls function `name` of `module` with `args` (`()` or a tuple of up to six
    /// [`crate::IntoValue`]s) and converts its result to `R` ([`Value`] keeps it as is).
    ///
    /// ```
    /// let engine = cairn::Engine::new(cairn::EngineKind::Jit);
    /// let module = engine.compile("add.cairn", "fn add(a, b) = a + b\nfn main() = 0").unwrap();
    /// let mut rt = engine.runtime(cairn::Limits::default()).unwrap();
    /// let sum: i64 = rt.call(&module, "add", (1, 2)).unwrap();
    /// assert_eq!(sum, 3);
    /// let error = rt.call::<i64>(&module, "add", (1, "two")).unwrap_err();
    /// assert_eq!(error.code(), "RT0303");
    /// assert_eq!(rt.blocks_in_use(), 0);
    /// ```
    pub fn call<R: FromValue>(
        &mut self,
        module: &Module,
        name: &str,
        args: impl IntoArgs,
    ) -> Result<R, RunError> {
        let value = self.call_value(module, name, args.into_args())?;
        R::from_value(value)
    }

    /// [`Runtime::call`] with the arguments as a `Vec<Value>` and the result as a [`Value`].
    pub fn call_value(
        &mut self,
        module: &Module,
        name: &str,
        args: Vec<Value>,
    ) -> Result<Value, RunError> {
        self.release_dropped_values();
        let Some((index, function)) = module.function(name) else {
            return Err(RunError::api(
                "RT0001",
                format!("`{}` has no function `{name}`", module.name()),
            ));
        };
        let takes_closure = usize::from(function.takes_closure);
        let arity = function.params.len() - takes_closure;
        if arity != args.len() {
            return Err(RunError::api(
                ErrorCode::RT0305.as_str(),
                format!(
                    "arity mismatch: {name} expects {arity} arguments, got {}",
                    args.len()
                ),
            ));
        }
        let mut words = Vec::with_capacity(function.params.len());
        if takes_closure == 1 {
            words.push(Word::UNIT.bits());
        }
        for arg in &args {
            match write_value(&mut self.ctx, arg, &self.queue) {
                Ok(word) => words.push(word.bits()),
                Err(error) => {
                    self.release_words(&words);
                    return Err(error);
                }
            }
        }
        self.ctx.host_functions = module.inner.hosts.clone();
        let outcome = match &module.inner.program {
            Program::Interpreter(program) => program.call(&mut self.ctx, index, &words),
            Program::Jit(program) => program.call(&mut self.ctx, index, &words),
        };
        // The callee consumed what it took owned; the host still owns what it lent.
        let borrowed: Vec<u64> = function
            .params
            .iter()
            .zip(&words)
            .filter(|(param, _)| param.mode == cairn_lang::ir::ParamMode::Borrowed)
            .map(|(_, &word)| word)
            .collect();
        self.release_words(&borrowed);
        match outcome {
            Ok(word) => {
                let value = read_value(&mut self.ctx, word, &self.queue);
                cairn_runtime::abi::shims::release_recording(&mut self.ctx, word);
                value
            }
            Err(failure) => {
                if failure.error.code == ErrorCode::RT0503 {
                    // Cancellation stops this call; the runtime is usable again.
                    self.ctx.cancel.reset();
                }
                let source = RenderSource {
                    name: &module.inner.file.name,
                    text: &module.inner.file.text,
                };
                Err(RunError::from_failure(&failure, &module.inner.ir, &source))
            }
        }
    }

    fn release_words(&mut self, words: &[u64]) {
        for &word in words {
            cairn_runtime::abi::shims::release_recording(&mut self.ctx, Word(word));
        }
    }

    /// Releases the script objects of [`crate::Opaque`] values the host has dropped.
    fn release_dropped_values(&mut self) {
        for word in self.queue.drain() {
            cairn_runtime::abi::shims::release_recording(&mut self.ctx, Word(word));
        }
    }

    /// A handle another thread can use to cancel the running call (RT0503 at the script's
    /// next function entry or loop back-edge). `Send + Sync + Clone`.
    pub fn cancel_handle(&self) -> CancelHandle {
        self.ctx.cancel.clone()
    }

    /// Heap blocks in use: after a call, exactly those of the values the host still holds.
    pub fn blocks_in_use(&mut self) -> u32 {
        self.release_dropped_values();
        self.ctx.heap.blocks_in_use()
    }

    /// The runtime's context: the `AiviRuntime *` of the C API ([`crate::capi`]), which lends
    /// it to the handle API so that a C host builds arguments and reads results in this
    /// runtime's heap. Its address is stable for the runtime's life (it is boxed).
    pub(crate) fn context_mut(&mut self) -> &mut Context {
        &mut self.ctx
    }

    /// The limits this runtime was created with.
    pub fn limits(&self) -> &Limits {
        &self.ctx.limits
    }

    /// When true, `print` also writes to the process's stdout as the script runs (the CLI
    /// does this); either way the last call's output is kept for [`Runtime::output`].
    pub fn set_echo_output(&mut self, echo: bool) {
        self.ctx.echo_output = echo;
    }

    /// What the last call printed.
    pub fn output(&self) -> &[u8] {
        &self.ctx.output
    }

    /// Starts recording the refcount trace (SPEC §6) of the following calls.
    pub fn start_trace(&mut self) {
        self.ctx.heap.start_trace();
    }

    /// Stops recording and returns the trace recorded since [`Runtime::start_trace`].
    pub fn take_trace(&mut self) -> Vec<TraceEvent> {
        self.ctx.heap.take_trace()
    }

    /// Integrity violations the runtime detected (never expected; each is a runtime bug).
    pub fn integrity_violations(&self) -> &[String] {
        &self.ctx.integrity_violations
    }
}
