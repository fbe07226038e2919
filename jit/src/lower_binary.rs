//! Lowering of `Binary` ops: `+ - * / %` and comparisons inline for Ints (with the tag
//! tests the value-kind analysis leaves, and `+`/`-` of a constant as one bounded compare)
//! and for numbers that are not both Ints (`inline_float.rs`; two proven Floats need no test);
//! `++` (and every other case) through the interpreter's shims.

use cairn_lang::ir::{BinaryOp, Var};

use crate::inline_float::is_only_float;
use crate::kind_specialized::int_plus_constant;
use crate::translate::FunctionTranslator;
use cairn_engine_support::binary_shim;

fn is_comparison(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
    )
}

impl FunctionTranslator<'_, '_> {
    pub(crate) fn translate_binary(
        &mut self,
        dst: Var,
        op: BinaryOp,
        (lhs, rhs): (Var, Var),
        index: u32,
    ) {
        let kinds = (self.kinds_of(lhs), self.kinds_of(rhs));
        let known_ints = (kinds.0.is_only_int(), kinds.1.is_only_int());
        let plus_constant = int_plus_constant(op, (lhs, rhs), known_ints, &self.int_constants);
        let divisor_constant = self.int_constants.get(&rhs).copied();
        let lhs = self.use_var(lhs);
        let rhs = self.use_var(rhs);
        if let Some(shape) = plus_constant {
            let word = self.emit_int_add_constant(op, (lhs, rhs), shape, index);
            self.def(dst, word);
            return;
        }
        let proven_floats = is_only_float(kinds.0) && is_only_float(kinds.1);
        if proven_floats && is_comparison(op) {
            let (word, flag) = self.emit_proven_float_comparison(op, (lhs, rhs));
            self.def(dst, word);
            self.comparison_flags.insert(dst, flag);
            return;
        }
        let word = match op {
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem
                if proven_floats =>
            {
                self.emit_proven_float_arithmetic(op, (lhs, rhs))
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul => {
                self.emit_int_arithmetic(op, (lhs, rhs), kinds, index)
            }
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => {
                let (word, flag) = self.emit_int_comparison(op, (lhs, rhs), kinds, index);
                self.def(dst, word);
                if let Some(flag) = flag {
                    self.comparison_flags.insert(dst, flag);
                }
                return;
            }
            BinaryOp::Div | BinaryOp::Rem => {
                self.emit_int_division(op, (lhs, rhs), (kinds, divisor_constant), index)
            }
            BinaryOp::Concat => self.fallible_shim(binary_shim(op), &[lhs, rhs], index),
        };
        self.def(dst, word);
    }
}
