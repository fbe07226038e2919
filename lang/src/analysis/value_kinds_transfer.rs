//! Transfer functions of the value-kind inference: the kinds an op's successful result may
//! have, given the kinds of its operands. Each mirrors what the runtime shim of the op can
//! return (`runtime/src/abi/shims/`); a combination the shim rejects contributes nothing,
//! because a failing op produces no value. A builtin's result kinds are a column of the
//! builtin table ([`Builtin::result_kinds`](crate::ir::Builtin::result_kinds)).

use crate::ir::{BinaryOp, Constant, UnaryOp};

use super::KindSet;

pub(super) fn constant_kinds(constant: Constant) -> KindSet {
    match constant {
        Constant::Int(_) => KindSet::INT,
        Constant::Float(_) => KindSet::FLOAT,
        Constant::Bool(_) => KindSet::BOOL,
        Constant::Unit => KindSet::UNIT,
    }
}

/// The union of `pair(a, b)` over every single kind `a` of `lhs` and `b` of `rhs`.
fn pairwise(lhs: KindSet, rhs: KindSet, pair: impl Fn(KindSet, KindSet) -> KindSet) -> KindSet {
    let mut result = KindSet::EMPTY;
    for a in lhs.singles() {
        for b in rhs.singles() {
            result = result.union(pair(a, b));
        }
    }
    result
}

/// Int op Int stays Int; any other pair of numbers is Float; anything else fails.
fn numeric_pair(a: KindSet, b: KindSet) -> KindSet {
    match (a, b) {
        (KindSet::INT, KindSet::INT) => KindSet::INT,
        _ if KindSet::NUMBERS.contains(a) && KindSet::NUMBERS.contains(b) => KindSet::FLOAT,
        _ => KindSet::EMPTY,
    }
}

pub(super) fn binary_kinds(op: BinaryOp, lhs: KindSet, rhs: KindSet) -> KindSet {
    match op {
        // `+` also joins two Texts (a heap result).
        BinaryOp::Add => pairwise(lhs, rhs, |a, b| {
            if a == KindSet::HEAP && b == KindSet::HEAP {
                KindSet::HEAP
            } else {
                numeric_pair(a, b)
            }
        }),
        BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
            pairwise(lhs, rhs, numeric_pair)
        }
        BinaryOp::Concat => pairwise(lhs, rhs, |a, b| {
            if a == KindSet::HEAP && b == KindSet::HEAP {
                KindSet::HEAP
            } else {
                KindSet::EMPTY
            }
        }),
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            if lhs.is_empty() || rhs.is_empty() {
                KindSet::EMPTY
            } else {
                KindSet::BOOL
            }
        }
    }
}

pub(super) fn unary_kinds(op: UnaryOp, operand: KindSet) -> KindSet {
    match op {
        // Int negation stays Int (checked), Float stays Float; anything else fails.
        UnaryOp::Neg => pairwise(operand, operand, |a, b| {
            if a == b && KindSet::NUMBERS.contains(a) {
                a
            } else {
                KindSet::EMPTY
            }
        }),
        UnaryOp::Not => {
            if operand.contains(KindSet::BOOL) {
                KindSet::BOOL
            } else {
                KindSet::EMPTY
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_pairs() {
        let numbers = KindSet::NUMBERS;
        assert_eq!(
            binary_kinds(BinaryOp::Sub, KindSet::INT, KindSet::INT),
            KindSet::INT
        );
        assert_eq!(
            binary_kinds(BinaryOp::Mul, KindSet::INT, KindSet::FLOAT),
            KindSet::FLOAT
        );
        assert_eq!(binary_kinds(BinaryOp::Div, numbers, KindSet::INT), numbers);
        assert_eq!(
            binary_kinds(BinaryOp::Add, KindSet::HEAP, KindSet::HEAP),
            KindSet::HEAP
        );
        assert_eq!(
            binary_kinds(BinaryOp::Sub, KindSet::HEAP, KindSet::HEAP),
            KindSet::EMPTY
        );
        assert_eq!(
            binary_kinds(BinaryOp::Add, KindSet::BOOL, KindSet::INT),
            KindSet::EMPTY
        );
        assert_eq!(
            binary_kinds(BinaryOp::Add, KindSet::ALL, KindSet::ALL),
            KindSet::NUMBERS.union(KindSet::HEAP)
        );
        assert_eq!(
            binary_kinds(BinaryOp::Concat, KindSet::ALL, KindSet::HEAP),
            KindSet::HEAP
        );
        assert_eq!(
            binary_kinds(BinaryOp::Lt, KindSet::INT, KindSet::HEAP),
            KindSet::BOOL
        );
        assert_eq!(
            binary_kinds(BinaryOp::Eq, KindSet::EMPTY, KindSet::INT),
            KindSet::EMPTY
        );
    }

    #[test]
    fn unary_results() {
        assert_eq!(unary_kinds(UnaryOp::Neg, KindSet::ALL), KindSet::NUMBERS);
        assert_eq!(unary_kinds(UnaryOp::Neg, KindSet::HEAP), KindSet::EMPTY);
        assert_eq!(unary_kinds(UnaryOp::Not, KindSet::ALL), KindSet::BOOL);
        assert_eq!(unary_kinds(UnaryOp::Not, KindSet::INT), KindSet::EMPTY);
    }
}
