//! A call that fails before its callee runs: the register file or the frame stack could not
//! grow for the callee's window. The callee's `Enter` never ran, and the call site's cleanup
//! leaves out the arguments the call consumes (they belong to the callee's params), so
//! unwinding from the call site alone would leak them. This unwinds the way the JIT does
//! when a callee fails at its `Enter`: the callee's frame first (`rt_unwind_frame(callee,
//! Enter op)`, then its `Enter` cleanup — its owned params, here read from the caller's
//! argument registers — released in that order), then the caller's frames as usual. The
//! refcount trace is the one of a failed `Enter`.
//!
//! Also here: a test-only cap on the register file ([`limit_register_file_for_tests`]) that
//! makes this failure reachable without exhausting the host's memory.

use std::cell::Cell;

use cairn_runtime::abi::shims;

use crate::code::{Instr, Register, SiteId};
use crate::execute::Executor;
use crate::frame_stack::{Failed, release};
use crate::observe::ExecutionObserver;

/// The call that could not get its frame.
pub(crate) struct FailedCall<'a> {
    pub(crate) callee: u32,
    /// The caller's registers holding the arguments, in param order.
    pub(crate) args: &'a [Register],
    /// A tail call: the caller's frame was to be left, so it is left here.
    pub(crate) tail: bool,
}

thread_local! {
    /// The most registers an executor on this thread may grow its register file to.
    static REGISTER_FILE_CAP: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// Caps the register file of every interpreter run on this thread at `words` registers
/// (`None`: no cap) so that tests can make the growth at a call fail. Not for production
/// use: a capped run fails with RT0001 where an uncapped one would go on.
#[doc(hidden)]
pub fn limit_register_file_for_tests(words: Option<usize>) {
    REGISTER_FILE_CAP.with(|cap| cap.set(words.unwrap_or(usize::MAX)));
}

/// Whether a register file of `needed` words is over the test cap.
#[inline]
pub(crate) fn over_register_file_cap(needed: usize) -> bool {
    needed > REGISTER_FILE_CAP.with(Cell::get)
}

impl Executor<'_> {
    /// Unwinds `call`, which failed before its callee's `Enter` (the error is parked), made
    /// by `function_index` (window at `base`) at `site`: see the module docs.
    #[cold]
    #[inline(never)]
    pub(crate) fn unwind_failed_call<O: ExecutionObserver>(
        &mut self,
        call: FailedCall<'_>,
        function_index: u32,
        base: usize,
        site: SiteId,
        observer: &mut O,
    ) -> Failed {
        let ctx = self.ctx;
        let program = self.program;
        let callee = &program.functions[call.callee as usize];
        // Block 0 starts with `Enter` (the verifier's rule); without one, op 0 stands in.
        let (enter_op, cleanup): (u32, Vec<Register>) = match callee.code.first() {
            Some(Instr::Enter { site }) => {
                let enter = &callee.sites[*site as usize];
                (enter.op, callee.cleanup_registers(enter).collect())
            }
            _ => (0, Vec::new()),
        };
        // SAFETY: `ctx` is valid for the run (`Executor::new`) and no shim is running.
        observer.before_unwind_frame(unsafe { &*ctx }, call.callee, enter_op);
        // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
        unsafe { shims::rt_unwind_frame(ctx, u64::from(call.callee), u64::from(enter_op)) };
        for register in &cleanup {
            let Some(position) = callee.param_registers.iter().position(|p| p == register) else {
                continue; // not a param: never set, since the callee never ran
            };
            if let Some(&arg) = call.args.get(position) {
                let word = self.registers[base + arg as usize];
                // SAFETY: as above.
                unsafe { release(ctx, word) };
            }
        }
        if !call.tail {
            // The callee's Enter and its Leave cancel out: the caller's frame is next.
            return self.unwind(function_index, base, site, observer);
        }
        // A tail call leaves the caller's frame before the callee enters.
        // SAFETY: as above.
        unsafe { shims::rt_leave(ctx) };
        match self.frames.pop() {
            Some(caller) => self.unwind(caller.function, caller.base, caller.call_site, observer),
            None => Failed,
        }
    }
}
