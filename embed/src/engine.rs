//! [`Engine`]: the engine kind (interpreter or JIT) plus the host functions scripts may call.
//! It compiles scripts into [`Module`]s and creates [`Runtime`]s.

use std::sync::Arc;

use std::collections::BTreeSet;

use cairn_lang::ir::{self, HostSignature};
use cairn_lang::{SourceFile, SourceMap};
use cairn_runtime::Limits;

use crate::compile_error::CompileError;
use crate::error::{HostError, RunError};
use crate::host_fn::{HostContext, IntoHostFunction, RegisteredHost, raw_body};
use crate::module::{Module, Program};
use crate::resolver::{Loader, ModuleResolver};
use crate::runtime::Runtime;
use crate::value::Value;

/// Which engine runs the compiled code. Both run the same compiled IR through the same
/// runtime calls, so they produce the same results, output, diagnostics (code, message,
/// position, call stack) and refcount traces, and hit limits at the same points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EngineKind {
    /// The interpreter: starts instantly, slower on hot loops.
    Interpreter,
    /// The Cranelift JIT: compiles each module to native code.
    Jit,
}

/// Compiles scripts for one engine kind, with the host functions registered on it, and
/// creates [`Runtime`]s.
///
/// Register host functions first: [`Engine::compile`] resolves the script's calls against
/// the functions registered at that moment and the [`Module`] keeps them (registering or
/// replacing a function later does not change modules already compiled).
///
/// `Send + Sync`: share it between threads by reference or behind an `Arc` (or clone it;
/// clones share the registered functions).
///
/// ```
/// use cairn::{Engine, EngineKind, Limits};
///
/// let mut engine = Engine::new(EngineKind::Jit);
/// engine.register_fn("double", |x: i64| x * 2).unwrap();
/// let module = engine.compile("demo.cairn", "fn main() = double(21)").unwrap();
/// let mut rt = engine.runtime(Limits::default()).unwrap();
/// assert_eq!(rt.call::<i64>(&module, "main", ()).unwrap(), 42);
/// ```
#[derive(Clone)]
pub struct Engine {
    kind: EngineKind,
    hosts: Vec<RegisteredHost>,
    /// Where `import`s find their sources (docs/EMBEDDING.md, "Modules").
    resolver: Option<Arc<dyn ModuleResolver>>,
    /// The names of the registered native modules (their functions are in `hosts` as
    /// `module::function`).
    natives: BTreeSet<String>,
    types: crate::host_object::HostTypes,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.hosts.iter().map(|h| h.name.as_str()).collect();
        f.debug_struct("Engine")
            .field("kind", &self.kind)
            .field("host_functions", &names)
            .field("native_modules", &self.natives)
            .field("resolver", &self.resolver.is_some())
            .finish()
    }
}

impl Engine {
    /// An engine of `kind` with no host functions.
    pub fn new(kind: EngineKind) -> Engine {
        Engine {
            kind,
            hosts: Vec::new(),
            resolver: None,
            natives: BTreeSet::new(),
            types: Default::default(),
        }
    }

    /// The engine kind modules compiled by this engine run on.
    pub fn kind(&self) -> EngineKind {
        self.kind
    }

