//! Seals each Cranelift block as soon as all of its predecessors are known, so that the SSA
//! builder resolves a variable used in it to the one value that reaches it instead of adding
//! a block parameter it can no longer remove (one block parameter per variable per join
//! point of an inline fast path otherwise, and a register copy for each).
//!
//! Two kinds of blocks: the blocks an op's lowering creates for itself (fast and slow paths,
//! joins, failure paths) are only ever branched to by that op's own code, so they are all
//! sealed when the op is done; an IR block is sealed when the terminators of all its IR
//! predecessors (and, for block 0, the entry's jump) have been emitted.

use cairn_lang::ir;
use cairn_lang::operands::successors;
use cranelift_codegen::entity::EntityRef;
use cranelift_codegen::ir::Block;
use cranelift_frontend::FunctionBuilder;

/// How many branch edges into each IR block are still to be emitted.
pub(crate) struct BlockSealing {
    remaining_edges: Vec<u32>,
}

impl BlockSealing {
    /// Counts the edges into every IR block of `function`: one per successor occurrence in a
    /// terminator, plus the entry's jump into block 0.
    pub(crate) fn new(function: &ir::Function) -> BlockSealing {
        let mut remaining_edges = vec![0u32; function.blocks.len()];
        if let Some(first) = remaining_edges.first_mut() {
            *first += 1;
        }
        for block in &function.blocks {
            for target in successors(&block.terminator.kind) {
                if let Some(count) = remaining_edges.get_mut(target.0 as usize) {
                    *count += 1;
                }
            }
        }
        BlockSealing { remaining_edges }
    }

    /// Seals every IR block that no branch enters (nothing will ever add a predecessor).
    pub(crate) fn seal_unreachable(&self, builder: &mut FunctionBuilder<'_>, blocks: &[Block]) {
        for (index, remaining) in self.remaining_edges.iter().enumerate() {
            if *remaining == 0 {
                builder.seal_block(blocks[index]);
            }
        }
    }

    /// Records that the edge into IR block `target` has been emitted; seals it if it was the
    /// last one.
    pub(crate) fn edge_emitted(
        &mut self,
        builder: &mut FunctionBuilder<'_>,
        blocks: &[Block],
        target: ir::BlockId,
    ) {
        let index = target.0 as usize;
        let Some(remaining) = self.remaining_edges.get_mut(index) else {
            return;
        };
        *remaining -= 1;
        if *remaining == 0 {
            builder.seal_block(blocks[index]);
        }
    }

    /// The edges of `terminator` (just emitted) into IR blocks.
    pub(crate) fn terminator_emitted(
        &mut self,
        builder: &mut FunctionBuilder<'_>,
        blocks: &[Block],
        terminator: &ir::TerminatorKind,
    ) {
        for target in successors(terminator) {
            self.edge_emitted(builder, blocks, target);
        }
    }
}

/// The number of blocks created in the function so far: blocks created after this mark
/// are numbered from it ([`seal_blocks_created_since`]).
pub(crate) fn block_mark(builder: &FunctionBuilder<'_>) -> usize {
    builder.func.dfg.num_blocks()
}

/// Seals the blocks created since `mark`: an op's own blocks, once its lowering is done.
pub(crate) fn seal_blocks_created_since(builder: &mut FunctionBuilder<'_>, mark: usize) {
    for index in mark..builder.func.dfg.num_blocks() {
        builder.seal_block(Block::new(index));
    }
}
