//! `MakeList` / `MakeTuple` / `MakeMap` ops whose operands are all constants (a list literal
//! of a million Ints is one such op): instead of a stack store per operand (a Cranelift
//! function as long as the literal), the words go into an array owned by the compiled
//! program and the op's one shim call gets its address: the same shim, the same words, the
//! same trace (the words are immediates, which hold no references). The `Const` ops of
//! operands used nowhere else are not translated at all.

use cairn_lang::ir::{self, OpKind, Var};
use cairn_lang::operands::{op_operands, terminator_operands};
use cairn_runtime::Shim;

use crate::translate::FunctionTranslator;

/// Per function: which variables are constants and which `Const` ops need no code.
pub(crate) struct ConstantOperands {
    /// Per variable, its word when it is defined exactly once, by a `Const` in range.
    words: Vec<Option<u64>>,
    /// Per variable, whether its `Const` op is skipped: it is a constant only ever used as
    /// an operand of all-constant aggregate ops (a use anywhere else materialises it).
    elided: Vec<bool>,
}

/// The operands of an aggregate op in shim word order (`k0 v0 k1 v1 ...` for a map).
fn aggregate_words(kind: &OpKind) -> Option<Vec<Var>> {
    match kind {
        OpKind::MakeList { elements, .. } | OpKind::MakeTuple { elements, .. } => {
            Some(elements.clone())
        }
        OpKind::MakeMap { entries, .. } => {
            Some(entries.iter().flat_map(|&(k, v)| [k, v]).collect())
        }
        _ => None,
    }
}

impl ConstantOperands {
    pub(crate) fn of(function: &ir::Function, functions: &[ir::Function]) -> ConstantOperands {
        let count = function.var_count as usize;
        let mut definitions = vec![0u32; count];
        let mut words = vec![None; count];
        let block_params = function.blocks.iter().flat_map(|b| &b.params);
        for param in function.params.iter().chain(block_params) {
            if let Some(n) = definitions.get_mut(param.var.0 as usize) {
                *n += 1;
            }
        }
        for op in function.blocks.iter().flat_map(|b| &b.ops) {
            let Some(dst) = op.kind.dst() else { continue };
            let Some(n) = definitions.get_mut(dst.0 as usize) else {
                continue;
            };
            *n += 1;
            if let OpKind::Const { value, .. } = op.kind {
                words[dst.0 as usize] = crate::translate::constant_word(value).ok();
            }
        }
        for (word, n) in words.iter_mut().zip(&definitions) {
            if *n != 1 {
                *word = None;
            }
        }
        let mut elided: Vec<bool> = words.iter().map(Option::is_some).collect();
        let mut used_elsewhere = |var: Var| {
            if let Some(elided) = elided.get_mut(var.0 as usize) {
                *elided = false;
            }
        };
        for block in &function.blocks {
            (block.cleanup.iter()).for_each(|range| used_elsewhere(range.var));
            for op in &block.ops {
                match &op.kind {
                    OpKind::Release { var } => used_elsewhere(*var),
                    kind if constants_only(&words, kind) => {}
                    kind => {
                        for (var, _) in op_operands(kind, functions) {
                            used_elsewhere(var);
                        }
                    }
                }
            }
            for (var, _) in terminator_operands(&block.terminator.kind, &function.blocks) {
                used_elsewhere(var);
            }
        }
        ConstantOperands { words, elided }
    }

    /// Whether `var`'s `Const` op is skipped.
    pub(crate) fn is_elided(&self, var: Var) -> bool {
        self.elided.get(var.0 as usize).copied().unwrap_or(false)
    }

    /// The word of a constant variable.
    pub(crate) fn word(&self, var: Var) -> Option<u64> {
        self.words.get(var.0 as usize).copied().flatten()
    }

    /// The words of `vars` when there is at least one and all are constants.
    fn words_of(&self, vars: &[Var]) -> Option<Box<[u64]>> {
        if vars.is_empty() {
            return None;
        }
        vars.iter().map(|&var| self.word(var)).collect()
    }
}

/// Whether `kind` is an aggregate op of at least one operand, all constants.
fn constants_only(words: &[Option<u64>], kind: &OpKind) -> bool {
    aggregate_words(kind).is_some_and(|vars| {
        !vars.is_empty()
            && vars
                .iter()
                .all(|var| words.get(var.0 as usize).copied().flatten().is_some())
    })
}

impl FunctionTranslator<'_, '_> {
    /// `MakeList` / `MakeTuple` / `MakeMap`: one call of the op's `shim(address, count)`
    /// with the operand `words` spilled to the stack or, when all are constants, in an array
    /// kept alive by the compiled program. Returns the result word.
    pub(crate) fn emit_aggregate(
        &mut self,
        shim: Shim,
        words: &[Var],
        count: usize,
        index: u32,
    ) -> cranelift_codegen::ir::Value {
        let Some(constants) = self.constant_operands.words_of(words) else {
            return self.emit_spilled_call(shim, words, count, index);
        };
        let address = self.word(constants.as_ptr() as u64);
        self.inputs.constant_words.push(constants);
        let count = self.word(count as u64);
        self.fallible_shim(shim, &[address, count], index)
    }
}