    /// Registers a typed host function: a closure of up to six [`crate::FromValue`] arguments
    /// returning an [`crate::IntoValue`] or `Result<_, HostError>`. Scripts compiled after this
    /// call it by `name`; registering a name again replaces the earlier function.
    ///
    /// The script's calls are checked at compile time like calls of its own functions
    /// (E0105 for a wrong argument count), and a script may not define a function of the
    /// same name (E0102). A host function is also a value (`map(xs, clip)`), and a host can
    /// call it by name like a script function (it is in [`Module::function_names`]). At run
    /// time, an argument that
    /// does not convert fails the call with RT0701 (`host function clip failed: type
    /// mismatch: the host expects Int, got Text`), an `Err(HostError)` with RT0701, an Int
    /// result outside the 48-bit range with RT0301 (as the script's own arithmetic), and a
    /// panic with RT0702, each with the script's call stack.
    ///
    /// Refused (RT0001 `cannot register host function ...`) when `name` is not an identifier
    /// or is a keyword, or is a builtin's name (`len`, `map`, ...: the builtin would win, so
    /// the function could never be called).
    ///
    /// The function runs on the thread that called [`crate::Runtime::call`] (on a stack
    /// segment sized for the call-depth limit when that thread's own is too small; the
    /// runtime starts no thread). It must be `Send + Sync + 'static` because one module, and
    /// so one host function, may run in several runtimes on several threads at once.
    ///
    /// ```
    /// let mut engine = cairn::Engine::new(cairn::EngineKind::Interpreter);
    /// engine.register_fn("clip", |x: i64, lo: i64, hi: i64| x.clamp(lo, hi)).unwrap();
    /// let module = engine.compile("demo.cairn", "fn main() = clip(15, 0, 10)").unwrap();
    /// let mut rt = engine.runtime(cairn::Limits::default()).unwrap();
    /// assert_eq!(rt.call::<i64>(&module, "main", ()).unwrap(), 10);
    /// ```
    pub fn register_fn<Marker>(
        &mut self,
        name: &str,
        function: impl IntoHostFunction<Marker>,
    ) -> Result<(), RunError> {
        let arity = function.arity();
        check_host_name(name, arity).map_err(|e| RunError::api(e.code.as_str(), e.message))?;
        self.add_host(name, arity, function.into_body());
        Ok(())
    }

    /// Registers a raw host function of `arity` arguments: it receives the argument values
    /// and a [`HostContext`] (call script closures back, observe cancellation), and returns
    /// a [`Value`] or a [`HostError`]. Use it for functions that take closures, for any
    /// kind of argument, or when the typed conversions are not what you want.
    ///
    /// ```
    /// use cairn::{Engine, EngineKind, HostError, Limits, Value};
    ///
    /// let mut engine = Engine::new(EngineKind::Interpreter);
    /// // twice(f, x) = f(f(x)), calling the script's closure back.
    /// engine.register_raw("twice", 2, |host, args| {
    ///     let once = host.call(&args[0], (args[1].clone(),))?;
    ///     Ok(host.call(&args[0], (once,))?)
    /// }).unwrap();
    /// engine.register_raw("kind_of", 1, |_host, args| {
    ///     match &args[0] {
    ///         Value::Opaque(_) => Err(HostError::new("no handles, please")),
    ///         other => Ok(Value::Text(other.kind_name().to_string())),
    ///     }
    /// }).unwrap();
    /// let module = engine
    ///     .compile("raw.cairn", "fn main() = (twice(\\x -> x * 3, 2), kind_of([1]))")
    ///     .unwrap();
    /// let mut rt = engine.runtime(Limits::default()).unwrap();
    /// let (n, kind): (i64, String) = rt.call(&module, "main", ()).unwrap();
    /// assert_eq!((n, kind.as_str()), (18, "List"));
    /// ```
    pub fn register_raw(
        &mut self,
        name: &str,
        arity: usize,
        function: impl Fn(&mut HostContext<'_, '_>, Vec<Value>) -> Result<Value, HostError>
        + Send
        + Sync
        + 'static,
    ) -> Result<(), RunError> {
        check_host_name(name, arity).map_err(|e| RunError::api(e.code.as_str(), e.message))?;
        self.add_host(name, arity, raw_body(function));
        Ok(())
    }

    /// Installs the resolver `import`s of scripts compiled after this call are resolved
    /// with (replacing any earlier one; docs/EMBEDDING.md, "Modules"). Without one, an
    /// `import` of anything but a native module is E0106 `cannot find module`.
    pub fn set_resolver(&mut self, resolver: impl ModuleResolver + 'static) {
        self.resolver = Some(Arc::new(resolver));
    }

