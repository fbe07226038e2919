//! `CairnEngine`: an engine kind plus the C host functions registered on it; compiles scripts
//! into `CairnModule`s. Thread-safe: registration and compilation lock the engine briefly
//! (compilation itself runs on a snapshot, so several threads compile at once).

use std::ffi::{c_char, c_void};
use std::sync::{Arc, Mutex};

use cairn_runtime::RuntimeError;
use cairn_runtime::abi::handles::boundary::{catch_abi_panic, catch_abi_panic_or};
use cairn_runtime::abi::handles::live_registry::LiveRegistry;
use cairn_runtime::abi::handles::{
    AiviEffectHandle, AiviErrorHandle, AiviRuntime, AiviValueHandle,
};

use super::compile_error::compile_error_handle;
use super::host::{UserData, c_host_body};
use super::module::{CairnModule, MODULES};
use super::{
    CAIRN_ENGINE_INTERPRETER, CAIRN_ENGINE_JIT, c_raw_bytes_arg, c_str_arg, error_handle,
    free_registered, misuse, register_box, report, report_outcome, with_registered,
};
use crate::engine::{Engine, EngineKind};

/// `typedef AiviValueHandle (*CairnHostFn)(void *user, AiviRuntime *rt, AiviEffectHandle
/// effect, const AiviValueHandle *args, size_t nargs);` — a C host function. `args` are
/// borrowed (valid for the call; retain one to keep it); the result is owned by the runtime
/// from then on. NULL means failure (see `cairn_engine_register`).
pub type CairnHostFn = Option<
    unsafe extern "C" fn(
        user: *mut c_void,
        rt: *mut AiviRuntime,
        effect: AiviEffectHandle,
        args: *const AiviValueHandle,
        nargs: usize,
    ) -> AiviValueHandle,
>;

/// `typedef void (*CairnFreeFn)(void *user);` — releases a host function's `user` data when
/// the last engine or module using the function is freed.
pub type CairnFreeFn = Option<unsafe extern "C" fn(user: *mut c_void)>;

pub(super) struct EngineState {
    pub(super) engine: Engine,
}

/// `typedef struct CairnEngine CairnEngine;` (opaque to C).
pub struct CairnEngine {
    state: Mutex<EngineState>,
}

static ENGINES: LiveRegistry = LiveRegistry::new();

/// Runs `action` on the live engine behind `engine` (RT0404 for NULL or a dead pointer).
pub(super) fn with_engine<R>(
    engine: *const CairnEngine,
    action: impl FnOnce(&mut EngineState) -> R,
) -> Result<R, RuntimeError> {
    // SAFETY: ENGINES holds exactly the boxes `cairn_engine_new` registered and
    // `cairn_engine_free` unregisters before freeing.
    unsafe {
        with_registered(&ENGINES, "engine", engine, |engine| {
            let mut state = engine.state.lock().unwrap_or_else(|e| e.into_inner());
            action(&mut state)
        })
    }
}

/// `CairnEngine *cairn_engine_new(uint32_t kind)`: an engine of `kind`
/// (`CAIRN_ENGINE_INTERPRETER` 0 or `CAIRN_ENGINE_JIT` 1) with no host functions. NULL for
/// any other kind.
#[unsafe(no_mangle)]
pub extern "C" fn cairn_engine_new(kind: u32) -> *mut CairnEngine {
    catch_abi_panic_or(std::ptr::null_mut(), || {
        let kind = match kind {
            CAIRN_ENGINE_INTERPRETER => EngineKind::Interpreter,
            CAIRN_ENGINE_JIT => EngineKind::Jit,
            _ => return std::ptr::null_mut(),
        };
        register_box(
            &ENGINES,
            CairnEngine {
                state: Mutex::new(EngineState {
                    engine: Engine::new(kind),
                }),
            },
        )
    })
}

/// `uint32_t cairn_engine_free(CairnEngine *engine)`: 1 (also for NULL), 0 when `engine` is
/// not live (nothing is touched). Modules compiled by the engine stay usable.
///
/// # Safety
/// `engine` is NULL or any pointer value (a dead or forged one is diagnosed, not read).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_engine_free(engine: *mut CairnEngine) -> u32 {
    // SAFETY: ENGINES holds exactly the boxes `cairn_engine_new` registered.
    catch_abi_panic_or(0, || unsafe { free_registered(&ENGINES, engine) })
}

