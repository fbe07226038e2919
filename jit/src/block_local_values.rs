//! IR variables defined by an op and used only later in the same IR block (the temporaries
//! of a long literal, most of a straight-line body) bypass Cranelift's SSA `Variable`s: the
//! translator keeps their Cranelift value and hands it out directly. A `Variable` defined in
//! the n-th Cranelift block costs the SSA builder a per-variable map of n entries, so a
//! function of N fallible ops (each opens two blocks) took memory quadratic in N (a 20,000
//! element literal of Texts: gigabytes). Within one IR block the op order is the Cranelift
//! dominance order (each op continues in the success block of the one before), so the value
//! of an earlier op may be used directly by any later op, cleanup or the terminator.

use cairn_lang::ir::{self, OpKind, Var};
use cairn_lang::operands::{op_operands, terminator_operands};

/// Per variable: whether it is block-local (see the module docs), and the position in its
/// block of its last use (`cleanup_pads.rs` gives a long-lived one a stack slot).
pub(crate) fn block_local_vars(
    function: &ir::Function,
    functions: &[ir::Function],
) -> (Vec<bool>, Vec<u32>) {
    let count = function.var_count as usize;
    let mut definitions = vec![0u32; count];
    // Where each var is defined by an op: (IR block, op position).
    let mut defined_at: Vec<Option<(usize, usize)>> = vec![None; count];
    let block_params = function.blocks.iter().flat_map(|b| &b.params);
    for param in function.params.iter().chain(block_params) {
        if let Some(n) = definitions.get_mut(param.var.0 as usize) {
            *n += 1;
        }
    }
    for (block_index, block) in function.blocks.iter().enumerate() {
        for (position, op) in block.ops.iter().enumerate() {
            if let Some(dst) = op.kind.dst()
                && let Some(n) = definitions.get_mut(dst.0 as usize)
            {
                *n += 1;
                defined_at[dst.0 as usize] = Some((block_index, position));
            }
        }
    }
    let mut local: Vec<bool> = definitions
        .iter()
        .zip(&defined_at)
        .map(|(&n, site)| n == 1 && site.is_some())
        .collect();
    let mut last_use = vec![0u32; count];
    // A use at (block, position) keeps a var local only when it was defined earlier in the
    // same block.
    let mut used_at = |var: Var, block_index: usize, position: usize| {
        let index = var.0 as usize;
        if let Some(last) = last_use.get_mut(index) {
            *last = (*last).max(position as u32);
        }
        let earlier_here = matches!(
            defined_at.get(index).copied().flatten(),
            Some((defined_block, defined_position))
                if defined_block == block_index && defined_position < position
        );
        if !earlier_here && let Some(local) = local.get_mut(index) {
            *local = false;
        }
    };
    for (block_index, block) in function.blocks.iter().enumerate() {
        // A cleanup var is stored for the landing pads at the start of its range
        // (`cleanup_pads.rs`).
        for range in &block.cleanup {
            used_at(range.var, block_index, range.from as usize);
        }
        for (position, op) in block.ops.iter().enumerate() {
            if let OpKind::Release { var } = &op.kind {
                used_at(*var, block_index, position);
            }
            for (var, _) in op_operands(&op.kind, functions) {
                used_at(var, block_index, position);
            }
        }
        let end = block.ops.len();
        for (var, _) in terminator_operands(&block.terminator.kind, &function.blocks) {
            used_at(var, block_index, end);
        }
    }
    (local, last_use)
}
