//! Streaming the refcount trace (docs/MEMORY.md, *Trace streaming*): a [`TraceSink`]
//! attached with `Heap::start_trace_to` receives the events in order, in batches of at most
//! [`TRACE_BATCH_EVENTS`], while the program runs, so a trace of any length is written in
//! bounded memory. [`JsonLinesSink`] is the one `cairn run --trace` uses; its bytes are
//! exactly those of [`super::trace::write_json_lines`] over the whole trace.

use std::io::{BufWriter, Write};
use std::sync::{Arc, Mutex};

use super::trace::{TraceEvent, write_json_lines};

/// The most events a streaming trace holds in memory: when this many are pending they are
/// handed to the sink and dropped.
pub const TRACE_BATCH_EVENTS: usize = 4096;

/// Where a streaming trace goes. Called from inside refcount operations, so it cannot fail
/// the run: a sink that meets an error remembers it and reports it through its own handle
/// (as [`JsonLinesSink`] does with [`SinkStatus`]).
pub trait TraceSink: Send {
    /// The next events of the trace, in order (never more than [`TRACE_BATCH_EVENTS`]).
    fn write_events(&mut self, events: &[TraceEvent]);
    /// The trace ended (`Heap::take_trace`): flush whatever is buffered.
    fn finish(&mut self) {}
}

/// The outcome of a [`JsonLinesSink`], readable after the sink was handed to the heap.
#[derive(Clone, Debug, Default)]
pub struct SinkStatus(Arc<Mutex<SinkState>>);

#[derive(Debug, Default)]
struct SinkState {
    events: u64,
    error: Option<std::io::Error>,
}

impl SinkStatus {
    /// The first write or flush error the sink met (it wrote nothing after it).
    pub fn take_error(&self) -> Option<std::io::Error> {
        self.lock().error.take()
    }
    /// Events handed to the sink so far (written, unless an error stopped it).
    pub fn events(&self) -> u64 {
        self.lock().events
    }
    fn lock(&self) -> std::sync::MutexGuard<'_, SinkState> {
        // A poisoned lock still holds a consistent state: every update is one assignment.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Writes the trace as JSON Lines through a buffered writer as it happens.
pub struct JsonLinesSink<W: Write + Send> {
    writer: BufWriter<W>,
    status: SinkStatus,
    failed: bool,
}

impl<W: Write + Send> JsonLinesSink<W> {
    /// A sink writing to `writer`, and the handle that reports its outcome.
    pub fn new(writer: W) -> (JsonLinesSink<W>, SinkStatus) {
        let status = SinkStatus::default();
        let sink = JsonLinesSink {
            writer: BufWriter::with_capacity(64 * 1024, writer),
            status: status.clone(),
            failed: false,
        };
        (sink, status)
    }

    fn record(&mut self, outcome: std::io::Result<()>) {
        if let Err(error) = outcome {
            self.failed = true;
            self.status.lock().error = Some(error);
        }
    }
}

impl<W: Write + Send> TraceSink for JsonLinesSink<W> {
    fn write_events(&mut self, events: &[TraceEvent]) {
        self.status.lock().events += events.len() as u64;
        if !self.failed {
            let outcome = write_json_lines(events, &mut self.writer);
            self.record(outcome);
        }
    }

    fn finish(&mut self) {
        if !self.failed {
            let outcome = self.writer.flush();
            self.record(outcome);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heap::trace::RefOp;

    fn events(n: u64) -> Vec<TraceEvent> {
        (0..n)
            .map(|seq| TraceEvent {
                seq,
                op: RefOp::Malloc,
                block: seq as u32,
                old: 0,
                new: 1,
            })
            .collect()
    }

    #[test]
    fn batches_write_the_bytes_of_the_whole_trace() {
        let all = events(10);
        let mut whole = Vec::new();
        write_json_lines(&all, &mut whole).unwrap();
        let shared = Arc::new(Mutex::new(Vec::new()));
        struct Shared(Arc<Mutex<Vec<u8>>>);
        impl Write for Shared {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let (mut sink, status) = JsonLinesSink::new(Shared(shared.clone()));
        sink.write_events(&all[..3]);
        sink.write_events(&all[3..]);
        sink.finish();
        assert_eq!(*shared.lock().unwrap(), whole);
        assert_eq!(status.events(), 10);
        assert!(status.take_error().is_none());
    }

    #[test]
    fn a_write_error_is_reported_once_and_stops_the_writing() {
        struct Full(usize);
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                self.0 += 1;
                Err(std::io::Error::from(std::io::ErrorKind::StorageFull))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let (mut sink, status) = JsonLinesSink::new(Full(0));
        // More than the buffer holds: the first batch reaches the writer and fails.
        sink.write_events(&events(5000));
        sink.write_events(&events(5000));
        sink.finish();
        let error = status.take_error().expect("the error is kept");
        assert_eq!(error.kind(), std::io::ErrorKind::StorageFull);
        assert!(status.take_error().is_none());
        assert_eq!(status.events(), 10_000);
        assert_eq!(
            sink.writer.get_ref().0,
            1,
            "nothing is written after the error"
        );
    }

    /// Collects what it is handed, remembering the largest batch.
    struct Collect(Arc<Mutex<(Vec<TraceEvent>, usize, bool)>>);
    impl TraceSink for Collect {
        fn write_events(&mut self, events: &[TraceEvent]) {
            let mut state = self.0.lock().unwrap();
            state.0.extend_from_slice(events);
            state.1 = state.1.max(events.len());
        }
        fn finish(&mut self) {
            self.0.lock().unwrap().2 = true;
        }
    }

    fn churn(heap: &mut crate::heap::Heap, rounds: usize, most_held: &mut usize) {
        for _ in 0..rounds {
            let block = heap.malloc(2).unwrap();
            heap.inc_ref(block).unwrap();
            assert!(!heap.dec_ref(block).unwrap());
            assert!(heap.dec_ref(block).unwrap());
            heap.free_chain(block).unwrap();
            *most_held = (*most_held).max(heap.trace_events().len());
        }
    }

    #[test]
    fn a_streaming_trace_holds_a_bounded_number_of_events_and_streams_them_all() {
        let rounds = 10_000; // 40,000 events: almost ten batches
        let mut heap = crate::heap::Heap::new(8).unwrap();
        heap.start_trace();
        let mut held_in_memory = 0;
        churn(&mut heap, rounds, &mut held_in_memory);
        let in_memory = heap.take_trace();
        assert_eq!(held_in_memory, 4 * rounds);

        let collected = Arc::new(Mutex::new((Vec::new(), 0, false)));
        heap.start_trace_to(Box::new(Collect(collected.clone())));
        let mut held_streaming = 0;
        churn(&mut heap, rounds, &mut held_streaming);
        assert_eq!(heap.trace_event_count(), 4 * rounds as u64);
        assert!(heap.take_trace().is_empty());
        assert!(
            held_streaming <= TRACE_BATCH_EVENTS,
            "{held_streaming} held"
        );
        let (streamed, largest_batch, finished) = &*collected.lock().unwrap();
        assert!(*largest_batch <= TRACE_BATCH_EVENTS);
        assert!(*finished);
        assert_eq!(*streamed, in_memory);
    }
}
