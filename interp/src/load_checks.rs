//! Module-wide checks the translator runs before translating: generator items anywhere
//! (RT0201, checked first, as the JIT does) and which variables anything defines.

use cairn_lang::ir::{self, Module, OpKind, Var};
use cairn_runtime::context::RunFailure;

use crate::load_error::{self, LoadLocation};

/// RT0201 for the first `GeneratorItem` in the module (function, then op order), checked
/// before anything else — the same order as the JIT's load checks.
pub(crate) fn reject_generator_items(module: &Module) -> Result<(), RunFailure> {
    for (function_index, function) in module.functions.iter().enumerate() {
        let bases = function.block_op_bases();
        for (block, base) in function.blocks.iter().zip(bases) {
            for (position, op) in block.ops.iter().enumerate() {
                if let OpKind::GeneratorItem { item } = op.kind {
                    let location = LoadLocation {
                        function: function_index as u32,
                        op: Some(base + position as u32),
                    };
                    return Err(load_error::unsupported_block_item(item, location));
                }
            }
        }
    }
    Ok(())
}

/// Which variables some param, block param or op defines (dominance is the verifier's
/// job; this refuses a use of a variable nothing defines, which would read a stale register).
pub(crate) fn defined_vars(function: &ir::Function) -> Vec<bool> {
    let mut defined = vec![false; function.var_count as usize];
    let mut mark = |var: Var| {
        if let Some(slot) = defined.get_mut(var.0 as usize) {
            *slot = true;
        }
    };
    function.params.iter().for_each(|p| mark(p.var));
    for block in &function.blocks {
        block.params.iter().for_each(|p| mark(p.var));
        block
            .ops
            .iter()
            .filter_map(|op| op.kind.dst())
            .for_each(&mut mark);
    }
    defined
}