    /// [`Engine::set_resolver`] with a shared resolver.
    pub fn set_shared_resolver(&mut self, resolver: Arc<dyn ModuleResolver>) {
        self.resolver = Some(resolver);
    }

    /// Registers a *native module* `name`: a named set of host functions a script imports
    /// like a script module (`import mathx`, then `mathx::double(2)`). `build` registers its
    /// functions on the [`NativeModule`] it is given; they are callable only qualified, from
    /// files that import the module (their names in the compiled IR are `mathx::double`). A
    /// native module wins over the resolver for its name. Registering
    /// a name again adds to (or replaces functions of) the module.
    ///
    /// Refused (RT0001) when `name` is not an identifier or a qualified name of
    /// identifiers (`a::b`), or a function's name is not one ([`Engine::register_fn`]'s
    /// rules).
    ///
    /// ```
    /// use cairn::{Engine, EngineKind, Limits};
    ///
    /// let mut engine = Engine::new(EngineKind::Jit);
    /// engine
    ///     .register_native_module("mathx", |m| {
    ///         m.register_fn("double", |x: i64| x * 2)?;
    ///         m.register_fn("half", |x: f64| x / 2.0)
    ///     })
    ///     .unwrap();
    /// let module = engine
    ///     .compile("main.cairn", "import mathx\nfn main() = mathx::double(21)")
    ///     .unwrap();
    /// let mut rt = engine.runtime(Limits::default()).unwrap();
    /// assert_eq!(rt.call::<i64>(&module, "main", ()).unwrap(), 42);
    /// ```
    pub fn register_native_module(
        &mut self,
        name: &str,
        build: impl FnOnce(&mut NativeModule<'_>) -> Result<(), RunError>,
    ) -> Result<(), RunError> {
        check_native_module_name(name).map_err(|e| RunError::api(e.code.as_str(), e.message))?;
        let mut module = NativeModule {
            engine: self,
            name: name.to_string(),
        };
        build(&mut module)?;
        self.natives.insert(name.to_string());
        Ok(())
    }

    /// Registers a word-level host function body `qualified` (`module::name`) of native
    /// module `module` (what the C API registers, after [`check_host_name`] and
    /// [`check_native_module_name`]).
    pub(crate) fn add_native_host(
        &mut self,
        module: &str,
        qualified: &str,
        arity: usize,
        body: Arc<cairn_runtime::abi::host::HostFunctionBody>,
    ) {
        self.add_host(qualified, arity, body);
        self.natives.insert(module.to_string());
    }

    /// Registers a word-level host function body (what the C API registers, after
    /// [`check_host_name`]).
    pub(crate) fn add_host(
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

    /// Compiles `source` (named `name` in diagnostics) for this engine, with the host
    /// functions registered so far. On the JIT this generates native code for the whole
    /// module now; the result is a [`Module`] any number of runtimes on any threads can run.
    ///
    /// A script needs a `main` function (E0103), like a program `cairn run` runs, though a
    /// host may call any of its named functions.
    ///
    /// ```
    /// use cairn::{Engine, EngineKind};
    ///
    /// let engine = Engine::new(EngineKind::Jit);
    /// let error = engine.compile("typo.cairn", "fn main() = lenght([1, 2])").unwrap_err();
    /// assert_eq!(error.code(), "E0101");
    /// assert_eq!(error.message(), "unknown name `lenght`");
    /// assert_eq!((error.line(), error.column()), (1, 13));
    /// assert!(error.to_string().starts_with("error[E0101]: unknown name `lenght`\n"));
    /// ```
    ///
    /// A script may `import` modules (docs/LANGUAGE.md, "Modules"): native modules
    /// ([`Engine::register_native_module`]) and sources the resolver serves
    /// ([`Engine::set_resolver`]). Every module is compiled once into the one [`Module`];
    /// diagnostics point into the file they are about.
    pub fn compile(&self, name: &str, source: &str) -> Result<Module, CompileError> {
        let (ir, sources) = self.front_end(name, source)?;
        Module::load(
            self.kind,
            ir,
            sources,
            self.hosts.clone(),
            Arc::new(self.types.methods.clone()),
        )
        .map_err(|failure| CompileError::from_load_failure(&failure, name, source))
    }

    /// [`Engine::compile`] for source bytes as a file holds them, checked as the `cairn` CLI
    /// checks a file: more than 64 MiB is E0004 `source too large`, bytes that are not UTF-8
    /// E0005 `invalid UTF-8 at byte N (line L)` pointing at the first bad byte.
    ///
    /// ```
    /// let engine = cairn::Engine::new(cairn::EngineKind::Interpreter);
    /// let error = engine.compile_bytes("bad.cairn", b"fn main() = \xff").unwrap_err();
    /// assert_eq!((error.code(), error.line(), error.column()), ("E0005", 1, 13));
    /// assert_eq!(error.message(), "invalid UTF-8 at byte 12 (line 1)");
    /// assert!(engine.compile_bytes("ok.cairn", b"fn main() = 1").is_ok());
    /// ```
    pub fn compile_bytes(&self, name: &str, source: &[u8]) -> Result<Module, CompileError> {
        match std::str::from_utf8(source) {
            Ok(text) => self.compile(name, text),
            Err(_) => {
                let error = SourceFile::from_bytes(name, source.to_vec())
                    .expect_err("not UTF-8, so refused");
                Err(CompileError::new(
                    &[error.diagnostic],
                    &crate::render::Renderer::of_file(&error.file),
                ))
            }
        }
    }

    /// Source to post-RC IR, with this engine's host functions in scope.
    fn front_end(&self, name: &str, source: &str) -> Result<(ir::Module, SourceMap), CompileError> {
        let file = SourceFile::new(name, source);
        let signatures: Vec<HostSignature> = self
            .hosts
            .iter()
            .map(|h| HostSignature {
                name: h.name.clone(),
                arity: h.arity,
            })
            .collect();
        if self.resolver.is_none() && self.natives.is_empty() {
            let ir = cairn_lang::compile_with_host_functions(&file, &signatures).map_err(
                |diagnostics| {
                    CompileError::new(&diagnostics, &crate::render::Renderer::of_file(&file))
                },
            )?;
            return Ok((ir, SourceMap::new(file)));
        }
        let mut loader = Loader {
            natives: &self.natives,
            resolver: self.resolver.as_deref(),
        };
        let (result, sources) = cairn_lang::compile_with_modules(file, &signatures, &mut loader);
        match result {
            Ok(ir) => Ok((ir, sources)),
            Err(diagnostics) => Err(CompileError::in_sources(&diagnostics, &sources)),
        }
    }

    /// Compiles `source` as [`Engine::compile`] does and runs the load check every engine
    /// runs, without building an engine's program (no interpreter translation, no JIT
    /// context): what `cairn check` needs. Returns the post-RC IR; `cairn_lang::print_module`
    /// prints it as [`Module::ir_text`] does.
    ///
    /// ```
    /// use cairn::{Engine, EngineKind};
    ///
    /// let engine = Engine::new(EngineKind::Jit);
    /// let (ir, sources) = engine.check("m.cairn", "fn main() = 1 + 2").unwrap();
    /// let printed = cairn_lang::print::print_module_in(&ir, &sources);
    /// assert_eq!(printed, engine.compile("m.cairn", "fn main() = 1 + 2").unwrap().ir_text());
    /// let error = engine.check("m.cairn", "fn main() = (").unwrap_err();
    /// assert!(error.to_string().contains("E0001"));
    /// ```
    pub fn check(&self, name: &str, source: &str) -> Result<(ir::Module, SourceMap), CompileError> {
        let (ir, sources) = self.front_end(name, source)?;
        cairn_lang::ir::load_check::check_loadable(&ir).map_err(|problem| {
            let failure = cairn_engine_support::load_failure(&problem);
            CompileError::from_load_failure(&failure, name, source)
        })?;
        Ok((ir, sources))
    }

    /// A runtime with `limits` (its own heap), ready to run modules of this engine. Fails
    /// (RT0404) when `limits.heap_blocks` is outside `1..=MAX_HEAP_BLOCKS` (4 GiB).
    ///
    /// ```
    /// use cairn::{Engine, EngineKind, Limits};
    ///
    /// let engine = Engine::new(EngineKind::Jit);
    /// let limits = Limits { fuel: Some(10_000), heap_blocks: 1_024, ..Limits::default() };
    /// let rt = engine.runtime(limits).unwrap();
    /// assert_eq!(rt.limits().heap_blocks, 1_024);
    /// assert!(engine.runtime(Limits { heap_blocks: 0, ..Limits::default() }).is_err());
    /// ```
    pub fn runtime(&self, limits: Limits) -> Result<Runtime, RunError> {
        let runtime = Runtime::new(limits)?;
        runtime
            .release_queue()
            .set_type_names(Arc::new(self.types.names.clone()));
        Ok(runtime)
    }

    /// Registers the Rust type `T` as the host type `name` (docs/EMBEDDING.md, "Host
    /// objects") and returns a builder for its methods. Values of `T` then cross into
    /// scripts as host objects ([`crate::Runtime::new_object`],
    /// [`crate::HostContext::new_object`]); scripts call their methods as
    /// `object.method(args)`. Registering the same type under the same name again adds to its
    /// methods; RT0001 for a name that is not an identifier, a name another type has, or a
    /// type already registered under another name. `T` must be `Send` (a runtime is).
    ///
    /// ```
    /// use cairn::{Engine, EngineKind, Limits, Value};
    ///
    /// struct Player { hp: i64 }
    /// let mut engine = Engine::new(EngineKind::Interpreter);
    /// engine.register_type::<Player>("Player").unwrap()
    ///     .method("damage", |p: &mut Player, amount: i64| { p.hp -= amount; p.hp }).unwrap()
    ///     .method("hp", |p: &mut Player| p.hp).unwrap();
    /// let module = engine.compile("p.cairn", "fn main() = 0
    /// fn hit(p) = { p.damage(10); p.damage(5) }").unwrap();
    /// let mut rt = engine.runtime(Limits::default()).unwrap();
    /// let player: Value = rt.new_object(Player { hp: 100 }).unwrap();
    /// assert_eq!(player.to_string(), "<Player#1>");
    /// assert_eq!(rt.call::<i64>(&module, "hit", (player.clone(),)).unwrap(), 85);
    /// assert_eq!(rt.object::<Player>(&player).unwrap().hp, 85);
    /// drop(player);
    /// assert_eq!(rt.blocks_in_use(), 0); // the Player was dropped
    /// ```
    pub fn register_type<T: Send + 'static>(
        &mut self,
        name: &str,
    ) -> Result<crate::host_object::TypeBuilder<'_, T>, RunError> {
        self.types
            .register(name, Some(std::any::TypeId::of::<T>()))?;
        Ok(crate::host_object::TypeBuilder::new(self, name))
    }

