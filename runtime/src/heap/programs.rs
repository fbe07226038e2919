//! Which loaded program a Closure belongs to: process-unique program ids, the per-heap
//! closure stamps they get, and the encoding of a Closure's slot 0 (docs/MEMORY.md,
//! docs/EMBEDDING.md, "Opaque handles (Seq, Closure, Ref)").
//!
//! A Closure's slot 0 is one Int, `stamp << FUNCTION_BITS | function`: `function` indexes
//! the function table of the program that made it, and `stamp` names that program within
//! this heap. Stamps are handed out by the heap (1, 2, ...) the first time a program makes a
//! closure in it, so a heap's stamps bound the *distinct modules that made closures in one
//! runtime* ([`MAX_CLOSURE_STAMP`]), not the modules a process ever compiles; program ids
//! are a process-wide `u64` counter that cannot wrap (2^64 compilations).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::RuntimeError;
use crate::value::INT_MAX;

/// Bits of a Closure's slot 0 that hold its function index (the front end allows at most
/// 2^20 functions per module, docs/LANGUAGE.md; one bit of slack).
pub const FUNCTION_BITS: u32 = 21;

/// The largest stamp: slot 0 stays a non-negative Int (`INT_MAX` is 2^47 - 1).
pub const MAX_CLOSURE_STAMP: u32 = (INT_MAX >> FUNCTION_BITS) as u32;

static NEXT_PROGRAM_ID: AtomicU64 = AtomicU64::new(1);

/// A fresh process-unique program id (never 0), one per compiled program: the engines give
/// it to every entry of the program's function table.
pub fn new_program_id() -> u64 {
    NEXT_PROGRAM_ID.fetch_add(1, Ordering::Relaxed)
}

/// Slot 0 of a Closure of `function` made by the program with `stamp`.
pub fn encode_closure_function(stamp: u32, function: u32) -> Option<i64> {
    (stamp <= MAX_CLOSURE_STAMP && function < 1 << FUNCTION_BITS)
        .then(|| (i64::from(stamp) << FUNCTION_BITS) | i64::from(function))
}

/// `(stamp, function)` of a Closure's slot 0 (`None` for a negative or oversized Int).
pub fn decode_closure_function(slot: i64) -> Option<(u32, u32)> {
    if !(0..=INT_MAX).contains(&slot) {
        return None;
    }
    let function = (slot & ((1 << FUNCTION_BITS) - 1)) as u32;
    Some(((slot >> FUNCTION_BITS) as u32, function))
}

/// The installed program's identity and names, and the stamps programs got in this heap.
#[derive(Debug, Default)]
pub(crate) struct LoadedPrograms {
    /// The name of every function of the installed program, by function id.
    pub(crate) function_names: std::sync::Arc<[String]>,
    /// The installed program's id (0: none, or a table built without one).
    program: u64,
    /// The installed program's stamp in this heap (0 until it makes a closure here).
    pub(crate) stamp: u32,
    /// Program id -> stamp, for every program that made a closure in this heap.
    stamps: HashMap<u64, u32>,
}

impl LoadedPrograms {
    pub(crate) fn install(&mut self, program: u64, names: std::sync::Arc<[String]>) {
        self.function_names = names;
        self.program = program;
        self.stamp = self.stamps.get(&program).copied().unwrap_or(0);
    }

    /// The installed program's stamp, 0 when it has made no closure in this heap.
    pub(crate) fn stamp(&self) -> u32 {
        self.stamp
    }

    /// The installed program's stamp, handing it the next one on its first closure here.
    /// RT0408 when [`MAX_CLOSURE_STAMP`] programs already made closures in this heap.
    pub(crate) fn stamp_for_closure(&mut self) -> Result<u32, RuntimeError> {
        if self.stamp != 0 {
            return Ok(self.stamp);
        }
        let next = self.stamps.len() as u64 + 1;
        if next > u64::from(MAX_CLOSURE_STAMP) {
            return Err(RuntimeError::too_many_closure_programs(MAX_CLOSURE_STAMP));
        }
        self.stamp = next as u32;
        self.stamps.insert(self.program, self.stamp);
        Ok(self.stamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_zero_round_trips_at_the_bounds() {
        for (stamp, function) in [
            (1, 0),
            (1, (1 << FUNCTION_BITS) - 1),
            (MAX_CLOSURE_STAMP, 7),
        ] {
            let slot = encode_closure_function(stamp, function).expect("encodes");
            assert!((0..=INT_MAX).contains(&slot));
            assert_eq!(decode_closure_function(slot), Some((stamp, function)));
        }
        assert_eq!(encode_closure_function(MAX_CLOSURE_STAMP + 1, 0), None);
        assert_eq!(encode_closure_function(1, 1 << FUNCTION_BITS), None);
        assert_eq!(decode_closure_function(-1), None);
    }

    #[test]
    fn stamps_are_per_program_and_given_on_the_first_closure() {
        let mut programs = LoadedPrograms::default();
        programs.install(41, Vec::new().into());
        assert_eq!(programs.stamp(), 0);
        assert_eq!(programs.stamp_for_closure().unwrap(), 1);
        programs.install(42, Vec::new().into());
        assert_eq!(programs.stamp(), 0);
        assert_eq!(programs.stamp_for_closure().unwrap(), 2);
        programs.install(41, Vec::new().into());
        assert_eq!(programs.stamp(), 1);
    }
}
