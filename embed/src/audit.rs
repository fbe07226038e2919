//! The memory-integrity toolkit (docs/MEMORY.md, "Audit mode and the integrity toolkit") for Rust
//! hosts: snapshots and their comparison, shadow-count validation, the event log, audit hooks, the
//! allocation-failure handler, and `detect_leaks`. Audit mode itself is chosen in
//! [`crate::Limits::audit`].

use std::sync::Arc;

use cairn_runtime::heap::audit::{AuditWarning, HookFailure, IntegrityViolation, WatchdogReport};
use cairn_runtime::heap::{
    AllocationFailure, AllocationRetry, AllocationSite, HeapDelta, HeapEvent, HeapSnapshot, HookId,
    RefCountMismatch, RefOp, compare_snapshots,
};

use cairn_runtime::audit::{HeapStats, OwnershipGraph, OwnershipReport, run_ownership_check};

use crate::module::Module;
use crate::runtime::Runtime;
use crate::value::ReleaseQueue;

/// What an allocation-failure handler may change before the allocation is retried.
#[derive(Debug)]
pub struct QuotaControl {
    /// The soft quota in blocks (`None` = the whole heap). Raise it to let the retry pass.
    pub quota: Option<u32>,
}

/// A source position an allocation site maps to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteLocation {
    /// The function's name (`main`, `helper`, or a lifted lambda such as `main@lambda1`).
    pub function: String,
    /// The IR op index within the function.
    pub op: u32,
    /// 1-based line and column of the op's span.
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for SiteLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "fn {} at {}:{}", self.function, self.line, self.column)
    }
}

impl Module {
    /// Where allocation site `site` is in this module's source (`None` for an unknown site
    /// or one of another module).
    pub fn site_location(&self, site: AllocationSite) -> Option<SiteLocation> {
        let (function_index, op) = site.function_and_op()?;
        let function = self.inner.ir.functions.get(function_index as usize)?;
        let span = function.op_at(op)?.span();
        let (_, position) = self.inner.sources.line_column(span.start);
        Some(SiteLocation {
            function: function.name.clone(),
            op,
            line: position.line,
            column: position.column,
        })
    }
}

impl Runtime {
    /// The heap's live heads with their counts, and its free-list state (docs/MEMORY.md, "Snapshots
    /// and leak detection").
    pub fn capture_snapshot(&mut self) -> HeapSnapshot {
        self.release_dropped_values();
        self.context_ref().heap.snapshot()
    }

    /// Compares two snapshots: heads allocated, freed, and whose count changed.
    pub fn compare_snapshots(before: &HeapSnapshot, after: &HeapSnapshot) -> HeapDelta {
        compare_snapshots(before, after)
    }

    /// The ownership check (docs/MEMORY.md, "Ownership graph") over the whole heap, with the values
    /// the host holds ([`crate::Opaque`] handles) as its roots: in-degree + roots = `REF_COUNT` for
    /// every head, no cycle, no reference to a free block or a tail, every chain ends at `INVALID`,
    /// every tail owned by exactly one head, and a valid free list. Works with audit mode off too
    /// (it reads the heap; sites are known only with audit mode).
    ///
    /// ```
    /// use cairn::{Engine, EngineKind, Limits};
    ///
    /// let engine = Engine::new(EngineKind::Interpreter); let module = engine.compile("r.cairn",
    /// "fn main() = 0\nfn cell() = ref([1, [2, 3]])").unwrap(); let mut rt =
    /// engine.runtime(Limits::default()).unwrap(); let cell = rt.call::<cairn::Value>(&module,
    /// "cell", ()).unwrap(); let report = rt.run_ownership_check(); assert!(report.valid,
    /// "{report}"); assert_eq!(report.roots, 1); let json = serde_json::to_value(&report).unwrap();
    /// assert_eq!(json["valid"], true); drop(cell); assert_eq!(rt.run_ownership_check().nodes, 0);
    /// ```
    pub fn run_ownership_check(&mut self) -> OwnershipReport {
        self.release_dropped_values();
        let roots: Vec<cairn_runtime::Value> = self
            .release_queue()
            .held_words()
            .into_iter()
            .map(cairn_runtime::Value)
            .collect();
        run_ownership_check(&self.context_ref().heap, &roots)
    }

    /// The heap's ownership graph now (`to_dot()` for graphviz, `to_json()`).
    pub fn export_ref_graph(&mut self) -> OwnershipGraph {
        self.release_dropped_values();
        OwnershipGraph::build(&self.context_ref().heap)
    }

    /// The graphs `checkpoint()` recorded during the last call (audit mode with
    /// `checkpoints` on).
    pub fn checkpoints(&self) -> &[OwnershipGraph] {
        &self.context_ref().checkpoints
    }

