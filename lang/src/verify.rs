//! The IR verifier, run on any Module (lang-built or host-built). Structural checks: ids in
//! range, arities of Call/Builtin, jump arg counts, Branch targets with a single predecessor,
//! block 0 starting with `Enter` (and nothing jumping to it), `Fuel` only right before a
//! `Jump`, every block reachable, SSA (each var defined once, every use dominated by its
//! definition). A `GeneratorItem` anywhere is RT0201. The reference-count balance checks of
//! post-RC IR live in `verify_rc.rs`. Every other failure is E0301 `invalid IR: ...`.

use crate::cfg_order::{predecessors, reverse_postorder};
use crate::cleanup_table::consulted_counts;
use crate::diagnostic::{self, Diagnostic};
use crate::dominators::Dominators;
use crate::ir::{Function, Module, OpKind, Span, TerminatorKind, Var};
use crate::operands::{op_operands, successors, terminator_operands};

/// Full verification of post-RC IR: structure, then RC balance.
pub fn verify_module(module: &Module) -> Result<(), Diagnostic> {
    verify_structure(module)?;
    for function in &module.functions {
        crate::verify_rc::verify_function_rc(function, &module.functions)?;
    }
    Ok(())
}

pub fn invalid(function: &Function, message: impl std::fmt::Display, span: Span) -> Diagnostic {
    Diagnostic::new(
        diagnostic::INVALID_IR,
        format!("invalid IR in `{}`: {message}", function.name),
        span,
    )
}

/// Structural checks only (what must hold before the RC pass too).
pub fn verify_structure(module: &Module) -> Result<(), Diagnostic> {
    reject_generator_items(module)?;
    let Some(entry) = module.functions.get(module.entry.0 as usize) else {
        return Err(Diagnostic::new(
            diagnostic::INVALID_IR,
            format!(
                "invalid IR: entry function {} out of range ({} functions)",
                module.entry.0,
                module.functions.len()
            ),
            Span::default(),
        ));
    };
    if !entry.params.is_empty() {
        return Err(invalid(
            entry,
            "the entry function must take no params",
            entry.span,
        ));
    }
    for function in &module.functions {
        verify_function_structure(function, &module.functions)?;
        verify_ssa(function, &module.functions)?;
    }
    Ok(())
}

fn reject_generator_items(module: &Module) -> Result<(), Diagnostic> {
    for function in &module.functions {
        for block in &function.blocks {
            for op in &block.ops {
                if let OpKind::GeneratorItem { item } = op.kind {
                    return Err(Diagnostic::new(
                        diagnostic::RT_UNSUPPORTED_BLOCK_ITEM,
                        format!("unsupported block item in plain block: {}", item.name()),
                        op.span,
                    ));
                }
            }
        }
    }
    Ok(())
}

