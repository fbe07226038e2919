//! The executor: one loop over the compact code with an explicit frame stack (a language
//! call pushes a [`SavedFrame`]; nothing recurses on the Rust stack) and one register file
//! (`Vec<u64>`) holding every frame's window back to back.
//!
//! Every instruction calls the shim of its IR op (or takes one of the documented inline
//! fast paths of `fast_paths.rs` and `inline_control.rs`); a superinstruction does what its
//! plain instructions do, in order. A fallible shim returning 0 starts the unwind
//! (`frame_stack.rs`). Every function exit, normal or not, calls `rt_leave` exactly once.
//!
//! The loop is generic over an [`ExecutionObserver`], told the IR op of each instruction as
//! it starts and of each frame as it unwinds, between shim calls; an observer runs the
//! plain code (one instruction per op), and with [`crate::NoObserver`] the hooks compile
//! away and the loop runs the superinstructions (`code_for`).
//!
//! The current window is reached through `frame`, a raw pointer to its first register:
//! the translator only emits register indices below the function's `frame_size`
//! (`translate.rs`: `register()` and the scratch registers), and the executor keeps
//! `registers.len() >= base + frame_size` for every live frame (`run` sizes the entry
//! window, a call grows the file before entering a callee, and the file never shrinks
//! during a run), re-deriving `frame` after every change of window or growth of the file.

use cairn_runtime::abi::shims;
use cairn_runtime::context::Context;
use cairn_runtime::error::RuntimeError;
use cairn_runtime::value::TRUE_WORD;

use crate::code::{CompiledFunction, Instr, InterpProgram, ProgramCounter, Register};
use crate::failed_call::FailedCall;
use crate::fast_paths;
use crate::frame_stack::{Failed, SavedFrame, code_for, release};
use crate::inline_control;
use crate::observe::{ExecutionObserver, NoObserver};
use crate::shim_selection::comparison_shim;

/// Registers reserved up front (grown on demand by deep call chains).
const INITIAL_REGISTERS: usize = 4096;

pub(crate) struct Executor<'p> {
    pub(crate) program: &'p InterpProgram,
    pub(crate) ctx: *mut Context,
    pub(crate) registers: Vec<u64>,
    pub(crate) frames: Vec<SavedFrame>,
    /// Operand words of the shims taking an array (`array_operand_shims.rs`).
    pub(crate) spill: Vec<u64>,
    /// A tail call's argument words, read before the callee overwrites the window.
    tail_args: Vec<u64>,
    /// Whether the run executes the `fast_code` specialized to the module's own calls (the
    /// host entered at the entry function, or with arguments that fit) or the generic one.
    specialized: bool,
}

/// An executor's growable buffers, kept for the next executor of this thread so that a host
/// call does not allocate them again.
struct Buffers {
    registers: Vec<u64>,
    frames: Vec<SavedFrame>,
    spill: Vec<u64>,
    tail_args: Vec<u64>,
}

/// The most executors' buffers a thread keeps (nested executors run closures called back).
const SPARE_BUFFER_SETS: usize = 4;

/// Register files above this many words are not kept (one deep run must not pin its peak).
const MAX_SPARE_REGISTERS: usize = 1 << 16;

thread_local! {
    static SPARE_BUFFERS: std::cell::RefCell<Vec<Buffers>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Drop for Executor<'_> {
    fn drop(&mut self) {
        if self.registers.capacity() > MAX_SPARE_REGISTERS {
            return;
        }
        let mut buffers = Buffers {
            registers: std::mem::take(&mut self.registers),
            frames: std::mem::take(&mut self.frames),
            spill: std::mem::take(&mut self.spill),
            tail_args: std::mem::take(&mut self.tail_args),
        };
        buffers.registers.clear();
        buffers.frames.clear();
        buffers.spill.clear();
        buffers.tail_args.clear();
        // `try_with`: during thread teardown the pool may already be gone.
        let _ = SPARE_BUFFERS.try_with(|spare| {
            let mut spare = spare.borrow_mut();
            if spare.len() < SPARE_BUFFER_SETS {
                spare.push(buffers);
            }
        });
    }
}

