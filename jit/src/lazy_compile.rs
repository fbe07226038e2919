//! Compilation on first call. A module is checked, its value kinds inferred and its host
//! trampolines built eagerly (so load-time diagnostics are unchanged), but no Cairn function
//! is given to Cranelift until it is first called. Every call — direct, tail, closure or from
//! the host — loads the callee's native address from this module's function table; a 0 entry
//! means "not compiled yet": the call site then calls [`cairn_jit_compile_on_first_call`],
//! which compiles the function under the compiler's lock, publishes its address in the table
//! and returns it. A module of 145,540 functions of which `main` calls three compiles three.
//!
//! A compilation that fails (an internal fault: the IR was verified) unwinds like the callee
//! failing at its `Enter`: `rt_unwind_frame(callee, 0)`, then the release of its owned params
//! in its `Enter` cleanup order — the same trace the interpreter writes when a call cannot get
//! its frame — and the call site then unwinds its own frame.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use cairn_lang::analysis::ModuleKinds;
use cairn_lang::ir::{self, OpKind};
use cairn_runtime::{Context, RunFailure, Value};
use cranelift_frontend::FunctionBuilderContext;
use cranelift_module::{Linkage, Module};

use crate::context::JitContext;
use crate::translate::{ModuleTranslationInputs, define_function, internal};

/// The symbol compiled code imports the compile helper by.
pub(crate) const COMPILE_ON_FIRST_CALL_SYMBOL: &str = "cairn_jit_compile_on_first_call";

/// What compiling one more function needs and changes; behind the compiler's lock.
pub(crate) struct CompileState {
    pub(crate) jit: JitContext,
    codegen: cranelift_codegen::Context,
    builder_context: FunctionBuilderContext,
    /// Text literal bytes the code passes to `rt_text_constant` by address (and index: the id).
    literals: Vec<Box<[u8]>>,
    /// Operand words of all-constant aggregate ops the code passes by address.
    constant_words: Vec<Box<[u64]>>,
    /// Bytes of machine code compiled so far.
    pub(crate) code_bytes: u64,
}

/// One compiled variant's functions: the table every call reads and the state that fills it.
pub(crate) struct LazyCompiler {
    /// Per function, its native address (`tail` convention), 0 until compiled.
    pub(crate) table: Box<[AtomicU64]>,
    /// Per function, the arguments a closure of it takes (`closure_arity`), `u32::MAX` when
    /// it is not closure-callable: what the inline closure-call check reads
    /// (`inline_closures.rs`).
    closure_arities: Box<[u32]>,
    pub(crate) module: Arc<ir::Module>,
    value_kinds: ModuleKinds,
    depth_is_balanced: bool,
    record_allocation_sites: bool,
    pub(crate) state: Mutex<CompileState>,
}

impl LazyCompiler {
    pub(crate) fn new(
        jit: JitContext,
        module: Arc<ir::Module>,
        value_kinds: ModuleKinds,
        record_allocation_sites: bool,
    ) -> LazyCompiler {
        let codegen = jit.module().make_context();
        let table = (0..module.functions.len())
            .map(|_| AtomicU64::new(0))
            .collect();
        let closure_arities = module
            .functions
            .iter()
            .map(|function| cairn_engine_support::closure_arity(function).unwrap_or(u32::MAX))
            .collect();
        LazyCompiler {
            table,
            closure_arities,
            depth_is_balanced: crate::inline_control::depth_is_balanced(&module),
            module,
            value_kinds,
            record_allocation_sites,
            state: Mutex::new(CompileState {
                jit,
                codegen,
                builder_context: FunctionBuilderContext::new(),
                literals: Vec::new(),
                constant_words: Vec::new(),
                code_bytes: 0,
            }),
        }
    }

    /// The address of the table's first entry (compiled code indexes it by function).
    pub(crate) fn table_address(&self) -> u64 {
        self.table.as_ptr() as u64
    }

    /// The native address of function `index`, compiling it first if no call has yet.
    pub(crate) fn address_of(&self, index: u32) -> Result<u64, RunFailure> {
        let Some(entry) = self.table.get(index as usize) else {
            return Err(internal(format!("function {index} does not exist")));
        };
        let address = entry.load(Ordering::Acquire);
        if address != 0 {
            return Ok(address);
        }
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        // Another thread may have compiled it while this one waited for the lock.
        let address = entry.load(Ordering::Acquire);
        if address != 0 {
            return Ok(address);
        }
        let address = self.compile(&mut state, index)?;
        entry.store(address, Ordering::Release);
        Ok(address)
    }

