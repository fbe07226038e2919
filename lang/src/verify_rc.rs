//! Reference-count balance of post-RC IR, checked by counting: walking each block in reverse
//! postorder with the set of owned vars *held*, every owned var must be consumed (moved into
//! an owned position) or released exactly once on every path, and never used afterwards;
//! borrowed vars (Borrowed block params) are never released or consumed, and a Jump arg for a
//! Borrowed target param must itself be borrowed. A block reached from several predecessors
//! must be entered with the same held set from each. Each fallible op's cleanup must be
//! exactly the held vars it does not consume, ascending; a Branch's, everything held.
//! Nothing may be held at a Return. Cleanups are checked as the block's cleanup table
//! (`cleanup_table.rs`): the walk rebuilds the held ranges and the table must agree with
//! them at every position an engine consults, so the check is linear in the table, not in
//! held vars times fallible ops.

use std::collections::BTreeSet;

use crate::cfg_order::reverse_postorder;
use crate::cleanup_table::{HeldRanges, consulted_counts, normalized};
use crate::diagnostic::Diagnostic;
use crate::ir::{Function, OpKind, ParamMode, Span, TerminatorKind, Var};
use crate::operands::{op_operands, terminator_operands_in};
use crate::rc::borrowed_vars;
use crate::verify::invalid;

fn describe(vars: &BTreeSet<Var>) -> String {
    let names: Vec<String> = vars.iter().map(|v| format!("v{}", v.0)).collect();
    format!("[{}]", names.join(", "))
}

struct BlockWalk<'a> {
    function: &'a Function,
    borrowed: &'a BTreeSet<Var>,
    block: usize,
    held: BTreeSet<Var>,
    ranges: HeldRanges,
    /// The position of the op (or terminator) being applied.
    position: u32,
}

impl BlockWalk<'_> {
    fn fail(&self, message: String, span: Span) -> Diagnostic {
        invalid(self.function, format!("b{}: {message}", self.block), span)
    }

    /// Applies one operand list: borrowed reads must be available, owned uses are consumed.
    /// Returns the consumed set.
    fn apply(
        &mut self,
        operands: &[(Var, ParamMode)],
        span: Span,
    ) -> Result<BTreeSet<Var>, Diagnostic> {
        let mut consumed = BTreeSet::new();
        for &(var, mode) in operands {
            let available = self.borrowed.contains(&var) || self.held.contains(&var);
            if mode == ParamMode::Borrowed && !available {
                return Err(self.fail(
                    format!("v{} is used after it was consumed or released", var.0),
                    span,
                ));
            }
        }
        for &(var, mode) in operands {
            if mode == ParamMode::Borrowed {
                continue;
            }
            if self.borrowed.contains(&var) {
                return Err(self.fail(
                    format!(
                        "borrowed v{} is passed in an owned position (it needs a retain)",
                        var.0
                    ),
                    span,
                ));
            }
            if !self.held.remove(&var) {
                return Err(self.fail(
                    format!(
                        "v{} is consumed but not held (consumed twice, or used after release)",
                        var.0
                    ),
                    span,
                ));
            }
            self.ranges.close(var, self.position);
            consumed.insert(var);
        }
        Ok(consumed)
    }

    /// Compares the block's cleanup table with the held ranges of the walk, at every
    /// position an engine consults; on a difference names the first such op.
    fn check_cleanup_table(mut self) -> Result<(), Diagnostic> {
        let block = &self.function.blocks[self.block];
        let counts = consulted_counts(block);
        let expected = std::mem::take(&mut self.ranges).finish(block);
        if normalized(&block.cleanup, &counts) == normalized(&expected, &counts) {
            return Ok(());
        }
        // The first consulted position whose cleanups differ (only on this error path is a
        // cleanup listed per op).
        let listed_at = |table: &[crate::ir::CleanupRange], position: u32| -> Vec<Var> {
            (table.iter())
                .filter(|range| range.covers(position))
                .map(|range| range.var)
                .collect()
        };
        let end = block.ops.len() as u32;
        for position in 0..=end {
            if counts[position as usize + 1] == counts[position as usize] {
                continue;
            }
            let listed = listed_at(&block.cleanup, position);
            let held = listed_at(&expected, position);
            if listed != held {
                let span = block
                    .ops
                    .get(position as usize)
                    .map_or(block.terminator.span, |op| op.span);
                let listed: Vec<String> = listed.iter().map(|v| format!("v{}", v.0)).collect();
                return Err(self.fail(
                    format!(
                        "cleanup [{}] at position {position} must list exactly the held owned vars {} in ascending order",
                        listed.join(", "),
                        describe(&held.into_iter().collect())
                    ),
                    span,
                ));
            }
        }
        Ok(())
    }
}

