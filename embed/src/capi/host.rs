//! C host functions: the word-level body that calls a `CairnHostFn` (borrowed argument
//! handles in, an owned handle out, an effect handle for raising errors and observing
//! cancellation), plus what a C host function can do with the run that called it: call
//! script closures back (`cairn_call_closure`) and fail with the facade's RT0701 wording
//! (`cairn_effect_fail`).
//!
//! How a C host function's outcome becomes the script's:
//! - a non-NULL handle: the call's value (anything the host left parked is discarded: it
//!   returned a value, so it handled it); a handle that is not a live value of the runtime
//!   is RT0701 `host function NAME failed: returned an invalid value handle (...)`;
//! - NULL with an error parked (by `aivi_effect_raise`, `cairn_effect_fail`, a failed
//!   `cairn_call_closure` or any failed `aivi_*` call on `rt`): the run fails with that error
//!   (a closure's failure keeps the closure's call stack);
//! - NULL with nothing parked: RT0701 `host function NAME failed: returned no value`.
//!
//! Host functions nest (host → script closure → host ...) at most
//! [`crate::MAX_HOST_NESTING`] deep, like the facade's; each script call in between also
//! counts against the call-depth limit.

use std::cell::RefCell;
use std::ffi::{c_char, c_void};
use std::sync::Arc;

use cairn_runtime::abi::handles::boundary::catch_abi_panic;
use cairn_runtime::abi::handles::effect::{EffectScope, effect_raise};
use cairn_runtime::abi::handles::runtime_lifecycle::park_in_runtime;
use cairn_runtime::abi::handles::value::checked_value;
use cairn_runtime::abi::handles::{AiviEffectHandle, AiviRuntime, AiviValueHandle};
use cairn_runtime::abi::host::{HostCall, HostFailure, HostFunctionBody};
use cairn_runtime::value::Value as Word;
use cairn_runtime::{Context, RuntimeError};

use super::engine::CairnFreeFn;
use super::misuse;
use crate::host_fn::MAX_HOST_NESTING;

/// The `user` pointer of a registered host function and its optional destructor, called
/// once when the last engine or module holding the function drops it.
pub(crate) struct UserData {
    user: *mut c_void,
    free_user: CairnFreeFn,
}

// SAFETY: `user` is opaque to Rust (only passed back to the host's functions); the host's
// contract for `cairn_engine_register` makes it usable from any thread.
unsafe impl Send for UserData {}
// SAFETY: as above.
unsafe impl Sync for UserData {}

impl UserData {
    pub(crate) fn new(user: *mut c_void, free_user: CairnFreeFn) -> UserData {
        UserData { user, free_user }
    }

    /// The host's `user` pointer, to pass back to its callbacks.
    pub(crate) fn pointer(&self) -> *mut c_void {
        self.user
    }
}

impl Drop for UserData {
    fn drop(&mut self) {
        if let Some(free_user) = self.free_user {
            // SAFETY: the host registered `free_user` for `user`; this is the last owner,
            // so it runs exactly once.
            unsafe { free_user(self.user) };
        }
    }
}

/// One C host function running on this thread.
struct ActiveCall {
    ctx: *mut Context,
    /// The running call's `HostCall` (lifetime erased; valid while this entry is on the stack).
    call: *mut HostCall<'static>,
    effect: AiviEffectHandle,
    name: Arc<str>,
}

thread_local! {
    /// The C host functions running on this thread, innermost last.
    static ACTIVE: RefCell<Vec<ActiveCall>> = const { RefCell::new(Vec::new()) };
}

/// Pops the entry it pushed when dropped (also if the host function's caller unwinds).
struct ActiveGuard;

impl ActiveGuard {
    fn push(call: ActiveCall) -> ActiveGuard {
        ACTIVE.with(|active| active.borrow_mut().push(call));
        ActiveGuard
    }
}

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        ACTIVE.with(|active| active.borrow_mut().pop());
    }
}

type CHostFunction = unsafe extern "C" fn(
    *mut c_void,
    *mut AiviRuntime,
    AiviEffectHandle,
    *const AiviValueHandle,
    usize,
) -> AiviValueHandle;