    pub(crate) fn types_mut(&mut self) -> &mut crate::host_object::HostTypes {
        &mut self.types
    }
}

/// Why `name` cannot be a native module's name: RT0001 unless it is an identifier or a
/// qualified name of identifiers (`a::b`), none a keyword. Shared by the Rust and the C API.
pub(crate) fn check_native_module_name(name: &str) -> Result<(), cairn_runtime::RuntimeError> {
    let valid = name.split("::").all(|part| {
        let mut chars = part.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !cairn_lang::lexer::is_keyword(part)
    });
    if valid {
        return Ok(());
    }
    Err(cairn_runtime::RuntimeError::new(
        cairn_runtime::ErrorCode::RT0001,
        format!(
            "cannot register native module `{name}`: the name must be an identifier or a qualified name of identifiers (`a::b`)"
        ),
    ))
}

/// A native module being registered ([`Engine::register_native_module`]): its functions
/// are host functions named `module::function`.
pub struct NativeModule<'e> {
    engine: &'e mut Engine,
    name: String,
}

impl NativeModule<'_> {
    /// The module's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// [`Engine::register_fn`] in this module: scripts call it as `module::name(...)`.
    pub fn register_fn<Marker>(
        &mut self,
        name: &str,
        function: impl IntoHostFunction<Marker>,
    ) -> Result<(), RunError> {
        let arity = function.arity();
        check_host_name(name, arity).map_err(|e| RunError::api(e.code.as_str(), e.message))?;
        let qualified = format!("{}::{name}", self.name);
        self.engine
            .add_host(&qualified, arity, function.into_body());
        Ok(())
    }

    /// [`Engine::register_type`] for this module: the host type `name` and its methods, the
    /// way a native module hands scripts its own objects (from its functions). A type keeps
    /// its own name (`<Vec2#1>`, `no method len on Vec2`): method calls resolve at run time on
    /// the receiver's type, so a script needs no qualified name to call one.
    pub fn register_type<T: Send + 'static>(
        &mut self,
        name: &str,
    ) -> Result<crate::host_object::TypeBuilder<'_, T>, RunError> {
        self.engine.register_type::<T>(name)
    }

    /// [`Engine::register_raw`] in this module.
    pub fn register_raw(
        &mut self,
        name: &str,
        arity: usize,
        function: impl Fn(&mut HostContext<'_, '_>, Vec<Value>) -> Result<Value, HostError>
        + Send
        + Sync
        + 'static,
    ) -> Result<(), RunError> {
        check_host_name(name, arity).map_err(|e| RunError::api(e.code.as_str(), e.message))?;
        let qualified = format!("{}::{name}", self.name);
        self.engine.add_host(&qualified, arity, raw_body(function));
        Ok(())
    }
}

