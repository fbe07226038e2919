//! The streaming trace of a stress run: a `TraceSink` that folds each event into the run's
//! [`TraceSummary`] and keeps only the events the sampled event log must match (the most
//! recent `capacity` of every `sample_every`-th), so a run of millions of iterations is
//! checked in bounded memory (docs/MEMORY.md, *Trace streaming*).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use cairn_runtime::Limits;
use cairn_runtime::heap::{TraceEvent, TraceSink};

use super::trace_summary::{SummaryBuilder, TraceSummary};

#[derive(Debug, Default)]
struct StreamState {
    summary: SummaryBuilder,
    /// The most recent sampled events, oldest first (at most `capacity`).
    sampled: VecDeque<TraceEvent>,
    sample_every: u64,
    capacity: usize,
}

/// The sink (handed to the heap) and its handle (kept by the harness) share one state.
#[derive(Clone, Debug, Default)]
pub struct StressTraceStream(Arc<Mutex<StreamState>>);

impl StressTraceStream {
    /// A stream sampling as the event log of `limits` does (nothing when it is off).
    pub fn new(limits: &Limits) -> StressTraceStream {
        let (sample_every, capacity) = limits.audit.event_log.map_or((u64::MAX, 0), |config| {
            (config.sample_every.max(1), config.capacity)
        });
        StressTraceStream(Arc::new(Mutex::new(StreamState {
            sample_every,
            capacity,
            ..StreamState::default()
        })))
    }

    /// The summary of every event streamed and the sampled events kept, once the heap has
    /// finished the trace.
    pub fn finish(&self) -> (TraceSummary, Vec<TraceEvent>) {
        let mut state = self.lock();
        let summary = std::mem::take(&mut state.summary).finish();
        let sampled = std::mem::take(&mut state.sampled).into();
        (summary, sampled)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, StreamState> {
        // Every update leaves the state consistent; a poisoned lock is still usable.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl TraceSink for StressTraceStream {
    fn write_events(&mut self, events: &[TraceEvent]) {
        let mut state = self.lock();
        for event in events {
            let position = state.summary.events();
            state.summary.add(event);
            if state.capacity > 0 && position.is_multiple_of(state.sample_every) {
                if state.sampled.len() == state.capacity {
                    state.sampled.pop_front();
                }
                state.sampled.push_back(*event);
            }
        }
    }
}
