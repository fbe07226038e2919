//! Inline Float `+ - *`: when both words are Floats (`word >= FLOAT_OFFSET`), the JIT unboxes
//! them (`bits - FLOAT_OFFSET`), computes with Cranelift's IEEE ops, canonicalises a NaN
//! result to `CANONICAL_NAN_BITS` and boxes it back — exactly `Value::float(a op b)`, what
//! `rt_add`/`rt_sub`/`rt_mul` compute for two Floats. Anything else (an Int and a Float, Text,
//! errors) goes to the shim.

use cairn_lang::ir::BinaryOp;
use cairn_runtime::value::{CANONICAL_NAN_BITS, FLOAT_OFFSET};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types::{F64, I64};
use cranelift_codegen::ir::{Block, BlockArg, InstBuilder, MemFlagsData, Value as ClValue};

use crate::translate::FunctionTranslator;

impl FunctionTranslator<'_, '_> {
    /// In the current block: when both words are Floats, computes `lhs op rhs` and jumps to
    /// `join` with the boxed result; otherwise jumps to `slow`.
    pub(crate) fn emit_float_arithmetic_or(
        &mut self,
        op: BinaryOp,
        (lhs, rhs): (ClValue, ClValue),
        join: Block,
        slow: Block,
    ) {
        let offset = FLOAT_OFFSET as i64;
        let lhs_is_float =
            self.builder
                .ins()
                .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, lhs, offset);
        let rhs_is_float =
            self.builder
                .ins()
                .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, rhs, offset);
        let both = self.builder.ins().band(lhs_is_float, rhs_is_float);
        let fast = self.builder.create_block();
        self.builder.ins().brif(both, fast, &[], slow, &[]);
        self.builder.switch_to_block(fast);
        let a_bits = self.builder.ins().iadd_imm_s(lhs, -offset);
        let b_bits = self.builder.ins().iadd_imm_s(rhs, -offset);
        let flags = MemFlagsData::new();
        let a = self.builder.ins().bitcast(F64, flags, a_bits);
        let b = self.builder.ins().bitcast(F64, flags, b_bits);
        let result = match op {
            BinaryOp::Add => self.builder.ins().fadd(a, b),
            BinaryOp::Sub => self.builder.ins().fsub(a, b),
            BinaryOp::Mul => self.builder.ins().fmul(a, b),
            other => unreachable!("emit_float_arithmetic_or called for {other:?}"),
        };
        let bits = self.builder.ins().bitcast(I64, flags, result);
        let is_nan = self.builder.ins().fcmp(FloatCC::Unordered, result, result);
        let nan = self.builder.ins().iconst(I64, CANONICAL_NAN_BITS as i64);
        let canonical = self.builder.ins().select(is_nan, nan, bits);
        let boxed = self.builder.ins().iadd_imm_s(canonical, offset);
        self.builder.ins().jump(join, &[BlockArg::Value(boxed)]);
    }
}
