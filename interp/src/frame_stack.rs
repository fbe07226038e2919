//! The executor's frame stack: its saved callers, the growth of its register file and
//! frame stack (failing with an error, never aborting), and the unwind of a failure through
//! every frame: for each frame, innermost first, `rt_unwind_frame(function, op)`,
//! `rt_release` of the op's cleanup registers in order, `rt_leave`; a caller's failing op is
//! its `Call`.

use cairn_runtime::abi::shims;
use cairn_runtime::context::Context;
use cairn_runtime::error::RuntimeError;

use crate::code::{CompiledFunction, Instr, ProgramCounter, Register, SiteId};
use crate::execute::Executor;
use crate::fast_paths;
use crate::observe::ExecutionObserver;

/// The run failed; the error and its frames are parked in the context.
#[derive(Debug)]
pub(crate) struct Failed;

/// A suspended caller: where to resume and where the callee's result goes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SavedFrame {
    pub(crate) function: u32,
    pub(crate) base: usize,
    /// Where the caller resumes, in the code the run executes (`code_for`).
    pub(crate) return_pc: ProgramCounter,
    /// The caller's `Call` site: its op index and cleanup are used if the callee fails.
    pub(crate) call_site: SiteId,
    pub(crate) result_register: Register,
}

/// The code a run observed by `O` executes: the plain code when `O` is told every op, else
/// the superinstructions specialized to the module's own calls (`specialized`) or generic.
#[inline(always)]
pub(crate) fn code_for<O: ExecutionObserver>(
    function: &CompiledFunction,
    specialized: bool,
) -> &[Instr] {
    if O::SEES_EVERY_OP {
        &function.code
    } else if specialized {
        &function.fast_code
    } else {
        &function.generic_fast_code
    }
}

/// `rt_release` of an owned word (skipped for non-heap words: see `fast_paths`).
///
/// # Safety
/// `ctx` must satisfy the contract of [`Executor::new`].
#[inline(always)]
pub(crate) unsafe fn release(ctx: *mut Context, word: u64) {
    if fast_paths::is_heap(word) {
        // SAFETY: the caller guarantees `ctx` is valid and unaliased. Release never fails;
        // integrity violations are parked in the context by the shim.
        unsafe { shims::rt_release(ctx, word) };
    }
}

impl Executor<'_> {
    /// Grows the register file to `needed` words; on allocation failure parks an error
    /// and returns false (the caller unwinds). `#[inline]`: called from the generic loop,
    /// it would otherwise be exported and kept out of line, which perturbs the dispatch
    /// loop's register allocation (measurably slower).
    #[inline]
    pub(crate) fn grow_registers(&mut self, needed: usize) -> bool {
        let additional = needed - self.registers.len();
        if crate::failed_call::over_register_file_cap(needed)
            || self.registers.try_reserve(additional).is_err()
        {
            // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`); no other
            // reference to the context is live here.
            let context = unsafe { &mut *self.ctx };
            context.raise(RuntimeError::internal(
                "the interpreter's register stack could not grow",
            ));
            return false;
        }
        self.registers
            .resize(needed, cairn_runtime::value::UNIT_WORD);
        true
    }

    /// Makes room for one more saved frame; on allocation failure parks an error and
    /// returns false (the caller unwinds). `#[inline]`: see `grow_registers`.
    #[inline]
    pub(crate) fn grow_frames(&mut self) -> bool {
        if self.frames.try_reserve(1).is_err() {
            // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`); no other
            // reference to the context is live here.
            let context = unsafe { &mut *self.ctx };
            context.raise(RuntimeError::internal(
                "the interpreter's frame stack could not grow",
            ));
            return false;
        }
        true
    }

    /// Unwinds from a failing op at `site` of `function_index` (window at `base`) through
    /// every saved frame; the error is already parked in the context.
    #[cold]
    #[inline(never)]
    pub(crate) fn unwind<O: ExecutionObserver>(
        &mut self,
        mut function_index: u32,
        mut base: usize,
        mut site: SiteId,
        observer: &mut O,
    ) -> Failed {
        let ctx = self.ctx;
        loop {
            let function = &self.program.functions[function_index as usize];
            let fail_site = &function.sites[site as usize];
            // SAFETY: `ctx` is valid for the run (`Executor::new`) and no shim is running, so
            // no `&mut Context` exists while the observer holds this shared reference.
            observer.before_unwind_frame(unsafe { &*ctx }, function_index, fail_site.op);
            // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
            unsafe { shims::rt_unwind_frame(ctx, function_index as u64, fail_site.op as u64) };
            for register in function.cleanup_registers(fail_site) {
                // Cleanup registers are below the frame's `frame_size` (`translate.rs`) and
                // the window is inside the file (`run`'s invariant), but a checked read
                // costs nothing on this cold path.
                let word = self.registers[base + register as usize];
                // SAFETY: as above.
                unsafe { release(ctx, word) };
            }
            // SAFETY: as above.
            unsafe { shims::rt_leave(ctx) };
            let Some(caller) = self.frames.pop() else {
                return Failed;
            };
            function_index = caller.function;
            base = caller.base;
            site = caller.call_site;
        }
    }
}
