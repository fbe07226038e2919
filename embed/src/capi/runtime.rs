//! C runtimes: a [`crate::Runtime`] whose context is lent to the Value ABI's handle API, so
//! the `AiviRuntime *` that `cairn_runtime_new` returns is the one pointer a C host uses for
//! values, calls and errors. Calls by name with value handles (`cairn_call`), thread-safe
//! cancel handles, and the output of `print`.
//!
//! `cairn_call` works at the word level (the handles' words go to the engine as they are, the
//! result word comes back as an owned handle) instead of through [`crate::Runtime::call_value`],
//! which copies every argument and result through host-side [`crate::Value`]s; it follows that
//! method step by step (lookup, arity, ownership of parameters, cancellation reset, error
//! rendering), so both report the same codes and messages.

use std::collections::BTreeMap;
use std::ffi::c_char;
use std::sync::{Mutex, MutexGuard};

use cairn_runtime::abi::handles::boundary::{catch_abi_panic, catch_abi_panic_or};
use cairn_runtime::abi::handles::live_registry::LiveRegistry;
use cairn_runtime::abi::handles::runtime_lifecycle::{
    lend_runtime, live_runtime, park_in_runtime, withdraw_runtime,
};
use cairn_runtime::abi::handles::value::checked_value;
use cairn_runtime::abi::handles::{AiviErrorHandle, AiviRuntime, AiviValueHandle};
use cairn_runtime::abi::shims::release_recording;
use cairn_runtime::value::Value as Word;
use cairn_runtime::{CancelHandle, Context, ErrorLocation, Limits, RuntimeError};

use super::module::module_of;
use super::{
    c_str_arg, free_registered, located_error_handle, misuse, register_box, report, with_registered,
};
use crate::module::{CallFailure, Module};
use crate::runtime::Runtime;

/// `CairnLimits`: the limits of a new runtime (docs/EMBEDDING.md, "Limits and cancellation"). A
/// field of 0 takes its default, as a limit the Rust [`Limits`] leaves at its default (a zero
/// limit, which Rust refuses with RT0404, cannot be asked for).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CairnLimits {
    /// Heap size in 64-byte blocks; 0 = the default (2^24, 1 GiB, mapped as needed).
    pub heap_blocks: u32,
    /// Soft heap quota in blocks (RT0402); 0 = none (the whole heap).
    pub heap_quota: u32,
    /// Call-depth limit (RT0501); 0 = the default (10,000).
    pub max_call_depth: u64,
    /// Fuel units per call, one charged at every function entry and loop back-edge
    /// (RT0502); 0 = unlimited.
    pub fuel: u64,
    /// Allocation-failure injection: the Nth block allocation of every call fails with
    /// RT0401 (`Limits::fail_alloc_at`); 0 = never.
    pub fail_alloc_at: u64,
    /// Wall-clock limit of each call in milliseconds (`Limits::time_limit`: RT0503 `execution
    /// cancelled: time limit of ... exceeded`, not deterministic); 0 = none.
    pub time_limit_ms: u64,
}

// The layout `include/cairn.h` declares (checked again by embed/tests/c_api.rs).
const _: () = assert!(std::mem::size_of::<CairnLimits>() == 40);
const _: () = assert!(std::mem::offset_of!(CairnLimits, time_limit_ms) == 32);
const _: () = assert!(std::mem::offset_of!(CairnLimits, fail_alloc_at) == 24);
const _: () = assert!(std::mem::offset_of!(CairnLimits, max_call_depth) == 8);
const _: () = assert!(std::mem::offset_of!(CairnLimits, fuel) == 16);

