//! Host entry wrappers: compiled Cairn functions use Cranelift's `tail` calling convention
//! (so calls in tail position are `return_call`s), which Rust cannot call directly. For every
//! function the JIT defines a small wrapper in the host's C calling convention with one
//! uniform signature, `extern "C" fn(ctx, args: *const u64) -> u64`: it loads the function's
//! params from `args`, calls it and returns its word. `run_main`, hosts calling a function by
//! name, and the closure invoker all enter compiled code through these wrappers.

use cranelift_codegen::ir::{InstBuilder, UserFuncName};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::{FuncId, Linkage, Module};

use crate::context::JitContext;
use crate::translate::internal;
use cairn_runtime::RunFailure;

/// Declares and defines `cairn_w{index}`: `extern "C" fn(ctx, args: *const u64) -> i64`
/// calling `target` (the `tail`-convention function of `param_count` params) with
/// `args[0..param_count]`.
pub fn define_host_wrapper(
    jit: &mut JitContext,
    codegen: &mut cranelift_codegen::Context,
    builder_context: &mut FunctionBuilderContext,
    target: FuncId,
    index: usize,
    param_count: usize,
) -> Result<FuncId, RunFailure> {
    let signature = jit.host_signature(1);
    let id = jit
        .module_mut()
        .declare_function(&format!("cairn_w{index}"), Linkage::Local, &signature)
        .map_err(|e| {
            internal(format!(
                "cannot declare the host entry of function {index}: {e}"
            ))
        })?;
    codegen.func.signature = signature;
    codegen.func.name = UserFuncName::user(1, id.as_u32());
    let target_config = jit.module().target_config();
    {
        let mut builder = FunctionBuilder::new(&mut codegen.func, builder_context);
        let block = builder.create_block();
        builder.append_block_params_for_function_params(block);
        builder.switch_to_block(block);
        let params = builder.block_params(block).to_vec();
        let (ctx, words) = (params[0], params[1]);
        let mut args = vec![ctx];
        for position in 0..param_count {
            let flags = cranelift_codegen::ir::MemFlagsData::trusted();
            let offset = i32::try_from(position * 8).map_err(|_| {
                internal(format!(
                    "function {index} has too many params for a host entry"
                ))
            })?;
            args.push(
                builder
                    .ins()
                    .load(cranelift_codegen::ir::types::I64, flags, words, offset),
            );
        }
        let callee = jit.module_mut().declare_func_in_func(target, builder.func);
        let call = builder.ins().call(callee, &args);
        let result = builder.inst_results(call)[0];
        builder.ins().return_(&[result]);
        builder.seal_all_blocks();
        builder.finalize(target_config);
    }
    jit.module_mut().define_function(id, codegen).map_err(|e| {
        internal(format!(
            "cranelift rejected the host entry of function {index}: {e:?}"
        ))
    })?;
    jit.module_mut().clear_context(codegen);
    Ok(id)
}