/// The runtime-level body of C host function `name`.
pub(crate) fn c_host_body(
    name: String,
    arity: usize,
    function: CHostFunction,
    user: Arc<UserData>,
) -> Arc<HostFunctionBody> {
    let name: Arc<str> = Arc::from(name);
    Arc::new(
        move |call: &mut HostCall<'_>, args: &[Word]| -> Result<Word, HostFailure> {
            debug_assert_eq!(args.len(), arity, "the runtime checks the arity");
            if ACTIVE.with(|active| active.borrow().len()) >= MAX_HOST_NESTING {
                return Err(HostFailure::Failed(format!(
                    "host functions nested more than {MAX_HOST_NESTING} deep"
                )));
            }
            let ctx = call.context().as_ptr();
            // SAFETY: `ctx` is the running call's context, valid for this host call; the
            // runtime holds no borrow of it while the host function runs, and the scope is
            // dropped before this body returns.
            let scope = unsafe { EffectScope::bind(ctx) };
            let tag = call.context().heap.handle_tag();
            let handles: Vec<AiviValueHandle> = args
                .iter()
                .map(|word| AiviValueHandle::tagged(word.bits(), tag))
                .collect();
            // The count of each heap argument before the call: a returned argument whose
            // count did not grow was returned borrowed (`return args[0];`).
            let counts_before: Vec<(Word, u16)> = {
                let heap = &call.context().heap;
                args.iter()
                    .filter_map(|&word| Some((word, heap.ref_count(word.heap_block()?))))
                    .collect()
            };
            let guard = ActiveGuard::push(ActiveCall {
                ctx,
                call: (call as *mut HostCall<'_>).cast::<HostCall<'static>>(),
                effect: scope.handle(),
                name: name.clone(),
            });
            // SAFETY: the host registered `function` for `user` (`cairn_engine_register`'s
            // contract); `handles` holds `args.len()` borrowed handles valid for the call and
            // `ctx` is this runtime's `AiviRuntime *`.
            let returned = unsafe {
                function(
                    user.user,
                    ctx,
                    scope.handle(),
                    handles.as_ptr(),
                    handles.len(),
                )
            };
            drop(guard);
            drop(scope);
            let context = call.context();
            if returned.is_null() {
                return Err(match context.take_error() {
                    Some((error, _frames)) => HostFailure::Raised(error),
                    None => HostFailure::Failed("returned no value".to_string()),
                });
            }
            let word = checked_value(&context.heap, returned).map_err(|error| {
                HostFailure::Failed(format!(
                    "returned an invalid value handle ({})",
                    error.message
                ))
            })?;
            owned_result(context, word, &counts_before)
        },
    )
}

/// The owned result for the word a host function returned. An argument handle returned as
/// it was lent (its count no higher than before the call: `return args[0];`) is retained
/// here, as if the host had called `aivi_value_retain` first: the script gets the value and
/// the caller's reference stays intact (docs/EMBEDDING.md, "The C API").
fn owned_result(
    context: &mut Context,
    word: Word,
    counts_before: &[(Word, u16)],
) -> Result<Word, HostFailure> {
    let Some(&(_, before)) = counts_before.iter().find(|(arg, _)| *arg == word) else {
        return Ok(word);
    };
    let block = word.heap_block().expect("a heap argument");
    if context.heap.ref_count(block) > before {
        return Ok(word); // the host retained it: that reference is the result
    }
    cairn_runtime::objects::retain(&mut context.heap, word).map_err(HostFailure::Raised)
}

/// The innermost C host function running on this thread for runtime `rt`.
fn active_call_for(rt: *mut AiviRuntime) -> Option<(*mut HostCall<'static>, Arc<str>)> {
    ACTIVE.with(|active| {
        active
            .borrow()
            .iter()
            .rev()
            .find(|call| call.ctx == rt)
            .map(|call| (call.call, call.name.clone()))
    })
}

