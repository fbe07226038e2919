//! Part of the RC pass (`rc.rs`): which `++` takes its left operand owned. A `Binary Concat`
//! whose left operand is an owned value the pass holds, at its last use, and not also the
//! right operand, becomes `Builtin::ConcatOwnedLeft` (left owned, right borrowed): the op
//! consumes the left Text or List, so the runtime can append in place when it is unique
//! (as `push` updates a unique list) instead of copying both operands. Every other `++`
//! (left still live afterwards, a borrowed param, `s ++ s`) keeps both operands borrowed,
//! and its refcount trace is what it was. Decided here, once, so both engines lower the
//! same op to the same shim.

use crate::ir::{BinaryOp, Builtin, OpKind};
use crate::liveness::LiveVars;
use crate::var_set::VarSet;

/// `kind` with an eligible `++` rewritten to take its left operand owned (see the module
/// docs); any other op unchanged. `held` is what the RC pass holds before the op and
/// `live_after` what is live after it.
pub fn with_owned_concat_left(kind: OpKind, held: &VarSet, live_after: &impl LiveVars) -> OpKind {
    match kind {
        OpKind::Binary {
            dst,
            op: BinaryOp::Concat,
            lhs,
            rhs,
        } if lhs != rhs && held.contains(lhs) && !live_after.is_live(lhs) => OpKind::Builtin {
            dst,
            builtin: Builtin::ConcatOwnedLeft,
            args: vec![lhs, rhs],
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Var;

    fn concat(lhs: u32, rhs: u32) -> OpKind {
        OpKind::Binary {
            dst: Var(9),
            op: BinaryOp::Concat,
            lhs: Var(lhs),
            rhs: Var(rhs),
        }
    }

    fn held(vars: &[u32]) -> VarSet {
        let mut set = VarSet::new();
        set.extend(vars.iter().map(|&v| Var(v)));
        set
    }

    fn live(vars: &[u32]) -> crate::var_set::AscendingVars {
        crate::var_set::AscendingVars::new(vars.iter().map(|&v| Var(v)).collect())
    }

    #[test]
    fn a_held_left_operand_at_its_last_use_is_taken_owned() {
        let rewritten = with_owned_concat_left(concat(1, 2), &held(&[1, 2]), &live(&[2]));
        assert_eq!(
            rewritten,
            OpKind::Builtin {
                dst: Var(9),
                builtin: Builtin::ConcatOwnedLeft,
                args: vec![Var(1), Var(2)],
            }
        );
    }

    #[test]
    fn a_left_operand_still_live_is_borrowed() {
        let kind = concat(1, 2);
        assert_eq!(
            with_owned_concat_left(kind.clone(), &held(&[1, 2]), &live(&[1])),
            kind
        );
    }

    #[test]
    fn a_borrowed_param_or_the_same_var_on_both_sides_is_borrowed() {
        let borrowed_param = concat(1, 2);
        assert_eq!(
            with_owned_concat_left(borrowed_param.clone(), &held(&[2]), &live(&[])),
            borrowed_param
        );
        let twice = concat(1, 1);
        assert_eq!(
            with_owned_concat_left(twice.clone(), &held(&[1]), &live(&[])),
            twice
        );
    }

    #[test]
    fn other_binary_ops_are_unchanged() {
        let add = OpKind::Binary {
            dst: Var(9),
            op: BinaryOp::Add,
            lhs: Var(1),
            rhs: Var(2),
        };
        assert_eq!(
            with_owned_concat_left(add.clone(), &held(&[1, 2]), &live(&[])),
            add
        );
    }
}
