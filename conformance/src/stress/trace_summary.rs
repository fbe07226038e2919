//! A refcount trace reduced to what a stress run keeps of it: counts per op, block reuse, and
//! a fixed-hasher (FNV-1a) rolling hash with its value at every window boundary, so two
//! engines' traces of millions of events are compared in bounded memory and a difference is
//! located to a window. [`SummaryBuilder`] folds the events in as a streaming trace
//! delivers them.

use std::collections::HashSet;

use cairn_runtime::heap::{RefOp, TraceEvent};
use serde::Serialize;

/// Events per hash window.
pub const HASH_WINDOW: usize = 1 << 16;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TraceSummary {
    pub events: u64,
    pub mallocs: u64,
    pub frees: u64,
    pub inc_refs: u64,
    pub dec_refs: u64,
    pub cows: u64,
    /// Mallocs of a head address an earlier malloc of this run already handed out.
    pub reused_mallocs: u64,
    /// Distinct head addresses malloc handed out.
    pub distinct_heads: u64,
    /// FNV-1a over every event's (op, block, old, new), in order.
    pub hash: u64,
    /// The rolling hash after each full window of [`HASH_WINDOW`] events.
    #[serde(skip)]
    pub window_hashes: Vec<u64>,
}

fn op_byte(op: RefOp) -> u8 {
    match op {
        RefOp::Malloc => 0,
        RefOp::IncRef => 1,
        RefOp::DecRef => 2,
        RefOp::Free => 3,
        RefOp::Cow => 4,
    }
}

/// FNV-1a of one event, continuing from `hash`.
pub fn hash_event(mut hash: u64, event: &TraceEvent) -> u64 {
    let mut bytes = [0u8; 9];
    bytes[0] = op_byte(event.op);
    bytes[1..5].copy_from_slice(&event.block.to_le_bytes());
    bytes[5..7].copy_from_slice(&event.old.to_le_bytes());
    bytes[7..9].copy_from_slice(&event.new.to_le_bytes());
    for byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

/// Builds a [`TraceSummary`] one event at a time (a streaming trace's sink feeds it), so a
/// trace of any length is summarised in memory bounded by the distinct heads it touches.
#[derive(Clone, Debug)]
pub struct SummaryBuilder {
    summary: TraceSummary,
    seen: HashSet<u32>,
}

impl Default for SummaryBuilder {
    fn default() -> SummaryBuilder {
        SummaryBuilder {
            summary: TraceSummary {
                hash: FNV_OFFSET,
                ..TraceSummary::default()
            },
            seen: HashSet::new(),
        }
    }
}

impl SummaryBuilder {
    /// The next event of the trace.
    pub fn add(&mut self, event: &TraceEvent) {
        let summary = &mut self.summary;
        match event.op {
            RefOp::Malloc => {
                summary.mallocs += 1;
                if !self.seen.insert(event.block) {
                    summary.reused_mallocs += 1;
                }
            }
            RefOp::Free => summary.frees += 1,
            RefOp::IncRef => summary.inc_refs += 1,
            RefOp::DecRef => summary.dec_refs += 1,
            RefOp::Cow => summary.cows += 1,
        }
        summary.hash = hash_event(summary.hash, event);
        summary.events += 1;
        if summary.events.is_multiple_of(HASH_WINDOW as u64) {
            summary.window_hashes.push(summary.hash);
        }
    }

    /// Events added so far.
    pub fn events(&self) -> u64 {
        self.summary.events
    }

    pub fn finish(mut self) -> TraceSummary {
        self.summary.distinct_heads = self.seen.len() as u64;
        self.summary
    }
}

impl TraceSummary {
    pub fn of(trace: &[TraceEvent]) -> TraceSummary {
        let mut builder = SummaryBuilder::default();
        for event in trace {
            builder.add(event);
        }
        builder.finish()
    }

    /// `None` when both traces are identical (same events, same hash); otherwise where they
    /// first differ, as precisely as the windows allow.
    pub fn first_difference(&self, other: &TraceSummary) -> Option<String> {
        if self.events == other.events && self.hash == other.hash {
            return None;
        }
        let window = self
            .window_hashes
            .iter()
            .zip(&other.window_hashes)
            .position(|(a, b)| a != b)
            .unwrap_or(self.window_hashes.len().min(other.window_hashes.len()));
        let from = window * HASH_WINDOW;
        Some(format!(
            "traces differ ({} vs {} events): first in events {from}..{}",
            self.events,
            other.events,
            from + HASH_WINDOW
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: u64, op: RefOp, block: u32) -> TraceEvent {
        TraceEvent {
            seq,
            op,
            block,
            old: 0,
            new: 1,
        }
    }

    #[test]
    fn counts_reuse_and_hash_sensitivity() {
        let trace = vec![
            event(0, RefOp::Malloc, 3),
            event(1, RefOp::Free, 3),
            event(2, RefOp::Malloc, 3),
            event(3, RefOp::Cow, 3),
        ];
        let summary = TraceSummary::of(&trace);
        assert_eq!((summary.mallocs, summary.frees, summary.cows), (2, 1, 1));
        assert_eq!((summary.reused_mallocs, summary.distinct_heads), (1, 1));
        let mut changed = trace.clone();
        changed[2].block = 4;
        let other = TraceSummary::of(&changed);
        assert_ne!(summary.hash, other.hash);
        assert!(summary.first_difference(&other).is_some());
        assert!(
            summary
                .first_difference(&TraceSummary::of(&trace))
                .is_none()
        );
    }
}
