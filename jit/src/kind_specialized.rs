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

use cairn_lang::analysis::KindSet;
use cairn_lang::ir::Var;
use cairn_runtime::Shim;
use cairn_runtime::value::TRUE_WORD;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{Block, InstBuilder, Value as ClValue};

use crate::translate::FunctionTranslator;

impl FunctionTranslator<'_, '_> {
    /// `Retain` of `src`; returns the owned word for the destination.
    pub(crate) fn emit_retain_of_var(
        &mut self,
        src: Var,
        op_index: u32,
        cleanup: &[Var],
    ) -> ClValue {
        let kinds = self.kinds_of(src);
        let value = self.use_var(src);
        if !kinds.may_be_heap() {
            // A non-heap word is its own owned copy (what `emit_retain`'s test would find).
            value
        } else if kinds == KindSet::HEAP {
            let word = self.call_shim(Shim::Retain, &[value]);
            self.branch_on_failure(word, op_index, cleanup);
            word
        } else {
            self.emit_retain(value, op_index, cleanup)
        }
    }

    /// `Release` of `var` (`cold` on failure paths).
    pub(crate) fn emit_release_of_var(&mut self, var: Var, cold: bool) {
        let kinds = self.kinds_of(var);
        if !kinds.may_be_heap() {
            return;
        }
        let value = self.use_var(var);
        if kinds == KindSet::HEAP {
            self.call_shim(Shim::Release, &[value]);
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
}
