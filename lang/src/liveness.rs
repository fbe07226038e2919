//! Liveness over a function's CFG: for each block, the variables live at its start (after its
//! params are bound, so used params are included) and at its end. Standard backward dataflow
//! iterated to a fixed point, with deterministic ordered sets.

use std::collections::BTreeSet;

use crate::ir::{Function, Var};
use crate::operands::{op_operands, successors, terminator_operands};

pub struct Liveness {
    /// Live right after the block's params are bound (includes used params).
    pub live_at_start: Vec<BTreeSet<Var>>,
    /// Live after the terminator: the successors' live-at-start minus their params.
    pub live_out: Vec<BTreeSet<Var>>,
}

impl Liveness {
    /// Vars live into `block` from its predecessors (not counting its own params).
    pub fn live_in(&self, function: &Function, block: usize) -> BTreeSet<Var> {
        let mut live = self.live_at_start[block].clone();
        for param in &function.blocks[block].params {
            live.remove(&param.var);
        }
        live
    }

    /// For each op of `block`, which of the vars it mentions (its operands and its dst) are
    /// live right after it. That is all the RC pass asks of an op (a held var the op does
    /// not mention stays live across it), and it keeps the work linear in the block's size
    /// where a full live set per op would be quadratic (a long literal holds every element).
    pub fn live_after_each(
        &self,
        function: &Function,
        functions: &[Function],
        block: usize,
    ) -> Vec<LiveMentions> {
        let ops = &function.blocks[block].ops;
        let mut after = Vec::with_capacity(ops.len());
        let mut live = self.live_out[block].clone();
        for (var, _) in
            terminator_operands(&function.blocks[block].terminator.kind, &function.blocks)
        {
            live.insert(var);
        }
        for op in ops.iter().rev() {
            let mut mentioned: Vec<Var> = op_operands(&op.kind, functions)
                .into_iter()
                .map(|(var, _)| var)
                .chain(op.kind.dst())
                .filter(|var| live.contains(var))
                .collect();
            mentioned.sort_unstable();
            mentioned.dedup();
            after.push(LiveMentions(mentioned));
            step_backward(&op.kind, functions, &mut live);
        }
        after.reverse();
        after
    }
}

/// The vars an op mentions that are live right after it, ascending (see
/// [`Liveness::live_after_each`]); asking about any other var is a logic error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveMentions(Vec<Var>);

/// A set of vars that can answer "is this var live?" (a full live set, or an op's
/// [`LiveMentions`]).
pub trait LiveVars {
    fn is_live(&self, var: Var) -> bool;
}

impl LiveVars for LiveMentions {
    fn is_live(&self, var: Var) -> bool {
        self.0.binary_search(&var).is_ok()
    }
}

impl LiveVars for BTreeSet<Var> {
    fn is_live(&self, var: Var) -> bool {
        self.contains(&var)
    }
}

fn step_backward(kind: &crate::ir::OpKind, functions: &[Function], live: &mut BTreeSet<Var>) {
    if let Some(dst) = kind.dst() {
        live.remove(&dst);
    }
    if let crate::ir::OpKind::Release { var } = kind {
        live.insert(*var);
    }
    for (var, _) in op_operands(kind, functions) {
        live.insert(var);
    }
}

pub fn compute(function: &Function, functions: &[Function]) -> Liveness {
    let count = function.blocks.len();
    let mut live_at_start = vec![BTreeSet::new(); count];
    let mut live_out = vec![BTreeSet::new(); count];
    loop {
        let mut changed = false;
        for index in (0..count).rev() {
            let block = &function.blocks[index];
            let mut out = BTreeSet::new();
            for successor in successors(&block.terminator.kind) {
                let Some(target) = function.blocks.get(successor.0 as usize) else {
                    continue;
                };
                let start: &BTreeSet<Var> = &live_at_start[successor.0 as usize];
                out.extend(
                    start
                        .iter()
                        .filter(|var| !target.params.iter().any(|p| p.var == **var)),
                );
            }
            let mut live = out.clone();
            for (var, _) in terminator_operands(&block.terminator.kind, &function.blocks) {
                live.insert(var);
            }
            for op in block.ops.iter().rev() {
                step_backward(&op.kind, functions, &mut live);
            }
            if live != live_at_start[index] || out != live_out[index] {
                live_at_start[index] = live;
                live_out[index] = out;
                changed = true;
            }
        }
        if !changed {
            return Liveness {
                live_at_start,
                live_out,
            };
        }
    }
}