/// `uint32_t cairn_engine_kind(const CairnEngine *engine)`: the engine's kind, or
/// `UINT32_MAX` when `engine` is NULL or not live.
///
/// # Safety
/// `engine` is NULL or any pointer value (a dead or forged one is diagnosed, not read).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_engine_kind(engine: *const CairnEngine) -> u32 {
    catch_abi_panic_or(u32::MAX, || {
        with_engine(engine, |state| match state.engine.kind() {
            EngineKind::Interpreter => CAIRN_ENGINE_INTERPRETER,
            EngineKind::Jit => CAIRN_ENGINE_JIT,
        })
        .unwrap_or(u32::MAX)
    })
}

/// `uint32_t cairn_engine_register(CairnEngine *engine, const char *name, size_t arity,
/// CairnHostFn function, void *user, CairnFreeFn free_user, AiviErrorHandle *error_out)`:
/// registers a host function that scripts compiled afterwards call as `name(a1, ..., aN)`
/// (another arity is E0105 at compile time; registering `name` again replaces it). Returns
/// 1, or 0 with an owned error in `*error_out` (RT0404 for a NULL or dead engine, a NULL
/// name; RT0001 for a NULL function, a name that is not an identifier (`""`) or is a
/// builtin's (`len`), or more than `MAX_HOST_ARITY` (64) arguments, as
/// [`crate::Engine::register_fn`] refuses them; RT0303 for a name that is not UTF-8). On
/// failure `user` stays the caller's (`free_user` is not called).
///
/// # Safety
/// `name` is NULL or NUL-terminated; `error_out` is NULL or writable; `function` may be
/// called with `user` from any thread running a module of this engine, also concurrently, for
/// as long as such a module lives; `free_user`, if not NULL, is called once with `user` when
/// the last of them is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_engine_register(
    engine: *mut CairnEngine,
    name: *const c_char,
    arity: usize,
    function: CairnHostFn,
    user: *mut c_void,
    free_user: CairnFreeFn,
    error_out: *mut AiviErrorHandle,
) -> u32 {
    let outcome = catch_abi_panic(|| {
        // SAFETY: forwarded from this function's contract.
        let name = unsafe { c_str_arg("cairn_engine_register", "name", name) }?.to_string();
        let Some(function) = function else {
            return Err(misuse(
                "cairn_engine_register: the function pointer is NULL (a CairnHostFn is required)",
            ));
        };
        crate::engine::check_host_name(&name, arity)?;
        with_engine(engine, |state| {
            let user = Arc::new(UserData::new(user, free_user));
            let body = c_host_body(name.clone(), arity, function, user);
            state.engine.add_host(&name, arity, body);
        })
    });
    // SAFETY: forwarded from this function's contract.
    unsafe { report_outcome(error_out, outcome) }
}

