//! Host functions (docs/ABI.md, "Host functions"): functions an embedder registers, which scripts
//! call like any function. The compiled IR names a host function by its index in the module's
//! host-function list; the embedder installs the same list in the context
//! (`Context::host_functions`) before a run, and both engines call it through the one shim
//! `rt_call_host`, so the refcount trace of a program that calls host functions is identical on
//! both engines.
//!
//! A host function receives its arguments as *borrowed* value words and returns an *owned*
//! word (or a failure). It runs with a [`HostCall`], through which it can read and build
//! values in the run's heap, call script closures back, and observe cancellation. Failures
//! become RT0701 `host function {name} failed: {message}`; a panic is caught and becomes
//! RT0702 `host function {name} panicked: {message}`; either way the run unwinds normally and
//! the runtime stays usable.
//!
//! A failed closure callback's error (with its frames) is taken out of the context and handed
//! to the host function: if the host re-raises that error (`HostFailure::Raised`), the run
//! fails with it and the callback's frames; if it fails otherwise, with its own RT0701; if it
//! returns a value (it handled the failure), nothing of the failure remains.

use std::sync::Arc;

use crate::context::Context;
use crate::error::RuntimeError;
use crate::value::Value;

/// Why a host function did not return a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostFailure {
    /// The host reports a failure: RT0701 with this message.
    Failed(String),
    /// A runtime error to raise as it is (for example the RT0502 of a closure the host called
    /// back, or a code the host chose).
    Raised(RuntimeError),
}

/// The body of a host function: borrowed argument words in, an owned word out.
pub type HostFunctionBody =
    dyn Fn(&mut HostCall<'_>, &[Value]) -> Result<Value, HostFailure> + Send + Sync;

/// One registered host function.
#[derive(Clone)]
pub struct HostFunction {
    pub name: String,
    pub arity: usize,
    pub body: Arc<HostFunctionBody>,
}

impl std::fmt::Debug for HostFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HostFunction({}/{})", self.name, self.arity)
    }
}

/// What a running host function can do with the run it was called from.
pub struct HostCall<'a> {
    ctx: *mut Context,
    /// The last error a closure called back raised, with its frames: taken out of the
    /// context (so a host that handles it leaves nothing parked) and put back if the host
    /// re-raises it.
    callback_failure: Option<(RuntimeError, Vec<crate::context::ErrorFrame>)>,
    _context: std::marker::PhantomData<&'a mut Context>,
}

impl HostCall<'_> {
    /// The run's context (to read arguments and build results in its heap). Do not keep the
    /// reference across [`HostCall::call_closure`].
    pub fn context(&mut self) -> &mut Context {
        // SAFETY: `rt_call_host` creates the HostCall from the shim's context pointer and
        // holds no other reference to the context while the host function runs; this borrow
        // is tied to `&mut self`, so it cannot overlap a closure call.
        unsafe { &mut *self.ctx }
    }

    /// Calls the script closure `closure` (borrowed) with `args` (borrowed; retained for the
    /// callee) and returns its owned result. A failure of the closure is returned as the
    /// runtime error it raised (its frames are recorded); return it as
    /// `HostFailure::Raised` to let the run unwind.
    pub fn call_closure(&mut self, closure: Value, args: &[Value]) -> Result<Value, RuntimeError> {
        let mut owned = Vec::with_capacity(args.len());
        for &arg in args {
            match crate::objects::retain(&mut self.context().heap, arg) {
                Ok(word) => owned.push(word),
                Err(error) => {
                    for word in owned {
                        crate::abi::shims::release_recording(self.context(), word);
                    }
                    return Err(error);
                }
            }
        }
        // A call leaves the depth as it found it, also when the closure failed and the host
        // goes on (a fused pipeline's callback runs with extra depth it undoes only on
        // success: lang's `fuse_pipelines.rs`).
        let depth = self.context().call_depth;
        // SAFETY: no `&mut Context` derived from `self.ctx` is live (the borrows above ended).
        let outcome = unsafe { crate::abi::invoke::call_closure(self.ctx, closure, &owned) };
        self.context().call_depth = depth;
        outcome.map_err(|placeholder| match self.context().take_error() {
            Some((error, frames)) => {
                self.callback_failure = Some((error.clone(), frames));
                error
            }
            None => placeholder,
        })
    }

    /// Whether the run was asked to stop (the host should return soon).
    pub fn is_cancelled(&mut self) -> bool {
        self.context().cancel.is_cancelled()
    }
}

/// Runs host function `index` of the installed list with the borrowed words `args`.
///
/// # Safety
/// `ctx` is the run's context pointer with no `&mut Context` live.
pub(crate) unsafe fn call_host(
    ctx: *mut Context,
    index: u64,
    args: &[Value],
) -> Result<u64, RuntimeError> {
    let function = {
        // SAFETY: no `&mut Context` is live (the caller's contract); this one ends here.
        let context = unsafe { &mut *ctx };
        let function = usize::try_from(index)
            .ok()
            .and_then(|i| context.host_functions.get(i))
            .cloned()
            .ok_or_else(|| {
                RuntimeError::internal(&format!(
                    "host function {index} is not installed in this runtime ({} are)",
                    context.host_functions.len()
                ))
            })?;
        if function.arity != args.len() {
            return Err(RuntimeError::arity_mismatch(
                &function.name,
                function.arity,
                args.len(),
            ));
        }
        function
    };
    let mut call = HostCall {
        ctx,
        callback_failure: None,
        _context: std::marker::PhantomData,
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        (function.body)(&mut call, args)
    }));
    match outcome {
        Ok(Ok(value)) if value.bits() != 0 && value.is_well_formed() => {
            // The host returned a value: nothing may stay parked, or the run's next failure
            // would be reported as that stale error (`call_closure` already takes a failed
            // callback's error out; this also covers anything else a host left parked).
            // SAFETY: the host function has returned; no `&mut Context` is live.
            let _handled = unsafe { &mut *ctx }.take_error();
            Ok(value.bits())
        }
        Ok(Ok(value)) => Err(RuntimeError::host_failed(
            &function.name,
            &format!("returned the invalid word {:#018x}", value.bits()),
        )),
        Ok(Err(HostFailure::Failed(message))) => {
            Err(RuntimeError::host_failed(&function.name, &message))
        }
        Ok(Err(HostFailure::Raised(error))) => {
            // Re-raising a callback's error keeps the callback's frames.
            if let Some((failed, frames)) = call.callback_failure.take()
                && failed == error
            {
                call.context().error_frames = frames;
            }
            Err(error)
        }
        Err(panic) => Err(RuntimeError::host_panicked(
            &function.name,
            &crate::abi::handles::boundary::panic_detail(panic.as_ref()),
        )),
    }
}
