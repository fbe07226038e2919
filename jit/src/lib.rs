//! Cairn's Cranelift JIT: compiles the shared post-RC IR to native code that calls the same
//! runtime shims as the interpreter, one per IR op (see docs/ARCHITECTURE.md). Entry points:
//! [`compile`] / [`compile_with_abi`] and [`JitProgram::run_main`].

mod block_local_values;
mod block_sealing;
mod cleanup_pads;
mod constant_operands;
pub mod context;
mod disassembly;
mod host_entry;
mod inline_closures;
mod inline_control;
mod inline_counts;
mod inline_division;
mod inline_equality;
mod inline_fast_paths;
mod inline_float;
mod inline_list;
mod inline_list_set;
mod inline_refs;
mod int_payload;
mod kind_specialized;
mod lazy_calls;
mod lazy_compile;
mod lower_binary;
mod lower_terminators;
mod program;
mod stack_budget;
mod translate;

use cairn_lang::ir;
use cairn_runtime::RunFailure;
use cairn_runtime::abi::version::{AIVI_VALUE_ABI_MAJOR, AIVI_VALUE_ABI_MINOR};
use cranelift_frontend::FunctionBuilderContext;
use cranelift_module::Module;

pub use context::{JitContext, LARGE_FUNCTION_OPS};
pub use program::JitProgram;

use lazy_compile::LazyCompiler;
use program::HostEntry;
use translate::internal;

/// Compiles `module` against the runtime's own Value ABI version.
pub fn compile(module: &ir::Module) -> Result<JitProgram, RunFailure> {
    compile_with_abi(module, (AIVI_VALUE_ABI_MAJOR, AIVI_VALUE_ABI_MINOR))
}

/// Compiles `module`, recording `abi_required` as the ABI version the code needs; loading it
/// (`run_main`) refuses with RT0601 when the runtime cannot provide that version. The module
/// is checked eagerly; each function is compiled on its first call (`lazy_compile.rs`).
pub fn compile_with_abi(
    module: &ir::Module,
    abi_required: (u32, u32),
) -> Result<JitProgram, RunFailure> {
    compile_variant(
        std::sync::Arc::new(module.clone()),
        abi_required,
        KindAssumption::EntryOnly,
        false,
    )
}

/// Which functions the value-kind analysis treats as called by the host with anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KindAssumption {
    /// Only the entry: code specialized to the kinds the script itself passes. A host call
    /// of another function with kinds outside those runs on the generic variant instead.
    EntryOnly,
    /// Every function (the generic variant).
    AnyEntry,
}

/// Compiles one variant of `module`. `record_allocation_sites` compiles the audit variant:
/// a store of the op's allocation site into the context before every op (audit mode's site
/// tracking); code compiled without it contains nothing of audit mode.
pub(crate) fn compile_variant(
    module: std::sync::Arc<ir::Module>,
    abi_required: (u32, u32),
    assumption: KindAssumption,
    record_allocation_sites: bool,
) -> Result<JitProgram, RunFailure> {
    cairn_engine_support::check_module(&module)?;
    let jit = JitContext::new().map_err(internal)?;
    // Always inferred here from the module being compiled: kinds are never taken on trust.
    let value_kinds = match assumption {
        KindAssumption::EntryOnly => cairn_lang::analysis::infer_value_kinds(&module),
        KindAssumption::AnyEntry => cairn_lang::analysis::infer_value_kinds_for_any_entry(&module),
    };
    let param_kinds = module
        .functions
        .iter()
        .enumerate()
        .map(|(index, function)| {
            let kinds = value_kinds.function(ir::FuncId(index as u32));
            (0..function.params.len())
                .map(|position| {
                    kinds.map_or(cairn_lang::analysis::KindSet::ALL, |k| k.param(position))
                })
                .collect()
        })
        .collect();
    let stack_budget = stack_budget::StackBudget::of(&module);
    let param_counts: Vec<usize> = module.functions.iter().map(|f| f.params.len()).collect();
    let compiler = Box::new(LazyCompiler::new(
        jit,
        module.clone(),
        value_kinds,
        record_allocation_sites,
    ));
    let host_entries = define_host_entries(&compiler, &param_counts)?;
    // Closures name their function by index + 1, as in the interpreter; compiled code reads
    // the native address from the function table.
    let function_table = cairn_engine_support::function_table(&module, |index| index as u64 + 1);
    Ok(JitProgram {
        entry: module.entry.0,
        _compiler: compiler,
        abi_required,
        stack_budget,
        function_table,
        host_entries,
        param_counts,
        param_kinds,
        source: Some(module),
        assumption,
        generic: std::sync::OnceLock::new(),
        records_allocation_sites: record_allocation_sites,
        audited: std::sync::OnceLock::new(),
    })
}

/// One host trampoline per arity the module's functions have; per function, its arity's.
fn define_host_entries(
    compiler: &LazyCompiler,
    param_counts: &[usize],
) -> Result<Box<[HostEntry]>, RunFailure> {
    let mut state = compiler
        .state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let state = &mut *state;
    let mut codegen = state.jit.module().make_context();
    let mut builder_context = FunctionBuilderContext::new();
    let mut arities: Vec<usize> = param_counts.to_vec();
    arities.sort_unstable();
    arities.dedup();
    let mut ids = Vec::with_capacity(arities.len());
    for &arity in &arities {
        ids.push(host_entry::define_host_trampoline(
            &mut state.jit,
            &mut codegen,
            &mut builder_context,
            arity,
            compiler.table_address(),
            compiler as *const LazyCompiler as u64,
        )?);
    }
    state
        .jit
        .module_mut()
        .finalize_definitions()
        .map_err(|e| internal(format!("cannot finalize compiled code: {e}")))?;
    let trampolines: Vec<HostEntry> = ids
        .iter()
        .map(|&id| {
            let code = state.jit.module().get_finalized_function(id);
            // SAFETY: every trampoline was declared `(ctx pointer, i64, i64) -> i64` in the
            // host's C calling convention, reading its params from the pointer passed as the
            // first i64 and calling the function named by the second — exactly `HostEntry`.
            unsafe { std::mem::transmute::<*const u8, HostEntry>(code) }
        })
        .collect();
    Ok(param_counts
        .iter()
        .map(|count| trampolines[arities.binary_search(count).expect("every arity has one")])
        .collect())
}
