//! [`Module`]: a compiled script, loaded for one engine. `Send + Sync` and cheap to clone:
//! compile once, run it in many runtimes on many threads.

use std::sync::Arc;

use cairn_lang::SourceMap;
use cairn_lang::ir;
use cairn_runtime::RunFailure;
use cairn_runtime::abi::host::HostFunction;

use crate::engine::EngineKind;
use crate::host_fn::RegisteredHost;
use crate::time_limit::TimeLimit;

/// The argument words of one call, inline up to eight (no host allocation per call).
pub(crate) type ArgWords = smallvec::SmallVec<[u64; 8]>;

/// Why [`Module::invoke`] did not return a value.
pub(crate) enum CallFailure<E> {
    /// The module has no function of that name.
    NoFunction,
    /// The function takes `expected` arguments.
    Arity { expected: usize },
    /// Building the arguments failed.
    Args(E),
    /// The run failed.
    Run(RunFailure),
}

pub(crate) enum Program {
    Interpreter(cairn_interp::InterpProgram),
    Jit(Box<cairn_jit::JitProgram>),
}

pub(crate) struct ModuleInner {
    pub ir: ir::Module,
    /// The root file and every module it imported (spans of the IR point into it).
    pub sources: SourceMap,
    pub program: Program,
    /// The host functions the IR's `CallHost` ops name, in that order.
    pub hosts: Arc<[HostFunction]>,
    /// The index of every function a host may call by name (not lambdas or generators).
    pub by_name: std::collections::HashMap<String, u32>,
}

/// A compiled script, loaded for one engine ([`crate::Engine::compile`]). Immutable:
/// clones share the compiled code, and it is `Send + Sync`, so one module serves any number
/// of [`crate::Runtime`]s on any threads at once (each thread with its own runtime).
///
/// ```
/// use cairn::{Engine, EngineKind, Limits};
///
/// let engine = Engine::new(EngineKind::Jit);
/// let module = engine.compile("sq.cairn", "fn main() = 0\nfn square(x) = x * x").unwrap();
/// let results: Vec<i64> = std::thread::scope(|scope| {
///     let workers: Vec<_> = (1..=4)
///         .map(|n| {
///             let module = &module;
///             let engine = &engine;
///             scope.spawn(move || {
///                 let mut rt = engine.runtime(Limits::default()).unwrap();
///                 rt.call::<i64>(module, "square", (n,)).unwrap()
///             })
///         })
///         .collect();
///     workers.into_iter().map(|w| w.join().unwrap()).collect()
/// });
/// assert_eq!(results, [1, 4, 9, 16]);
/// ```
#[derive(Clone)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

// SAFETY: a loaded program is immutable after compilation: the interpreter's code is plain
// data, and the JIT's native code is finalized (never written again) and only executed; its
// `JITModule` is touched only under its compiler's mutex (compiling a function on its first
// call, then publishing its address atomically) and when the program is dropped. Runs never mutate the program;
// each run gets its own `Context`. So sharing a `Module` between threads, and running it on
// several threads at once, is sound.
unsafe impl Send for ModuleInner {}
// SAFETY: see `Send` above.
unsafe impl Sync for ModuleInner {}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("name", &self.inner.sources.root().name)
            .field("engine", &self.engine_kind())
            .field("functions", &self.function_names())
            .finish()
    }
}

