//! Lowering decided by the value-kind analysis (`cairn_lang::analysis`), run by `compile` on
//! the module being compiled. Each op still lowers one-to-one to what the interpreter does;
//! when the analysis proves a variable's kinds, a check whose outcome is then fixed is
//! resolved at compile time:
//! - `Retain`/`Release` (and failure-path cleanup releases) of a variable that can never be
//!   a heap reference: `rt_retain`/`rt_release` would do nothing, so nothing is emitted and
//!   the refcount trace is unchanged; of one that is always a heap reference: the shim is
//!   called without the tag test.
//! - `Branch` on a variable that is always a Bool: one compare with `TRUE_WORD`
//!   (`rt_expect_bool` could never fail); on the result of an inline Int comparison in the
//!   same block: the comparison's flag itself.
//! - `+`/`-` of a variable proven Int and an Int constant: the i48 overflow test becomes one
//!   compare of the shifted operand with a compile-time bound (the shim still runs on
//!   overflow, so RT0301 and its text are the interpreter's).

use std::collections::HashMap;

use cairn_lang::analysis::KindSet;
use cairn_lang::ir::{self, BinaryOp, Constant, OpKind, Var};
use cairn_runtime::Shim;
use cairn_runtime::value::{INT_MAX, INT_MIN, TAG_SHIFT, TRUE_WORD};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{Block, BlockArg, InstBuilder, Value as ClValue};

use crate::int_payload::IntPayload;
use crate::translate::FunctionTranslator;
use cairn_engine_support::binary_shim;

/// Bits an Int payload is shifted left by so that i64 overflow is i48 overflow.
const PAYLOAD_SHIFT: i64 = 64 - TAG_SHIFT as i64;

/// Variables defined exactly once in `function`, by an Int `Const` (so every use sees it).
pub fn single_int_constants(function: &ir::Function) -> HashMap<Var, i64> {
    let mut definitions: HashMap<Var, u32> = HashMap::new();
    let mut constants = HashMap::new();
    let params = function.params.iter().map(|p| p.var);
    let block_params = function
        .blocks
        .iter()
        .flat_map(|b| b.params.iter().map(|p| p.var));
    for var in params.chain(block_params) {
        *definitions.entry(var).or_default() += 1;
    }
    for op in function.blocks.iter().flat_map(|b| &b.ops) {
        if let Some(dst) = op.kind.dst() {
            *definitions.entry(dst).or_default() += 1;
            if let OpKind::Const {
                value: Constant::Int(n),
                ..
            } = op.kind
            {
                constants.insert(dst, n);
            }
        }
    }
    constants.retain(|var, n| definitions.get(var) == Some(&1) && (INT_MIN..=INT_MAX).contains(n));
    constants
}

impl FunctionTranslator<'_, '_> {
    /// `Retain` of `src`; returns the owned word for the destination.
    pub(crate) fn emit_retain_of_var(&mut self, src: Var, op_index: u32) -> ClValue {
        let kinds = self.kinds_of(src);
        let value = self.use_var(src);
        if !kinds.may_be_heap() {
            // A non-heap word is its own owned copy (what `emit_retain`'s test would find).
            value
        } else if kinds == KindSet::HEAP {
            self.emit_inline_retain(value, op_index)
        } else {
            self.emit_retain(value, op_index)
        }
    }

    /// `Release` of `var` (`cold` on failure paths).
    /// A landing pad's release of `var`, whose word is `value` (`cleanup_pads.rs`): as
    /// [`Self::emit_release_of_var`], on the cold path.
    pub(crate) fn emit_release_of_value(&mut self, var: Var, value: ClValue) {
        let kinds = self.kinds_of(var);
        if !kinds.may_be_heap() {
            return;
        }
        if kinds == KindSet::HEAP {
            self.call_shim(Shim::Release, &[value]);
        } else {
            self.emit_release(value, true);
        }
    }

    pub(crate) fn emit_release_of_var(&mut self, var: Var, cold: bool) {
        let kinds = self.kinds_of(var);
        if !kinds.may_be_heap() {
            return;
        }
        let value = self.use_var(var);
        if kinds == KindSet::HEAP && cold {
            self.call_shim(Shim::Release, &[value]);
        } else if kinds == KindSet::HEAP {
            self.emit_inline_release(value);
        } else {
            self.emit_release(value, cold);
        }
    }

