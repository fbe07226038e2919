//! Payloads of Int words boxed by the inline paths of the function being translated. An
//! inline Int op computes its result as an i64 (or as that i64 shifted left by 16) and boxes
//! it; the next inline Int op would unbox the word again (`(w << 16) >> 16`). Recording, for
//! each such word, the value it was boxed from lets that op read the payload directly, and
//! leaves the boxing dead when nothing else needs the word. Keys are exact Cranelift SSA
//! values defined together with their payloads, so a lookup can only succeed where both are
//! available; a word that reaches an op through a block parameter is a different value and
//! is unboxed as usual.

use cranelift_codegen::ir::Value as ClValue;

use crate::translate::FunctionTranslator;

/// The payload an inline-boxed Int word was made from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IntPayload {
    /// The sign-extended i64 value.
    Raw(ClValue),
    /// The value shifted left by 16 (`word << 16`).
    Shifted(ClValue),
}

impl FunctionTranslator<'_, '_> {
    /// Records that `word` is the Int word boxed from `payload`.
    pub(crate) fn record_int_payload(&mut self, word: ClValue, payload: IntPayload) {
        self.int_payloads.insert(word, payload);
    }

    /// The payload `word` was boxed from, when an inline path of this function boxed it.
    pub(crate) fn known_int_payload(&self, word: ClValue) -> Option<IntPayload> {
        self.int_payloads.get(&word).copied()
    }
}
