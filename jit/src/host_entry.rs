//! Host entry trampolines: compiled Cairn functions use Cranelift's `tail` calling convention
//! (so calls in tail position are `return_call`s), which Rust cannot call directly. For every
//! arity the module's functions have, the JIT defines one trampoline in the host's C calling
//! convention, `extern "C" fn(ctx, args: *const u64, function: u64) -> u64`: it finds the
//! function's native address in the module's function table (compiling the function on its
//! first call, `lazy_compile.rs`), loads its params from `args`, calls it and returns its
//! word. `run_main`, hosts calling a function by name, and the closure invoker all enter
//! compiled code through these.

use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{BlockArg, InstBuilder, UserFuncName};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::{FuncId, Linkage, Module};

use crate::context::JitContext;
use crate::translate::internal;
use cairn_runtime::RunFailure;

/// Declares and defines `cairn_h{param_count}`: `extern "C" fn(ctx, args: *const u64,
/// function: u64) -> u64` calling function `function` (of `param_count` params) of the
/// module whose function table is at `table` with `args[0..param_count]`; `compiler` is the
/// module's `LazyCompiler`.
pub fn define_host_trampoline(
    jit: &mut JitContext,
    codegen: &mut cranelift_codegen::Context,
    builder_context: &mut FunctionBuilderContext,
    param_count: usize,
    table: u64,
    compiler: u64,
) -> Result<FuncId, RunFailure> {
    let mut signature = jit.host_signature(1);
    signature
        .params
        .push(cranelift_codegen::ir::AbiParam::new(I64));
    let id = jit
        .module_mut()
        .declare_function(&format!("cairn_h{param_count}"), Linkage::Local, &signature)
        .map_err(|e| {
            internal(format!(
                "cannot declare the host entry of arity {param_count}: {e}"
            ))
        })?;
    codegen.func.signature = signature;
    codegen.func.name = UserFuncName::user(1, id.as_u32());
    let target_config = jit.module().target_config();
    let helper = jit.compile_helper_function();
    let target_signature = jit.function_signature(param_count);
    {
        let mut builder = FunctionBuilder::new(&mut codegen.func, builder_context);
        let block = builder.create_block();
        builder.append_block_params_for_function_params(block);
        builder.switch_to_block(block);
        let params = builder.block_params(block).to_vec();
        let (ctx, words, function) = (params[0], params[1], params[2]);
        let offset = builder.ins().ishl_imm_u(function, 3);
        let base = builder.ins().iconst(I64, table as i64);
        let slot = builder.ins().iadd(base, offset);
        let flags = cranelift_codegen::ir::MemFlagsData::trusted();
        let loaded = builder.ins().atomic_load(I64, flags, slot);
        let call_block = builder.create_block();
        let address = builder.append_block_param(call_block, I64);
        let compile_block = builder.create_block();
        let failed_block = builder.create_block();
        builder.set_cold_block(compile_block);
        builder.set_cold_block(failed_block);
        builder.ins().brif(
            loaded,
            call_block,
            &[BlockArg::Value(loaded)],
            compile_block,
            &[],
        );

        builder.switch_to_block(compile_block);
        let helper_ref = jit.module_mut().declare_func_in_func(helper, builder.func);
        let compiler = builder.ins().iconst(I64, compiler as i64);
        let call = builder
            .ins()
            .call(helper_ref, &[compiler, ctx, function, words]);
        let compiled = builder.inst_results(call)[0];
        builder.ins().brif(
            compiled,
            call_block,
            &[BlockArg::Value(compiled)],
            failed_block,
            &[],
        );

        builder.switch_to_block(failed_block);
        let zero = builder.ins().iconst(I64, 0);
        builder.ins().return_(&[zero]);

        builder.switch_to_block(call_block);
        let mut args = vec![ctx];
        for position in 0..param_count {
            let offset = i32::try_from(position * 8).map_err(|_| {
                internal(format!(
                    "{param_count} params are too many for a host entry"
                ))
            })?;
            args.push(builder.ins().load(I64, flags, words, offset));
        }
        let target_signature = builder.import_signature(target_signature);
        let call = builder
            .ins()
            .call_indirect(target_signature, address, &args);
        let result = builder.inst_results(call)[0];
        builder.ins().return_(&[result]);
        builder.seal_all_blocks();
        builder.finalize(target_config);
    }
    jit.module_mut().define_function(id, codegen).map_err(|e| {
        internal(format!(
            "cranelift rejected the host entry of arity {param_count}: {e:?}"
        ))
    })?;
    jit.module_mut().clear_context(codegen);
    Ok(id)
}