    /// Heap statistics (docs/MEMORY.md, "Heap statistics"; `to_json()`, `to_prometheus()`).
    pub fn export_heap_stats(&mut self) -> HeapStats {
        self.release_dropped_values();
        HeapStats::collect(&self.context_ref().heap)
    }

    /// Compares every block's shadow count with its `REF_COUNT` (shadow counts). `None`
    /// unless [`crate::Limits::audit`] turned shadow counts on.
    pub fn validate_ref_counts(&self) -> Option<Vec<RefCountMismatch>> {
        self.context_ref().heap.validate_ref_counts()
    }

    /// Registers `hook` for the heap events `events` (`Malloc`, `IncRef`, `DecRef`, `Free`,
    /// `Cow`); hooks run in registration order. A hook that panics is disabled and reported
    /// in [`Runtime::hook_failures`]; the run goes on. `None` unless audit mode has hooks on.
    pub fn register_audit_hook(
        &mut self,
        events: &[RefOp],
        hook: impl FnMut(&HeapEvent) + Send + 'static,
    ) -> Option<HookId> {
        self.context_mut()
            .heap
            .register_audit_hook(events, Box::new(hook))
    }

    /// Removes a hook; `false` if it was not registered.
    pub fn unregister_audit_hook(&mut self, id: HookId) -> bool {
        self.context_mut().heap.unregister_audit_hook(id)
    }

    /// Hooks that panicked (each disabled at its first panic).
    pub fn hook_failures(&self) -> &[HookFailure] {
        self.context_ref().heap.hook_failures()
    }

    /// The event log's entries, oldest first (empty unless audit mode has an event log).
    pub fn event_log(&self) -> Vec<HeapEvent> {
        self.context_ref().heap.event_log()
    }

    /// Writes the event log as JSON Lines.
    pub fn export_event_log(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        self.context_ref().heap.export_event_log(out)
    }

    /// Integrity violations audit mode has found (each also failed its call with RT0801).
    pub fn audit_violations(&self) -> &[IntegrityViolation] {
        self.context_ref().heap.audit_violations()
    }

    /// Near-OOM warnings audit mode recorded.
    pub fn audit_warnings(&self) -> &[AuditWarning] {
        self.context_ref().heap.audit_warnings()
    }

    /// Reports of the watchdog ([`crate::Limits::audit`]'s `watchdog`).
    pub fn watchdog_reports(&self) -> &[WatchdogReport] {
        self.context_ref().heap.watchdog_reports()
    }

    /// Lifts a watchdog's refusal of further allocations.
    pub fn resume_allocations(&mut self) {
        self.context_mut().heap.resume_allocations();
    }

    /// Installs the allocation-failure handler (docs/MEMORY.md, "Soft quota and the
    /// allocation-failure handler"): when an allocation fails on the quota or for lack of blocks,
    /// `handler` runs once; it may drop [`crate::Opaque`] values the host caches (they are released
    /// before the retry) or raise the quota, and return [`AllocationRetry::Retry`] to have the
    /// allocation checked once more.
    ///
    /// ```
    /// use cairn::{AllocationRetry, AuditConfig, Engine, EngineKind, Limits};
    ///
    /// let engine = Engine::new(EngineKind::Interpreter);
    /// let module = engine.compile("big.cairn", "fn main() = len(collect(range(0, 500)))").unwrap();
    /// let limits = Limits { heap_quota: Some(20), ..Limits::default() };
    /// let mut rt = engine.runtime(limits).unwrap();
    /// assert_eq!(rt.call::<i64>(&module, "main", ()).unwrap_err().code(), "RT0402");
    /// rt.on_allocation_failure(|failure, control| {
    ///     assert!(failure.quota_exceeded);
    ///     control.quota = Some(failure.in_use + failure.requested + 100); // make room
    ///     AllocationRetry::Retry
    /// });
    /// assert_eq!(rt.call::<i64>(&module, "main", ()).unwrap(), 500);
    /// assert_eq!(rt.blocks_in_use(), 0);
    /// ```
    pub fn on_allocation_failure(
        &mut self,
        mut handler: impl FnMut(&AllocationFailure, &mut QuotaControl) -> AllocationRetry
        + Send
        + 'static,
    ) {
        let queue: Arc<ReleaseQueue> = self.release_queue();
        self.context_mut()
            .heap
            .set_allocation_failure_handler(Some(Box::new(move |heap, failure| {
                let mut control = QuotaControl {
                    quota: heap.quota(),
                };
                let answer = handler(failure, &mut control);
                heap.set_quota(control.quota);
                for word in queue.drain() {
                    if let Err(error) =
                        cairn_runtime::objects::release(heap, cairn_runtime::Value(word))
                    {
                        heap.note_integrity_violation(error.to_string());
                    }
                }
                answer
            })));
    }

