//! [`Engine`]: the engine kind (interpreter or JIT) plus the host functions scripts may call.
//! It compiles scripts into [`Module`]s and creates [`Runtime`]s.

use std::sync::Arc;

use cairn_lang::SourceFile;
use cairn_lang::ir::HostSignature;
use cairn_runtime::Limits;

use crate::error::{CompileError, HostError, RunError};
use crate::host_fn::{HostContext, IntoHostFunction, RegisteredHost, raw_body};
use crate::module::{Module, Program};
use crate::render::RenderSource;
use crate::runtime::Runtime;
use crate::value::Value;

/// Which engine runs the compiled code. Both produce the same results, diagnostics and
/// refcount traces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EngineKind {
    /// The interpreter: starts instantly, slower on hot loops.
    Interpreter,
    /// The Cranelift JIT: compiles each module to native code.
    Jit,
}

/// Compiles scripts for one engine kind, with the host functions registered on it.
/// `Send + Sync`: share it between threads behind an `Arc` (or clone it).
#[derive(Clone)]
pub struct Engine {
    kind: EngineKind,
    hosts: Vec<RegisteredHost>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.hosts.iter().map(|h| h.name.as_str()).collect();
        f.debug_struct("Engine")
            .field("kind", &self.kind)
            .field("host_functions", &names)
            .finish()
    }
}

impl Engine {
    pub fn new(kind: EngineKind) -> Engine {
        Engine {
            kind,
            hosts: Vec::new(),
        }
    }

    pub fn kind(&self) -> EngineKind {
        self.kind
    }

    /// Registers a typed host function: a closure of up to six [`crate::FromValue`] arguments
    /// returning an [`crate::IntoValue`] or `Result<_, HostError>`. Scripts compiled after this
    /// call it by `name`; registering a name again replaces the earlier function.
    ///
    /// ```
    /// let mut engine = cairn::Engine::new(cairn::EngineKind::Interpreter);
    /// engine.register_fn("clamp", |x: i64, lo: i64, hi: i64| x.clamp(lo, hi));
    /// let module = engine.compile("demo.cairn", "fn main() = clamp(15, 0, 10)").unwrap();
    /// let mut rt = engine.runtime(cairn::Limits::default()).unwrap();
    /// assert_eq!(rt.call::<i64>(&module, "main", ()).unwrap(), 10);
    /// ```
    pub fn register_fn<Marker>(&mut self, name: &str, function: impl IntoHostFunction<Marker>) {
        let arity = function.arity();
        self.add_host(name, arity, function.into_body());
    }

    /// Registers a raw host function of `arity` arguments: it receives the argument values
    /// and a [`HostContext`] (call script closures back, observe cancellation).
    pub fn register_raw(
        &mut self,
        name: &str,
        arity: usize,
        function: impl Fn(&mut HostContext<'_, '_>, Vec<Value>) -> Result<Value, HostError>
        + Send
        + Sync
        + 'static,
    ) {
        self.add_host(name, arity, raw_body(function));
    }

    fn add_host(
        &mut self,
        name: &str,
        arity: usize,
        body: Arc<cairn_runtime::abi::host::HostFunctionBody>,
    ) {
        let host = RegisteredHost {
            name: name.to_string(),
            arity,
            body,
        };
        match self.hosts.iter_mut().find(|h| h.name == name) {
            Some(existing) => *existing = host,
            None => self.hosts.push(host),
        }
    }

    /// Compiles `source` (named `name` in diagnostics) for this engine.
    pub fn compile(&self, name: &str, source: &str) -> Result<Module, CompileError> {
        let file = SourceFile::new(name, source);
        let signatures: Vec<HostSignature> = self
            .hosts
            .iter()
            .map(|h| HostSignature {
                name: h.name.clone(),
                arity: h.arity,
            })
            .collect();
        let render = RenderSource { name, text: source };
        let ir = cairn_lang::compile_with_host_functions(&file, &signatures)
            .map_err(|diagnostics| CompileError::new(&diagnostics, &render))?;
        Module::load(self.kind, ir, file, self.hosts.clone())
            .map_err(|failure| CompileError::from_load_failure(&failure, name, source))
    }

    /// A runtime with `limits` (its own heap), ready to run modules of this engine.
    pub fn runtime(&self, limits: Limits) -> Result<Runtime, RunError> {
        Runtime::new(limits)
    }
}

impl Program {
    pub(crate) fn kind(&self) -> EngineKind {
        match self {
            Program::Interpreter(_) => EngineKind::Interpreter,
            Program::Jit(_) => EngineKind::Jit,
        }
    }
}
