//! Inline Float arithmetic, comparisons and negation, with Int and Float operands mixed,
//! computed exactly as the shims compute them: when both words are numbers and not both Ints,
//! `rt_add`/`rt_sub`/`rt_mul`/`rt_div`/`rt_rem` return `Value::float(a op b)` and the
//! comparison shims compare `a` and `b` with `partial_cmp`, where a Float word unboxes to its
//! f64 (`bits - FLOAT_OFFSET`) and an Int word converts to f64 (exactly: it is an i48). So:
//! - `+ - * /` are Cranelift's IEEE ops (Float division by zero is ±inf or NaN, not an
//!   error); `%` is Rust's f64 `%`, the same `fmod` the runtime's `%` is, through
//!   [`float_remainder`]; `-x` is `fneg`. A NaN result is canonicalised to
//!   `CANONICAL_NAN_BITS` before boxing, as `Value::float` does.
//! - `==` is ordered equality (NaN equals nothing, `-0.0 == 0.0`), `!=` its negation (true
//!   for NaN), `< <= > >=` are ordered (false with NaN).
//!
//! Anything else (Text, Bools, a type mismatch) goes to the very shim the interpreter calls,
//! on the unchanged words. Operands the value-kind analysis proves to be numbers skip their
//! tests; two proven Floats need no test and no shim at all.

use cairn_lang::analysis::KindSet;
use cairn_lang::ir::{BinaryOp, UnaryOp};
use cairn_runtime::value::{CANONICAL_NAN_BITS, FLOAT_OFFSET};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types::{F64, I64};
use cranelift_codegen::ir::{Block, BlockArg, InstBuilder, MemFlagsData, Value as ClValue};

use crate::translate::FunctionTranslator;

/// Rust's f64 `%` (`fmod`), what `rt_rem` computes for two numbers that are not both Ints.
/// Pure: touches no memory and cannot fail or unwind. The JIT calls it for Float `%`.
pub(crate) extern "C" fn float_remainder(dividend: f64, divisor: f64) -> f64 {
    dividend % divisor
}

/// The symbol under which [`float_remainder`] is registered with the JIT module.
pub(crate) const FLOAT_REMAINDER_SYMBOL: &str = "cairn_jit_float_remainder";

/// True when the analysis proves every value of `kinds` a Float.
pub(crate) fn is_only_float(kinds: KindSet) -> bool {
    kinds == KindSet::FLOAT
}

/// True when the analysis proves every value of `kinds` a number (Int or Float).
fn is_only_number(kinds: KindSet) -> bool {
    !kinds.is_empty() && KindSet::NUMBERS.contains(kinds)
}

