//! The operands of each IR op and terminator with their ownership position (owned =
//! consumed by the op, borrowed = only read), in operand order. Call positions take the
//! callee's param modes, builtin positions the builtin table's, `Jump` args the target
//! block's param modes (a loop header's borrowed params take borrowed args). `Release` is
//! not listed here: it consumes its var and is handled by the RC pass and verifier directly.

use crate::ir::{Block, Function, OpKind, ParamMode, TerminatorKind, Var};

/// Operands of `kind` as `(var, mode)`; calls to out-of-range functions read as Borrowed
/// (the verifier reports the bad id separately).
pub fn op_operands(kind: &OpKind, functions: &[Function]) -> Vec<(Var, ParamMode)> {
    let mut operands = Vec::new();
    op_operands_into(kind, functions, &mut operands);
    operands
}

/// [`op_operands`] written into `operands` (cleared first), so a pass walking a million ops
/// reuses one buffer instead of allocating one per op.
pub fn op_operands_into(
    kind: &OpKind,
    functions: &[Function],
    operands: &mut Vec<(Var, ParamMode)>,
) {
    use ParamMode::{Borrowed, Owned};
    operands.clear();
    match kind {
        OpKind::Enter
        | OpKind::Fuel
        | OpKind::Const { .. }
        | OpKind::Text { .. }
        | OpKind::Release { .. }
        | OpKind::GeneratorItem { .. } => {}
        OpKind::Unary { operand, .. } => operands.push((*operand, Borrowed)),
        OpKind::Binary { lhs, rhs, .. } => operands.extend([(*lhs, Borrowed), (*rhs, Borrowed)]),
        OpKind::Index { base, index, .. } => {
            operands.extend([(*base, Borrowed), (*index, Borrowed)])
        }
        OpKind::Retain { src, .. } => operands.push((*src, Borrowed)),
        OpKind::Call { function, args, .. } => {
            operands.extend(call_operands(args, function, functions))
        }
        OpKind::Builtin { builtin, args, .. } => {
            let modes = builtin.param_modes();
            operands.extend(
                args.iter()
                    .enumerate()
                    .map(|(i, &arg)| (arg, modes.get(i).copied().unwrap_or(Borrowed))),
            )
        }
        OpKind::MakeList { elements, .. } | OpKind::MakeTuple { elements, .. } => {
            operands.extend(elements.iter().map(|&e| (e, Owned)))
        }
        OpKind::MakeMap { entries, .. } => operands.extend(
            entries
                .iter()
                .flat_map(|&(key, value)| [(key, Owned), (value, Owned)]),
        ),
        OpKind::MakeClosure { captures, .. } => {
            operands.extend(captures.iter().map(|&c| (c, Owned)))
        }
        OpKind::CallHost { args, .. } => operands.extend(args.iter().map(|&a| (a, Borrowed))),
        OpKind::CallValue { callee, args, .. } => operands.extend(
            std::iter::once(*callee)
                .chain(args.iter().copied())
                .map(|v| (v, Owned)),
        ),
    }
}

/// The args of a call (or tail call) of `function` with the callee's param modes; a call of
/// an out-of-range function reads as Borrowed (the verifier reports the bad id separately).
fn call_operands<'a>(
    args: &'a [Var],
    function: &crate::ir::FuncId,
    functions: &'a [Function],
) -> impl Iterator<Item = (Var, ParamMode)> + 'a {
    let params = functions
        .get(function.0 as usize)
        .map(|f| f.params.as_slice())
        .unwrap_or(&[]);
    args.iter()
        .enumerate()
        .map(|(i, &arg)| (arg, params.get(i).map_or(ParamMode::Borrowed, |p| p.mode)))
}

/// Operands of a terminator as `(var, mode)`.
pub fn terminator_operands(kind: &TerminatorKind, blocks: &[Block]) -> Vec<(Var, ParamMode)> {
    terminator_operands_in(kind, blocks, &[])
}

/// [`terminator_operands`] with the module's functions, which a `TailCall`'s param modes
/// come from (without them its args read as Borrowed).
pub fn terminator_operands_in(
    kind: &TerminatorKind,
    blocks: &[Block],
    functions: &[Function],
) -> Vec<(Var, ParamMode)> {
    match kind {
        TerminatorKind::TailCall { function, args } => {
            call_operands(args, function, functions).collect()
        }
        TerminatorKind::Return { value } => vec![(*value, ParamMode::Owned)],
        TerminatorKind::TailCallValue { callee, args } => std::iter::once(*callee)
            .chain(args.iter().copied())
            .map(|v| (v, ParamMode::Owned))
            .collect(),
        TerminatorKind::Branch { condition, .. } => vec![(*condition, ParamMode::Borrowed)],
        TerminatorKind::Jump { target, args } => {
            let params = blocks
                .get(target.0 as usize)
                .map(|b| b.params.as_slice())
                .unwrap_or(&[]);
            args.iter()
                .enumerate()
                .map(|(i, &arg)| {
                    (
                        arg,
                        params.get(i).map_or(ParamMode::Owned, |param| param.mode),
                    )
                })
                .collect()
        }
    }
}

/// Rewrites the operand vars of `kind` in operand order (same order as [`op_operands`]).
pub fn replace_op_operands(kind: &mut OpKind, replacement: &[Var]) {
    let mut next = replacement.iter().copied();
    let mut take = |slot: &mut Var| {
        if let Some(var) = next.next() {
            *slot = var;
        }
    };
    match kind {
        OpKind::Enter
        | OpKind::Fuel
        | OpKind::Const { .. }
        | OpKind::Text { .. }
        | OpKind::Release { .. }
        | OpKind::GeneratorItem { .. } => {}
        OpKind::Unary { operand, .. } => take(operand),
        OpKind::Binary { lhs, rhs, .. } => {
            take(lhs);
            take(rhs);
        }
        OpKind::Index { base, index, .. } => {
            take(base);
            take(index);
        }
        OpKind::Retain { src, .. } => take(src),
        OpKind::CallValue { callee, args, .. } => {
            take(callee);
            args.iter_mut().for_each(take);
        }
        OpKind::Call { args, .. }
        | OpKind::MakeClosure { captures: args, .. }
        | OpKind::CallHost { args, .. }
        | OpKind::Builtin { args, .. }
        | OpKind::MakeList { elements: args, .. }
        | OpKind::MakeTuple { elements: args, .. } => args.iter_mut().for_each(take),
        OpKind::MakeMap { entries, .. } => entries.iter_mut().for_each(|(key, value)| {
            take(key);
            take(value);
        }),
    }
}

/// The successor blocks of a terminator.
pub fn successors(kind: &TerminatorKind) -> Vec<crate::ir::BlockId> {
    match kind {
        TerminatorKind::Return { .. }
        | TerminatorKind::TailCall { .. }
        | TerminatorKind::TailCallValue { .. } => Vec::new(),
        TerminatorKind::Jump { target, .. } => vec![*target],
        TerminatorKind::Branch {
            then_block,
            else_block,
            ..
        } => vec![*then_block, *else_block],
    }
}
