//! The execution observer: a hook the executor calls as each instruction starts (and as
//! each frame unwinds), naming the IR op the instruction belongs to. Tools such as the
//! conformance runner's trace attribution use it to learn which op produced which heap
//! event without re-implementing the interpreter. `run_main` uses [`NoObserver`], whose
//! empty inline methods compile away, so the plain executor pays nothing for the hook (and
//! runs the superinstructions, which report no ops of their own).

use cairn_runtime::context::Context;

/// Watches a run. The executor calls these methods only between shim calls: the `&Context`
/// is never live while a shim holds the context mutably.
pub trait ExecutionObserver {
    /// Whether the observer is told every IR op. True for every observer but
    /// [`NoObserver`]: the executor then runs each function's plain `code` (one instruction
    /// per op); without one it runs the superinstructions of `fast_code`, which do the same.
    const SEES_EVERY_OP: bool = true;

    /// Instruction of IR op `op` (function-wide numbering of `ir::Function::op_at`) of
    /// function `function` is about to execute. Moves generated for a `Jump`'s block
    /// arguments report the `Jump` terminator's op; a `Jump` to the next block that moves
    /// nothing has no instruction and is not reported.
    fn before_instruction(&mut self, ctx: &Context, function: u32, op: u32);

    /// A failure is unwinding frame `function`, whose failing op is `op` (the innermost
    /// frame's failing op, or a caller's `Call`): `rt_unwind_frame`, the op's cleanup
    /// releases and `rt_leave` for that frame follow.
    #[inline(always)]
    fn before_unwind_frame(&mut self, ctx: &Context, function: u32, op: u32) {
        let _ = (ctx, function, op);
    }
}

/// Audit mode's site tracking: tells the heap which IR op is running, so that a block
/// allocated by it is attributed to `(function, op)` (the JIT's audit variant stores the
/// same site before each op).
#[derive(Clone, Copy, Debug, Default)]
pub struct AllocationSiteObserver;

impl ExecutionObserver for AllocationSiteObserver {
    #[inline(always)]
    fn before_instruction(&mut self, ctx: &Context, function: u32, op: u32) {
        ctx.heap
            .set_current_site(cairn_runtime::heap::AllocationSite::op(function, op));
    }
}

/// Observes nothing; the hooks compile away.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoObserver;

impl ExecutionObserver for NoObserver {
    const SEES_EVERY_OP: bool = false;

    #[inline(always)]
    fn before_instruction(&mut self, _ctx: &Context, _function: u32, _op: u32) {}
}