    fn compile(&self, state: &mut CompileState, index: u32) -> Result<u64, RunFailure> {
        let function = &self.module.functions[index as usize];
        let signature = state.jit.function_signature(function.params.len());
        // Internal names are by index: source names need not be unique or symbol-safe.
        let id = state
            .jit
            .module_mut()
            .declare_function(&format!("cairn_f{index}"), Linkage::Local, &signature)
            .map_err(|e| internal(format!("cannot declare `{}`: {e}", function.name)))?;
        let mut inputs = ModuleTranslationInputs {
            ir_module: &self.module,
            value_kinds: &self.value_kinds,
            depth_is_balanced: self.depth_is_balanced,
            function_table: self.table_address(),
            closure_arities: self.closure_arities.as_ptr() as u64,
            compiler: self as *const LazyCompiler as u64,
            literals: &mut state.literals,
            constant_words: &mut state.constant_words,
            record_allocation_sites: self.record_allocation_sites,
        };
        let (slot_bytes, code_bytes) = define_function(
            &mut state.jit,
            &mut state.codegen,
            &mut state.builder_context,
            &mut inputs,
            index,
            id,
        )?;
        state.code_bytes += code_bytes;
        debug_assert!(
            slot_bytes <= frame_estimate(function),
            "`{}`: frame {slot_bytes} > estimate",
            function.name
        );
        state
            .jit
            .module_mut()
            .finalize_definitions()
            .map_err(|e| internal(format!("cannot finalize compiled code: {e}")))?;
        Ok(state.jit.module().get_finalized_function(id) as u64)
    }
}

/// An upper bound of the stack a compiled frame of `function` takes beyond the fixed part,
/// known before it is compiled (the run's stack is sized from it): one spill word per IR
/// variable, the saved depth, and for every op and terminator room to spill all its operands
/// twice (its shim's array and a first call's argument copy).
pub(crate) fn frame_estimate(function: &ir::Function) -> u64 {
    let mut words = u64::from(function.var_count) + 1;
    // The landing pads' slots (`cleanup_pads.rs`): at most one per entry of the longest
    // cleanup table, since slots are shared across blocks.
    // And the home slots of long-lived block-local vars: at most one per var.
    words += u64::from(function.var_count);
    words += (function.blocks.iter())
        .map(|block| block.cleanup.len() as u64)
        .max()
        .unwrap_or(0);
    // The two shared operand areas (`translate.rs`'s `operand_area`): each at most twice the
    // largest op's words rounded up to a power of two.
    let mut largest = 0u64;
    for block in &function.blocks {
        for op in &block.ops {
            let operands = cairn_lang::operands::op_operands(&op.kind, &[]).len() as u64;
            largest = largest.max(operands + 1);
            if let OpKind::Call { args, .. } = &op.kind {
                largest = largest.max(args.len() as u64 + 1);
            }
        }
        let operands =
            cairn_lang::operands::terminator_operands(&block.terminator.kind, &[]).len() as u64;
        largest = largest.max(operands + 1);
    }
    words += 2 * 4 * largest;
    words.saturating_mul(8)
}

/// Called by compiled code and host trampolines when function `function`'s table entry is 0:
/// compiles it and returns its native address. On failure (error parked in the context) it
/// unwinds the callee's frame as a failed `Enter` would — the owned params among the
/// `args` words (the callee's params, in order) are released — and returns 0.
///
/// # Safety
/// `compiler` is the `LazyCompiler` whose code calls this, alive for the run; `ctx` is the
/// run's context pointer with no `&mut Context` live; `args` points at the callee's param
/// words (one per param).
pub(crate) unsafe extern "C" fn cairn_jit_compile_on_first_call(
    compiler: *const LazyCompiler,
    ctx: *mut Context,
    function: u64,
    args: *const u64,
) -> u64 {
    // SAFETY: the caller's contract.
    let compiler = unsafe { &*compiler };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        compiler.address_of(function as u32)
    }))
    .unwrap_or_else(|panic| {
        Err(internal(format!(
            "the JIT panicked compiling function {function}: {}",
            panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("panic")
        )))
    });
    let failure = match outcome {
        Ok(address) => return address,
        Err(failure) => failure,
    };
    // SAFETY: no `&mut Context` is live (the caller's contract).
    let context = unsafe { &mut *ctx };
    context.raise(failure.error);
    let Some(callee) = compiler.module.functions.get(function as usize) else {
        return 0;
    };
    // SAFETY: as above; `rt_unwind_frame` only records the frame.
    unsafe { cairn_runtime::abi::shims::rt_unwind_frame(ctx, function, 0) };
    // SAFETY: as above.
    let context = unsafe { &mut *ctx };
    let entry = callee.blocks.first();
    let cleanup = entry
        .filter(|block| block.ops.first().is_some_and(|op| op.kind == OpKind::Enter))
        .map_or_else(Vec::new, |block| block.cleanup_at(0));
    for var in &cleanup {
        let position = entry.and_then(|block| block.params.iter().position(|p| p.var == *var));
        if let Some(position) = position.filter(|&p| p < callee.params.len()) {
            // SAFETY: `args` holds one word per param of the callee (the caller's contract).
            let word = unsafe { *args.add(position) };
            cairn_runtime::abi::shims::release_recording(context, Value(word));
        }
    }
    0
}
