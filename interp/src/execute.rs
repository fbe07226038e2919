//! The executor: one loop over the compact code with an explicit frame stack (a language
//! call pushes a [`SavedFrame`]; nothing recurses on the Rust stack) and one register file
//! (`Vec<u64>`) holding every frame's window back to back.
//!
//! Every instruction calls the shim of its IR op (or takes one of the documented inline
//! fast paths of `fast_paths.rs`). A fallible shim returning 0 starts the unwind: for each
//! frame, innermost first, `rt_unwind_frame(function, op)`, `rt_release` of the op's
//! cleanup registers in order, `rt_leave`; the caller's failing op is its `Call`. Every
//! function exit, normal or not, calls `rt_leave` exactly once.
//!
//! The loop is generic over an [`ExecutionObserver`], told the IR op of each instruction as
//! it starts and of each frame as it unwinds, between shim calls; with
//! [`crate::NoObserver`] the hooks compile away.

use cairn_runtime::abi::shims;
use cairn_runtime::context::Context;
use cairn_runtime::error::RuntimeError;
use cairn_runtime::value::TRUE_WORD;

use crate::code::{CompiledFunction, Instr, InterpProgram, ProgramCounter, Register, SiteId};
use crate::fast_paths;
use crate::observe::{ExecutionObserver, NoObserver};

/// The run failed; the error and its frames are parked in the context.
#[derive(Debug)]
pub(crate) struct Failed;

/// A suspended caller: where to resume and where the callee's result goes.
#[derive(Clone, Copy, Debug)]
struct SavedFrame {
    function: u32,
    base: usize,
    return_pc: ProgramCounter,
    /// The caller's `Call` site: its op index and cleanup are used if the callee fails.
    call_site: SiteId,
    result_register: Register,
}

/// Reads register `$r` of the window at `$base`.
///
/// SAFETY argument for every expansion: the translator only emits register indices below
/// the function's `frame_size` (`translate.rs`: `register()` and the scratch registers),
/// and the executor keeps `registers.len() >= base + frame_size` for every live frame
/// (`run` sizes the entry window, `Call` grows the file before entering a callee, and the
/// file never shrinks during a run).
macro_rules! reg {
    ($registers:expr, $base:expr, $r:expr) => {{
        let index = $base + $r as usize;
        debug_assert!(index < $registers.len());
        // SAFETY: `index` is inside the current window (see the macro's docs).
        unsafe { *$registers.get_unchecked(index) }
    }};
}

/// Writes register `$r` of the window at `$base` (same invariant as [`reg!`]).
macro_rules! set_reg {
    ($registers:expr, $base:expr, $r:expr, $word:expr) => {{
        let word = $word;
        let index = $base + $r as usize;
        debug_assert!(index < $registers.len());
        // SAFETY: `index` is inside the current window (see `reg!`).
        unsafe { *$registers.get_unchecked_mut(index) = word }
    }};
}

/// Registers reserved up front (grown on demand by deep call chains).
const INITIAL_REGISTERS: usize = 4096;

pub(crate) struct Executor<'p> {
    program: &'p InterpProgram,
    ctx: *mut Context,
    registers: Vec<u64>,
    frames: Vec<SavedFrame>,
    /// Element words of `MakeList`/`MakeTuple`/`MakeMap`, contiguous for the shim.
    spill: Vec<u64>,
    /// A tail call's argument words, read before the callee overwrites the window.
    tail_args: Vec<u64>,
}