impl CairnLimits {
    /// The facade's [`Limits`] these stand for.
    pub fn to_limits(self) -> Limits {
        let defaults = Limits::default();
        Limits {
            heap_blocks: if self.heap_blocks == 0 {
                defaults.heap_blocks
            } else {
                self.heap_blocks
            },
            heap_quota: (self.heap_quota != 0).then_some(self.heap_quota),
            max_call_depth: if self.max_call_depth == 0 {
                defaults.max_call_depth
            } else {
                self.max_call_depth
            },
            fuel: (self.fuel != 0).then_some(self.fuel),
            fail_alloc_at: (self.fail_alloc_at != 0).then_some(self.fail_alloc_at),
            time_limit: (self.time_limit_ms != 0)
                .then(|| std::time::Duration::from_millis(self.time_limit_ms)),
            // Not in the C struct (its layout is fixed): C hosts get the default budget.
            max_output_bytes: defaults.max_output_bytes,
            audit: defaults.audit,
        }
    }
}

/// A C runtime: the facade runtime that owns the lent context, and whether a `cairn_call`
/// is running on it (so a nested call or a free from a host function is refused instead of
/// aliasing the running call).
struct RuntimeEntry {
    /// Owns the lent context (dropped by `cairn_runtime_free`, after the lend is withdrawn).
    _runtime: Runtime,
    busy: bool,
}

/// The C runtimes by context address (the `AiviRuntime *` C hosts hold). After creation the
/// context is reached only through that raw pointer (the entry just owns it).
static RUNTIMES: Mutex<BTreeMap<usize, RuntimeEntry>> = Mutex::new(BTreeMap::new());

fn runtimes() -> MutexGuard<'static, BTreeMap<usize, RuntimeEntry>> {
    RUNTIMES.lock().unwrap_or_else(|e| e.into_inner())
}

fn not_a_c_runtime(rt: *mut AiviRuntime) -> RuntimeError {
    RuntimeError::invalid_reference(&format!(
        "runtime {rt:p} is not a live cairn runtime (made by cairn_runtime_new and not freed)"
    ))
}

/// `rt` marked busy for one `cairn_call`; unmarked on drop.
struct Claim(usize);

impl Claim {
    fn new(rt: *mut AiviRuntime) -> Result<Claim, RuntimeError> {
        let mut runtimes = runtimes();
        let entry = runtimes
            .get_mut(&(rt as usize))
            .ok_or_else(|| not_a_c_runtime(rt))?;
        if entry.busy {
            return Err(misuse(
                "cairn_call: this runtime is already running a call (a host function may call \
                 script closures back with cairn_call_closure, or call into another runtime)",
            ));
        }
        entry.busy = true;
        Ok(Claim(rt as usize))
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if let Some(entry) = runtimes().get_mut(&self.0) {
            entry.busy = false;
        }
    }
}

/// `AiviRuntime *cairn_runtime_new(const CairnLimits *limits, AiviErrorHandle *error_out)`: a
/// runtime with its own heap (`limits` NULL = all defaults). NULL on failure with an owned
/// error in `*error_out` (a heap that cannot be made is RT0404). Free it with
/// `cairn_runtime_free` (`aivi_runtime_free` refuses it).
///
/// # Safety
/// `limits` is NULL or points to a readable `CairnLimits`; `error_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_runtime_new(
    limits: *const CairnLimits,
    error_out: *mut AiviErrorHandle,
) -> *mut AiviRuntime {
    let outcome = catch_abi_panic(|| {
        let limits = if limits.is_null() {
            CairnLimits::default()
        } else {
            // SAFETY: non-NULL and readable per this function's contract.
            unsafe { *limits }
        };
        Ok(match Runtime::new(limits.to_limits()) {
            Ok(mut runtime) => {
                let context: *mut Context = runtime.context_mut();
                // SAFETY: the context is boxed inside `runtime` (a stable address), which the
                // registry entry keeps until `cairn_runtime_free` withdraws the lend first.
                unsafe { lend_runtime(context) };
                runtimes().insert(
                    context as usize,
                    RuntimeEntry {
                        _runtime: runtime,
                        busy: false,
                    },
                );
                Ok(context)
            }
            Err(error) => Err(located_error_handle(error.code(), error.message(), 0, 0)),
        })
    });
    let (runtime, error) = match outcome {
        Ok(Ok(context)) => (context, None),
        Ok(Err(handle)) => (std::ptr::null_mut(), Some(handle)),
        Err(error) => (std::ptr::null_mut(), Some(super::error_handle(error))),
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { report(error_out, error) };
    runtime
}

/// `uint32_t cairn_runtime_free(AiviRuntime *rt)`: frees the runtime and its heap (its value
/// handles die; effects bound to it are detached). 1 (also for NULL); 0 when `rt` is not a
/// live cairn runtime, or — with RT0001 parked — when it is running a call (a host function
/// cannot free the runtime that called it).
///
/// # Safety
/// `rt` is NULL or any pointer value (a dead or forged one is diagnosed, not read); no other
/// thread uses the runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_runtime_free(rt: *mut AiviRuntime) -> u32 {
    if rt.is_null() {
        return 1;
    }
    let outcome = catch_abi_panic(|| {
        let entry = {
            let mut runtimes = runtimes();
            match runtimes.get(&(rt as usize)) {
                None => return Ok(0),
                Some(entry) if entry.busy => {
                    return Err(misuse("cairn_runtime_free: the runtime is running a call"));
                }
                Some(_) => runtimes.remove(&(rt as usize)),
            }
        };
        withdraw_runtime(rt);
        drop(entry);
        Ok(1)
    });
    outcome.unwrap_or_else(|error| {
        // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
        unsafe { park_in_runtime(rt, error) };
        0
    })
}