fn verify_function_structure(
    function: &Function,
    functions: &[Function],
) -> Result<(), Diagnostic> {
    let Some(entry) = function.blocks.first() else {
        return Err(invalid(
            function,
            "a function needs at least one block",
            function.span,
        ));
    };
    if entry.params != function.params {
        return Err(invalid(
            function,
            "block 0's params must be the function's params",
            function.span,
        ));
    }
    if !matches!(entry.ops.first(), Some(op) if op.kind == OpKind::Enter) {
        return Err(invalid(
            function,
            "block 0 must start with `enter`",
            function.span,
        ));
    }
    let block_count = function.blocks.len();
    for (block_index, block) in function.blocks.iter().enumerate() {
        for (op_index, op) in block.ops.iter().enumerate() {
            let here =
                |message: String| invalid(function, format!("b{block_index}: {message}"), op.span);
            if op.kind == OpKind::Enter && (block_index, op_index) != (0, 0) {
                return Err(here("`enter` may only be the first op of block 0".into()));
            }
            if op.kind == OpKind::Fuel
                && (op_index + 1 != block.ops.len()
                    || !matches!(block.terminator.kind, TerminatorKind::Jump { .. }))
            {
                return Err(here("`fuel` must immediately precede a `jump`".into()));
            }
            match &op.kind {
                OpKind::Call {
                    function: callee,
                    args,
                    ..
                } => {
                    let Some(target) = functions.get(callee.0 as usize) else {
                        return Err(here(format!("call to function {} out of range", callee.0)));
                    };
                    if target.params.len() != args.len() {
                        return Err(here(format!(
                            "arity mismatch: {} expects {}, got {}",
                            target.name,
                            crate::diagnostic::arguments(target.params.len()),
                            args.len()
                        )));
                    }
                }
                OpKind::Builtin { builtin, args, .. } if builtin.arity() != args.len() => {
                    return Err(here(format!(
                        "arity mismatch: {builtin:?} expects {}, got {}",
                        crate::diagnostic::arguments(builtin.arity()),
                        args.len()
                    )));
                }
                _ => {}
            }
        }
        let terminator = &block.terminator;
        let here = |message: String| {
            invalid(
                function,
                format!("b{block_index}: {message}"),
                terminator.span,
            )
        };
        for successor in successors(&terminator.kind) {
            if successor.0 as usize >= block_count {
                return Err(here(format!("jump to block {} out of range", successor.0)));
            }
            if successor.0 == 0 {
                return Err(here("nothing may jump to block 0".into()));
            }
        }
        match &terminator.kind {
            TerminatorKind::Jump { target, args } => {
                let params = function.blocks[target.0 as usize].params.len();
                if params != args.len() {
                    return Err(here(format!(
                        "jump to b{} passes {} args for {params} params",
                        target.0,
                        args.len()
                    )));
                }
            }
            TerminatorKind::Branch { .. } => {}
            TerminatorKind::TailCall {
                function: callee,
                args,
            } => {
                let Some(target) = functions.get(callee.0 as usize) else {
                    return Err(here(format!(
                        "tail call to function {} out of range",
                        callee.0
                    )));
                };
                if target.params.len() != args.len() {
                    return Err(here(format!(
                        "tail call to `{}` passes {} args for {} params",
                        target.name,
                        args.len(),
                        target.params.len()
                    )));
                }
            }
            TerminatorKind::Return { .. } | TerminatorKind::TailCallValue { .. } => {}
        }
        check_cleanup_table_shape(function, block_index, block)?;
    }
    let predecessors = predecessors(function);
    for block in &function.blocks {
        if let TerminatorKind::Branch {
            then_block,
            else_block,
            ..
        } = block.terminator.kind
        {
            for target in [then_block, else_block] {
                let target = target.0 as usize;
                if predecessors[target].len() != 1 || !function.blocks[target].params.is_empty() {
                    return Err(invalid(
                        function,
                        format!(
                            "branch target b{target} must have no params and exactly one predecessor"
                        ),
                        block.terminator.span,
                    ));
                }
            }
        }
    }
    let reachable = reverse_postorder(function);
    if reachable.len() != block_count {
        let unreachable = (0..block_count)
            .find(|b| !reachable.contains(b))
            .unwrap_or(0);
        return Err(invalid(
            function,
            format!("block b{unreachable} is unreachable"),
            function.span,
        ));
    }
    Ok(())
}

/// Where a variable is defined: block and position (0 = params, i + 1 = op i).
#[derive(Clone, Copy)]
struct Definition {
    block: usize,
    position: usize,
}