/// The most arguments a host function may take.
pub const MAX_HOST_ARITY: usize = 64;

/// Why a host function cannot be registered as `name` with `arity` arguments: RT0001
/// `cannot register host function `{name}`: {reason}` for a name that is not an identifier
/// (or is a keyword), the name of a builtin (which would shadow it silently: the builtin
/// wins), or more than [`MAX_HOST_ARITY`] arguments. Shared by the Rust and the C API.
pub(crate) fn check_host_name(name: &str, arity: usize) -> Result<(), cairn_runtime::RuntimeError> {
    let refuse = |reason: String| {
        Err(cairn_runtime::RuntimeError::new(
            cairn_runtime::ErrorCode::RT0001,
            format!("cannot register host function `{name}`: {reason}"),
        ))
    };
    let mut chars = name.chars();
    let identifier = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !identifier || cairn_lang::lexer::is_keyword(name) {
        return refuse(
            "the name must be an identifier (letters, digits and `_`, not a keyword)".into(),
        );
    }
    if cairn_lang::resolve::is_builtin_name(name) {
        return refuse(
            "it is the name of a builtin (docs/LANGUAGE.md, \"Standard library\")".into(),
        );
    }
    if arity > MAX_HOST_ARITY {
        return refuse(format!(
            "{arity} arguments exceed the limit of {MAX_HOST_ARITY}"
        ));
    }
    Ok(())
}

impl Program {
    pub(crate) fn kind(&self) -> EngineKind {
        match self {
            Program::Interpreter(_) => EngineKind::Interpreter,
            Program::Jit(_) => EngineKind::Jit,
        }
    }
}
