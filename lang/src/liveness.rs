//! Liveness over a function's CFG: for each block, the variables live at its start (after its
//! params are bound, so used params are included) and at its end. Standard backward dataflow:
//! one walk over each block's ops reduces it to a summary (the vars it uses before defining
//! them, and the vars it defines), then the summaries are iterated to a fixed point, so a
//! block of a million ops is walked once however many iterations the CFG needs.
//! Deterministic: every set is ascending.

use crate::ir::{Function, OpKind, ParamMode, Var};
use crate::operands::{op_operands_into, successors, terminator_operands};
use crate::var_set::{AscendingVars, VarSet};

pub struct Liveness {
    /// Live right after the block's params are bound (includes used params).
    pub live_at_start: Vec<AscendingVars>,
    /// Live after the terminator: the successors' live-at-start minus their params.
    pub live_out: Vec<AscendingVars>,
}

impl Liveness {
    /// Vars live into `block` from its predecessors (not counting its own params), ascending.
    pub fn live_in(&self, function: &Function, block: usize) -> Vec<Var> {
        let params = &function.blocks[block].params;
        self.live_at_start[block]
            .as_slice()
            .iter()
            .copied()
            .filter(|var| !params.iter().any(|param| param.var == *var))
            .collect()
    }

    /// For each op of `block`, which of the vars it mentions (its operands and its dst) are
    /// live right after it. That is all the RC pass asks of an op (a held var the op does
    /// not mention stays live across it), and it keeps the work linear in the block's size
    /// where a full live set per op would be quadratic (a long literal holds every element).
    /// `scratch` is a set the caller reuses across blocks (its contents are replaced).
    pub fn live_after_each(
        &self,
        function: &Function,
        functions: &[Function],
        block: usize,
        scratch: &mut VarSet,
    ) -> LiveAfterOps {
        let ops = &function.blocks[block].ops;
        let live = scratch;
        live.clear();
        live.extend(self.live_out[block].as_slice().iter().copied());
        for (var, _) in
            terminator_operands(&function.blocks[block].terminator.kind, &function.blocks)
        {
            live.insert(var);
        }
        // One run of vars per op, stored in walk order (last op first).
        let mut vars = Vec::new();
        let mut ends = Vec::with_capacity(ops.len());
        let mut operands = Vec::new();
        let mut mentioned = Vec::new();
        for op in ops.iter().rev() {
            op_operands_into(&op.kind, functions, &mut operands);
            mentioned.clear();
            mentioned.extend(
                operands
                    .iter()
                    .map(|&(var, _)| var)
                    .chain(op.kind.dst())
                    .filter(|&var| live.contains(var)),
            );
            mentioned.sort_unstable();
            mentioned.dedup();
            vars.extend_from_slice(&mentioned);
            ends.push(vars.len());
            step_backward(&op.kind, &operands, live);
        }
        LiveAfterOps { vars, ends }
    }
}

/// Per op of a block, the vars it mentions that are live right after it (see
/// [`Liveness::live_after_each`]), stored as one run per op, last op first (the order of the
/// backward walk that finds them).
pub struct LiveAfterOps {
    vars: Vec<Var>,
    /// `ends[k]` is where run k ends in `vars` (it starts where run k-1 ends); run k belongs
    /// to op `ends.len() - 1 - k`.
    ends: Vec<usize>,
}

impl LiveAfterOps {
    /// The mentions of op `index` live after it.
    pub fn at(&self, index: usize) -> LiveMentions<'_> {
        let run = self.ends.len() - 1 - index;
        let start = if run == 0 { 0 } else { self.ends[run - 1] };
        LiveMentions(&self.vars[start..self.ends[run]])
    }
}

/// The vars an op mentions that are live right after it, ascending (see
/// [`Liveness::live_after_each`]); asking about any other var is a logic error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiveMentions<'a>(&'a [Var]);

/// A set of vars that can answer "is this var live?" (a full live set, or an op's
/// [`LiveMentions`]).
pub trait LiveVars {
    fn is_live(&self, var: Var) -> bool;
}

impl LiveVars for LiveMentions<'_> {
    fn is_live(&self, var: Var) -> bool {
        self.0.binary_search(&var).is_ok()
    }
}

impl LiveVars for AscendingVars {
    fn is_live(&self, var: Var) -> bool {
        self.contains(var)
    }
}

/// Live before `kind` given `live` after it: its dst is not, its operands (and a released
/// var) are.
fn step_backward(kind: &OpKind, operands: &[(Var, ParamMode)], live: &mut VarSet) {
    if let Some(dst) = kind.dst() {
        live.remove(dst);
    }
    if let OpKind::Release { var } = kind {
        live.insert(*var);
    }
    for &(var, _) in operands {
        live.insert(var);
    }
}

/// What a block does to liveness: live at its start = `used` ∪ (live at its end − `defined`).
struct BlockSummary {
    /// Live at the block's start if nothing is live at its end (terminator operands and the
    /// ops' uses not preceded by a definition in the block).
    used: AscendingVars,
    /// Every var an op of the block defines.
    defined: AscendingVars,
}

fn summarize(
    function: &Function,
    functions: &[Function],
    block: usize,
    live: &mut VarSet,
) -> BlockSummary {
    let block = &function.blocks[block];
    live.clear();
    for (var, _) in terminator_operands(&block.terminator.kind, &function.blocks) {
        live.insert(var);
    }
    let mut defined = Vec::new();
    let mut operands = Vec::new();
    for op in block.ops.iter().rev() {
        op_operands_into(&op.kind, functions, &mut operands);
        defined.extend(op.kind.dst());
        step_backward(&op.kind, &operands, live);
    }
    BlockSummary {
        used: AscendingVars::new(live.ascending().to_vec()),
        defined: AscendingVars::new(defined),
    }
}

pub fn compute(function: &Function, functions: &[Function]) -> Liveness {
    let count = function.blocks.len();
    let mut scratch = VarSet::new();
    let summaries: Vec<BlockSummary> = (0..count)
        .map(|block| summarize(function, functions, block, &mut scratch))
        .collect();
    let mut live_at_start = vec![AscendingVars::default(); count];
    let mut live_out = vec![AscendingVars::default(); count];
    loop {
        let mut changed = false;
        for index in (0..count).rev() {
            let block = &function.blocks[index];
            let mut out = Vec::new();
            for successor in successors(&block.terminator.kind) {
                let Some(target) = function.blocks.get(successor.0 as usize) else {
                    continue;
                };
                out.extend(
                    live_at_start[successor.0 as usize]
                        .as_slice()
                        .iter()
                        .filter(|var| !target.params.iter().any(|p| p.var == **var)),
                );
            }
            let out = AscendingVars::new(out);
            let summary = &summaries[index];
            let passing: Vec<Var> = out
                .as_slice()
                .iter()
                .copied()
                .filter(|&var| !summary.defined.contains(var))
                .collect();
            let live = summary.used.union(&passing);
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