fn verify_ssa(function: &Function, functions: &[Function]) -> Result<(), Diagnostic> {
    let mut definitions: Vec<Option<Definition>> = vec![None; function.var_count as usize];
    let mut define = |var: Var, definition: Definition, span: Span| {
        let Some(slot) = definitions.get_mut(var.0 as usize) else {
            return Err(invalid(
                function,
                format!(
                    "v{} is out of range (var_count {})",
                    var.0, function.var_count
                ),
                span,
            ));
        };
        if slot.is_some() {
            return Err(invalid(
                function,
                format!("v{} is defined more than once", var.0),
                span,
            ));
        }
        *slot = Some(definition);
        Ok(())
    };
    for (block_index, block) in function.blocks.iter().enumerate() {
        for param in &block.params {
            define(
                param.var,
                Definition {
                    block: block_index,
                    position: 0,
                },
                function.span,
            )?;
        }
        for (op_index, op) in block.ops.iter().enumerate() {
            if let Some(dst) = op.kind.dst() {
                define(
                    dst,
                    Definition {
                        block: block_index,
                        position: op_index + 1,
                    },
                    op.span,
                )?;
            }
        }
    }
    let dominators = Dominators::compute(function);
    let check_use = |var: Var, block: usize, position: usize, span: Span| {
        let defined = definitions
            .get(var.0 as usize)
            .copied()
            .flatten()
            .is_some_and(|def| {
                if def.block == block {
                    def.position < position
                } else {
                    dominators.dominates(def.block, block)
                }
            });
        if defined {
            Ok(())
        } else {
            Err(invalid(
                function,
                format!(
                    "v{} is used in b{block} where its definition does not reach",
                    var.0
                ),
                span,
            ))
        }
    };
    for (block_index, block) in function.blocks.iter().enumerate() {
        for (op_index, op) in block.ops.iter().enumerate() {
            let position = op_index + 1;
            let mut used: Vec<Var> = op_operands(&op.kind, functions)
                .into_iter()
                .map(|(v, _)| v)
                .collect();
            if let OpKind::Release { var } = op.kind {
                used.push(var);
            }
            for var in used {
                check_use(var, block_index, position, op.span)?;
            }
        }
        let terminator = &block.terminator;
        let position = block.ops.len() + 1;
        let used = terminator_operands(&terminator.kind, &function.blocks)
            .into_iter()
            .map(|(v, _)| v);
        for var in used {
            check_use(var, block_index, position, terminator.span)?;
        }
        // A cleanup var must be defined before the first position an engine consults it at
        // (the later ones are then dominated too).
        let counts = consulted_counts(block);
        for range in &block.cleanup {
            let first = (range.from..range.to.min(counts.len() as u32 - 1))
                .find(|&p| counts[p as usize + 1] > counts[p as usize]);
            if let Some(first) = first {
                let span = block
                    .ops
                    .get(first as usize)
                    .map_or(terminator.span, |op| op.span);
                check_use(range.var, block_index, first as usize + 1, span)?;
            }
        }
    }
    Ok(())
}

/// A block's cleanup table is strictly ascending by var, each range within the block's
/// positions (`from <= to <= ops.len() + 1`).
fn check_cleanup_table_shape(
    function: &Function,
    block_index: usize,
    block: &crate::ir::Block,
) -> Result<(), Diagnostic> {
    let end = block.ops.len() as u64 + 1;
    let span = block.terminator.span;
    for pair in block.cleanup.windows(2) {
        if pair[0].var >= pair[1].var {
            return Err(invalid(
                function,
                format!(
                    "b{block_index}: cleanup table lists v{} after v{} (it must be strictly ascending by var)",
                    pair[1].var.0, pair[0].var.0
                ),
                span,
            ));
        }
    }
    for range in &block.cleanup {
        if range.var.0 >= function.var_count {
            return Err(invalid(
                function,
                format!("b{block_index}: cleanup var v{} out of range", range.var.0),
                span,
            ));
        }
        if range.from > range.to || u64::from(range.to) > end {
            return Err(invalid(
                function,
                format!(
                    "b{block_index}: cleanup range of v{} is {}..{}, outside the block's positions 0..{end}",
                    range.var.0, range.from, range.to
                ),
                span,
            ));
        }
    }
    Ok(())
}
