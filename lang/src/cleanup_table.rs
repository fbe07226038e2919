//! A block's cleanup table (`ir::Block::cleanup`, conventions in `ir/mod.rs`), built from the
//! walk that tracks the held set: the RC pass writes it, the verifier rebuilds it and
//! compares. A var held from position `from` to position `to` (exclusive) is one entry; the
//! cleanup of a fallible op at position `p` is the entries covering `p`, ascending by var, so
//! N vars held across N fallible ops cost N entries, not N² list elements.
//!
//! Only positions where an engine may consult the cleanup matter ([`consulted_positions`]):
//! entries covering none of them are dropped, and two tables are equivalent when they agree
//! there ([`normalized`]).

use std::collections::HashMap;

use crate::ir::{Block, CleanupRange, TerminatorKind, Var};

/// Whether an engine may consult the cleanup at each position `0..=ops.len()` of `block`: a
/// fallible op, and a terminator that can fail (a `Branch`'s condition check, a tail call's
/// callee check or frame).
pub fn consulted_positions(block: &Block) -> impl Iterator<Item = bool> + '_ {
    let terminator = matches!(
        block.terminator.kind,
        TerminatorKind::Branch { .. }
            | TerminatorKind::TailCall { .. }
            | TerminatorKind::TailCallValue { .. }
    );
    (block.ops.iter().map(|op| op.kind.is_fallible())).chain(std::iter::once(terminator))
}

/// The held ranges of one block's walk, opened and closed as vars enter and leave the held set.
#[derive(Default)]
pub struct HeldRanges {
    open: HashMap<Var, u32>,
    closed: Vec<CleanupRange>,
}

impl HeldRanges {
    pub fn new() -> HeldRanges {
        HeldRanges::default()
    }

    /// `var` is held from position `from` on.
    pub fn open(&mut self, var: Var, from: u32) {
        self.open.insert(var, from);
    }

    /// `var` stops being held at position `to` (consumed by, or released at, that op).
    pub fn close(&mut self, var: Var, to: u32) {
        if let Some(from) = self.open.remove(&var) {
            self.closed.push(CleanupRange { var, from, to });
        }
    }

    /// Closes every var still open at `to` (held through the end of the block).
    pub fn close_all(&mut self, to: u32) {
        for (var, from) in self.open.drain() {
            self.closed.push(CleanupRange { var, from, to });
        }
    }

    /// The table of `block` (whose ops and terminator are final): the ranges covering a
    /// consulted position, ascending by var.
    pub fn finish(mut self, block: &Block) -> Vec<CleanupRange> {
        let end = block.ops.len() as u32 + 1;
        self.close_all(end);
        let counts = consulted_counts(block);
        let mut table: Vec<CleanupRange> = (self.closed.into_iter())
            .filter(|range| consulted_between(&counts, *range) > 0)
            .collect();
        table.sort_unstable_by_key(|range| range.var);
        table
    }
}

/// `counts[p]` = how many consulted positions precede position `p` (`p` in `0..=ops.len()+1`).
pub fn consulted_counts(block: &Block) -> Vec<u32> {
    let mut counts = Vec::with_capacity(block.ops.len() + 2);
    let mut seen = 0u32;
    counts.push(0);
    for consulted in consulted_positions(block) {
        seen += u32::from(consulted);
        counts.push(seen);
    }
    counts
}

fn consulted_between(counts: &[u32], range: CleanupRange) -> u32 {
    let at = |p: u32| counts[(p as usize).min(counts.len() - 1)];
    at(range.to).saturating_sub(at(range.from))
}

/// `table` as what the engines see of it: per var, the consulted positions it covers as a
/// range of their ordinals, entries covering none dropped. Order kept.
pub fn normalized(table: &[CleanupRange], counts: &[u32]) -> Vec<(Var, u32, u32)> {
    let at = |p: u32| counts[(p as usize).min(counts.len() - 1)];
    (table.iter())
        .filter(|range| range.from < range.to && consulted_between(counts, **range) > 0)
        .map(|range| (range.var, at(range.from), at(range.to)))
        .collect()
}