pub fn verify_function_rc(function: &Function, functions: &[Function]) -> Result<(), Diagnostic> {
    let borrowed = borrowed_vars(function);
    let count = function.blocks.len();
    let mut entry: Vec<Option<BTreeSet<Var>>> = vec![None; count];
    entry[0] = Some(owned_params(function, 0));
    for block_index in reverse_postorder(function) {
        let block = &function.blocks[block_index];
        let Some(held) = entry[block_index].clone() else {
            return Err(invalid(
                function,
                format!("b{block_index} is reached before any predecessor"),
                function.span,
            ));
        };
        let mut walk = BlockWalk {
            function,
            borrowed: &borrowed,
            block: block_index,
            ranges: HeldRanges::new(),
            held,
            position: 0,
        };
        for &var in &walk.held {
            walk.ranges.open(var, 0);
        }
        for (position, op) in block.ops.iter().enumerate() {
            walk.position = position as u32;
            if let OpKind::Release { var } = op.kind {
                if borrowed.contains(&var) {
                    return Err(walk.fail(format!("borrowed v{} is released", var.0), op.span));
                }
                if !walk.held.remove(&var) {
                    return Err(walk.fail(
                        format!("v{} is released but not held (released twice, or after it was consumed)", var.0),
                        op.span,
                    ));
                }
                walk.ranges.close(var, walk.position);
                continue;
            }
            // `apply` closes the ranges of what the op consumes; what stays open is its
            // cleanup (checked against the table once the block is walked).
            walk.apply(&op_operands(&op.kind, functions), op.span)?;
            if let Some(dst) = op.kind.dst() {
                walk.held.insert(dst);
                walk.ranges.open(dst, walk.position + 1);
            }
        }
        walk.position = block.ops.len() as u32;
        let terminator = &block.terminator;
        let operands = terminator_operands_in(&terminator.kind, &function.blocks, functions);
        match &terminator.kind {
            TerminatorKind::TailCall { .. } | TerminatorKind::TailCallValue { .. } => {
                for &(var, mode) in &operands {
                    if mode == ParamMode::Borrowed && !borrowed.contains(&var) {
                        return Err(walk.fail(
                            format!(
                                "owned v{} is passed to a borrowed param of a tail call (its owner does not outlive the call)",
                                var.0
                            ),
                            terminator.span,
                        ));
                    }
                }
                walk.apply(&operands, terminator.span)?;
                if !walk.held.is_empty() {
                    return Err(walk.fail(
                        format!("{} still held at a tail call (leak)", describe(&walk.held)),
                        terminator.span,
                    ));
                }
            }
            TerminatorKind::Return { .. } => {
                walk.apply(&operands, terminator.span)?;
                if !walk.held.is_empty() {
                    return Err(walk.fail(
                        format!("{} still held at return (leak)", describe(&walk.held)),
                        terminator.span,
                    ));
                }
            }
            TerminatorKind::Branch {
                then_block,
                else_block,
                ..
            } => {
                walk.apply(&operands, terminator.span)?;
                for target in [then_block, else_block] {
                    record_entry(
                        &mut entry,
                        function,
                        target.0 as usize,
                        walk.held.clone(),
                        terminator.span,
                    )?;
                }
            }
            TerminatorKind::Jump { target, .. } => {
                for &(var, mode) in &operands {
                    if mode == ParamMode::Borrowed && !borrowed.contains(&var) {
                        return Err(walk.fail(
                            format!(
                                "owned v{} is passed to a borrowed param of b{}",
                                var.0, target.0
                            ),
                            terminator.span,
                        ));
                    }
                }
                walk.apply(&operands, terminator.span)?;
                let mut target_entry = walk.held.clone();
                target_entry.extend(owned_params(function, target.0 as usize));
                record_entry(
                    &mut entry,
                    function,
                    target.0 as usize,
                    target_entry,
                    terminator.span,
                )?;
            }
        }
        walk.check_cleanup_table()?;
    }
    Ok(())
}

/// Records the held set `target` is entered with; all predecessors must agree.
fn record_entry(
    entry: &mut [Option<BTreeSet<Var>>],
    function: &Function,
    target: usize,
    held: BTreeSet<Var>,
    span: Span,
) -> Result<(), Diagnostic> {
    match &entry[target] {
        Some(existing) if *existing != held => Err(invalid(
            function,
            format!(
                "b{target} is entered holding {} on one path and {} on another",
                describe(existing),
                describe(&held)
            ),
            span,
        )),
        Some(_) => Ok(()),
        None => {
            entry[target] = Some(held);
            Ok(())
        }
    }
}

fn owned_params(function: &Function, block: usize) -> BTreeSet<Var> {
    function.blocks[block]
        .params
        .iter()
        .filter(|p| p.mode == ParamMode::Owned)
        .map(|p| p.var)
        .collect()
}
