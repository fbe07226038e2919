//! Unit tests for the block heap: allocation, LIFO reuse, rollback, guardrails, tracing.

use super::*;

#[test]
fn malloc_links_a_chain_and_free_returns_it_lifo() {
    let mut heap = Heap::new(8).unwrap();
    let head = heap.malloc(150).unwrap(); // ceil(150 / 60) = 3 blocks
    assert_eq!(heap.chain(head).len(), 3);
    assert_eq!(heap.ref_count(head), 1);
    for &tail in &heap.chain(head)[1..] {
        assert_eq!(heap.ref_count(tail), 0);
        assert_eq!(heap.state(tail), Some(BlockState::Tail));
    }
    assert_eq!(
        heap.memory().next(*heap.chain(head).last().unwrap()),
        NO_BLOCK
    );
    assert_eq!(heap.free_count(), 5);
    assert!(heap.dec_ref(head).unwrap());
    heap.free_chain(head).unwrap();
    assert_eq!(heap.free_count(), 8);
    heap.validate_free_list().unwrap();
    // LIFO: the last block freed (the chain's last) is the first handed out again.
    let again = heap.malloc(1).unwrap();
    assert_eq!(again, 2);
}

#[test]
fn exhaustion_is_reported_and_leaves_nothing_allocated() {
    let mut heap = Heap::new(4).unwrap();
    let before = heap.snapshot();
    assert_eq!(
        heap.malloc(60 * 5),
        Err(HeapError::Exhausted {
            requested: 5,
            free: 4
        })
    );
    assert!(compare_snapshots(&before, &heap.snapshot()).is_clean());
    heap.validate_free_list().unwrap();
}

#[test]
fn rollback_returns_blocks_when_the_free_list_is_short() {
    let mut heap = Heap::new(4).unwrap();
    // Hand out every block once and free them, so the whole free list is explicit
    // (0 -> 1 -> 2 -> 3), then corrupt the free count's view: cut it after two blocks.
    let blocks: Vec<u32> = (0..4).map(|_| heap.malloc(1).unwrap()).collect();
    for &block in blocks.iter().rev() {
        assert!(heap.dec_ref(block).unwrap());
        heap.free_chain(block).unwrap();
    }
    heap.memory_mut().set_next(1, NO_BLOCK);
    let error = heap.malloc(60 * 3).unwrap_err();
    assert!(matches!(error, HeapError::Exhausted { .. }));
    assert_eq!(heap.state(0), Some(BlockState::Free));
    assert_eq!(heap.state(1), Some(BlockState::Free));
    assert_eq!(heap.blocks_in_use(), 0);
}

#[test]
fn quota_refuses_non_critical_allocations_only() {
    let mut heap = Heap::new(16).unwrap();
    heap.set_quota(Some(2));
    heap.malloc(120).unwrap();
    assert_eq!(
        heap.malloc(1),
        Err(HeapError::QuotaExceeded {
            used: 2,
            quota: 2,
            requested: 1
        })
    );
    assert!(heap.malloc_blocks(1, true).is_ok());
}

#[test]
fn guardrails_detect_misuse() {
    let mut heap = Heap::new(8).unwrap();
    let head = heap.malloc(100).unwrap();
    let tail = heap.chain(head)[1];
    assert!(matches!(heap.inc_ref(tail), Err(HeapError::Integrity(_))));
    assert!(
        matches!(heap.dec_ref(7), Err(HeapError::Integrity(_))),
        "free block"
    );
    assert!(
        matches!(heap.inc_ref(9000), Err(HeapError::Integrity(_))),
        "out of range"
    );
    heap.memory_mut().set_ref_count(head, MAX_REF_COUNT);
    assert_eq!(heap.inc_ref(head), Err(HeapError::Saturated));
    assert_eq!(heap.ref_count(head), MAX_REF_COUNT);
}

#[test]
fn trace_records_every_event_in_order() {
    let mut heap = Heap::new(8).unwrap();
    heap.start_trace();
    let a = heap.malloc(10).unwrap();
    heap.inc_ref(a).unwrap();
    assert!(!heap.dec_ref(a).unwrap());
    let copy = heap.copy_chain(a).unwrap();
    assert!(heap.dec_ref(a).unwrap());
    heap.free_chain(a).unwrap();
    let ops: Vec<_> = heap
        .take_trace()
        .iter()
        .map(|e| (e.seq, e.op, e.block, e.old, e.new))
        .collect();
    assert_eq!(
        ops,
        vec![
            (0, RefOp::Malloc, a, 0, 1),
            (1, RefOp::IncRef, a, 1, 2),
            (2, RefOp::DecRef, a, 2, 1),
            (3, RefOp::Cow, a, 1, 1),
            (4, RefOp::Malloc, copy, 0, 1),
            (5, RefOp::Free, a, 1, 0),
        ]
    );
}
