//! Parameter-mode inference (Lean 4 style). A function param is Borrowed unless its loop
//! variable (the block-1 param standing for it) is used in an owned position: returned,
//! stored in a container, passed to an owned builtin or callee param, or passed to a join
//! block. A self tail call (a `Jump` to the loop header) makes param `i` Owned when the value
//! it passes at position `i` is not itself a borrowed param (a fresh value must be owned by
//! the loop, or it would leak); when position `i` is Owned, a borrowed param passed there
//! becomes Owned. Marks only go from Borrowed to Owned, so iterating over all functions
//! reaches a fixed point. Block 0's and block 1's params get the function param's mode.
//! Every param of a closure-callable function (one a `MakeClosure` names) is Owned.
//!
//! A tail call (`TailCall`) passes its args in the callee's param modes: a borrowed param
//! passed on to a callee's Owned param becomes Owned (otherwise this frame would retain it
//! for the callee, and the callee would see a shared value and copy on write).
//!
//! One rule goes beyond "consumed along some path" (as Lean 4's reset/reuse does): a param
//! that is *projected* (`p[c]`, which destructuring lowers to) where the projected field
//! flows into an owned position other than `return` becomes Owned. Owning `p`, the RC pass
//! releases it right after its last projection, so when the caller handed over a unique
//! container its fields are unique again by the time they are updated (`set`, `push`,
//! rebuilt into a Tuple, passed to a consuming callee) and update in place instead of
//! copying (docs/MEMORY.md, "Ownership inference").

use crate::ir::{Function, Module, OpKind, ParamMode, TerminatorKind, Var};
use crate::lower::LOOP_HEADER;
use crate::operands::{op_operands, terminator_operands_in};

pub fn infer_param_modes(module: &mut Module) {
    // Closure-callable functions (named by a `MakeClosure`) take every param owned: their
    // callers (value calls, the runtime's sequence pulls) do not know them statically.
    let closure_targets: std::collections::BTreeSet<usize> = module
        .functions
        .iter()
        .flat_map(|f| f.blocks.iter().flat_map(|b| b.ops.iter()))
        .filter_map(|op| match &op.kind {
            crate::ir::OpKind::MakeClosure { function, .. } => Some(function.0 as usize),
            _ => None,
        })
        .collect();
    for &index in &closure_targets {
        if let Some(function) = module.functions.get_mut(index) {
            for position in 0..function.params.len() {
                mark_owned(function, position);
            }
        }
    }
    loop {
        let mut changed = false;
        for index in 0..module.functions.len() {
            let to_mark = owned_params_of(&module.functions[index], &module.functions);
            for position in to_mark {
                changed |= mark_owned(&mut module.functions[index], position);
            }
            for (callee, position) in tail_call_owned_params(&module.functions[index]) {
                if let Some(callee) = module.functions.get_mut(callee) {
                    changed |= mark_owned(callee, position);
                }
            }
        }
        if !changed {
            return;
        }
    }
}

/// The param position of `var` if it is a currently-Borrowed entry or loop-header param.
fn borrowed_param_position(function: &Function, var: Var) -> Option<usize> {
    function.blocks.iter().take(2).find_map(|block| {
        block
            .params
            .iter()
            .position(|p| p.var == var && p.mode == ParamMode::Borrowed)
    })
}

/// Param positions of `function` that must become Owned given the current modes.
fn owned_params_of(function: &Function, functions: &[Function]) -> Vec<usize> {
    let mut positions = Vec::new();
    // Projections of a borrowed param: field var -> the param's position.
    let mut projected_from: std::collections::HashMap<Var, usize> = Default::default();
    for block in function.blocks.iter().skip(1) {
        for op in &block.ops {
            if let OpKind::Index { dst, base, .. } = &op.kind
                && let Some(position) = borrowed_param_position(function, *base)
            {
                projected_from.insert(*dst, position);
            }
        }
    }
    let consumed = |var: Var, positions: &mut Vec<usize>, returned: bool| {
        positions.extend(borrowed_param_position(function, var));
        if !returned && let Some(&position) = projected_from.get(&var) {
            positions.push(position);
        }
    };
    for block in function.blocks.iter().skip(1) {
        for op in &block.ops {
            for (var, mode) in op_operands(&op.kind, functions) {
                if mode == ParamMode::Owned {
                    consumed(var, &mut positions, false);
                }
            }
        }
        match &block.terminator.kind {
            TerminatorKind::Jump { target, args } if *target == LOOP_HEADER => {
                for (position, &arg) in args.iter().enumerate() {
                    let target_mode = function.blocks[LOOP_HEADER.0 as usize].params[position].mode;
                    match (target_mode, borrowed_param_position(function, arg)) {
                        (ParamMode::Owned, Some(source)) => positions.push(source),
                        (ParamMode::Borrowed, None) => positions.push(position),
                        _ => {}
                    }
                    if target_mode == ParamMode::Owned
                        && let Some(&source) = projected_from.get(&arg)
                    {
                        positions.push(source);
                    }
                }
            }
            kind => {
                let returned = matches!(kind, TerminatorKind::Return { .. });
                for (var, mode) in terminator_operands_in(kind, &function.blocks, functions) {
                    if mode == ParamMode::Owned {
                        consumed(var, &mut positions, returned);
                    }
                }
            }
        }
    }
    positions
}

/// `(callee, position)` of every tail-call arg that `function` owns (anything but one of
/// its borrowed params): the callee's param there must be Owned, since this frame ends before
/// the call does and cannot release the arg after it.
fn tail_call_owned_params(function: &Function) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    for block in &function.blocks {
        if let TerminatorKind::TailCall {
            function: callee,
            args,
        } = &block.terminator.kind
        {
            for (position, &arg) in args.iter().enumerate() {
                if !is_borrowed_param(function, arg) {
                    found.push((callee.0 as usize, position));
                }
            }
        }
    }
    found
}

/// True when `var` is a Borrowed param of block 0 or the loop header.
fn is_borrowed_param(function: &Function, var: Var) -> bool {
    borrowed_param_position(function, var).is_some()
}

fn mark_owned(function: &mut Function, position: usize) -> bool {
    if function.params[position].mode == ParamMode::Owned {
        return false;
    }
    function.params[position].mode = ParamMode::Owned;
    for block in function.blocks.iter_mut().take(2) {
        block.params[position].mode = ParamMode::Owned;
    }
    true
}
