//! The block heap (docs/MEMORY.md, "Blocks"): 64-byte blocks, a LIFO free list threaded through
//! `BLOCK_NEXT`, `malloc` with rollback, chain free, guarded reference counts, block
//! cloning and the refcount trace. Object layouts live in `crate::objects`; this module
//! knows blocks and chains only.
//!
//! The heap is a sequence of segments, each a heap of at most 65,535
//! blocks in its own mapping, created when the ones before it cannot take an allocation.
//! A block's address is `segment << 16 | index`; a chain never leaves its head's segment.
//! Allocation is deterministic: the lowest segment that can hold the whole chain, and in it
//! its LIFO free list.

mod allocation;
pub mod audit;
pub mod audit_config;
mod audit_heap;
pub mod block_memory;
mod chain_growth;
mod count_fast_path;
pub mod heap_memory;
mod injected_failure;
pub use injected_failure::AllocationProbe;
pub mod programs;
mod ref_counts;
mod segment;
pub mod segment_table;
pub mod snapshot;
pub mod trace;
pub mod trace_sink;

pub use audit::{AllocationSite, HeapAudit, HeapEvent, HookId, IntegrityViolation};
pub use audit_config::{AuditConfig, EventLogConfig, WatchdogAction, WatchdogConfig};
pub use audit_heap::{
    AllocationFailure, AllocationFailureHandler, AllocationRetry, RefCountMismatch,
};
pub use block_memory::{BLOCK_SIZE, HEADER_SIZE, INVALID, USABLE_BLOCK_SIZE};
pub use chain_growth::ChainGrowth;
pub use heap_memory::{HeapMemory, NO_BLOCK, join_address, split_address};
use segment::Segment;
pub use segment_table::{MAX_SEGMENTS, SegmentTable, SegmentTableEntry};

/// Blocks in one segment (a 16-bit index, `INVALID` excluded).
pub const SEGMENT_BLOCKS: u32 = 65_535;
/// The largest heap, in blocks: 1,024 segments (4 GiB).
pub const MAX_HEAP_BLOCKS: u32 = SEGMENT_BLOCKS * MAX_SEGMENTS as u32;
pub use snapshot::{HeapDelta, HeapSnapshot, compare_snapshots};
pub use trace::{RefOp, TraceEvent};
pub use trace_sink::{JsonLinesSink, SinkStatus, TRACE_BATCH_EVENTS, TraceSink};

/// Whether audit mode is compiled in. Only the benchmark feature `strip-audit` turns it
/// off, to measure what audit mode costs when it is off (docs/MEMORY.md).
pub(crate) const AUDIT_COMPILED: bool = !cfg!(feature = "strip-audit");

/// The largest count a head may hold; a retain past it copies the object instead.
pub const MAX_REF_COUNT: u16 = 0xFFFE;

/// What the heap knows about each block, kept beside the blocks (not in them) so that the
/// integrity checks can tell a head from a tail from a free block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum BlockState {
    Free = 0,
    Head = 1,
    Tail = 2,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeapError {
    /// Not enough free blocks (RT0401).
    Exhausted { requested: u32, free: u32 },
    /// One object of more blocks than a segment holds (RT0406): a chain never leaves its
    /// head's segment, so no heap size can hold it.
    ObjectTooLarge { requested: u32 },
    /// The soft quota would be exceeded (RT0402).
    QuotaExceeded {
        used: u32,
        quota: u32,
        requested: u32,
    },
    /// A retain would push `REF_COUNT` past `MAX_REF_COUNT`; the caller copies instead.
    Saturated,
    /// A detected integrity violation (bad index, release of a free block, free of a tail...).
    Integrity(String),
    /// A violation found by audit mode's checks (RT0801).
    Audit(IntegrityViolation),
}

/// Heap counters (docs/MEMORY.md, "Heap statistics"), always maintained: they cost a few adds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeapCounters {
    pub total_allocated: u64,
    pub total_freed: u64,
    pub peak_usage: u32,
}