impl<'p> Executor<'p> {
    /// # Safety
    /// `ctx` must come from [`Context::as_ptr`], stay valid, and not be accessed through any
    /// other reference while the executor runs (it is passed to every shim; the executor
    /// itself lends the observer a shared `&Context` only between shim calls).
    pub(crate) unsafe fn new(program: &'p InterpProgram, ctx: *mut Context) -> Executor<'p> {
        Executor {
            program,
            ctx,
            registers: Vec::with_capacity(INITIAL_REGISTERS),
            frames: Vec::new(),
            spill: Vec::new(),
            tail_args: Vec::new(),
        }
    }

    /// [`Executor::run`] without an observer: its own non-generic function into which the
    /// loop is inlined, so the plain executor compiles to the same machine code as before the
    /// hooks existed (checked by diffing the disassembly; `cairn bench` times this path).
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
        let mut function_index = entry;
        let mut function: &'p CompiledFunction = &program.functions[entry as usize];
        let mut code: &'p [Instr] = &function.code;
        let mut base = 0usize;
        let mut pc = 0usize;
        self.registers.clear();
        self.registers.resize(
            function.frame_size as usize,
            cairn_runtime::value::UNIT_WORD,
        );
        for (&word, &param) in args.iter().zip(function.param_registers.iter()) {
            set_reg!(self.registers, 0, param, word);
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

        // A binary op with a pure inline fast path: the fast path's word, or the shim's
        // (which raises the error when there is one).
        macro_rules! int_fast_path_or_shim {
            ($fast:path, $shim:path, $dst:expr, $lhs:expr, $rhs:expr, $site:expr) => {{
                let (a, b) = (
                    reg!(self.registers, base, $lhs),
                    reg!(self.registers, base, $rhs),
                );
                let word = match $fast(a, b) {
                    Some(word) => word,
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                    None => check!(unsafe { $shim(ctx, a, b) }, $site),
                };
                set_reg!(self.registers, base, $dst, word);
            }};
        }

        // A language call of function `$callee` with the words of registers `$args` (in the
        // caller's window) as its params: pushes the caller's frame and switches to the callee.
        macro_rules! enter_call {
            ($callee:expr, $args:expr, $dst:expr, $site:expr) => {{
                let callee_index: u32 = $callee;
                let callee_function = &program.functions[callee_index as usize];
                let new_base = base + function.frame_size as usize;
                let needed = new_base + callee_function.frame_size as usize;
                if (needed > self.registers.len() && !self.grow_registers(needed))
                    || (self.frames.len() == self.frames.capacity() && !self.grow_frames())
                {
                    return Err(self.unwind(function_index, base, $site, observer));
                }
                let regs = &mut self.registers;
                for (&arg, &param) in $args.iter().zip(callee_function.param_registers.iter()) {
                    let word = reg!(regs, base, arg);
                    set_reg!(regs, new_base, param, word);
                }
                self.frames.push(SavedFrame {
                    function: function_index,
                    base,
                    return_pc: pc as ProgramCounter,
                    call_site: $site,
                    result_register: $dst,
                });
                function_index = callee_index;
                function = callee_function;
                code = &function.code;
                base = new_base;
                pc = 0;
            }};
        }

        // `rt_call_target` for a value call whose operands are `[callee, args...]`: the
        // function to call (this program's function table, which the run installed, has
        // entry = index + 1), or the unwind (the shim released the callee and args).
        macro_rules! value_call_target {
            ($operands:expr, $site:expr) => {{
                let operands: &[Register] = $operands;
                let callee_word = reg!(self.registers, base, operands[0]);
                self.spill.clear();
                self.spill
                    .extend(operands[1..].iter().map(|&r| reg!(self.registers, base, r)));
                let pointer = self.spill.as_ptr() as u64;
                let count = self.spill.len() as u64;
                // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`); `spill`
                // holds `count` initialised words and is not touched during the call.
                let entry = check!(
                    unsafe { shims::rt_call_target(ctx, callee_word, pointer, count) },
                    $site
                );
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
                    return Err(self.unwind(function_index, base, $site, observer));
                }
                self.tail_args.clear();
                self.tail_args
                    .extend($args.iter().map(|&r| reg!(self.registers, base, r)));
                // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                unsafe { shims::rt_leave(ctx) };
                for (&word, &param) in self
                    .tail_args
                    .iter()
                    .zip(callee_function.param_registers.iter())
                {
                    set_reg!(self.registers, base, param, word);
                }
                function_index = callee_index;
                function = callee_function;
                code = &function.code;
                pc = 0;
            }};
        }

        loop {
            debug_assert!(pc < code.len());
            // SAFETY: every block ends in a terminator (a `Return`, a `Branch`, a `Jump`, or
            // a fall-through into the next block, which exists), jumps and branches target
            // block starts, and a `Call` (never last in a block) resumes at the next
            // instruction, so `pc` is always inside `code` (`translate.rs`).
            let instr = unsafe { *code.get_unchecked(pc) };
            // SAFETY: `op_indices` has one table per function, with one entry per
            // instruction of its `code` (`translate.rs`: `label_new_instructions` after every
            // op and terminator); `function_index` names a function and `pc` is inside its
            // `code` (above). With `NoObserver` the loads are dead and compiled away.
            let op = unsafe {
                let ops = program.op_indices.get_unchecked(function_index as usize);
                debug_assert_eq!(ops.len(), code.len());
                *ops.get_unchecked(pc)
            };
            // SAFETY: `ctx` is valid for the run (`Executor::new`) and no shim is running, so
            // no `&mut Context` exists while the observer holds this shared reference.
            observer.before_instruction(unsafe { &*ctx }, function_index, op);
            pc += 1;
            let regs = &mut self.registers;
            match instr {
                Instr::Const { dst, word } => set_reg!(regs, base, dst, word),
                Instr::Move { dst, src } => {
                    let word = reg!(regs, base, src);
                    set_reg!(regs, base, dst, word);
                }
                Instr::Add {
                    dst,
                    lhs,
                    rhs,
                    site,
                } => {
                    int_fast_path_or_shim!(fast_paths::add, shims::rt_add, dst, lhs, rhs, site)
                }
                Instr::Sub {
                    dst,
                    lhs,
                    rhs,
                    site,
                } => {
                    int_fast_path_or_shim!(fast_paths::sub, shims::rt_sub, dst, lhs, rhs, site)
                }
                Instr::Mul {
                    dst,
                    lhs,
                    rhs,
                    site,
                } => {
                    int_fast_path_or_shim!(fast_paths::mul, shims::rt_mul, dst, lhs, rhs, site)
                }
                Instr::Div {
                    dst,
                    lhs,
                    rhs,
                    site,
                } => {
                    int_fast_path_or_shim!(fast_paths::div, shims::rt_div, dst, lhs, rhs, site)
                }
                Instr::Rem {
                    dst,
                    lhs,
                    rhs,
                    site,
                } => {
                    int_fast_path_or_shim!(fast_paths::rem, shims::rt_rem, dst, lhs, rhs, site)
                }
                Instr::Compare {
                    comparison,
                    shim,
                    dst,
                    lhs,
                    rhs,
                    site,
                } => {
                    let (a, b) = (reg!(regs, base, lhs), reg!(regs, base, rhs));
                    let word = match fast_paths::compare(comparison, a, b) {
                        Some(word) => word,
                        // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                        None => check!(unsafe { shim(ctx, a, b) }, site),
                    };
                    set_reg!(self.registers, base, dst, word);
                }
                Instr::Branch {
                    condition,
                    context,
                    then_pc,
                    else_pc,
                    site,
                } => {
                    let mut word = reg!(regs, base, condition);
                    if !fast_paths::is_bool(word) {
                        // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                        word = check!(
                            unsafe { shims::rt_expect_bool(ctx, word, context as u64) },
                            site
                        );
                    }
                    pc = if word == TRUE_WORD { then_pc } else { else_pc } as usize;
                }
                Instr::Jump { target } => pc = target as usize,
                Instr::Shim0 { shim, site } => {
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                    check!(unsafe { shim(ctx) }, site);
                }
                Instr::Shim1 {
                    shim,
                    dst,
                    operand,
                    site,
                } => {
                    let a = reg!(regs, base, operand);
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                    let word = check!(unsafe { shim(ctx, a) }, site);
                    set_reg!(self.registers, base, dst, word);
                }
                Instr::Shim2 {
                    shim,
                    dst,
                    lhs,
                    rhs,
                    site,
                } => {
                    let (a, b) = (reg!(regs, base, lhs), reg!(regs, base, rhs));
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                    let word = check!(unsafe { shim(ctx, a, b) }, site);
                    set_reg!(self.registers, base, dst, word);
                }
                Instr::Shim3 {
                    shim,
                    dst,
                    first,
                    second,
                    third,
                    site,
                } => {
                    let a = reg!(regs, base, first);
                    let b = reg!(regs, base, second);
                    let c = reg!(regs, base, third);
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                    let word = check!(unsafe { shim(ctx, a, b, c) }, site);
                    set_reg!(self.registers, base, dst, word);
                }
                Instr::Retain { dst, src, site } => {
                    let word = reg!(regs, base, src);
                    let word = if fast_paths::is_heap(word) {
                        // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                        check!(unsafe { shims::rt_retain(ctx, word) }, site)
                    } else {
                        word
                    };
                    set_reg!(self.registers, base, dst, word);
                }
                Instr::Release { var } => {
                    let word = reg!(regs, base, var);
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                    unsafe { release(ctx, word) };
                }
                Instr::Text { dst, literal, site } => {
                    let bytes = &program.literals[literal as usize];
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`); the
                    // literal bytes are owned by `program`, which outlives the call.
                    let word = check!(
                        unsafe {
                            shims::rt_text_literal(ctx, bytes.as_ptr() as u64, bytes.len() as u64)
                        },
                        site
                    );
                    set_reg!(self.registers, base, dst, word);
                }
                Instr::Aggregate {
                    shim,
                    dst,
                    start,
                    words,
                    count,
                    site,
                } => {
                    let operands = &function.operands[start as usize..(start + words) as usize];
                    self.spill.clear();
                    self.spill
                        .extend(operands.iter().map(|&r| reg!(regs, base, r)));
                    let pointer = self.spill.as_ptr() as u64;
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`);
                    // `spill` holds `words` initialised words and is not touched during the
                    // call.
                    let word = check!(unsafe { shim(ctx, pointer, count as u64) }, site);
                    set_reg!(self.registers, base, dst, word);
                }
                Instr::Call {
                    callee,
                    dst,
                    start,
                    len,
                    site,
                } => {
                    let args = &function.operands[start as usize..(start + len) as usize];
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
                    let operands = &function.operands[start as usize..(start + count) as usize];
                    self.spill.clear();
                    self.spill.push(
                        cairn_runtime::value::Value::int(i64::from(closure_function))
                            .expect("function ids fit in an Int")
                            .bits(),
                    );
                    self.spill
                        .extend(operands.iter().map(|&r| reg!(regs, base, r)));
                    let pointer = self.spill.as_ptr() as u64;
                    let words = self.spill.len() as u64;
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`);
                    // `spill` holds `words` initialised words and is not touched during the call.
                    let word = check!(unsafe { shims::rt_closure_from(ctx, pointer, words) }, site);
                    set_reg!(self.registers, base, dst, word);
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
                    let operands = &function.operands[start as usize..(start + len) as usize];
                    self.spill.clear();
                    self.spill
                        .extend(operands.iter().map(|&r| reg!(regs, base, r)));
                    let pointer = self.spill.as_ptr() as u64;
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`);
                    // `spill` holds `len` initialised words and is not touched during the call
                    // (a host function calling a closure back runs a nested executor with its
                    // own buffers).
                    let word = check!(
                        unsafe { shims::rt_call_host(ctx, u64::from(host), pointer, len as u64) },
                        site
                    );
                    set_reg!(self.registers, base, dst, word);
                }
                Instr::Shim0Value { shim, dst, site } => {
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                    let word = check!(unsafe { shim(ctx) }, site);
                    set_reg!(self.registers, base, dst, word);
                }
                Instr::Return { value } => {
                    let word = reg!(regs, base, value);
                    // SAFETY: `ctx` is valid and unaliased for the run (`Executor::new`).
                    unsafe { shims::rt_leave(ctx) };
                    let Some(caller) = self.frames.pop() else {
                        return Ok(word);
                    };
                    function_index = caller.function;
                    function = &program.functions[function_index as usize];
                    code = &function.code;
                    base = caller.base;
                    pc = caller.return_pc as usize;
                    set_reg!(self.registers, base, caller.result_register, word);
                }
            }
        }
    }

    /// Grows the register file to `needed` words; on allocation failure parks an error
    /// and returns false (the caller unwinds). `#[inline]`: called from the generic loop,
    /// it would otherwise be exported and kept out of line, which perturbs the dispatch
    /// loop's register allocation (measurably slower).
    #[inline]
    fn grow_registers(&mut self, needed: usize) -> bool {
        let additional = needed - self.registers.len();
        if self.registers.try_reserve(additional).is_err() {
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
    fn grow_frames(&mut self) -> bool {
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
    fn unwind<O: ExecutionObserver>(
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
            for &register in fail_site.cleanup.iter() {
                let word = reg!(self.registers, base, register);
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

/// `rt_release` of an owned word (skipped for non-heap words: see `fast_paths`).
///
/// # Safety
/// `ctx` must satisfy the contract of [`Executor::new`].
#[inline(always)]
unsafe fn release(ctx: *mut Context, word: u64) {
    if fast_paths::is_heap(word) {
        // SAFETY: the caller guarantees `ctx` is valid and unaliased. Release never fails;
        // integrity violations are parked in the context by the shim.
        unsafe { shims::rt_release(ctx, word) };
    }
}