/// Parks `error` (with its source location) in `rt` when `rt` is a live runtime.
///
/// # Safety
/// As for [`cairn_call`]'s `rt`.
unsafe fn park_at(rt: *mut AiviRuntime, error: RuntimeError, location: ErrorLocation) {
    // SAFETY: forwarded from the caller; no borrow of the context is live here.
    if let Ok(context) = unsafe { live_runtime(rt) } {
        context.raise_at(error, location);
    }
}

/// `AiviValueHandle cairn_call(AiviRuntime *rt, const CairnModule *module, const char *name,
/// const AiviValueHandle *args, size_t nargs)`: calls function `name` of `module` with the
/// `nargs` borrowed handles `args` (values of `rt`; the caller keeps and releases its own)
/// and returns the result as an owned handle. NULL on failure, with the error parked in `rt`
/// (`aivi_runtime_take_error`): the script's diagnostic with its line and column, RT0305 for a
/// wrong argument count, RT0001 for an unknown function or a call while `rt` is running one,
/// RT0404 for a NULL / dead handle, module or runtime. An error parked before the call is kept
/// when the call fails before running, and discarded when the script runs. After any call
/// the heap holds exactly the values the host still owns; after RT0503 (cancelled) the
/// runtime is usable again.
///
/// # Safety
/// `args` is NULL with `nargs == 0` or points to `nargs` readable handles; `name` is NULL or
/// NUL-terminated; `rt` and `module` are NULL or any pointer value (dead or forged ones are
/// diagnosed, not read); no other thread uses `rt` during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_call(
    rt: *mut AiviRuntime,
    module: *const super::CairnModule,
    name: *const c_char,
    args: *const AiviValueHandle,
    nargs: usize,
) -> AiviValueHandle {
    let outcome = catch_abi_panic(|| {
        let claim = match Claim::new(rt) {
            Ok(claim) => claim,
            Err(error) => return Ok(Err((error, ErrorLocation::UNKNOWN))),
        };
        // SAFETY: forwarded from this function's contract.
        let name = match unsafe { c_str_arg("cairn_call", "name", name) } {
            Ok(name) => name,
            Err(error) => return Ok(Err((error, ErrorLocation::UNKNOWN))),
        };
        let module = match module_of(module) {
            Ok(module) => module,
            Err(error) => return Ok(Err((error, ErrorLocation::UNKNOWN))),
        };
        let handles: &[AiviValueHandle] = if nargs == 0 {
            &[]
        } else if args.is_null() {
            let error = RuntimeError::invalid_reference(&format!(
                "cairn_call: args is NULL but nargs is {nargs}"
            ));
            return Ok(Err((error, ErrorLocation::UNKNOWN)));
        } else {
            // SAFETY: non-NULL with `nargs` readable handles per this function's contract.
            unsafe { std::slice::from_raw_parts(args, nargs) }
        };
        // SAFETY: `rt` is a live cairn runtime (the claim found it) whose context stays valid
        // while it is registered; the claim keeps other `cairn_call`s and `cairn_runtime_free`
        // off it, and the caller guarantees no other thread uses it.
        let context = unsafe { &mut *rt };
        let result = call_words(context, &module, name, handles);
        drop(claim);
        Ok(result)
    });
    match outcome {
        Ok(Ok(handle)) => handle,
        Ok(Err((error, location))) => {
            // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
            unsafe { park_at(rt, error, location) };
            AiviValueHandle::NULL
        }
        Err(error) => {
            // SAFETY: as above.
            unsafe { park_at(rt, error, ErrorLocation::UNKNOWN) };
            AiviValueHandle::NULL
        }
    }
}

