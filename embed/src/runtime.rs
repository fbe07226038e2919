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
use crate::module::{CallFailure, Module};
use crate::value::{ReleaseQueue, Value};
use crate::value_io::{read_value, write_value};

/// A runtime: its own heap (sized by [`Limits`]), call-depth and fuel limits, and a cancel handle.
/// `Send`, not `Sync`: one thread uses it at a time (docs/ABI.md, "Threading"); run one per thread
/// for parallelism. Create it with [`crate::Engine::runtime`]; it runs modules of any engine.
///
/// Every call starts afresh: the call depth is 0 and the fuel full (limits are per call),
/// nothing the previous call printed is kept. After any call, succeeded or failed (out of
/// fuel, too deep, out of heap, cancelled, a host function failed), the runtime is usable
/// and its heap holds exactly the blocks of the [`crate::Opaque`] values the host still
/// holds.
///
/// Each call runs on the calling thread (the runtime starts no thread), on a stack segment
/// sized for the call-depth limit when that thread's own stack is too small: deep recursion
/// is an RT0501 diagnostic, never a stack overflow of the host. Host functions run there
/// too, on the caller's thread. (A `Limits::time_limit` is enforced by one process-wide timer
/// thread that only sets the cancel flag.)
///
/// ```
/// use cairn::{Engine, EngineKind, Limits, Value};
///
/// let engine = Engine::new(EngineKind::Jit); let module = engine .compile("loop.cairn", "fn main()
/// = 0\nfn forever(n) = forever(n + 1)\nfn add(a, b) = a + b") .unwrap(); let mut rt =
/// engine.runtime(Limits { fuel: Some(10_000), ..Limits::default() }).unwrap(); let error =
/// rt.call::<Value>(&module, "forever", (0,)).unwrap_err(); assert_eq!(error.code(), "RT0502");
/// assert_eq!(rt.call::<i64>(&module, "add", (2, 3)).unwrap(), 5); // fuel is per call
/// assert_eq!(rt.blocks_in_use(), 0);
/// ```
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

    /// [`Runtime::call`] with the arguments as a `Vec<Value>` and the result as a [`Value`]:
    /// for hosts that build calls at run time.
    ///
    /// ```
    /// use cairn::{Engine, EngineKind, Limits, Value};
    ///
    /// let engine = Engine::new(EngineKind::Interpreter);
    /// let module = engine.compile("j.cairn", "fn main() = 0\nfn glue(a, b) = a ++ b").unwrap();
    /// let mut rt = engine.runtime(Limits::default()).unwrap();
    /// let args = vec![Value::Text("ab".into()), Value::Text("cd".into())];
    /// assert_eq!(rt.call_value(&module, "glue", args).unwrap(), Value::Text("abcd".into()));
    /// ```
    pub fn call_value(
        &mut self,
        module: &Module,
        name: &str,
        args: Vec<Value>,
    ) -> Result<Value, RunError> {
        self.call_value_inspecting(module, name, args, |_| ()).0
    }

    /// [`Runtime::call_value`] that runs `inspect` once the call has returned but before its
    /// result is released: the audit tools then see what the function built, with the
    /// result as a root of [`Runtime::run_ownership_check`] (like a host handle). After a
    /// failed call `inspect` runs too, with nothing held.
    ///
    /// ```
    /// use cairn::{Engine, EngineKind, Limits};
    ///
    /// let engine = Engine::new(EngineKind::Jit);
    /// let module = engine.compile("b.cairn", "fn main() = [1, [2, 3]]").unwrap();
    /// let mut rt = engine.runtime(Limits::default()).unwrap();
    /// let (value, (report, in_use)) = rt.call_value_inspecting(&module, "main", vec![], |rt| {
    ///     (rt.run_ownership_check(), rt.export_heap_stats().currently_in_use)
    /// });
    /// assert_eq!(value.unwrap().to_string(), "[1, [2, 3]]");
    /// assert!(report.valid && report.roots == 1 && report.nodes == 4, "{report}");
    /// assert_eq!(in_use, 4);
    /// assert_eq!(rt.blocks_in_use(), 0); // released after `inspect`
    /// ```
    pub fn call_value_inspecting<T>(
        &mut self,
        module: &Module,
        name: &str,
        args: Vec<Value>,
        inspect: impl FnOnce(&mut Runtime) -> T,
    ) -> (Result<Value, RunError>, T) {
        self.release_dropped_values();
        let argc = args.len();
        let queue = self.queue.clone();
        let outcome = module.invoke(&mut self.ctx, name, argc, |ctx, words| {
            let first = words.len();
            for arg in &args {
                match write_value(ctx, arg, &queue) {
                    Ok(word) => words.push(word.bits()),
                    Err(error) => {
                        for &word in &words[first..] {
                            cairn_runtime::abi::shims::release_recording(ctx, Word(word));
                        }
                        return Err(error);
                    }
                }
            }
            Ok(())
        });
        let failure = match outcome {
            Ok(word) => {
                let value = read_value(&mut self.ctx, word, &self.queue);
                let held = word.is_heap();
                if held {
                    self.queue.hold(word.bits());
                }
                let inspected = inspect(self);
                if held {
                    self.queue.unhold(word.bits());
                }
                cairn_runtime::abi::shims::release_recording(&mut self.ctx, word);
                return (value, inspected);
            }
            Err(failure) => call_error(module, name, argc, failure),
        };
        (Err(failure), inspect(self))
    }

    /// Calls the function at `index` of `module` (a valid index) with the words `args`
    /// writes, and converts its result: the body of [`crate::TypedFunc::call`].
    pub(crate) fn call_index<R: FromValue>(
        &mut self,
        module: &Module,
        index: u32,
        argc: usize,
        args: impl FnOnce(
            &mut Context,
            &Arc<ReleaseQueue>,
            &mut crate::module::ArgWords,
        ) -> Result<(), RunError>,
    ) -> Result<R, RunError> {
        self.release_dropped_values();
        let queue = &self.queue;
        match module.invoke_index(&mut self.ctx, index, argc, |ctx, words| {
            args(ctx, queue, words)
        }) {
            Ok(word) => {
                let value = read_value(&mut self.ctx, word, &self.queue);
                cairn_runtime::abi::shims::release_recording(&mut self.ctx, word);
                R::from_value(value?)
            }
            Err(failure) => {
                let name = &module.inner.ir.functions[index as usize].name;
                Err(call_error(module, name, argc, failure))
            }
        }
    }

    /// Releases the script objects of [`crate::Opaque`] values the host has dropped.
    pub(crate) fn release_dropped_values(&mut self) {
        for word in self.queue.drain() {
            cairn_runtime::abi::shims::release_recording(&mut self.ctx, Word(word));
        }
    }

    /// A handle another thread can use to cancel the running call (RT0503 at the script's
    /// next function entry or loop back-edge, or within 1,024 items of a runtime loop such
    /// as `count` or `sum`). `Send + Sync + Clone`; every call returns a handle on the same
    /// flag.
    ///
    /// The flag stays set until a call fails with RT0503, which resets it: a cancel issued
    /// while no call runs stops the next call at its first fuel point. A host that cancels
    /// on a timer and sees the call finish anyway can clear it with
    /// [`CancelHandle::reset`] (after making sure the timer can no longer fire).
    ///
    /// ```
    /// use std::time::Duration;
    /// use cairn::{Engine, EngineKind, Limits, Value};
    ///
    /// let engine = Engine::new(EngineKind::Jit);
    /// let module = engine
    ///     .compile("spin.cairn", "fn main() = 0\nfn spin(n) = spin(n + 1)")
    ///     .unwrap();
    /// let mut rt = engine.runtime(Limits::default()).unwrap();
    /// let cancel = rt.cancel_handle();
    /// let watchdog = std::thread::spawn(move || {
    ///     std::thread::sleep(Duration::from_millis(50));
    ///     cancel.cancel();
    /// });
    /// let error = rt.call::<Value>(&module, "spin", (0,)).unwrap_err();
    /// watchdog.join().unwrap();
    /// assert_eq!((error.code(), error.message()), ("RT0503", "execution cancelled"));
    /// assert!(!rt.cancel_handle().is_cancelled()); // reset by the cancelled call
    /// assert_eq!(rt.blocks_in_use(), 0);
    /// ```
    pub fn cancel_handle(&self) -> CancelHandle {
        self.ctx.cancel.clone()
    }

    /// Heap blocks (64 bytes each) in use: after a call, exactly those of the
    /// [`crate::Opaque`] values the host still holds (releasing the ones it has dropped
    /// first). Plain values ([`Value::Int`], [`Value::List`], ...) are copies and hold none.
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

    pub(crate) fn context_ref(&self) -> &Context {
        &self.ctx
    }

    pub(crate) fn release_queue(&self) -> Arc<ReleaseQueue> {
        self.queue.clone()
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

    /// Why echoing `print` to stdout failed in the last call (a full disk, say), if it did:
    /// that `print` failed the call with RT0001 and this says why, for a one-line report.
    pub fn echo_failure(&self) -> Option<&str> {
        self.ctx.echo_failure.as_deref()
    }

    /// What the last call printed (with `print`, one line per call of it).
    ///
    /// ```
    /// let engine = cairn::Engine::new(cairn::EngineKind::Interpreter); let module =
    /// engine.compile("hi.cairn", "fn main() = { print(\"hi\"); print([1]); 7 }").unwrap(); let mut
    /// rt = engine.runtime(cairn::Limits::default()).unwrap(); assert_eq!(rt.call::<i64>(&module,
    /// "main", ()).unwrap(), 7); assert_eq!(rt.output(), b"hi\n[1]\n");
    /// ```
    pub fn output(&self) -> &[u8] {
        &self.ctx.output
    }

    /// Starts recording the refcount trace (docs/MEMORY.md, "Traces and snapshots") of the
    /// following calls: every allocation, retain, release, copy-on-write and free, in order. Both
    /// engines record the same trace for the same calls.
    pub fn start_trace(&mut self) {
        self.ctx.heap.start_trace();
    }

    /// Starts streaming the refcount trace of the following calls to `sink` as it happens:
    /// the events of [`Runtime::start_trace`], handed over in batches of at most
    /// [`crate::TRACE_BATCH_EVENTS`], so at most that many are held in memory however long
    /// the run. [`Runtime::take_trace`] hands over the rest and finishes the sink.
    ///
    /// ```
    /// use cairn::{Engine, EngineKind, JsonLinesSink, Limits};
    ///
    /// let engine = Engine::new(EngineKind::Interpreter); let module = engine.compile("t.cairn",
    /// "fn main() = len([1, 2] ++ [3])").unwrap(); let mut rt =
    /// engine.runtime(Limits::default()).unwrap(); let path =
    /// std::env::temp_dir().join(format!("cairn-doc-trace-{}.jsonl", std::process::id())); let
    /// (sink, status) = JsonLinesSink::new(std::fs::File::create(&path).unwrap());
    /// rt.start_trace_to(Box::new(sink)); assert_eq!(rt.call::<i64>(&module, "main", ()).unwrap(),
    /// 3); assert!(rt.take_trace().is_empty()); // everything went to the sink
    /// assert!(status.take_error().is_none()); let text = std::fs::read_to_string(&path).unwrap();
    /// assert_eq!(text.lines().count() as u64, status.events());
    /// assert!(text.starts_with("{\"seq\":0,\"op\":\"malloc\""));
    /// # std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn start_trace_to(&mut self, sink: Box<dyn crate::TraceSink>) {
        self.ctx.heap.start_trace_to(sink);
    }

    /// Stops recording and returns the trace recorded since [`Runtime::start_trace`]
    /// ([`crate::write_trace_json_lines`] writes it as `cairn run --trace` does); after
    /// [`Runtime::start_trace_to`] it returns nothing: the sink has had every event.
    ///
    /// ```
    /// use cairn::{Engine, EngineKind, Limits};
    ///
    /// let mut traces = Vec::new();
    /// for kind in [EngineKind::Interpreter, EngineKind::Jit] {
    ///     let engine = Engine::new(kind);
    ///     let module = engine.compile("t.cairn", "fn main() = len([1, 2] ++ [3])").unwrap();
    ///     let mut rt = engine.runtime(Limits::default()).unwrap();
    ///     rt.start_trace();
    ///     assert_eq!(rt.call::<i64>(&module, "main", ()).unwrap(), 3);
    ///     traces.push(rt.take_trace());
    /// }
    /// assert!(!traces[0].is_empty());
    /// assert_eq!(traces[0], traces[1]);
    /// let mut json = Vec::new();
    /// cairn::write_trace_json_lines(&traces[0], &mut json).unwrap();
    /// assert!(json.starts_with(b"{\"seq\":0,\"op\":\"malloc\""));
    /// ```
    pub fn take_trace(&mut self) -> Vec<TraceEvent> {
        self.ctx.heap.take_trace()
    }

    /// Makes a host object holding `value` (of a type registered with
    /// [`crate::Engine::register_type`] on the engine that made this runtime) and returns a
    /// handle on it ([`Value::Opaque`], kind `HostObject`): pass it to scripts, which may store
    /// it and call its methods. The object lives while the handle or the script holds it; the
    /// last release drops `value` exactly once (a dropped handle's release is applied at the
    /// runtime's next call or [`Runtime::blocks_in_use`]). RT0001 for an unregistered type;
    /// RT0401/RT0402 when the heap is full (then `value` is dropped at once).
    pub fn new_object<T: Send + 'static>(&mut self, value: T) -> Result<Value, RunError> {
        self.release_dropped_values();
        let names = self.queue.type_names();
        let name = crate::host_object::type_name_of::<T>(&names)?;
        crate::host_object::new_object_value(&mut self.ctx, &self.queue, name, Box::new(value))
    }

    /// The host object `value` of this runtime as a `T`. RT0303 when `value` is not a host
    /// object or holds another type; RT0001 when it is a host object of another runtime.
    pub fn object<T: 'static>(&mut self, value: &Value) -> Result<&T, RunError> {
        self.object_mut::<T>(value).map(|object| &*object)
    }

    /// [`Runtime::object`], mutably.
    pub fn object_mut<T: 'static>(&mut self, value: &Value) -> Result<&mut T, RunError> {
        crate::host_object::object_in(&mut self.ctx, &self.queue, value)
    }

    /// Live host objects of this runtime (their payloads not yet dropped), after applying
    /// the releases of dropped handles.
    pub fn host_objects_alive(&mut self) -> usize {
        self.release_dropped_values();
        self.ctx.heap.host_objects().live()
    }

    /// Integrity violations the runtime detected (never expected; each is a runtime bug).
    pub fn integrity_violations(&self) -> &[String] {
        &self.ctx.heap.integrity_violations
    }
}

/// The error a host sees for a call of `name` with `argc` arguments that did not return.
fn call_error(
    module: &Module,
    name: &str,
    argc: usize,
    failure: CallFailure<RunError>,
) -> RunError {
    match failure {
        CallFailure::NoFunction => RunError::api(
            "RT0001",
            format!("`{}` has no function `{name}`", module.name()),
        ),
        CallFailure::Arity { expected } => RunError::api(
            ErrorCode::RT0305.as_str(),
            format!(
                "arity mismatch: {name} expects {}, got {argc}",
                cairn_runtime::error::arguments(expected)
            ),
        ),
        CallFailure::Args(error) => error,
        CallFailure::Run(failure) => module.run_error(&failure),
    }
}
