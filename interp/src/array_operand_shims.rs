//! The executor's calls of shims that take their operands as an array of words
//! (`MakeList`/`MakeTuple`/`MakeMap`, `MakeClosure`, `CallHost`, a value call's
//! `rt_call_target`): the operand registers' words are gathered into the executor's spill
//! buffer, which nothing touches during the call (a host function or closure calling back
//! into the program runs a nested executor with its own buffers). Each returns the shim's
//! word: 0 means the shim failed with its error parked, and the caller unwinds.

use cairn_runtime::abi::shims;

use crate::code::{Register, ShimFn2};
use crate::execute::Executor;

impl Executor<'_> {
    /// Gathers the words of `registers` of the window at `frame` into `spill`.
    ///
    /// # Safety
    /// `frame` points at the current window and every register in `registers` is below its
    /// `frame_size` (the executor's invariant, `execute.rs`).
    #[inline]
    unsafe fn gather(&mut self, frame: *const u64, registers: &[Register]) {
        self.spill.clear();
        for &register in registers {
            // SAFETY: the caller guarantees the register is inside the window.
            self.spill.push(unsafe { *frame.add(register as usize) });
        }
    }

    /// `shim(words of registers, count)`: `rt_list_from`, `rt_tuple_from` or `rt_map_from`.
    ///
    /// # Safety
    /// As [`Executor::gather`], and the contract of [`Executor::new`] for the context.
    pub(crate) unsafe fn call_aggregate_shim(
        &mut self,
        frame: *const u64,
        shim: ShimFn2,
        registers: &[Register],
        count: u32,
    ) -> u64 {
        // SAFETY: the caller's contract.
        unsafe { self.gather(frame, registers) };
        let pointer = self.spill.as_ptr() as u64;
        // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`); `spill` holds
        // the gathered words and is not touched during the call.
        unsafe { shim(self.ctx, pointer, u64::from(count)) }
    }

    /// `rt_closure_from([Int(function), words of captures])`.
    ///
    /// # Safety
    /// As [`Executor::call_aggregate_shim`].
    pub(crate) unsafe fn make_closure(
        &mut self,
        frame: *const u64,
        function: u32,
        captures: &[Register],
    ) -> u64 {
        // SAFETY: the caller's contract.
        unsafe { self.gather(frame, captures) };
        let function_word = cairn_runtime::value::Value::int(i64::from(function))
            .expect("function ids fit in an Int")
            .bits();
        self.spill.insert(0, function_word);
        let (pointer, words) = (self.spill.as_ptr() as u64, self.spill.len() as u64);
        // SAFETY: as in `call_aggregate_shim`.
        unsafe { shims::rt_closure_from(self.ctx, pointer, words) }
    }

    /// `rt_call_host(host, words of args, count)`.
    ///
    /// # Safety
    /// As [`Executor::call_aggregate_shim`].
    pub(crate) unsafe fn call_host(
        &mut self,
        frame: *const u64,
        host: u32,
        args: &[Register],
    ) -> u64 {
        // SAFETY: the caller's contract.
        unsafe { self.gather(frame, args) };
        let (pointer, count) = (self.spill.as_ptr() as u64, self.spill.len() as u64);
        // SAFETY: as in `call_aggregate_shim`.
        unsafe { shims::rt_call_host(self.ctx, u64::from(host), pointer, count) }
    }

    /// `rt_call_target(callee, words of args, count)` for a value call whose operands are
    /// `[callee, args...]`: the callee's function-table entry (index + 1).
    ///
    /// # Safety
    /// As [`Executor::call_aggregate_shim`]; `operands` is not empty.
    pub(crate) unsafe fn call_target(&mut self, frame: *const u64, operands: &[Register]) -> u64 {
        // SAFETY: the caller's contract (the callee register is inside the window).
        let callee = unsafe { *frame.add(operands[0] as usize) };
        // SAFETY: the caller's contract.
        unsafe { self.gather(frame, &operands[1..]) };
        let (pointer, count) = (self.spill.as_ptr() as u64, self.spill.len() as u64);
        // SAFETY: as in `call_aggregate_shim`.
        unsafe { shims::rt_call_target(self.ctx, callee, pointer, count) }
    }
}