/// The body of [`cairn_call`] on a claimed runtime: [`crate::Runtime::call_value`] with
/// words instead of host-side values.
fn call_words(
    context: &mut Context,
    module: &Module,
    name: &str,
    handles: &[AiviValueHandle],
) -> Result<AiviValueHandle, (RuntimeError, ErrorLocation)> {
    let unlocated = |error| (error, ErrorLocation::UNKNOWN);
    let outcome = module.invoke(context, name, handles.len(), |context, out| {
        // Validate every argument before retaining any; the callee owns its words (the host's
        // handles stay the host's).
        let mut values = Vec::with_capacity(handles.len());
        for (position, &handle) in handles.iter().enumerate() {
            if handle.is_null() {
                return Err(RuntimeError::invalid_reference(&format!(
                    "cairn_call: argument {position} is a NULL value handle"
                )));
            }
            values.push(checked_value(&context.heap, handle)?);
        }
        let mut words = Vec::with_capacity(values.len());
        for value in values {
            match cairn_runtime::objects::retain(&mut context.heap, value) {
                Ok(word) => words.push(word.bits()),
                Err(error) => {
                    release_words(context, &words);
                    return Err(error);
                }
            }
        }
        out.extend(words);
        Ok(())
    });
    match outcome {
        Ok(word) => Ok(AiviValueHandle::tagged(
            word.bits(),
            context.heap.handle_tag(),
        )),
        Err(CallFailure::NoFunction) => Err(unlocated(misuse(format!(
            "`{}` has no function `{name}`",
            module.name()
        )))),
        Err(CallFailure::Arity { expected }) => Err(unlocated(RuntimeError::arity_mismatch(
            name,
            expected,
            handles.len(),
        ))),
        Err(CallFailure::Args(error)) => Err(unlocated(error)),
        Err(CallFailure::Run(failure)) => {
            let located = module.run_error(&failure);
            let location = ErrorLocation {
                line: u32::try_from(located.line()).unwrap_or(u32::MAX),
                column: u32::try_from(located.column()).unwrap_or(u32::MAX),
            };
            Err((failure.error, location))
        }
    }
}

fn release_words(context: &mut Context, words: &[u64]) {
    for &word in words {
        release_recording(context, Word(word));
    }
}

/// `typedef struct CairnCancel CairnCancel;`: cancels a runtime's calls from any thread.
pub struct CairnCancel {
    handle: CancelHandle,
}

static CANCELS: LiveRegistry = LiveRegistry::new();