impl<'p> Executor<'p> {
    /// # Safety
    /// `ctx` must come from [`Context::as_ptr`], stay valid, and not be accessed through any
    /// other reference while the executor runs (it is passed to every shim; the executor
    /// itself lends the observer a shared `&Context` only between shim calls).
    /// `specialized`: see [`Executor::specialized`]; true only when the run's host call
    /// fits the value kinds `fast_code` was specialized for.
    pub(crate) unsafe fn new(
        program: &'p InterpProgram,
        ctx: *mut Context,
        specialized: bool,
    ) -> Executor<'p> {
        let buffers = SPARE_BUFFERS
            .with(|spare| spare.borrow_mut().pop())
            .unwrap_or_else(|| Buffers {
                registers: Vec::with_capacity(INITIAL_REGISTERS),
                frames: Vec::new(),
                spill: Vec::new(),
                tail_args: Vec::new(),
            });
        Executor {
            specialized,
            program,
            ctx,
            registers: buffers.registers,
            frames: buffers.frames,
            spill: buffers.spill,
            tail_args: buffers.tail_args,
        }
    }

    /// [`Executor::run`] without an observer: its own non-generic function into which the
    /// loop is inlined (`cairn bench` times this path).
    pub(crate) fn run_unobserved(&mut self, entry: u32, args: &[u64]) -> Result<u64, Failed> {
        self.run(entry, args, &mut NoObserver)
    }

    /// [`Executor::run`] reporting allocation sites (audit mode), or unobserved when the heap
    /// does not track them.
    pub(crate) fn run_plain_or_audited(&mut self, entry: u32, args: &[u64]) -> Result<u64, Failed> {
        // SAFETY: no shim is running: the executor holds the context pointer exclusively
        // between instructions, and this shared read ends before the run starts.
        let tracks_sites = unsafe { &*self.ctx }.heap.tracks_allocation_sites();
        if tracks_sites {
            self.run_audited(entry, args)
        } else {
            self.run_unobserved(entry, args)
        }
    }

    #[inline(never)]
    fn run_audited(&mut self, entry: u32, args: &[u64]) -> Result<u64, Failed> {
        self.run(entry, args, &mut crate::observe::AllocationSiteObserver)
    }

    /// Runs function `entry` with the owned words `args` as its params (as many as it takes)
    /// to completion, telling `observer` about every instruction and unwound frame.
    #[inline(always)]
    pub(crate) fn run<O: ExecutionObserver>(
        &mut self,
        entry: u32,
        args: &[u64],
        observer: &mut O,
    ) -> Result<u64, Failed> {
        let program = self.program;
        let ctx = self.ctx;
        let specialized = self.specialized;
        let mut function_index = entry;
        let mut function: &'p CompiledFunction = &program.functions[entry as usize];
        let mut code: &'p [Instr] = code_for::<O>(function, specialized);
        let mut base = 0usize;
        // The next instruction: always inside `code` (see the loop's SAFETY comment).
        let mut ip: *const Instr = code.as_ptr();
        self.registers.clear();
        self.registers.resize(
            function.frame_size as usize,
            cairn_runtime::value::UNIT_WORD,
        );
        for (&word, &param) in args.iter().zip(function.param_registers.iter()) {
            self.registers[param as usize] = word;
        }
        let mut frame: *mut u64 = self.registers.as_mut_ptr();

        // Register `$r` of the current window (see the module docs for why it is inside).
        macro_rules! reg {
            ($r:expr) => {{
                let index = $r as usize;
                debug_assert!(base + index < self.registers.len());
                // SAFETY: `frame` points at the current window and `index < frame_size`
                // (module docs).
                unsafe { *frame.add(index) }
            }};
        }
        macro_rules! set_reg {
            ($r:expr, $word:expr) => {{
                let word = $word;
                let index = $r as usize;
                debug_assert!(base + index < self.registers.len());
                // SAFETY: as in `reg!`.
                unsafe { *frame.add(index) = word }
            }};
        }
        // Re-derives `frame` after `base` changed or the register file grew.
        macro_rules! refresh_frame {
            () => {{
                debug_assert!(base + function.frame_size as usize <= self.registers.len());
                // SAFETY: the window `base..base + frame_size` is inside the file (module
                // docs).
                frame = unsafe { self.registers.as_mut_ptr().add(base) };
            }};
        }

        // Continues at instruction `$pc` of `code`.
        macro_rules! jump_to {
            ($pc:expr) => {{
                let pc = $pc as usize;
                debug_assert!(pc < code.len());
                // SAFETY: every target is inside `code` (see the loop's SAFETY comment).
                ip = unsafe { code.as_ptr().add(pc) };
            }};
        }
        // The index in `code` of the next instruction.
        macro_rules! next_pc {
            () => {{
                // SAFETY: `ip` points inside `code` (see the loop's SAFETY comment).
                unsafe { ip.offset_from(code.as_ptr()) as usize }
            }};
        }

        // Fails the current op: unwinds every frame and ends the run.
        macro_rules! check {
            ($word:expr, $site:expr) => {{
                let word = $word;
                if word == 0 {
                    return Err(self.unwind(function_index, base, $site, observer));
                }
                word
            }};
        }

        // A binary op with a pure inline fast path on the words `$a`, `$b`: the fast path's
        // word, or the shim's (which raises the error when there is one), into `$dst`.
        macro_rules! int_fast_path_or_shim {
            ($fast:path, $shim:path, $dst:expr, $a:expr, $b:expr, $site:expr) => {{
                let (a, b) = ($a, $b);
                let word = match $fast(a, b) {
                    Some(word) => word,
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                    None => check!(unsafe { $shim(ctx, a, b) }, $site),
                };
                set_reg!($dst, word);
            }};
        }

        // `Const $constant_register = Int($constant)`, then `$dst = $lhs op` that constant:
        // the constant-operand fast path, or the op's shim on the same two words.
        macro_rules! int_with_constant {
            ($fast:path, $shim:path, $dst:expr, $lhs:expr, $constant_register:expr,
             $constant:expr, $site:expr) => {{
                let b = fast_paths::int_word($constant);
                set_reg!($constant_register, b);
                let a = reg!($lhs);
                let word = match $fast(a, $constant) {
                    Some(word) => word,
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                    None => check!(unsafe { $shim(ctx, a, b) }, $site),
                };
                set_reg!($dst, word);
            }};
        }

        // `Compare $dst = $a <comparison> $b` (inline for two Ints, else the comparison's
        // shim), then the branch on it: the analysis proved the result a Bool, so the
        // Branch's `rt_expect_bool` would return it unchanged.
        macro_rules! compare_and_branch {
            ($comparison:expr, $dst:expr, $a:expr, $b:expr, $then_pc:expr, $else_pc:expr,
             $site:expr) => {{
                let (a, b) = ($a, $b);
                let word = match fast_paths::compare($comparison, a, b) {
                    Some(word) => word,
                    None => {
                        let shim = comparison_shim($comparison);
                        // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                        check!(unsafe { shim(ctx, a, b) }, $site)
                    }
                };
                set_reg!($dst, word);
                jump_to!(if word == TRUE_WORD {
                    $then_pc
                } else {
                    $else_pc
                });
            }};
        }

        // `Fuel`: one unit inline when some is left and no cancel is pending, else `rt_fuel`
        // (on the unchanged state) failing at `$site`.
        macro_rules! take_fuel {
            ($site:expr) => {{
                // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                if !unsafe { inline_control::take_fuel_if_left(ctx) } {
                    // SAFETY: as above.
                    check!(unsafe { shims::rt_fuel(ctx) }, $site);
                }
            }};
        }

        // `$body` for each `$index` in `0..$count`, in order. Calls and moves mostly have one
        // to three operands: those run without a loop's setup (LLVM unrolls a general loop,
        // which costs more than it saves for such counts).
        macro_rules! for_each_index {
            ($count:expr, |$index:ident| $body:block) => {{
                let count: usize = $count;
                if count > 0 {
                    let $index = 0usize;
                    $body
                    if count > 1 {
                        let $index = 1usize;
                        $body
                        if count > 2 {
                            let $index = 2usize;
                            $body
                            for $index in 3..count {
                                $body
                            }
                        }
                    }
                }
            }};
        }

        // `Enter`: inline within the limits, else `rt_enter` (on the unchanged state)
        // failing at `$site`.
        macro_rules! enter {
            ($site:expr) => {{
                // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                if !unsafe { inline_control::enter_if_within_limits(ctx) } {
                    // SAFETY: as above.
                    check!(unsafe { shims::rt_enter(ctx) }, $site);
                }
            }};
        }

        // The register moves `operands[$start + 2k] <- operands[$start + 2k + 1]`, in order.
        macro_rules! move_pairs {
            ($start:expr, $moves:expr) => {{
                let (start, moves) = ($start as usize, $moves as usize);
                debug_assert!(start + 2 * moves <= function.operands.len());
                // SAFETY: the superinstruction pass appended the `moves` pairs at `start` to
                // this function's operands (`superinstructions.rs`).
                let pairs = unsafe { function.operands.as_ptr().add(start) };
                for_each_index!(moves, |index| {
                    // SAFETY: as above; `index < moves`.
                    let (dst, src) = unsafe { (*pairs.add(2 * index), *pairs.add(2 * index + 1)) };
                    set_reg!(dst, reg!(src));
                });
            }};
        }

        // A language call of function `$callee` with the words of registers `$args` (in the
        // caller's window) as its params: pushes the caller's frame and switches to the callee.
        macro_rules! enter_call {
            ($callee:expr, $args:expr, $dst:expr, $site:expr) => {{
                let callee_index: u32 = $callee;
                debug_assert!((callee_index as usize) < program.functions.len());
                // SAFETY: a direct call's callee is a function of the module (checked at load
                // by `check_loadable`), a value call's was checked by `value_call_target!`.
                let callee_function =
                    unsafe { program.functions.get_unchecked(callee_index as usize) };
                let new_base = base + function.frame_size as usize;
                let needed = new_base + callee_function.frame_size as usize;
                if (needed > self.registers.len() && !self.grow_registers(needed))
                    || (self.frames.len() == self.frames.capacity() && !self.grow_frames())
                {
                    let failed_call = FailedCall {
                        callee: callee_index,
                        args: $args,
                        tail: false,
                    };
                    return Err(self.unwind_failed_call(
                        failed_call,
                        function_index,
                        base,
                        $site,
                        observer,
                    ));
                }
                refresh_frame!();
                // SAFETY: the callee's window `new_base..needed` is inside the file (grown
                // above); its param registers are below its `frame_size`.
                let callee_frame = unsafe { frame.add(function.frame_size as usize) };
                let (args, params): (&[Register], &[Register]) =
                    ($args, &callee_function.param_registers);
                for_each_index!(args.len().min(params.len()), |index| {
                    // SAFETY: `index` is below both lengths.
                    let (arg, param) =
                        unsafe { (*args.get_unchecked(index), *params.get_unchecked(index)) };
                    let word = reg!(arg);
                    // SAFETY: as above.
                    unsafe { *callee_frame.add(param as usize) = word };
                });
                let saved = SavedFrame {
                    function: function_index,
                    base,
                    return_pc: next_pc!() as ProgramCounter,
                    call_site: $site,
                    result_register: $dst,
                };
                let depth = self.frames.len();
                debug_assert!(depth < self.frames.capacity());
                // SAFETY: there is room for one more frame (ensured above, and nothing
                // pushed since), so the slot at `depth` is allocated and becomes initialised.
                unsafe {
                    self.frames.as_mut_ptr().add(depth).write(saved);
                    self.frames.set_len(depth + 1);
                }
                function_index = callee_index;
                function = callee_function;
                code = code_for::<O>(function, specialized);
                base = new_base;
                frame = callee_frame;
                ip = code.as_ptr();
            }};
        }

        // `rt_call_target` for a value call whose operands are `[callee, args...]`: the
        // function to call (this program's function table, which the run installed, has
        // entry = index + 1), or the unwind (the shim released the callee and args).
        macro_rules! value_call_target {
            ($operands:expr, $site:expr) => {{
                // SAFETY: `frame` is the current window, holding every operand register
                // (module docs); `ctx` is valid and unaliased for the run (`Executor::new`).
                let operands: &[Register] = $operands;
                // The runtime's read-only fast path of `rt_call_target` first (no gather, no
                // shim call); the shim only when it declines, to report or release.
                // SAFETY: `frame` holds `operands[0]` (module docs); no shim is running, so
                // this shared read of the context ends before any `&mut Context` is made.
                let accepted = unsafe {
                    cairn_runtime::abi::invoke::accepted_closure_target(
                        &*ctx,
                        cairn_runtime::Value(*frame.add(operands[0] as usize)),
                        operands.len() - 1,
                    )
                };
                let entry = match accepted {
                    Some(function) => u64::from(function) + 1,
                    // SAFETY: as above.
                    None => check!(unsafe { self.call_target(frame, operands) }, $site),
                };
                let callee = (entry - 1) as u32;
                if callee as usize >= program.functions.len() {
                    // SAFETY: as above.
                    unsafe {
                        (*ctx).raise(RuntimeError::internal(
                            "a closure names a function this program does not have",
                        ))
                    };
                    return Err(self.unwind(function_index, base, $site, observer));
                }
                callee
            }};
        }

        // A tail call of function `$callee` with the words of registers `$args`: the current
        // frame is left (`rt_leave`) and the callee takes over its register window; the
        // caller's saved frame (if any) receives the callee's result.
        macro_rules! enter_tail_call {
            ($callee:expr, $args:expr, $site:expr) => {{
                let callee_index: u32 = $callee;
                let callee_function = &program.functions[callee_index as usize];
                let needed = base + callee_function.frame_size as usize;
                if needed > self.registers.len() && !self.grow_registers(needed) {
                    let failed_call = FailedCall {
                        callee: callee_index,
                        args: $args,
                        tail: true,
                    };
                    return Err(self.unwind_failed_call(
                        failed_call,
                        function_index,
                        base,
                        $site,
                        observer,
                    ));
                }
                refresh_frame!();
                self.tail_args.clear();
                for &register in $args {
                    let word = reg!(register);
                    self.tail_args.push(word);
                }
                // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                unsafe { inline_control::leave(ctx) };
                function_index = callee_index;
                function = callee_function;
                code = code_for::<O>(function, specialized);
                ip = code.as_ptr();
                for (&word, &param) in self
                    .tail_args
                    .iter()
                    .zip(callee_function.param_registers.iter())
                {
                    set_reg!(param, word);
                }
            }};
        }

        loop {
            debug_assert!(next_pc!() < code.len());
            // SAFETY: every block ends in a terminator (a `Return`, a `Branch`, a `Jump`, or
            // a fall-through into the next block, which exists), jumps and branches target
            // block starts, and a `Call` (never last in a block) resumes at the next
            // instruction, so `ip` always points inside `code` (`translate.rs`; the
            // superinstruction pass keeps this: `superinstructions.rs`).
            let instr = unsafe { &*ip };
            if O::SEES_EVERY_OP {
                let pc = next_pc!();
                // SAFETY: `op_indices` has one table per function, with one entry per
                // instruction of its plain `code`, which observed runs execute
                // (`translate.rs`: `label_new_instructions` after every op and terminator);
                // `function_index` names a function and `pc` is inside its `code` (above).
                let op = unsafe {
                    let ops = program.op_indices.get_unchecked(function_index as usize);
                    debug_assert_eq!(ops.len(), code.len());
                    *ops.get_unchecked(pc)
                };
                // SAFETY: `ctx` is valid for the run (`Executor::new`) and no shim is
                // running, so no `&mut Context` exists while the observer holds this shared
                // reference.
                observer.before_instruction(unsafe { &*ctx }, function_index, op);
            }
            // SAFETY: the instruction at `ip` is not the last of `code` unless it ends the
            // function or jumps (see above), so `ip + 1` is inside `code` or, never read, one
            // past its end.
            ip = unsafe { ip.add(1) };
            match *instr {
                Instr::Const { dst, word } => set_reg!(dst, word),
                Instr::Move { dst, src } => set_reg!(dst, reg!(src)),
                Instr::Add {
                    dst,
                    lhs,
                    rhs,
                    site,
                } => int_fast_path_or_shim!(
                    fast_paths::add,
                    shims::rt_add,
                    dst,
                    reg!(lhs),
                    reg!(rhs),
                    site
                ),
                Instr::Sub {
                    dst,
                    lhs,
                    rhs,
                    site,
                } => int_fast_path_or_shim!(
                    fast_paths::sub,
                    shims::rt_sub,
                    dst,
                    reg!(lhs),
                    reg!(rhs),
                    site
                ),
                Instr::Mul {
                    dst,
                    lhs,
                    rhs,
                    site,
                } => int_fast_path_or_shim!(
                    fast_paths::mul,
                    shims::rt_mul,
                    dst,
                    reg!(lhs),
                    reg!(rhs),
                    site
                ),
                Instr::Div {
                    dst,
                    lhs,
                    rhs,
                    site,
                } => int_fast_path_or_shim!(
                    fast_paths::div,
                    shims::rt_div,
                    dst,
                    reg!(lhs),
                    reg!(rhs),
                    site
                ),
                Instr::Rem {
                    dst,
                    lhs,
                    rhs,
                    site,
                } => int_fast_path_or_shim!(
                    fast_paths::rem,
                    shims::rt_rem,
                    dst,
                    reg!(lhs),
                    reg!(rhs),
                    site
                ),
                Instr::Compare {
                    comparison,
                    shim,
                    dst,
                    lhs,
                    rhs,
                    site,
                } => {
                    let (a, b) = (reg!(lhs), reg!(rhs));
                    let word = match fast_paths::compare(comparison, a, b) {
                        Some(word) => word,
                        // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                        None => check!(unsafe { shim(ctx, a, b) }, site),
                    };
                    set_reg!(dst, word);
                }
                Instr::Branch {
                    condition,
                    context,
                    then_pc,
                    else_pc,
                    site,
                } => {
                    let mut word = reg!(condition);
                    if !fast_paths::is_bool(word) {
                        // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                        word = check!(
                            unsafe { shims::rt_expect_bool(ctx, word, context as u64) },
                            site
                        );
                    }
                    jump_to!(if word == TRUE_WORD { then_pc } else { else_pc });
                }
                Instr::Jump { target } => jump_to!(target),
                Instr::Enter { site } => enter!(site),
                Instr::Fuel { site } => take_fuel!(site),
                Instr::Shim1 {
                    shim,
                    dst,
                    operand,
                    site,
                } => {
                    let a = reg!(operand);
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                    let word = check!(unsafe { shim(ctx, a) }, site);
                    set_reg!(dst, word);
                }
                Instr::Shim2 {
                    shim,
                    dst,
                    lhs,
                    rhs,
                    site,
                } => {
                    let (a, b) = (reg!(lhs), reg!(rhs));
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                    let word = check!(unsafe { shim(ctx, a, b) }, site);
                    set_reg!(dst, word);
                }
                Instr::Shim3 {
                    shim,
                    dst,
                    first,
                    second,
                    third,
                    site,
                } => {
                    let (a, b, c) = (reg!(first), reg!(second), reg!(third));
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                    let word = check!(unsafe { shim(ctx, a, b, c) }, site);
                    set_reg!(dst, word);
                }
                Instr::Retain { dst, src, site } => {
                    let word = reg!(src);
                    let word = if fast_paths::is_heap(word) {
                        // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                        check!(unsafe { shims::rt_retain(ctx, word) }, site)
                    } else {
                        word
                    };
                    set_reg!(dst, word);
                }
                Instr::Release { var } => {
                    let word = reg!(var);
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                    unsafe { release(ctx, word) };
                }
                Instr::Text { dst, literal, site } => {
                    let bytes = &program.literals[literal as usize];
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`); the
                    // literal bytes are owned by `program`, which outlives the call.
                    let word = check!(
                        unsafe {
                            shims::rt_text_constant(
                                ctx,
                                u64::from(literal),
                                bytes.as_ptr() as u64,
                                bytes.len() as u64,
                            )
                        },
                        site
                    );
                    set_reg!(dst, word);
                }
                Instr::Aggregate {
                    shim,
                    dst,
                    start,
                    words,
                    count,
                    site,
                } => {
                    let registers = &function.operands[start as usize..(start + words) as usize];
                    // SAFETY: `frame` is the current window, holding every operand register
                    // (module docs); `ctx` is valid and unaliased (`Executor::new`).
                    let word = unsafe { self.call_aggregate_shim(frame, shim, registers, count) };
                    set_reg!(dst, check!(word, site));
                }
                Instr::Call {
                    callee,
                    dst,
                    start,
                    len,
                    site,
                } => {
                    let range = start as usize..(start + len) as usize;
                    debug_assert!(range.end <= function.operands.len());
                    // SAFETY: the translator pushed the call's `len` argument registers at
                    // `start` of this function's operands (`translate.rs`).
                    let args = unsafe { function.operands.get_unchecked(range) };
                    enter_call!(callee, args, dst, site);
                }
                Instr::CallValue {
                    dst,
                    start,
                    len,
                    site,
                } => {
                    // operands: the callee, then the args; all owned by the call.
                    let operands = &function.operands[start as usize..(start + 1 + len) as usize];
                    let callee = value_call_target!(operands, site);
                    enter_call!(callee, operands, dst, site);
                }
                Instr::Closure {
                    function: closure_function,
                    dst,
                    start,
                    count,
                    site,
                } => {
                    let captures = &function.operands[start as usize..(start + count) as usize];
                    // SAFETY: as for `Aggregate`.
                    let word = unsafe { self.make_closure(frame, closure_function, captures) };
                    set_reg!(dst, check!(word, site));
                }
                Instr::TailCall {
                    callee,
                    start,
                    len,
                    site,
                } => {
                    let args = &function.operands[start as usize..(start + len) as usize];
                    enter_tail_call!(callee, args, site);
                }
                Instr::TailCallValue { start, len, site } => {
                    let operands = &function.operands[start as usize..(start + 1 + len) as usize];
                    let callee = value_call_target!(operands, site);
                    enter_tail_call!(callee, operands, site);
                }
                Instr::CallHost {
                    host,
                    dst,
                    start,
                    len,
                    site,
                } => {
                    let args = &function.operands[start as usize..(start + len) as usize];
                    // SAFETY: as for `Aggregate`.
                    let word = unsafe { self.call_host(frame, host, args) };
                    set_reg!(dst, check!(word, site));
                }
                Instr::Shim0Value { shim, dst, site } => {
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                    let word = check!(unsafe { shim(ctx) }, site);
                    set_reg!(dst, word);
                }
                Instr::Return { value } => {
                    let word = reg!(value);
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                    unsafe { inline_control::leave(ctx) };
                    let Some(caller) = self.frames.pop() else {
                        return Ok(word);
                    };
                    function_index = caller.function;
                    debug_assert!((function_index as usize) < program.functions.len());
                    // SAFETY: a saved frame's function is the caller that was running, a
                    // function of this program.
                    function = unsafe { program.functions.get_unchecked(function_index as usize) };
                    code = code_for::<O>(function, specialized);
                    base = caller.base;
                    jump_to!(caller.return_pc);
                    refresh_frame!();
                    set_reg!(caller.result_register, word);
                }
                Instr::AddConstant {
                    dst,
                    lhs,
                    constant_register,
                    constant,
                    site,
                } => int_with_constant!(
                    fast_paths::add_constant,
                    shims::rt_add,
                    dst,
                    lhs,
                    constant_register,
                    constant,
                    site
                ),
                Instr::SubConstant {
                    dst,
                    lhs,
                    constant_register,
                    constant,
                    site,
                } => int_with_constant!(
                    fast_paths::sub_constant,
                    shims::rt_sub,
                    dst,
                    lhs,
                    constant_register,
                    constant,
                    site
                ),
                Instr::MulConstant {
                    dst,
                    lhs,
                    constant_register,
                    constant,
                    site,
                } => int_with_constant!(
                    fast_paths::mul_constant,
                    shims::rt_mul,
                    dst,
                    lhs,
                    constant_register,
                    constant,
                    site
                ),
                Instr::DivConstant {
                    dst,
                    lhs,
                    constant_register,
                    constant,
                    site,
                } => int_with_constant!(
                    fast_paths::div_by_nonzero_constant,
                    shims::rt_div,
                    dst,
                    lhs,
                    constant_register,
                    constant,
                    site
                ),
                Instr::RemConstant {
                    dst,
                    lhs,
                    constant_register,
                    constant,
                    site,
                } => int_with_constant!(
                    fast_paths::rem_by_nonzero_constant,
                    shims::rt_rem,
                    dst,
                    lhs,
                    constant_register,
                    constant,
                    site
                ),
                Instr::CompareBranch {
                    comparison,
                    dst,
                    lhs,
                    rhs,
                    then_pc,
                    else_pc,
                    site,
                } => compare_and_branch!(
                    comparison,
                    dst,
                    reg!(lhs),
                    reg!(rhs),
                    then_pc,
                    else_pc,
                    site
                ),
                Instr::CompareConstantBranch {
                    comparison,
                    dst,
                    lhs,
                    constant_register,
                    constant,
                    then_pc,
                    else_pc,
                    site,
                } => {
                    let b = fast_paths::int_word(constant);
                    set_reg!(constant_register, b);
                    compare_and_branch!(comparison, dst, reg!(lhs), b, then_pc, else_pc, site);
                }
                Instr::FuelMovesJump {
                    start,
                    moves,
                    target,
                    site,
                } => {
                    take_fuel!(site);
                    move_pairs!(start, moves);
                    debug_assert!((target as usize) < code.len());
                    // SAFETY: jump targets are inside `code` (see the loop's SAFETY comment).
                    match *unsafe { code.get_unchecked(target as usize) } {
                        // A loop header's test runs here, saving the dispatch of its
                        // instruction (the one the jump would execute next anyway).
                        Instr::CompareBranch {
                            comparison,
                            dst,
                            lhs,
                            rhs,
                            then_pc,
                            else_pc,
                            site,
                        } => compare_and_branch!(
                            comparison,
                            dst,
                            reg!(lhs),
                            reg!(rhs),
                            then_pc,
                            else_pc,
                            site
                        ),
                        _ => jump_to!(target),
                    }
                }
                Instr::EnterMoves { start, moves, site } => {
                    enter!(site);
                    move_pairs!(start, moves);
                }
                Instr::Release2 { first, second } => {
                    let word = reg!(first);
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                    unsafe { release(ctx, word) };
                    let word = reg!(second);
                    // SAFETY: as above.
                    unsafe { release(ctx, word) };
                }
            }
        }
    }
}
