//! Reference-count balance of post-RC IR, checked by counting: walking each block in reverse
//! postorder with the set of owned vars *held*, every owned var must be consumed (moved into
//! an owned position) or released exactly once on every path, and never used afterwards;
//! borrowed vars (Borrowed block params) are never released or consumed, and a Jump arg for a
//! Borrowed target param must itself be borrowed. A block reached from several predecessors
//! must be entered with the same held set from each. Each fallible op's cleanup must be
//! exactly the held vars it does not consume, ascending; a Branch's, everything held.
//! Nothing may be held at a Return.

use std::collections::BTreeSet;

use crate::cfg_order::reverse_postorder;
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
            consumed.insert(var);
        }
        Ok(consumed)
    }

    fn check_cleanup(
        &self,
        cleanup: &[Var],
        expected: &BTreeSet<Var>,
        span: Span,
    ) -> Result<(), Diagnostic> {
        // Ascending and equal to `expected` is the same as equal to its ascending iteration.
        if !cleanup.iter().eq(expected.iter()) {
            let listed: Vec<String> = cleanup.iter().map(|v| format!("v{}", v.0)).collect();
            return Err(self.fail(
                format!(
                    "cleanup [{}] must list exactly the held owned vars {} in ascending order",
                    listed.join(", "),
                    describe(expected)
                ),
                span,
            ));
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
            held,
        };
        for op in &block.ops {
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
                continue;
            }
            walk.apply(&op_operands(&op.kind, functions), op.span)?;
            if op.kind.is_fallible() {
                // `apply` removed exactly what the op consumes: what is held now is what
                // was held before minus that (no copy of the held set per op).
                walk.check_cleanup(&op.cleanup, &walk.held, op.span)?;
            }
            if let Some(dst) = op.kind.dst() {
                walk.held.insert(dst);
            }
        }
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
                walk.check_cleanup(&terminator.cleanup, &walk.held.clone(), terminator.span)?;
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
