//! Lowering of `Binary` ops: `+ - * / %` and comparisons inline for Ints (with the tag
//! tests the value-kind analysis leaves, and `+`/`-` of a constant as one bounded compare);
//! `++` (and every non-Int case) through the interpreter's shims.

use cairn_lang::ir::{BinaryOp, Var};

use crate::kind_specialized::int_plus_constant;
use crate::translate::FunctionTranslator;
use cairn_engine_support::binary_shim;

impl FunctionTranslator<'_, '_> {
    pub(crate) fn translate_binary(
        &mut self,
        dst: Var,
        op: BinaryOp,
        (lhs, rhs): (Var, Var),
        index: u32,
        cleanup: &[Var],
    ) {
        let known_ints = (
            self.kinds_of(lhs).is_only_int(),
            self.kinds_of(rhs).is_only_int(),
        );
        let plus_constant = int_plus_constant(op, (lhs, rhs), known_ints, &self.int_constants);
        let divisor_constant = self.int_constants.get(&rhs).copied();
        let lhs = self.use_var(lhs);
        let rhs = self.use_var(rhs);
        if let Some(shape) = plus_constant {
            let word = self.emit_int_add_constant(op, (lhs, rhs), shape, index, cleanup);
            self.def(dst, word);
            return;
        }
        let word = match op {
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul => {
                self.emit_int_arithmetic(op, (lhs, rhs), known_ints, index, cleanup)
            }
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => {
                let (word, flag) =
                    self.emit_int_comparison(op, (lhs, rhs), known_ints, index, cleanup);
                self.def(dst, word);
                if let Some(flag) = flag {
                    self.comparison_flags.insert(dst, flag);
                }
                return;
            }
            BinaryOp::Div | BinaryOp::Rem => self.emit_int_division(
                op,
                (lhs, rhs),
                (known_ints, divisor_constant),
                index,
                cleanup,
            ),
            BinaryOp::Concat => self.fallible_shim(binary_shim(op), &[lhs, rhs], index, cleanup),
        };
        self.def(dst, word);
    }
}