pub struct Heap {
    memory: HeapMemory,
    segments: Vec<Segment>,
    /// Every mapped segment's memory at a stable address, for inline readers (the JIT).
    pub(crate) segment_table: SegmentTable,
    /// The epoch of List tail-leaf caches (`objects::list_tail`): a cache filled at an
    /// older epoch is ignored. Starts at 1 (a zeroed head holds epoch 0: no cache).
    pub(crate) list_tail_epoch: u64,
    /// The heap's size in blocks (all segments, created or not).
    capacity: u32,
    /// Blocks allocated, over all segments.
    in_use: u32,
    /// The lowest segment with a free block (a search hint; `segments.len()` when none).
    first_with_free: usize,
    quota: Option<u32>,
    counters: HeapCounters,
    /// `Some` while tracing: the ordered events (docs/MEMORY.md) not yet handed to a sink
    /// (all of them for an in-memory trace).
    trace: Option<Vec<TraceEvent>>,
    /// Where a streaming trace goes (`start_trace_to`); `None` for an in-memory trace.
    trace_sink: Option<Box<dyn TraceSink>>,
    next_seq: u64,
    /// `trace.is_some() || audit.is_some()`: the one branch every event pays.
    pub(crate) observing: bool,
    /// Audit mode's state; `None` when audit mode is off.
    audit: Option<Box<HeapAudit>>,
    /// The allocation site engines report (`AllocationSite` bits), read at malloc when
    /// site tracking is on. A `Cell` so the interpreter's observer can set it through
    /// `&Context`; the JIT's audit variant stores to it directly.
    pub(crate) current_site: std::cell::Cell<u64>,
    /// Integrity violations found on paths that cannot return an error (release, failure
    /// cleanup). Never ignored: tools and the CLI report them.
    pub integrity_violations: Vec<String>,
    /// Set by a watchdog whose action is to refuse allocations (RT0402 until cleared).
    refusing_allocations: bool,
    /// Called when an allocation fails (quota or exhaustion); may free or raise the quota.
    allocation_failure_handler: Option<AllocationFailureHandler>,
    /// The installed program's id and function names (closures print as `<fn name>`) and
    /// the stamps of the programs that made closures here (`programs.rs`).
    pub(crate) programs: programs::LoadedPrograms,
    /// Wall-clock start of the allocation-rate window (heap creation, or audit mode turned
    /// on) and `total_allocated` then. Only `HeapStats` reads it: it is in no snapshot,
    /// trace or counter that engines are compared by.
    rate_clock: (std::time::Instant, u64),
    /// Allocations left until the injected failure (`injected_failure.rs`); 0 = none armed.
    failure_countdown: u64,
    /// The harness's allocation probe and the allocations it has seen (`injected_failure.rs`).
    allocation_probe: Option<AllocationProbe>,
    probed_allocations: u64,
    /// `failure_countdown != 0 || allocation_probe.is_some()`: the one branch allocation pays.
    injection_armed: bool,
    /// This heap's C handle tag, `1..=255` (docs/ABI.md, "Handles"): stamped into the
    /// handles of heap values given to a C host, so a handle of another runtime is refused.
    handle_tag: u8,
    /// The payloads of this heap's host objects (`objects::host_object`).
    host_objects: crate::objects::host_object::HostObjectTable,
}

/// The next heap's C handle tag: heaps made one after another get 1, 2, ..., 255, 1, ...
fn next_handle_tag() -> u8 {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    (n % 255) as u8 + 1
}

impl Heap {
    /// This heap's C handle tag (`1..=255`; docs/ABI.md, "Handles").
    pub fn handle_tag(&self) -> u8 {
        self.handle_tag
    }

    /// The heap's host object table (docs/MEMORY.md, "Host objects").
    pub fn host_objects(&self) -> &crate::objects::host_object::HostObjectTable {
        &self.host_objects
    }

    pub(crate) fn host_objects_mut(&mut self) -> &mut crate::objects::host_object::HostObjectTable {
        &mut self.host_objects
    }