    /// Branches on `condition` without `rt_expect_bool` when the analysis proves it a Bool.
    /// Returns false (and emits nothing) when it cannot.
    pub(crate) fn emit_branch_on_known_bool(
        &mut self,
        condition: Var,
        (then_block, else_block): (Block, Block),
    ) -> bool {
        let flag = match self.comparison_flags.get(&condition) {
            Some(flag) => *flag,
            None if self.kinds_of(condition).is_only_bool() => {
                let word = self.use_var(condition);
                self.builder
                    .ins()
                    .icmp_imm_s(IntCC::Equal, word, TRUE_WORD as i64)
            }
            None => return false,
        };
        self.builder
            .ins()
            .brif(flag, then_block, &[], else_block, &[]);
        true
    }

    /// `lhs + rhs` or `lhs - rhs` where one side, proven Int, is added to the Int constant
    /// `addend` (the other side, negated for `-`); see [`int_plus_constant`].
    pub(crate) fn emit_int_add_constant(
        &mut self,
        op: BinaryOp,
        (lhs, rhs): (ClValue, ClValue),
        PlusConstant {
            variable_is_lhs,
            addend,
        }: PlusConstant,
        op_index: u32,
    ) -> ClValue {
        let (variable, constant) = if variable_is_lhs {
            (lhs, rhs)
        } else {
            (rhs, lhs)
        };
        // |addend| < 2^47, so the shifted addend and both bounds fit in an i64.
        let shifted_addend = addend << PAYLOAD_SHIFT;
        let shifted = self.shifted_int_payload(variable);
        let overflowed = if addend > 0 {
            self.builder.ins().icmp_imm_s(
                IntCC::SignedGreaterThan,
                shifted,
                i64::MAX - shifted_addend,
            )
        } else {
            self.builder
                .ins()
                .icmp_imm_s(IntCC::SignedLessThan, shifted, i64::MIN - shifted_addend)
        };
        let raw = self.builder.ins().iadd_imm_s(shifted, shifted_addend);
        let slow = self.builder.create_block();
        let join = self.builder.create_block();
        // The join carries the shifted payload (the shim's result, were it ever to succeed,
        // is an Int: both operands are), boxed after it (`int_payload.rs`).
        let result = self.builder.append_block_param(join, I64);
        self.builder.set_cold_block(slow);
        self.builder
            .ins()
            .brif(overflowed, slow, &[], join, &[BlockArg::Value(raw)]);
        self.builder.switch_to_block(slow);
        // The variable's word rebuilt from `shifted`, so only the shifted value has to live
        // until here, not the word as well.
        let rebuilt = self.int_word_of_shifted(shifted);
        let args = if variable_is_lhs {
            [rebuilt, constant]
        } else {
            [constant, rebuilt]
        };
        let word = self.call_shim(binary_shim(op), &args);
        self.branch_on_failure(word, op_index);
        let shifted_word = self.builder.ins().ishl_imm_s(word, PAYLOAD_SHIFT);
        self.builder
            .ins()
            .jump(join, &[BlockArg::Value(shifted_word)]);
        self.builder.switch_to_block(join);
        let boxed = self.box_shifted_int(result);
        self.record_int_payload(boxed, IntPayload::Shifted(result));
        boxed
    }
}

/// A `+`/`-` whose one side is a proven-Int variable and whose other side is an Int
/// constant: the variable's side and the constant to add to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlusConstant {
    pub variable_is_lhs: bool,
    /// Nonzero, and `|addend| < 2^47`.
    pub addend: i64,
}

/// For `lhs op rhs` with `op` in `+ -`: the [`PlusConstant`] shape, when one side is proven
/// Int (`known_ints`) and the other is a nonzero Int constant other than `INT_MIN` (so its
/// negation for `-` still has an i48 magnitude).
pub fn int_plus_constant(
    op: BinaryOp,
    (lhs, rhs): (Var, Var),
    known_ints: (bool, bool),
    constants: &HashMap<Var, i64>,
) -> Option<PlusConstant> {
    let usable = |n: i64| n != 0 && n != INT_MIN;
    let shape = |variable_is_lhs, addend| PlusConstant {
        variable_is_lhs,
        addend,
    };
    match op {
        BinaryOp::Add => match (constants.get(&lhs), constants.get(&rhs)) {
            (_, Some(&c)) if known_ints.0 && usable(c) => Some(shape(true, c)),
            (Some(&c), _) if known_ints.1 && usable(c) => Some(shape(false, c)),
            _ => None,
        },
        BinaryOp::Sub => match constants.get(&rhs) {
            Some(&c) if known_ints.0 && usable(c) => Some(shape(true, -c)),
            _ => None,
        },
        _ => None,
    }
}
