//! Dominator tree of a function's CFG (Cooper, Harvey & Kennedy's iterative algorithm over
//! reverse postorder), used by the verifier's "defined before use" check.

use crate::cfg_order::{predecessors, reverse_postorder};
use crate::ir::Function;

pub struct Dominators {
    /// Immediate dominator of each block (`None` for block 0 and unreachable blocks).
    idom: Vec<Option<usize>>,
}

impl Dominators {
    pub fn compute(function: &Function) -> Dominators {
        let count = function.blocks.len();
        let order = reverse_postorder(function);
        let mut rank = vec![usize::MAX; count];
        for (position, &block) in order.iter().enumerate() {
            rank[block] = position;
        }
        let predecessors = predecessors(function);
        let mut idom: Vec<Option<usize>> = vec![None; count];
        if count == 0 {
            return Dominators { idom };
        }
        idom[0] = Some(0);
        let mut changed = true;
        while changed {
            changed = false;
            for &block in order.iter().skip(1) {
                let mut new_idom: Option<usize> = None;
                for &pred in &predecessors[block] {
                    if idom[pred].is_none() {
                        continue;
                    }
                    new_idom = Some(match new_idom {
                        None => pred,
                        Some(current) => intersect(&idom, &rank, pred, current),
                    });
                }
                if new_idom.is_some() && idom[block] != new_idom {
                    idom[block] = new_idom;
                    changed = true;
                }
            }
        }
        idom[0] = None;
        Dominators { idom }
    }

    /// Whether `a` dominates `b` (every block dominates itself).
    pub fn dominates(&self, a: usize, b: usize) -> bool {
        let mut current = b;
        loop {
            if current == a {
                return true;
            }
            match self.idom.get(current).copied().flatten() {
                Some(parent) if parent != current => current = parent,
                _ => return false,
            }
        }
    }
}

fn intersect(idom: &[Option<usize>], rank: &[usize], mut a: usize, mut b: usize) -> usize {
    while a != b {
        while rank[a] > rank[b] {
            a = idom[a].unwrap_or(0);
        }
        while rank[b] > rank[a] {
            b = idom[b].unwrap_or(0);
        }
    }
    a
}