/// `CairnCancel *cairn_runtime_cancel_handle(AiviRuntime *rt)`: an owned, thread-safe cancel
/// handle for `rt` (free it with `cairn_cancel_free`; it may outlive the runtime). NULL with
/// RT0404 parked when `rt` is not a live runtime.
///
/// # Safety
/// `rt` is NULL or any pointer value (a dead or forged one is diagnosed, not read); no other
/// thread uses the runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_runtime_cancel_handle(rt: *mut AiviRuntime) -> *mut CairnCancel {
    let outcome = catch_abi_panic(|| {
        // SAFETY: forwarded from this function's contract.
        let context = unsafe { live_runtime(rt) }?;
        Ok(context.cancel.clone())
    });
    match outcome {
        Ok(handle) => register_box(&CANCELS, CairnCancel { handle }),
        Err(error) => {
            // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
            unsafe { park_in_runtime(rt, error) };
            std::ptr::null_mut()
        }
    }
}

/// `uint32_t cairn_cancel(const CairnCancel *cancel)`: asks the runtime's running call (or its
/// next one) to stop: RT0503 at the script's next function entry or loop back-edge, seen by
/// host functions through `aivi_effect_is_cancelled`. Callable from any thread. 1, or 0 when
/// `cancel` is NULL or not live.
///
/// # Safety
/// `cancel` is NULL or any pointer value (a dead or forged one is diagnosed, not read).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_cancel(cancel: *const CairnCancel) -> u32 {
    catch_abi_panic_or(0, || {
        // SAFETY: CANCELS holds exactly the boxes `cairn_runtime_cancel_handle` registered and
        // `cairn_cancel_free` unregisters before freeing.
        let cancelled =
            unsafe { with_registered(&CANCELS, "cancel handle", cancel, |c| c.handle.cancel()) };
        u32::from(cancelled.is_ok())
    })
}

/// `uint32_t cairn_cancel_free(CairnCancel *cancel)`: 1 (also for NULL), 0 when not live.
///
/// # Safety
/// `cancel` is NULL or any pointer value (a dead or forged one is diagnosed, not read).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_cancel_free(cancel: *mut CairnCancel) -> u32 {
    // SAFETY: CANCELS holds exactly the boxes `cairn_runtime_cancel_handle` registered.
    catch_abi_panic_or(0, || unsafe { free_registered(&CANCELS, cancel) })
}

/// `const char *cairn_runtime_output(AiviRuntime *rt, size_t *len)`: what the last call's
/// `print`s wrote (`*len` bytes, not NUL-terminated), valid until the next call on `rt` or its
/// free. NULL with `*len = 0` and RT0404 parked when `rt` is not a live runtime.
///
/// # Safety
/// `len` is NULL or writable; `rt` is NULL or any pointer value (a dead or forged one is
/// diagnosed, not read); no other thread uses the runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_runtime_output(
    rt: *mut AiviRuntime,
    len: *mut usize,
) -> *const c_char {
    let outcome = catch_abi_panic(|| {
        // SAFETY: forwarded from this function's contract.
        let context = unsafe { live_runtime(rt) }?;
        Ok((
            context.output.as_ptr().cast::<c_char>(),
            context.output.len(),
        ))
    });
    let (pointer, length) = outcome.unwrap_or_else(|error| {
        // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
        unsafe { park_in_runtime(rt, error) };
        (std::ptr::null(), 0)
    });
    if !len.is_null() {
        // SAFETY: non-NULL and writable per this function's contract.
        unsafe { *len = length };
    }
    pointer
}

/// `uint32_t cairn_runtime_set_echo(AiviRuntime *rt, uint32_t echo)`: when `echo` is nonzero,
/// `print` also writes to the process's stdout as the script runs (through Rust's buffered
/// stdout, not C's `stdout`). 1, or 0 with RT0404 parked when `rt` is not a live runtime.
///
/// # Safety
/// `rt` is NULL or any pointer value (a dead or forged one is diagnosed, not read); no other
/// thread uses the runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_runtime_set_echo(rt: *mut AiviRuntime, echo: u32) -> u32 {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        cairn_runtime::abi::handles::runtime_lifecycle::with_live_runtime(rt, 0, |context| {
            context.echo_output = echo != 0;
            Ok(1)
        })
    }
}