/// `AiviValueHandle cairn_call_closure(AiviRuntime *rt, AiviValueHandle closure, const
/// AiviValueHandle *args, size_t nargs)`: from inside a host function running on `rt`, calls
/// the script closure `closure` with the `nargs` borrowed handles `args`, and returns its
/// result as an owned handle. NULL on failure with the error parked in `rt`: the closure's own
/// error (return NULL to fail the script with it and the closure's call stack, or take it
/// with `aivi_runtime_take_error` to handle it), RT0304 / RT0305 for a non-closure or a wrong
/// argument count, RT0404 for bad handles, RT0001 outside a host function of `rt`.
///
/// # Safety
/// `args` is NULL with `nargs == 0` or points to `nargs` readable handles; `rt` is NULL or
/// any pointer value (a dead or forged one is diagnosed, not read); called on the thread
/// running the host function.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_call_closure(
    rt: *mut AiviRuntime,
    closure: AiviValueHandle,
    args: *const AiviValueHandle,
    nargs: usize,
) -> AiviValueHandle {
    let outcome = catch_abi_panic(|| {
        let Some((call, _name)) = active_call_for(rt) else {
            return Err(misuse(
                "cairn_call_closure: no host function of this runtime is running on this thread",
            ));
        };
        // SAFETY: the entry is on this thread's stack, so its host function is running and
        // its `HostCall` is alive and not otherwise borrowed (the host function's own frame
        // is suspended in the C call that called us).
        let call = unsafe { &mut *call };
        let handles: &[AiviValueHandle] = if nargs == 0 {
            &[]
        } else if args.is_null() {
            return Err(RuntimeError::invalid_reference(&format!(
                "cairn_call_closure: args is NULL but nargs is {nargs}"
            )));
        } else {
            // SAFETY: non-NULL with `nargs` readable handles per this function's contract.
            unsafe { std::slice::from_raw_parts(args, nargs) }
        };
        let context = call.context();
        if closure.is_null() {
            return Err(RuntimeError::invalid_reference(
                "cairn_call_closure: closure is a NULL value handle",
            ));
        }
        let callee = checked_value(&context.heap, closure)?;
        let mut words = Vec::with_capacity(handles.len());
        for (position, &handle) in handles.iter().enumerate() {
            if handle.is_null() {
                return Err(RuntimeError::invalid_reference(&format!(
                    "cairn_call_closure: argument {position} is a NULL value handle"
                )));
            }
            words.push(checked_value(&context.heap, handle)?);
        }
        let tag = context.heap.handle_tag();
        call.call_closure(callee, &words)
            .map(|word| AiviValueHandle::tagged(word.bits(), tag))
    });
    outcome.unwrap_or_else(|error| {
        // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
        unsafe { park_in_runtime(rt, error) };
        AiviValueHandle::NULL
    })
}

/// `uint32_t cairn_effect_fail(AiviEffectHandle effect, const char *message)`: fails the host
/// call `effect` was given to with RT0701 `host function NAME failed: MESSAGE` — what a Rust
/// host function's `HostError` gives — replacing anything parked during the call; the host
/// function then returns NULL. 1, or 0 when `effect` is not the effect of a host function
/// running on this thread (nothing is raised).
///
/// # Safety
/// `message` is NULL (an empty message) or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_effect_fail(
    effect: AiviEffectHandle,
    message: *const c_char,
) -> u32 {
    let outcome = catch_abi_panic(|| {
        let message = if message.is_null() {
            String::new()
        } else {
            // SAFETY: non-NULL and NUL-terminated per this function's contract.
            unsafe { std::ffi::CStr::from_ptr(message) }
                .to_string_lossy()
                .into_owned()
        };
        let found = ACTIVE.with(|active| {
            active
                .borrow()
                .iter()
                .rev()
                .find(|call| call.effect == effect)
                .map(|call| (call.call, call.name.clone()))
        });
        let Some((call, name)) = found else {
            return Ok(0);
        };
        // SAFETY: as in `cairn_call_closure`: the entry's host function is running on this
        // thread and its `HostCall` is not otherwise borrowed.
        let call = unsafe { &mut *call };
        let _replaced = call.context().take_error();
        let failure = RuntimeError::host_failed(&name, &message);
        Ok(u32::from(effect_raise(
            effect,
            failure.code.as_str(),
            &failure.message,
        )?))
    });
    outcome.unwrap_or(0)
}
