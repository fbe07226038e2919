//! Cairn's Cranelift JIT: compiles the shared post-RC IR to native code that calls the same
//! runtime shims as the interpreter, one per IR op (see docs/ARCHITECTURE.md). Entry points:
//! [`compile`] / [`compile_with_abi`] and [`JitProgram::run_main`].

mod block_sealing;
pub mod context;
mod disassembly;
mod host_entry;
mod inline_control;
mod inline_division;
mod inline_fast_paths;
mod inline_float;
mod inline_list;
mod int_payload;
mod kind_specialized;
mod lower_binary;
mod lower_terminators;
mod program;
mod translate;

use cairn_lang::ir;
use cairn_runtime::RunFailure;
use cairn_runtime::abi::version::{AIVI_VALUE_ABI_MAJOR, AIVI_VALUE_ABI_MINOR};
use cranelift_frontend::FunctionBuilderContext;
use cranelift_module::{FuncId, Linkage, Module};

pub use context::JitContext;
pub use program::JitProgram;

use program::HostEntry;
use translate::{ModuleTranslationInputs, define_function, internal};

/// Compiles `module` against the runtime's own Value ABI version.
pub fn compile(module: &ir::Module) -> Result<JitProgram, RunFailure> {
    compile_with_abi(module, (AIVI_VALUE_ABI_MAJOR, AIVI_VALUE_ABI_MINOR))
}

/// Compiles `module`, recording `abi_required` as the ABI version the code needs; loading it
/// (`run_main`) refuses with RT0601 when the runtime cannot provide that version.
pub fn compile_with_abi(
    module: &ir::Module,
    abi_required: (u32, u32),
) -> Result<JitProgram, RunFailure> {
    let mut program = compile_variant(module, abi_required, KindAssumption::EntryOnly, false)?;
    program.source = Some(std::sync::Arc::new(module.clone()));
    Ok(program)
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
    module: &ir::Module,
    abi_required: (u32, u32),
    assumption: KindAssumption,
    record_allocation_sites: bool,
) -> Result<JitProgram, RunFailure> {
    cairn_engine_support::check_module(module)?;
    let mut jit = JitContext::new().map_err(internal)?;
    let mut function_ids: Vec<FuncId> = Vec::with_capacity(module.functions.len());
    for (index, function) in module.functions.iter().enumerate() {
        let signature = jit.function_signature(function.params.len());
        // Internal names are by index: source names need not be unique or symbol-safe.
        let id = jit
            .module_mut()
            .declare_function(&format!("cairn_f{index}"), Linkage::Local, &signature)
            .map_err(|e| internal(format!("cannot declare `{}`: {e}", function.name)))?;
        function_ids.push(id);
    }
    // Always inferred here from the module being compiled: kinds are never taken on trust.
    let value_kinds = match assumption {
        KindAssumption::EntryOnly => cairn_lang::analysis::infer_value_kinds(module),
        KindAssumption::AnyEntry => cairn_lang::analysis::infer_value_kinds_for_any_entry(module),
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
    let mut literals = Vec::new();
    let mut inputs = ModuleTranslationInputs {
        ir_module: module,
        value_kinds: &value_kinds,
        depth_is_balanced: inline_control::depth_is_balanced(module),
        function_ids: &function_ids,
        literals: &mut literals,
        record_allocation_sites,
    };
    let mut codegen = jit.module().make_context();
    let mut builder_context = FunctionBuilderContext::new();
    let mut largest_frame_estimate = 0;
    for index in 0..module.functions.len() {
        let slot_bytes = define_function(
            &mut jit,
            &mut codegen,
            &mut builder_context,
            &mut inputs,
            index as u32,
        )?;
        largest_frame_estimate = largest_frame_estimate.max(slot_bytes);
    }
    // A host entry wrapper (C convention, args by pointer) for every function.
    let mut wrapper_ids: Vec<FuncId> = Vec::with_capacity(module.functions.len());
    for (index, function) in module.functions.iter().enumerate() {
        wrapper_ids.push(host_entry::define_host_wrapper(
            &mut jit,
            &mut codegen,
            &mut builder_context,
            function_ids[index],
            index,
            function.params.len(),
        )?);
    }
    jit.module_mut()
        .finalize_definitions()
        .map_err(|e| internal(format!("cannot finalize compiled code: {e}")))?;
    let addresses: Vec<u64> = function_ids
        .iter()
        .map(|&id| jit.module().get_finalized_function(id) as u64)
        .collect();
    let function_table = cairn_engine_support::function_table(module, |index| addresses[index]);
    let host_entries: Vec<HostEntry> = wrapper_ids
        .iter()
        .map(|&id| {
            let code = jit.module().get_finalized_function(id);
            // SAFETY: every wrapper was declared with `host_signature(1)`: `(ctx pointer,
            // i64) -> i64` in the host's C calling convention, reading its params from the
            // pointer passed as the i64 — exactly `HostEntry`.
            unsafe { std::mem::transmute::<*const u8, HostEntry>(code) }
        })
        .collect();
    let param_counts = module.functions.iter().map(|f| f.params.len()).collect();
    Ok(JitProgram {
        entry: module.entry.0,
        _code: jit,
        _literals: literals,
        abi_required,
        frame_bytes: program::MIN_FRAME_BYTES + largest_frame_estimate,
        function_table,
        host_entries: host_entries.into_boxed_slice(),
        param_counts,
        param_kinds,
        source: None,
        assumption,
        generic: std::sync::OnceLock::new(),
        records_allocation_sites: record_allocation_sites,
        audited: std::sync::OnceLock::new(),
    })
}