/// `CairnModule *cairn_engine_compile(const CairnEngine *engine, const char *name, const char
/// *source, size_t len, AiviErrorHandle *error_out)`: compiles `len` bytes of UTF-8 `source`
/// (`name` is the file name diagnostics show). NULL on failure, with an owned error in
/// `*error_out`: the compiler's diagnostics, all of them (`cairn_compile_error_count`,
/// `cairn_compile_error_at`), the accessors reading the first (`E0101`, ...; its message,
/// line and column — `aivi_error_line`/`aivi_error_column`; source that is not UTF-8 is E0005
/// `invalid UTF-8 at byte N (line L)` at its position, as the CLI reports it), or RT0404 for
/// bad arguments.
///
/// # Safety
/// `name` is NULL or NUL-terminated; `source` is NULL with `len == 0` or has `len` readable
/// bytes; `error_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_engine_compile(
    engine: *const CairnEngine,
    name: *const c_char,
    source: *const c_char,
    len: usize,
    error_out: *mut AiviErrorHandle,
) -> *mut CairnModule {
    let outcome = catch_abi_panic(|| {
        // SAFETY: forwarded from this function's contract.
        let name = unsafe { c_str_arg("cairn_engine_compile", "name", name) }?;
        // SAFETY: forwarded from this function's contract.
        let source = unsafe { c_raw_bytes_arg("cairn_engine_compile", "source", source, len) }?;
        let engine = with_engine(engine, |state| state.engine.clone())?;
        Ok(match engine.compile_bytes(name, source) {
            Ok(module) => Ok(module),
            Err(error) => Err(compile_error_handle(&error)),
        })
    });
    let (module, error) = match outcome {
        Ok(Ok(module)) => (register_box(&MODULES, CairnModule { module }), None),
        Ok(Err(compile_error)) => (std::ptr::null_mut(), Some(compile_error)),
        Err(error) => (std::ptr::null_mut(), Some(error_handle(error))),
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { report(error_out, error) };
    module
}

/// `typedef uint32_t (*CairnResolveFn)(void *user, const char *importer, const char *path,
/// const char **text_out, size_t *len_out);` — a C module resolver (docs/EMBEDDING.md,
/// "Modules"). For `import path` in module `importer` (NUL-terminated; `importer` NULL for
/// the file given to `cairn_engine_compile`), it returns 1 with `*text_out`/`*len_out` the
/// module's UTF-8 source, or 0 with them the reason it has none (or left NULL/0). Cairn copies
/// the bytes at once, then calls the release function, if any, with them.
pub type CairnResolveFn = Option<
    unsafe extern "C" fn(
        user: *mut c_void,
        importer: *const c_char,
        path: *const c_char,
        text_out: *mut *const c_char,
        len_out: *mut usize,
    ) -> u32,
>;

/// `typedef void (*CairnReleaseFn)(void *user, const char *text, size_t len);` — given back
/// the bytes a [`CairnResolveFn`] returned, once Cairn has copied them.
pub type CairnReleaseFn =
    Option<unsafe extern "C" fn(user: *mut c_void, text: *const c_char, len: usize)>;

/// A C resolver as a [`crate::ModuleResolver`]: a module's key and name are its path, its
/// file name `path.cairn` (with `::` as `/`), as [`crate::MemoryResolver`] serves them.
struct CResolver {
    resolve: unsafe extern "C" fn(
        *mut c_void,
        *const c_char,
        *const c_char,
        *mut *const c_char,
        *mut usize,
    ) -> u32,
    release: CairnReleaseFn,
    user: Arc<UserData>,
}

// SAFETY: `cairn_engine_set_resolver`'s contract requires `resolve` and `release` to be
// callable with `user` from any thread, also concurrently (compilations of one engine may
// run on several threads); `UserData` frees `user` once, when the last engine holding it goes.
unsafe impl Send for CResolver {}
// SAFETY: see `Send` above.
unsafe impl Sync for CResolver {}

impl crate::ModuleResolver for CResolver {
    fn resolve(&self, importer: Option<&str>, path: &str) -> Result<crate::ModuleSource, String> {
        let to_c = |text: &str| std::ffi::CString::new(text).map_err(|_| "a NUL byte".to_string());
        let path_c = to_c(path)?;
        let importer_c = importer.map(to_c).transpose()?;
        let mut text: *const c_char = std::ptr::null();
        let mut len: usize = 0;
        // SAFETY: the strings are NUL-terminated and live across the call; the out pointers
        // are writable locals; the contract of `cairn_engine_set_resolver` covers the rest.
        let found = unsafe {
            (self.resolve)(
                self.user.pointer(),
                importer_c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
                path_c.as_ptr(),
                &mut text,
                &mut len,
            )
        };
        let bytes = if text.is_null() {
            Vec::new()
        } else {
            // SAFETY: the resolver returned `len` readable bytes at `text` (its contract),
            // valid until they are released below.
            unsafe { std::slice::from_raw_parts(text.cast::<u8>(), len) }.to_vec()
        };
        if let (Some(release), false) = (self.release, text.is_null()) {
            // SAFETY: gives back exactly the bytes the resolver returned, once.
            unsafe { release(self.user.pointer(), text, len) };
        }
        let text =
            String::from_utf8(bytes).map_err(|_| "the resolver's bytes are not UTF-8".to_string());
        match (found, text) {
            (1, Ok(text)) => Ok(crate::ModuleSource::new(path, text)),
            (1, Err(problem)) => Err(problem),
            (_, Ok(reason)) if !reason.is_empty() => Err(reason),
            _ => Err("the resolver refused it".into()),
        }
    }
}

/// `uint32_t cairn_engine_set_resolver(CairnEngine *engine, CairnResolveFn resolve,
/// CairnReleaseFn release, void *user, CairnFreeFn free_user, AiviErrorHandle *error_out)`:
/// installs the resolver `import`s of scripts compiled afterwards are resolved with
/// (replacing any earlier one; [`crate::Engine::set_resolver`]). Returns 1, or 0 with an
/// owned error in `*error_out` (RT0404 for a NULL or dead engine, RT0001 for a NULL
/// `resolve`); on failure `user` stays the caller's.
///
/// # Safety
/// `error_out` is NULL or writable; `resolve` (and `release`, if not NULL) may be called with
/// `user` from any thread compiling with this engine, also concurrently, for as long as the
/// engine lives, and must write `*text_out`/`*len_out` as [`CairnResolveFn`] says;
/// `free_user`, if not NULL, is called once with `user` when the engine (and any clone of
/// its resolver) is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_engine_set_resolver(
    engine: *mut CairnEngine,
    resolve: CairnResolveFn,
    release: CairnReleaseFn,
    user: *mut c_void,
    free_user: CairnFreeFn,
    error_out: *mut AiviErrorHandle,
) -> u32 {
    let outcome = catch_abi_panic(|| {
        let Some(resolve) = resolve else {
            return Err(misuse(
                "cairn_engine_set_resolver: the resolve function pointer is NULL",
            ));
        };
        with_engine(engine, |state| {
            let user = Arc::new(UserData::new(user, free_user));
            state.engine.set_resolver(CResolver {
                resolve,
                release,
                user,
            });
        })
    });
    // SAFETY: forwarded from this function's contract.
    unsafe { report_outcome(error_out, outcome) }
}

