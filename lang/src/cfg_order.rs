//! CFG orderings and shape facts shared by the RC pass and the verifier: reverse postorder
//! from block 0 (deterministic: successors visited then-before-else) and predecessor lists.

use crate::ir::Function;
use crate::operands::successors;

/// Reachable blocks in reverse postorder, starting with block 0. Out-of-range successor ids
/// are skipped (the verifier reports them).
pub fn reverse_postorder(function: &Function) -> Vec<usize> {
    let count = function.blocks.len();
    if count == 0 {
        return Vec::new();
    }
    let mut visited = vec![false; count];
    let mut postorder = Vec::with_capacity(count);
    // Explicit stack of (block, next successor index) so deep CFGs do not recurse.
    let mut stack = vec![(0usize, 0usize)];
    visited[0] = true;
    while let Some(&mut (block, ref mut next)) = stack.last_mut() {
        let succs = successors(&function.blocks[block].terminator.kind);
        if let Some(successor) = succs.get(*next) {
            *next += 1;
            let successor = successor.0 as usize;
            if successor < count && !visited[successor] {
                visited[successor] = true;
                stack.push((successor, 0));
            }
        } else {
            postorder.push(block);
            stack.pop();
        }
    }
    postorder.reverse();
    postorder
}

/// For each block, its predecessor blocks (one entry per CFG edge, in block order).
pub fn predecessors(function: &Function) -> Vec<Vec<usize>> {
    let mut predecessors = vec![Vec::new(); function.blocks.len()];
    for (index, block) in function.blocks.iter().enumerate() {
        for successor in successors(&block.terminator.kind) {
            if let Some(list) = predecessors.get_mut(successor.0 as usize) {
                list.push(index);
            }
        }
    }
    predecessors
}