    /// A heap of `block_count` blocks (1..=`MAX_HEAP_BLOCKS`), all free. Only the first
    /// segment is mapped now; the others are mapped when an allocation needs them.
    pub fn new(block_count: u32) -> Result<Heap, String> {
        if !(1..=MAX_HEAP_BLOCKS).contains(&block_count) {
            return Err(format!(
                "heap size must be 1..={MAX_HEAP_BLOCKS} blocks, got {block_count}"
            ));
        }
        let mut heap = Heap {
            memory: HeapMemory::default(),
            segments: Vec::new(),
            segment_table: SegmentTable::default(),
            list_tail_epoch: 1,
            capacity: block_count,
            in_use: 0,
            first_with_free: 0,
            quota: None,
            counters: HeapCounters::default(),
            trace: None,
            trace_sink: None,
            next_seq: 0,
            observing: false,
            audit: None,
            current_site: std::cell::Cell::new(0),
            integrity_violations: Vec::new(),
            refusing_allocations: false,
            allocation_failure_handler: None,
            programs: programs::LoadedPrograms::default(),
            rate_clock: (std::time::Instant::now(), 0),
            failure_countdown: 0,
            allocation_probe: None,
            probed_allocations: 0,
            injection_armed: false,
            handle_tag: next_handle_tag(),
            host_objects: Default::default(),
        };
        heap.add_segment()
            .map_err(|e| format!("cannot map heap: {e}"))?;
        Ok(heap)
    }

    /// Maps the next segment (its capacity is what is left of the heap, at most
    /// `SEGMENT_BLOCKS`); returns its number.
    fn add_segment(&mut self) -> std::io::Result<usize> {
        let planned = self.segments.len() as u32 * SEGMENT_BLOCKS;
        let capacity = (self.capacity - planned).min(SEGMENT_BLOCKS);
        let number = self.memory.add_segment(capacity)?;
        self.segments.push(Segment::new(capacity));
        self.segment_table.set(
            number,
            SegmentTableEntry {
                blocks_address: self.memory.segment_base_address(number),
                states_address: self.segments[number].states.as_ptr() as usize,
                block_count: u64::from(capacity),
                reserved: 0,
            },
        );
        self.first_with_free = self.first_with_free.min(number);
        if AUDIT_COMPILED && let Some(audit) = &mut self.audit {
            audit.grow_to(self.segments.len() << 16);
        }
        Ok(number)
    }

    /// The current epoch of List tail-leaf caches (see `objects::list_tail`).
    #[inline]
    pub fn list_tail_epoch(&self) -> u64 {
        self.list_tail_epoch
    }

    /// Invalidates every List tail-leaf cache at once (a list node may have become shared
    /// or a list's right spine may have changed).
    #[inline]
    pub fn invalidate_list_tail_caches(&mut self) {
        self.list_tail_epoch += 1;
    }

