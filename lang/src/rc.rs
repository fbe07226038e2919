//! The reference-counting pass: the ONE place that inserts `Retain`/`Release` and fills every
//! fallible op's `cleanup` (Perceus / Lean ExplicitRC style). It is deterministic: every set
//! is listed ascending (`var_set.rs`), blocks in reverse postorder, fresh variables numbered
//! upward from the function's `var_count`. It is linear in the size of a block (apart from
//! the cleanups it writes): a million-element literal is one block of a million ops.
//!
//! Algorithm, per function:
//! 1. Liveness over the CFG (`liveness.rs`): live-at-start and live-out of every block, then
//!    the vars live after each op.
//! 2. Every value an op defines, and every Owned block param, is *owned*; Borrowed params are
//!    never retained on entry, released or consumed. The pass tracks the set of owned vars
//!    *held* (defined and not yet consumed or released) while walking each block.
//! 3. Block entry: block 0 holds its owned params; a `Branch` target holds what its single
//!    predecessor held at the branch; any other block (a join or the loop header) holds its
//!    owned params plus the owned vars live into it. Held vars not live at the block's start
//!    are released first (this releases vars a Branch left behind for the other side, and
//!    dead join params).
//! 4. For each op, operands in owned positions (see `operands.rs`): a held owned var whose
//!    last use this is, used nowhere else in the op, is moved (consumed). Otherwise, a borrowed
//!    var, a var still live after the op, a var appearing again in a later owned position of
//!    the same op, or a var also read in a borrowed position of the op gets `tN = Retain x`
//!    first and `tN` is passed instead (so of k owned occurrences, the last one moves).
//!    First, a `++` whose left operand is held and dead after it takes that operand owned
//!    (`concat_ownership.rs`), so a unique Text or List can be appended to in place.
//! 5. The cleanup of a fallible op = the held vars the op does not itself consume, ascending
//!    (this includes vars whose last use is this op in a borrowed position, and earlier
//!    `Retain` temps of the same op). For `Enter` that is the owned params; for a `Branch`,
//!    everything held before it. It is written once per block, as the block's cleanup table
//!    (`cleanup_table.rs`): each var's held range, from the position after the op that
//!    defines it (0 when held on entry) to the position of the op that consumes or releases
//!    it (past the terminator when still held at the end), so the IR is linear in the
//!    number of held vars, not in held vars times fallible ops.
//! 6. After each op the held vars that are no longer live are released, ascending: last uses
//!    in borrowed positions, and a dead definition right after it is defined.
//! 7. Before a `Return`/`Jump`/tail call, args are prepared as in 4 (a `Jump` arg is owned when the
//!    target param is Owned) and held vars that are neither consumed nor live into the target
//!    are released. A self tail call's `Fuel` stays immediately before its `Jump`: the args'
//!    retains and the releases are placed before the `Fuel`, whose cleanup holds the args.

use std::collections::{BTreeSet, HashMap};

use crate::cfg_order::reverse_postorder;
use crate::cleanup_table::HeldRanges;
use crate::concat_ownership::with_owned_concat_left;
use crate::ir::{Function, Module, Op, OpKind, ParamMode, Span, Terminator, TerminatorKind, Var};
use crate::liveness::{self, LiveAfterOps, LiveMentions, LiveVars, Liveness};
use crate::operands::{op_operands_into, replace_op_operands, terminator_operands_in};
use crate::var_set::{AscendingVars, VarSet};

/// Inserts RC ops and cleanups into every function of `module` (which must be pre-RC).
pub fn insert_reference_counting(module: &mut Module) {
    // What the operands of calls and tail calls need of every function: its params (not a
    // clone of every body, which for a big literal is most of the module).
    let signatures: Vec<Function> = module
        .functions
        .iter()
        .map(|function| Function {
            name: String::new(),
            takes_closure: function.takes_closure,
            params: function.params.clone(),
            blocks: Vec::new(),
            var_count: function.var_count,
            span: function.span,
        })
        .collect();
    for function in &mut module.functions {
        FunctionRc::run(function, &signatures);
        function.shrink_to_fit();
    }
}

struct FunctionRc<'a> {
    functions: &'a [Function],
    next_var: u32,
    /// Every Borrowed block param of the function (see [`borrowed_vars`]).
    borrowed: BTreeSet<Var>,
    /// The owned vars held at the current point of the block being rewritten (one set,
    /// reused block after block).
    held: VarSet,
    /// The held ranges of the block being rewritten (its cleanup table in the making).
    ranges: HeldRanges,
}