impl FunctionTranslator<'_, '_> {
    /// The f64 a number word stands for, and (unless `kinds` proves it a number) the `i8`
    /// flag "this word is a number". Branch-free: both conversions are computed and the
    /// right one selected; the other is garbage for a word of the other kind.
    fn number_as_float(&mut self, word: ClValue, kinds: KindSet) -> (ClValue, Option<ClValue>) {
        let flags = MemFlagsData::new();
        let offset = FLOAT_OFFSET as i64;
        let unboxed_float = |this: &mut Self| {
            let bits = this.builder.ins().iadd_imm_s(word, -offset);
            this.builder.ins().bitcast(F64, flags, bits)
        };
        let converted_int = |this: &mut Self| {
            let n = this.sign_extend_48(word);
            this.builder.ins().fcvt_from_sint(F64, n)
        };
        if kinds.is_only_int() {
            return (converted_int(self), None);
        }
        if is_only_float(kinds) {
            return (unboxed_float(self), None);
        }
        let as_float = unboxed_float(self);
        let as_int = converted_int(self);
        let is_int = self.is_int_word(word);
        let value = self.builder.ins().select(is_int, as_int, as_float);
        if is_only_number(kinds) {
            return (value, None);
        }
        let is_float =
            self.builder
                .ins()
                .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, word, offset);
        let is_number = self.builder.ins().bor(is_int, is_float);
        (value, Some(is_number))
    }

    /// Both operands as f64; branches to `slow` unless both are numbers (no branch when the
    /// analysis proves both).
    fn numbers_as_floats_or(
        &mut self,
        (lhs, rhs): (ClValue, ClValue),
        kinds: (KindSet, KindSet),
        slow: Option<Block>,
    ) -> (ClValue, ClValue) {
        let (a, a_is_number) = self.number_as_float(lhs, kinds.0);
        let (b, b_is_number) = self.number_as_float(rhs, kinds.1);
        let both = match (a_is_number, b_is_number) {
            (Some(x), Some(y)) => Some(self.builder.ins().band(x, y)),
            (Some(x), None) | (None, Some(x)) => Some(x),
            (None, None) => None,
        };
        if let Some(both) = both {
            let slow = slow.expect("a slow path is given whenever an operand may not be a number");
            let fast = self.builder.create_block();
            self.builder.ins().brif(both, fast, &[], slow, &[]);
            self.builder.switch_to_block(fast);
        }
        (a, b)
    }

    /// Boxes an f64 as `Value::float` does (NaN canonicalised).
    fn box_float(&mut self, value: ClValue) -> ClValue {
        let bits = self.builder.ins().bitcast(I64, MemFlagsData::new(), value);
        let is_nan = self.builder.ins().fcmp(FloatCC::Unordered, value, value);
        let nan = self.builder.ins().iconst(I64, CANONICAL_NAN_BITS as i64);
        let canonical = self.builder.ins().select(is_nan, nan, bits);
        self.builder
            .ins()
            .iadd_imm_s(canonical, FLOAT_OFFSET as i64)
    }

    /// `a op b` for `+ - * / %` on f64, boxed.
    fn float_arithmetic(&mut self, op: BinaryOp, a: ClValue, b: ClValue) -> ClValue {
        let result = match op {
            BinaryOp::Add => self.builder.ins().fadd(a, b),
            BinaryOp::Sub => self.builder.ins().fsub(a, b),
            BinaryOp::Mul => self.builder.ins().fmul(a, b),
            BinaryOp::Div => self.builder.ins().fdiv(a, b),
            BinaryOp::Rem => {
                let remainder = self.float_remainder_ref();
                let call = self.builder.ins().call(remainder, &[a, b]);
                self.builder.inst_results(call)[0]
            }
            other => unreachable!("float_arithmetic called for {other:?}"),
        };
        self.box_float(result)
    }

    /// In the current block: when both words are numbers (and, by the caller, not both
    /// Ints), computes `lhs op rhs` as the shim would and jumps to `join` with the boxed
    /// Float; otherwise jumps to `slow`.
    pub(crate) fn emit_float_arithmetic_or(
        &mut self,
        op: BinaryOp,
        (lhs, rhs): (ClValue, ClValue),
        kinds: (KindSet, KindSet),
        join: Block,
        slow: Block,
    ) {
        let (a, b) = self.numbers_as_floats_or((lhs, rhs), kinds, Some(slow));
        let boxed = self.float_arithmetic(op, a, b);
        self.builder.ins().jump(join, &[BlockArg::Value(boxed)]);
    }

    /// `lhs op rhs` for two words the analysis proves Floats: no test, no shim.
    pub(crate) fn emit_proven_float_arithmetic(
        &mut self,
        op: BinaryOp,
        (lhs, rhs): (ClValue, ClValue),
    ) -> ClValue {
        let (a, b) = self.numbers_as_floats_or((lhs, rhs), (KindSet::FLOAT, KindSet::FLOAT), None);
        self.float_arithmetic(op, a, b)
    }

    /// The `i8` flag of comparing two f64s as the comparison shims do.
    fn float_comparison_flag(&mut self, op: BinaryOp, a: ClValue, b: ClValue) -> ClValue {
        let code = match op {
            BinaryOp::Eq => FloatCC::Equal,
            BinaryOp::Ne => FloatCC::NotEqual,
            BinaryOp::Lt => FloatCC::LessThan,
            BinaryOp::Le => FloatCC::LessThanOrEqual,
            BinaryOp::Gt => FloatCC::GreaterThan,
            BinaryOp::Ge => FloatCC::GreaterThanOrEqual,
            other => unreachable!("float_comparison_flag called for {other:?}"),
        };
        self.builder.ins().fcmp(code, a, b)
    }

    /// In the current block: when both words are numbers (not both Ints, by the caller),
    /// compares them and jumps to `join` with the Bool word; otherwise jumps to `slow`.
    pub(crate) fn emit_float_comparison_or(
        &mut self,
        op: BinaryOp,
        (lhs, rhs): (ClValue, ClValue),
        kinds: (KindSet, KindSet),
        join: Block,
        slow: Block,
    ) {
        let (a, b) = self.numbers_as_floats_or((lhs, rhs), kinds, Some(slow));
        let flag = self.float_comparison_flag(op, a, b);
        let boolean = self.bool_word_of_flag(flag);
        self.builder.ins().jump(join, &[BlockArg::Value(boolean)]);
    }

    /// Compares two words the analysis proves Floats: the Bool word and its `i8` flag.
    pub(crate) fn emit_proven_float_comparison(
        &mut self,
        op: BinaryOp,
        (lhs, rhs): (ClValue, ClValue),
    ) -> (ClValue, ClValue) {
        let (a, b) = self.numbers_as_floats_or((lhs, rhs), (KindSet::FLOAT, KindSet::FLOAT), None);
        let flag = self.float_comparison_flag(op, a, b);
        (self.bool_word_of_flag(flag), flag)
    }

    /// In the current block: when the word is a Float, negates it and jumps to `join` with
    /// the boxed result; otherwise jumps to `slow` (`None` when the analysis proves it a
    /// Float). `rt_neg` computes `Value::float(-x)`.
    pub(crate) fn emit_float_negation_or(
        &mut self,
        op: UnaryOp,
        operand: ClValue,
        join: Block,
        slow: Option<Block>,
    ) {
        debug_assert_eq!(op, UnaryOp::Neg);
        if let Some(slow) = slow {
            let is_float = self.builder.ins().icmp_imm_s(
                IntCC::UnsignedGreaterThanOrEqual,
                operand,
                FLOAT_OFFSET as i64,
            );
            let fast = self.builder.create_block();
            self.builder.ins().brif(is_float, fast, &[], slow, &[]);
            self.builder.switch_to_block(fast);
        }
        let (x, _) = self.number_as_float(operand, KindSet::FLOAT);
        let negated = self.builder.ins().fneg(x);
        let boxed = self.box_float(negated);
        self.builder.ins().jump(join, &[BlockArg::Value(boxed)]);
    }
}

/// True when `kinds` may hold an Int (an Int fast path can be reached).
pub(crate) fn may_be_int(kinds: KindSet) -> bool {
    kinds.contains(KindSet::INT)
}

#[cfg(test)]
mod tests {
    use super::float_remainder;

    #[test]
    fn float_remainder_takes_the_dividends_sign_and_is_nan_for_zero_divisors() {
        assert_eq!(float_remainder(7.5, 2.0), 1.5);
        assert_eq!(float_remainder(-7.5, 2.0), -1.5);
        assert_eq!(float_remainder(7.5, -2.0), 1.5);
        assert_eq!(float_remainder(1.0, f64::INFINITY), 1.0);
        assert_eq!(float_remainder(-0.0, 3.0).to_bits(), (-0.0f64).to_bits());
        assert!(float_remainder(1.0, 0.0).is_nan());
        assert!(float_remainder(f64::INFINITY, 1.0).is_nan());
        assert!(float_remainder(f64::NAN, 1.0).is_nan());
    }
}