    /// Segments mapped so far.
    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }

    /// Every block address of the segments mapped so far, in order.
    pub fn addresses(&self) -> impl Iterator<Item = u32> + '_ {
        self.segments
            .iter()
            .enumerate()
            .flat_map(|(number, segment)| {
                (0..segment.capacity).map(move |index| join_address(number, index as u16))
            })
    }

    /// Records the loaded program's function names (closures print as `<fn name>`), for a
    /// program without an id (tests); see [`Heap::install_program`].
    pub fn set_function_names(&mut self, names: Vec<String>) {
        self.programs.install(0, names.into());
    }

    /// Installs program `program` (its process-unique id, `programs::new_program_id`) and
    /// its function names (shared, not copied): closures it makes from now on carry its
    /// stamp in this heap.
    pub fn install_program(&mut self, program: u64, names: std::sync::Arc<[String]>) {
        self.programs.install(program, names);
    }

    /// The installed program's stamp in this heap (0 when it has made no closure here).
    pub fn program_stamp(&self) -> u32 {
        self.programs.stamp()
    }

    /// The installed program's stamp, handed out on its first closure in this heap (RT0408
    /// when no stamp is left, docs/EMBEDDING.md).
    pub fn program_stamp_for_closure(&mut self) -> Result<u32, crate::error::RuntimeError> {
        self.programs.stamp_for_closure()
    }

    /// The name of function `id` of the loaded program, if any.
    pub fn function_name(&self, id: u32) -> Option<&str> {
        self.programs
            .function_names
            .get(id as usize)
            .map(String::as_str)
    }

    /// The heap's size in blocks (all segments, mapped or not).
    pub fn block_count(&self) -> u32 {
        self.capacity
    }
    /// Blocks that are free (including those of segments not mapped yet).
    pub fn free_count(&self) -> u32 {
        self.capacity.saturating_sub(self.in_use)
    }
    pub fn blocks_in_use(&self) -> u32 {
        self.in_use
    }
    pub fn counters(&self) -> &HeapCounters {
        &self.counters
    }
    /// The allocation-rate window: wall-clock time since the heap was created or audit mode
    /// was last turned on, and the blocks allocated since then.
    pub(crate) fn rate_window(&self) -> (std::time::Duration, u64) {
        let (started, allocated_then) = self.rate_clock;
        (
            started.elapsed(),
            self.counters.total_allocated.saturating_sub(allocated_then),
        )
    }
    /// Restarts the allocation-rate window now.
    pub(crate) fn restart_rate_window(&mut self) {
        self.rate_clock = (std::time::Instant::now(), self.counters.total_allocated);
    }
    pub fn set_quota(&mut self, quota: Option<u32>) {
        self.quota = quota;
    }
    pub fn quota(&self) -> Option<u32> {
        self.quota
    }

    /// Direct block access for the object layer (`crate::objects`).
    #[inline]
    pub fn memory(&self) -> &HeapMemory {
        &self.memory
    }
    #[inline]
    pub fn memory_mut(&mut self) -> &mut HeapMemory {
        &mut self.memory
    }
    /// The state of the block at `address` (`None` past the mapped segments).
    #[inline]
    pub fn state(&self, block: u32) -> Option<BlockState> {
        let (segment, index) = split_address(block);
        self.segments
            .get(segment)?
            .states
            .get(index as usize)
            .copied()
    }

    #[inline]
    fn set_state(&mut self, block: u32, state: BlockState) {
        let (segment, index) = split_address(block);
        self.segments[segment].states[index as usize] = state;
    }

    // ----- tracing -------------------------------------------------------------------

    /// Starts recording events in memory (clearing any previous trace); the sequence
    /// restarts at 0.
    pub fn start_trace(&mut self) {
        self.finish_trace_sink();
        self.trace = Some(Vec::new());
        self.next_seq = 0;
        self.observing = true;
    }
    /// Starts a streaming trace: events go to `sink` as they happen, in batches of at most
    /// [`TRACE_BATCH_EVENTS`], and at most that many are held in memory at any time (the
    /// events are those of [`Heap::start_trace`], with the same sequence numbers).
    pub fn start_trace_to(&mut self, sink: Box<dyn TraceSink>) {
        self.finish_trace_sink();
        self.trace = Some(Vec::with_capacity(TRACE_BATCH_EVENTS));
        self.trace_sink = Some(sink);
        self.next_seq = 0;
        self.observing = true;
    }
    /// Stops recording and returns the events held in memory: the whole trace of an
    /// in-memory trace; for a streaming trace, nothing (the pending events are handed to
    /// the sink, which is then finished and dropped).
    pub fn take_trace(&mut self) -> Vec<TraceEvent> {
        let events = self.trace.take().unwrap_or_default();
        self.observing = self.audit.is_some();
        match self.trace_sink.take() {
            Some(mut sink) => {
                if !events.is_empty() {
                    sink.write_events(&events);
                }
                sink.finish();
                Vec::new()
            }
            None => events,
        }
    }
    /// Ends a streaming trace left running (before another one starts).
    fn finish_trace_sink(&mut self) {
        if self.trace_sink.is_some() {
            self.take_trace();
        }
    }
    pub fn is_tracing(&self) -> bool {
        self.trace.is_some()
    }
    /// Events held in memory (empty when not tracing; for a streaming trace, those not yet
    /// handed to the sink, never more than [`TRACE_BATCH_EVENTS`]).
    pub fn trace_events(&self) -> &[TraceEvent] {
        self.trace.as_deref().unwrap_or(&[])
    }
    /// Events recorded since the trace started, streamed or not (the next sequence number).
    pub fn trace_event_count(&self) -> u64 {
        self.next_seq
    }
    /// Drops the events recorded so far and goes on recording; the sequence continues (a
    /// harness that folds a long trace into a hash as it goes keeps its memory small).
    pub fn clear_trace_events(&mut self) {
        if let Some(trace) = &mut self.trace {
            trace.clear();
        }
    }

    /// One branch when nothing observes the heap (audit off, no trace); everything else is
    /// out of line in `record_observed`.
    #[inline(always)]
    fn record(&mut self, op: RefOp, block: u32, old: u16, new: u16) {
        if self.observing {
            self.record_observed(op, block, old, new);
        }
    }

    #[inline(never)]
    fn record_observed(&mut self, op: RefOp, block: u32, old: u16, new: u16) {
        if let Some(trace) = &mut self.trace {
            trace.push(TraceEvent {
                seq: self.next_seq,
                op,
                block,
                old,
                new,
            });
            self.next_seq += 1;
            if trace.len() >= TRACE_BATCH_EVENTS
                && let Some(sink) = &mut self.trace_sink
            {
                sink.write_events(trace);
                trace.clear();
            }
        }
        if AUDIT_COMPILED && let Some(audit) = &mut self.audit {
            audit.on_event(op, block, old, new, self.current_site.get());
        }
    }

    // ----- snapshots -----------------------------------------------------------------

    /// The free-list bookkeeping of mapped segment `number`: the head of its explicit part
    /// (`INVALID` when empty), the first block never handed out (the implicit tail of the
    /// list runs from it to the end of the segment), its free count and its capacity.
    pub fn free_list_of(&self, number: usize) -> Option<(u16, u32, u32, u32)> {
        let segment = self.segments.get(number)?;
        Some((
            segment.free_head,
            segment.untouched,
            segment.free_count,
            segment.capacity,
        ))
    }

    /// The block the next single-block allocation would take ([`NO_BLOCK`] when every
    /// mapped segment is full).
    pub fn snapshot_free_list_head(&self) -> u32 {
        self.segments
            .get(self.first_with_free)
            .map_or(NO_BLOCK, |segment| {
                join_address(self.first_with_free, segment.first_free())
            })
    }

    pub fn snapshot(&self) -> HeapSnapshot {
        let mut allocated_heads = std::collections::BTreeMap::new();
        for (number, segment) in self.segments.iter().enumerate() {
            for (index, state) in segment.states.iter().enumerate() {
                if *state == BlockState::Head {
                    let block = join_address(number, index as u16);
                    allocated_heads.insert(block, self.memory.ref_count(block));
                }
            }
        }
        let free_list_head = self.snapshot_free_list_head();
        HeapSnapshot {
            allocated_heads,
            blocks_in_use: self.blocks_in_use(),
            free_list_head,
            total_free: self.free_count(),
        }
    }

    /// Walks every segment's free list checking the invariants of docs/MEMORY.md, "Free list and
    /// allocation": every entry free with count 0, no cycle, the explicit part linking into the
    /// untouched tail (or ending at `INVALID`), and the length equal to the segment's free count.
    pub fn validate_free_list(&self) -> Result<(), HeapError> {
        for (number, segment) in self.segments.iter().enumerate() {
            let mut seen = 0u32;
            let mut index = segment.free_head;
            while index != INVALID && u32::from(index) != segment.untouched {
                let block = join_address(number, index);
                if seen > segment.free_count {
                    return Err(HeapError::Integrity(format!(
                        "free list of segment {number} is longer than its free count (cycle?)"
                    )));
                }
                if u32::from(index) >= segment.capacity {
                    return Err(HeapError::Integrity(format!(
                        "free list of segment {number} reaches block {block}, out of range"
                    )));
                }
                if self.state(block) != Some(BlockState::Free) || self.memory.ref_count(block) != 0
                {
                    return Err(HeapError::Integrity(format!(
                        "free list holds live block {block}"
                    )));
                }
                seen += 1;
                index = self.memory.next_index(block);
            }
            let untouched = segment.capacity - segment.untouched.min(segment.capacity);
            if seen + untouched != segment.free_count {
                return Err(HeapError::Integrity(format!(
                    "free list of segment {number} has {} blocks, free count says {}",
                    seen + untouched,
                    segment.free_count
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