/// `uint32_t cairn_engine_register_native(CairnEngine *engine, const char *module, const
/// char *name, size_t arity, CairnHostFn function, void *user, CairnFreeFn free_user,
/// AiviErrorHandle *error_out)`: registers host function `name` of *native module* `module`
/// ([`crate::Engine::register_native_module`]): scripts compiled afterwards `import module`
/// and call `module::name(...)`. Returns 1, or 0 with an owned error in `*error_out` as
/// `cairn_engine_register` (and RT0001 for a module name that is not an identifier or a
/// qualified name of identifiers); on failure `user` stays the caller's.
///
/// # Safety
/// As `cairn_engine_register`; `module` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn cairn_engine_register_native(
    engine: *mut CairnEngine,
    module: *const c_char,
    name: *const c_char,
    arity: usize,
    function: CairnHostFn,
    user: *mut c_void,
    free_user: CairnFreeFn,
    error_out: *mut AiviErrorHandle,
) -> u32 {
    let outcome = catch_abi_panic(|| {
        // SAFETY: forwarded from this function's contract.
        let module =
            unsafe { c_str_arg("cairn_engine_register_native", "module", module) }?.to_string();
        // SAFETY: forwarded from this function's contract.
        let name = unsafe { c_str_arg("cairn_engine_register_native", "name", name) }?.to_string();
        let Some(function) = function else {
            return Err(misuse(
                "cairn_engine_register_native: the function pointer is NULL (a CairnHostFn is required)",
            ));
        };
        crate::engine::check_host_name(&name, arity)?;
        crate::engine::check_native_module_name(&module)?;
        with_engine(engine, |state| {
            let user = Arc::new(UserData::new(user, free_user));
            let qualified = format!("{module}::{name}");
            let body = c_host_body(qualified.clone(), arity, function, user);
            state
                .engine
                .add_native_host(&module, &qualified, arity, body);
        })
    });
    // SAFETY: forwarded from this function's contract.
    unsafe { report_outcome(error_out, outcome) }
}
