//! Allocation-failure injection (`Limits::fail_alloc_at`, `--fail-alloc-at N`): the Nth
//! allocation that would record a `malloc` event fails as heap exhaustion does (RT0401), so
//! that tests can drive every error path an allocation can take. An allocation probe
//! (`set_allocation_probe`) decides allocation by allocation instead, which is how a harness
//! forks a child at every allocation (`cairn_conformance::fault_injection`). One branch per
//! allocation when both are off.

use super::{Heap, HeapError};

/// Asked once per counted allocation (the ones `fail_allocation_at` counts), with its
/// number from 1 since the probe was set and the heap (to read or clear the trace, say);
/// `true` makes that allocation fail as an injected failure does. It must not allocate or
/// release blocks. The probe is not asked again while it runs.
pub type AllocationProbe = Box<dyn FnMut(u64, &mut Heap) -> bool + Send>;

impl Heap {
    /// Arms (or with `None` disarms) the injected failure: counting from now, allocation
    /// number `n` (1-based, counting every allocation that records a `malloc` event: whole
    /// chains, copies; not the in-place growth of a chain) fails with
    /// [`HeapError::Exhausted`]. Only that one fails; later ones succeed. `Some(0)` never
    /// fails. The allocation-failure handler is not called for an injected failure.
    pub fn fail_allocation_at(&mut self, n: Option<u64>) {
        self.failure_countdown = n.unwrap_or(0);
        self.injection_armed = self.failure_countdown != 0 || self.allocation_probe.is_some();
    }

    /// Sets (or with `None` removes) the allocation probe; its count starts from 0. Unlike
    /// `fail_allocation_at`, it stays set across runs until removed.
    pub fn set_allocation_probe(&mut self, probe: Option<AllocationProbe>) {
        self.allocation_probe = probe;
        self.probed_allocations = 0;
        self.injection_armed = self.failure_countdown != 0 || self.allocation_probe.is_some();
    }

    /// Whether an injected failure is armed and not yet reached.
    pub fn allocation_failure_armed(&self) -> bool {
        self.failure_countdown != 0
    }

    /// Counts one allocation of `needed` blocks against the armed failure; `Err` when this
    /// is the one that must fail (nothing has been changed, nothing recorded).
    #[inline(always)]
    pub(super) fn count_injected_failure(&mut self, needed: u32) -> Result<(), HeapError> {
        if self.injection_armed {
            return self.count_armed_injection(needed);
        }
        Ok(())
    }

    #[cold]
    fn count_armed_injection(&mut self, needed: u32) -> Result<(), HeapError> {
        let mut fail = false;
        if self.failure_countdown != 0 {
            self.failure_countdown -= 1;
            fail = self.failure_countdown == 0;
        }
        if let Some(mut probe) = self.allocation_probe.take() {
            self.probed_allocations += 1;
            fail |= probe(self.probed_allocations, self);
            self.allocation_probe = Some(probe);
        }
        self.injection_armed = self.failure_countdown != 0 || self.allocation_probe.is_some();
        if fail {
            return Err(HeapError::Exhausted {
                requested: needed,
                free: self.free_count(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::compare_snapshots;
    use super::*;

    #[test]
    fn only_the_nth_allocation_fails() {
        let mut heap = Heap::new(64).unwrap();
        heap.fail_allocation_at(Some(3));
        let first = heap.malloc(10).unwrap();
        let second = heap.malloc(200).unwrap();
        let before = heap.snapshot();
        assert_eq!(
            heap.malloc(100),
            Err(HeapError::Exhausted {
                requested: 2,
                free: 59
            })
        );
        assert!(compare_snapshots(&before, &heap.snapshot()).is_clean());
        assert!(!heap.allocation_failure_armed());
        let fourth = heap.malloc(10).unwrap();
        for head in [first, second, fourth] {
            heap.free_chain(head).unwrap();
        }
        assert_eq!(heap.blocks_in_use(), 0);
    }

    #[test]
    fn a_failed_copy_records_no_cow() {
        let mut heap = Heap::new(64).unwrap();
        let head = heap.malloc(100).unwrap();
        heap.start_trace();
        heap.fail_allocation_at(Some(1));
        assert!(matches!(
            heap.copy_chain(head),
            Err(HeapError::Exhausted { requested: 2, .. })
        ));
        assert!(heap.take_trace().is_empty());
        let copy = heap.copy_chain(head).unwrap();
        heap.free_chain(copy).unwrap();
        heap.free_chain(head).unwrap();
        assert_eq!(heap.blocks_in_use(), 0);
    }

    #[test]
    fn the_probe_sees_every_counted_allocation_and_decides_which_fail() {
        let mut heap = Heap::new(64).unwrap();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        heap.start_trace();
        heap.set_allocation_probe(Some(Box::new(move |n, heap: &mut Heap| {
            log.lock().unwrap().push((n, heap.trace_events().len()));
            n == 2
        })));
        let first = heap.malloc(10).unwrap();
        assert!(matches!(heap.malloc(10), Err(HeapError::Exhausted { .. })));
        let copy = heap.copy_chain(first).unwrap();
        // The failed allocation recorded nothing; a copy asks before it records its `cow`.
        assert_eq!(*seen.lock().unwrap(), vec![(1, 0), (2, 1), (3, 1)]);
        heap.set_allocation_probe(None);
        let unprobed = heap.malloc(10).unwrap();
        assert_eq!(seen.lock().unwrap().len(), 3);
        for head in [first, copy, unprobed] {
            heap.free_chain(head).unwrap();
        }
        assert_eq!(heap.blocks_in_use(), 0);
    }

    #[test]
    fn zero_and_none_never_fail() {
        let mut heap = Heap::new(8).unwrap();
        for setting in [None, Some(0)] {
            heap.fail_allocation_at(setting);
            let head = heap.malloc(10).unwrap();
            heap.free_chain(head).unwrap();
        }
    }
}