impl Module {
    pub(crate) fn load(
        kind: EngineKind,
        ir: ir::Module,
        sources: SourceMap,
        hosts: Vec<RegisteredHost>,
        methods: Arc<cairn_runtime::abi::host_methods::HostMethodTable>,
    ) -> Result<Module, RunFailure> {
        let program = match kind {
            EngineKind::Interpreter => Program::Interpreter(cairn_interp::load(&ir)?),
            EngineKind::Jit => Program::Jit(Box::new(cairn_jit::compile(&ir)?)),
        };
        let hosts = ir
            .host_functions
            .iter()
            .map(|signature| {
                if cairn_runtime::abi::host_methods::is_method_signature(&signature.name) {
                    return cairn_runtime::abi::host_methods::method_dispatcher(
                        &signature.name,
                        signature.arity,
                        methods.clone(),
                    );
                }
                let host = hosts
                    .iter()
                    .find(|h| h.name == signature.name)
                    .expect("the module was compiled with these host functions");
                HostFunction {
                    name: host.name.clone(),
                    arity: host.arity,
                    body: host.body.clone(),
                }
            })
            .collect::<Vec<_>>()
            .into();
        let by_name = ir
            .functions
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.name.contains('@'))
            .map(|(index, f)| (f.name.clone(), index as u32))
            .collect();
        Ok(Module {
            inner: Arc::new(ModuleInner {
                ir,
                sources,
                program,
                hosts,
                by_name,
            }),
        })
    }

    /// The engine this module was compiled for.
    pub fn engine_kind(&self) -> EngineKind {
        self.inner.program.kind()
    }

    /// The source name given to [`crate::Engine::compile`].
    pub fn name(&self) -> &str {
        &self.inner.sources.root().name
    }

    /// The script's named functions, in source order: the ones a host can call (lifted
    /// lambdas are not listed).
    ///
    /// ```
    /// let engine = cairn::Engine::new(cairn::EngineKind::Interpreter);
    /// let module = engine
    ///     .compile("f.cairn", "fn main() = 0\nfn inc(x) = x + 1\nfn adder(n) = \\x -> x + n")
    ///     .unwrap();
    /// assert_eq!(module.function_names(), ["main", "inc", "adder"]);
    /// assert_eq!(module.name(), "f.cairn");
    /// ```
    pub fn function_names(&self) -> Vec<&str> {
        self.inner
            .ir
            .functions
            .iter()
            .map(|f| f.name.as_str())
            .filter(|name| !name.contains('@'))
            .collect()
    }

    /// The post-RC IR both engines execute, as `cairn check --ir` prints it.
    pub fn ir_text(&self) -> String {
        cairn_lang::print::print_module_in(&self.inner.ir, &self.inner.sources)
    }

    /// Calls function `name` in `ctx` — the one call path of the Rust and the C API. `args`
    /// appends the owned argument words once the function and the count `argc` are checked
    /// (on `Err` it has released what it built). See [`Module::invoke_index`].
    pub(crate) fn invoke<E>(
        &self,
        ctx: &mut cairn_runtime::Context,
        name: &str,
        argc: usize,
        args: impl FnOnce(&mut cairn_runtime::Context, &mut ArgWords) -> Result<(), E>,
    ) -> Result<cairn_runtime::value::Value, CallFailure<E>> {
        let Some((index, _)) = self.function(name) else {
            return Err(CallFailure::NoFunction);
        };
        self.invoke_index(ctx, index, argc, args)
    }

    /// [`Module::invoke`] of the function at `index` (a valid index of this module's IR).
    /// Installs the module's host functions (shared, not copied), runs the engine under the
    /// call's time limit (`Limits::time_limit`), releases the words the callee only borrowed,
    /// and resets the cancel flag after a cancelled or timed-out call (the runtime is usable
    /// again). Returns the owned result word.
    pub(crate) fn invoke_index<E>(
        &self,
        ctx: &mut cairn_runtime::Context,
        index: u32,
        argc: usize,
        args: impl FnOnce(&mut cairn_runtime::Context, &mut ArgWords) -> Result<(), E>,
    ) -> Result<cairn_runtime::value::Value, CallFailure<E>> {
        let function = &self.inner.ir.functions[index as usize];
        let takes_closure = usize::from(function.takes_closure);
        let arity = function.params.len() - takes_closure;
        if arity != argc {
            return Err(CallFailure::Arity { expected: arity });
        }
        let mut words = ArgWords::new();
        if takes_closure == 1 {
            words.push(cairn_runtime::value::UNIT_WORD);
        }
        args(ctx, &mut words).map_err(CallFailure::Args)?;
        if !Arc::ptr_eq(&ctx.host_functions, &self.inner.hosts) {
            ctx.host_functions = self.inner.hosts.clone();
        }
        let time_limit = ctx.limits.time_limit;
        let armed = time_limit.map(|limit| TimeLimit::arm(limit, &ctx.cancel));
        let outcome = match &self.inner.program {
            Program::Interpreter(program) => program.call(ctx, index, &words),
            Program::Jit(program) => program.call(ctx, index, &words),
        };
        let timed_out = armed.is_some_and(TimeLimit::disarm);
        // The callee consumed what it took owned; the host still owns what it lent.
        for (param, &word) in function.params.iter().zip(&words) {
            if param.mode == ir::ParamMode::Borrowed {
                cairn_runtime::abi::shims::release_recording(
                    ctx,
                    cairn_runtime::value::Value(word),
                );
            }
        }
        if timed_out {
            // The timer set the flag: the call stopped on it (RT0503, reset below) or
            // finished first; either way the flag must not stop the next call.
            ctx.cancel.reset();
        }
        outcome.map_err(|mut failure| {
            if failure.error.code == cairn_runtime::ErrorCode::RT0503 {
                ctx.cancel.reset();
                if let (true, Some(limit)) = (timed_out, time_limit) {
                    failure.error.message = format!(
                        "execution cancelled: time limit of {} exceeded",
                        crate::time_limit::describe(limit)
                    );
                }
            }
            CallFailure::Run(failure)
        })
    }

    /// The error a failed run of this module reports to a host (position, call stack,
    /// rendering).
    pub(crate) fn run_error(&self, failure: &RunFailure) -> crate::error::RunError {
        crate::error::RunError::from_failure(failure, &self.inner.ir, &self.inner.sources)
    }

    /// The index of function `name` and its IR function (a hash lookup).
    pub(crate) fn function(&self, name: &str) -> Option<(u32, &ir::Function)> {
        let &index = self.inner.by_name.get(name)?;
        Some((index, &self.inner.ir.functions[index as usize]))
    }
}