    /// Removes the allocation-failure handler.
    pub fn clear_allocation_failure_handler(&mut self) {
        self.context_mut().heap.set_allocation_failure_handler(None);
    }

    /// Runs `body` and reports what it left allocated (docs/MEMORY.md, "Snapshots and leak
    /// detection"): every head live after `body` that was not live before, except the ones the host
    /// still holds through [`crate::Opaque`] values (and what those reach).
    ///
    /// ```
    /// use cairn::{Engine, EngineKind, Limits};
    ///
    /// let engine = Engine::new(EngineKind::Jit); let module = engine .compile("p.cairn", "fn
    /// main() = sum(take(filter(map(range(0, 100), \\x -> x * 2), \\x -> x % 3 == 0), 10))")
    /// .unwrap(); let mut rt = engine.runtime(Limits::default()).unwrap(); let (sum, leaks) =
    /// rt.detect_leaks(|rt| rt.call::<i64>(&module, "main", ()).unwrap()); assert_eq!(sum, 270);
    /// assert!(leaks.is_clean(), "{leaks}");
    /// ```
    pub fn detect_leaks<R>(&mut self, body: impl FnOnce(&mut Runtime) -> R) -> (R, LeakReport) {
        let before = self.capture_snapshot();
        let result = body(self);
        let after = self.capture_snapshot();
        let delta = compare_snapshots(&before, &after);
        let held = self.reachable_from_host_roots();
        let heap = &self.context_ref().heap;
        let leaked = delta
            .newly_allocated
            .iter()
            .filter(|block| !held.contains(block))
            .map(|&block| LeakedBlock {
                block,
                count: after.allocated_heads.get(&block).copied().unwrap_or(0),
                site: heap.site_of(block),
            })
            .collect();
        (result, LeakReport { delta, leaked })
    }
}

impl Runtime {
    /// Every head the host's [`crate::Opaque`] handles reach (the handles' own heads and
    /// everything below them).
    fn reachable_from_host_roots(&self) -> std::collections::BTreeSet<u32> {
        let heap = &self.context_ref().heap;
        let mut reached = std::collections::BTreeSet::new();
        let mut pending: Vec<cairn_runtime::Value> = self
            .release_queue()
            .held_words()
            .into_iter()
            .map(cairn_runtime::Value)
            .collect();
        while let Some(word) = pending.pop() {
            let (Some(kind), Some(address)) = (word.heap_kind(), word.heap_address()) else {
                continue;
            };
            let block = (u32::from(address.segment) << 16) | u32::from(address.index);
            if !reached.insert(block) || heap.check_head(block).is_err() {
                continue;
            }
            if let Ok(slots) = cairn_runtime::objects::children::child_slots(heap, block, kind) {
                pending.extend(
                    slots
                        .iter()
                        .map(|slot| slot.read(heap))
                        .filter(|child| child.is_heap()),
                );
            }
        }
        reached
    }
}

/// A head left allocated by the body of [`Runtime::detect_leaks`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeakedBlock {
    pub block: u32,
    pub count: u16,
    /// Where it was allocated (known with [`crate::AuditConfig::allocation_sites`] on).
    pub site: AllocationSite,
}

/// What [`Runtime::detect_leaks`] found.
#[derive(Clone, Debug)]
pub struct LeakReport {
    /// The heap before and after the body.
    pub delta: HeapDelta,
    /// Heads allocated by the body that nothing the host holds reaches.
    pub leaked: Vec<LeakedBlock>,
}

impl LeakReport {
    /// True when the body left nothing allocated beyond what the host holds.
    pub fn is_clean(&self) -> bool {
        self.leaked.is_empty() && self.delta.count_changed.is_empty() && self.delta.freed.is_empty()
    }
}

impl std::fmt::Display for LeakReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_clean() {
            return write!(f, "Leaks: 0");
        }
        write!(f, "Leaks: {}", self.leaked.len())?;
        for leak in &self.leaked {
            write!(
                f,
                "\n  block {} (count {}, allocated at {})",
                leak.block, leak.count, leak.site
            )?;
        }
        if !self.delta.count_changed.is_empty() {
            write!(f, "\n  counts changed: {:?}", self.delta.count_changed)?;
        }
        if !self.delta.freed.is_empty() {
            write!(
                f,
                "\n  heads freed that were live before: {:?}",
                self.delta.freed
            )?;
        }
        Ok(())
    }
}