impl FunctionRc<'_> {
    fn run(function: &mut Function, functions: &[Function]) {
        let liveness = liveness::compute(function, functions);
        let mut pass = FunctionRc {
            functions,
            next_var: function.var_count,
            borrowed: borrowed_vars(function),
            held: VarSet::new(),
            ranges: HeldRanges::new(),
        };
        let mut live_scratch = VarSet::new();
        let count = function.blocks.len();
        let mut branch_entry: Vec<Option<Vec<Var>>> = vec![None; count];
        for block in reverse_postorder(function) {
            let entry = match branch_entry[block].take() {
                Some(held) => held,
                None => entry_held(function, &liveness, &pass.borrowed, block),
            };
            pass.held.clear();
            pass.ranges = HeldRanges::new();
            for &var in &entry {
                pass.ranges.open(var, 0);
            }
            pass.held.extend(entry);
            let live_after =
                liveness.live_after_each(function, functions, block, &mut live_scratch);
            // The block's own ops move into the rewrite (no clone); later blocks read only
            // this block's params, which stay.
            let ops = std::mem::take(&mut function.blocks[block].ops);
            let (ops, terminator) = pass.block(function, &liveness, &live_after, block, ops);
            if let TerminatorKind::Branch {
                then_block,
                else_block,
                ..
            } = &terminator.kind
            {
                // A Branch consumes nothing: what is held at it is held on entry to both.
                let held = pass.held.ascending().to_vec();
                for target in [then_block, else_block] {
                    if let Some(slot) = branch_entry.get_mut(target.0 as usize) {
                        *slot = Some(held.clone());
                    }
                }
            }
            function.blocks[block].ops = ops;
            function.blocks[block].terminator = terminator;
            let ranges = std::mem::take(&mut pass.ranges);
            function.blocks[block].cleanup = ranges.finish(&function.blocks[block]);
        }
        function.var_count = pass.next_var;
    }

    fn fresh_var(&mut self) -> Var {
        let var = Var(self.next_var);
        self.next_var += 1;
        var
    }

    /// Rewrites one block's `ops`, starting with `self.held`; returns the new ops and
    /// terminator (a Branch's cleanup is what is held at it).
    fn block(
        &mut self,
        function: &Function,
        liveness: &Liveness,
        live_after: &LiveAfterOps,
        index: usize,
        ops: Vec<Op>,
    ) -> (Vec<Op>, Terminator) {
        let block = &function.blocks[index];
        let mut out = Vec::with_capacity(ops.len());
        let top_span = ops.first().map_or(block.terminator.span, |op| op.span);
        release_dead(
            (&mut self.held, &mut self.ranges),
            &liveness.live_at_start[index],
            top_span,
            &mut out,
        );
        let fuel_then_jump = matches!(block.terminator.kind, TerminatorKind::Jump { .. })
            && matches!(ops.last(), Some(op) if op.kind == OpKind::Fuel);
        let plain_ops = ops.len() - usize::from(fuel_then_jump);
        let mut ops = ops.into_iter();
        let mut operands = Vec::new();
        let mut consumed = Vec::new();
        for (op_index, op) in ops.by_ref().take(plain_ops).enumerate() {
            let live = live_after.at(op_index);
            let mut kind = with_owned_concat_left(op.kind, &self.held, &live);
            op_operands_into(&kind, self.functions, &mut operands);
            let replacement =
                self.prepare_operands(&operands, &live, op.span, &mut out, &mut consumed);
            replace_op_operands(&mut kind, &replacement);
            // The op's cleanup: everything held and not consumed (consumed vars were all
            // held), as the ranges open at its position.
            let position = out.len() as u32;
            for &var in &consumed {
                self.held.remove(var);
                self.ranges.close(var, position);
            }
            let dst = kind.dst();
            out.push(Op::new(kind, op.span));
            if let Some(dst) = dst {
                self.held.insert(dst);
                self.ranges.open(dst, position + 1);
            }
            release_dead_mentions(
                (&mut self.held, &mut self.ranges),
                &operands,
                dst,
                live,
                op.span,
                &mut out,
            );
        }
        let mut terminator = block.terminator.clone();
        match &mut terminator.kind {
            // Its cleanup is every range still open (closed past the terminator).
            TerminatorKind::Branch { .. } => {}
            kind => {
                let operands = terminator_operands_in(kind, &function.blocks, self.functions);
                let live_out = &liveness.live_out[index];
                let replacement = self.prepare_operands(
                    &operands,
                    live_out,
                    terminator.span,
                    &mut out,
                    &mut consumed,
                );
                match kind {
                    TerminatorKind::Return { value } => *value = replacement[0],
                    TerminatorKind::Jump { args, .. } | TerminatorKind::TailCall { args, .. } => {
                        *args = replacement
                    }
                    TerminatorKind::TailCallValue { callee, args } => {
                        *callee = replacement[0];
                        *args = replacement[1..].to_vec();
                    }
                    TerminatorKind::Branch { .. } => {}
                }
                for &var in &consumed {
                    self.held.remove(var);
                }
                release_dead(
                    (&mut self.held, &mut self.ranges),
                    live_out,
                    terminator.span,
                    &mut out,
                );
                // The `Fuel`'s cleanup also holds what the terminator consumes: those ranges
                // close at the terminator, after the `Fuel`.
                if let Some(fuel) = ops.next() {
                    out.push(Op::new(OpKind::Fuel, fuel.span));
                }
                let position = out.len() as u32;
                for &var in &consumed {
                    self.ranges.close(var, position);
                }
            }
        }
        (out, terminator)
    }

    /// Decides move vs retain for each operand in an owned position (step 4 of the module
    /// docs). Returns the operand list to use; `consumed` is set to the vars the op consumes
    /// (all held, each once).
    fn prepare_operands(
        &mut self,
        operands: &[(Var, ParamMode)],
        live_after: &impl LiveVars,
        span: Span,
        out: &mut Vec<Op>,
        consumed: &mut Vec<Var>,
    ) -> Vec<Var> {
        let mut replacement = Vec::with_capacity(operands.len());
        consumed.clear();
        // Per var mentioned more than once: how many owned occurrences are still to come,
        // and whether it is also read borrowed. Found by sorting, not hashing every operand
        // (an op may have a million operands, almost always all distinct).
        let mut owned_left: HashMap<Var, usize> = HashMap::new();
        let mut read_borrowed: BTreeSet<Var> = BTreeSet::new();
        for &(var, mode) in repeated_operands(operands).iter() {
            match mode {
                ParamMode::Owned => *owned_left.entry(var).or_default() += 1,
                ParamMode::Borrowed => {
                    read_borrowed.insert(var);
                }
            }
        }
        for &(var, mode) in operands {
            if mode == ParamMode::Borrowed {
                replacement.push(var);
                continue;
            }
            let owned_again_later = owned_left.get_mut(&var).is_some_and(|remaining| {
                *remaining -= 1;
                *remaining > 0
            });
            let also_borrowed = read_borrowed.contains(&var);
            let must_retain = !self.held.contains(var)
                || live_after.is_live(var)
                || owned_again_later
                || also_borrowed;
            if must_retain {
                let temp = self.fresh_var();
                out.push(Op::new(
                    OpKind::Retain {
                        dst: temp,
                        src: var,
                    },
                    span,
                ));
                self.held.insert(temp);
                self.ranges.open(temp, out.len() as u32);
                replacement.push(temp);
                consumed.push(temp);
            } else {
                replacement.push(var);
                consumed.push(var);
            }
        }
        replacement
    }
}

