//! Audit mode's hot path allocates nothing (audit off costs one branch; shadow counts
//! are Vec indexing): a counting global allocator watches malloc, incRef, decRef and free with
//! audit off, with shadow counts only, and with the preallocated event log.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use cairn_runtime::heap::{AuditConfig, EventLogConfig, Heap};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

/// Allocations made by 1,000 rounds of malloc (1- and 3-block chains), incRef, decRef, free.
fn allocations_during_churn(heap: &mut Heap) -> u64 {
    let before = allocations();
    for round in 0..1000u32 {
        let bytes = if round % 2 == 0 { 8 } else { 150 };
        let block = heap.malloc(bytes).expect("malloc");
        heap.inc_ref(block).expect("inc");
        heap.inc_ref(block).expect("inc");
        assert!(!heap.dec_ref(block).expect("dec"));
        assert!(!heap.dec_ref(block).expect("dec"));
        assert!(heap.dec_ref(block).expect("last dec"));
        heap.free_chain(block).expect("free");
    }
    allocations() - before
}

#[test]
fn audit_off_allocates_nothing_per_operation() {
    // The counter sees allocations at all.
    let before = allocations();
    let probe = std::hint::black_box(vec![1u8; 16]);
    assert_eq!(allocations() - before, 1);
    drop(probe);
    let mut heap = Heap::new(64).expect("heap");
    assert_eq!(allocations_during_churn(&mut heap), 0);
}

#[test]
fn shadow_counts_allocate_nothing_per_operation() {
    let mut heap = Heap::new(64).expect("heap");
    heap.set_audit(AuditConfig {
        shadow_counts: true,
        ..AuditConfig::default()
    });
    assert_eq!(allocations_during_churn(&mut heap), 0);
    assert_eq!(heap.validate_ref_counts(), Some(Vec::new()));
}

#[test]
fn sites_near_oom_and_a_preallocated_log_allocate_nothing_per_operation() {
    let mut heap = Heap::new(64).expect("heap");
    heap.set_audit(AuditConfig {
        shadow_counts: true,
        allocation_sites: true,
        near_oom_percent: Some(10),
        event_log: Some(EventLogConfig {
            capacity: 256,
            sample_every: 3,
        }),
        ..AuditConfig::default()
    });
    assert_eq!(allocations_during_churn(&mut heap), 0);
    assert_eq!(heap.event_log().len(), 256, "the ring buffer wrapped");
}