/// The operands whose var occurs more than once in `operands`, in operand order.
fn repeated_operands(operands: &[(Var, ParamMode)]) -> Vec<(Var, ParamMode)> {
    if operands.len() < 2 {
        return Vec::new();
    }
    let mut vars: Vec<Var> = operands.iter().map(|&(var, _)| var).collect();
    vars.sort_unstable();
    let repeated: BTreeSet<Var> = vars
        .windows(2)
        .filter(|pair| pair[0] == pair[1])
        .map(|pair| pair[0])
        .collect();
    if repeated.is_empty() {
        return Vec::new();
    }
    operands
        .iter()
        .copied()
        .filter(|(var, _)| repeated.contains(var))
        .collect()
}

/// What a join block or the loop header holds on entry: its owned params and the owned vars
/// live into it. Block 0 holds its owned params. Ascending.
fn entry_held(
    function: &Function,
    liveness: &Liveness,
    borrowed: &BTreeSet<Var>,
    block: usize,
) -> Vec<Var> {
    let mut held: Vec<Var> = function.blocks[block]
        .params
        .iter()
        .filter(|p| p.mode == ParamMode::Owned)
        .map(|p| p.var)
        .collect();
    if block != 0 {
        held.extend(
            liveness
                .live_in(function, block)
                .into_iter()
                .filter(|var| !borrowed.contains(var)),
        );
    }
    AscendingVars::new(held).into_vec()
}

/// Every Borrowed block param of the function.
pub fn borrowed_vars(function: &Function) -> BTreeSet<Var> {
    function
        .blocks
        .iter()
        .flat_map(|block| block.params.iter())
        .filter(|p| p.mode == ParamMode::Borrowed)
        .map(|p| p.var)
        .collect()
}

/// Releases (ascending) every held var not in `live`.
fn release_dead(
    (held, ranges): (&mut VarSet, &mut HeldRanges),
    live: &AscendingVars,
    span: Span,
    out: &mut Vec<Op>,
) {
    let dead: Vec<Var> = held
        .ascending()
        .iter()
        .copied()
        .filter(|&var| !live.contains(var))
        .collect();
    for var in dead {
        held.remove(var);
        ranges.close(var, out.len() as u32);
        out.push(Op::new(OpKind::Release { var }, span));
    }
}

/// [`release_dead`] after an op, looking only at the vars the op mentions: before the op
/// every held var was live, and a var the op neither reads nor defines is as live after it
/// as before, so only its operands and its dst can have died. Releases ascending.
fn release_dead_mentions(
    (held, ranges): (&mut VarSet, &mut HeldRanges),
    operands: &[(Var, ParamMode)],
    dst: Option<Var>,
    live: LiveMentions<'_>,
    span: Span,
    out: &mut Vec<Op>,
) {
    let mut dead: Vec<Var> = operands
        .iter()
        .map(|&(var, _)| var)
        .chain(dst)
        .filter(|&var| held.contains(var) && !live.is_live(var))
        .collect();
    dead.sort_unstable();
    dead.dedup();
    for var in dead {
        held.remove(var);
        ranges.close(var, out.len() as u32);
        out.push(Op::new(OpKind::Release { var }, span));
    }
}
