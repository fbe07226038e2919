//! The multi-segment heap (docs/MEMORY.md, "Blocks"): segments of at most 65,535 blocks mapped on
//! demand, 32-bit addresses, chains that never leave their head's segment, deterministic allocation
//! order, and every guarantee of a single segment (quota, RT0401 with nothing leaked, snapshots,
//! the free-list and ownership checks) across segments.

use cairn_runtime::audit::run_ownership_check;
use cairn_runtime::heap::{
    BlockState, Heap, HeapError, NO_BLOCK, SEGMENT_BLOCKS, compare_snapshots, split_address,
};

fn free(heap: &mut Heap, block: u32) {
    assert!(heap.dec_ref(block).expect("dec"));
    heap.free_chain(block).expect("free");
}

#[test]
fn segments_are_mapped_when_the_ones_before_are_full() {
    let mut heap = Heap::new(SEGMENT_BLOCKS * 2 + 100).unwrap();
    assert_eq!(heap.segment_count(), 1);
    let blocks: Vec<u32> = (0..SEGMENT_BLOCKS + 10)
        .map(|_| heap.malloc(8).expect("malloc"))
        .collect();
    assert_eq!(heap.segment_count(), 2);
    // Segment 0 in index order, then segment 1 from its first block.
    assert_eq!(blocks[0], 0);
    assert_eq!(blocks[SEGMENT_BLOCKS as usize - 1], SEGMENT_BLOCKS - 1);
    assert_eq!(blocks[SEGMENT_BLOCKS as usize], 1 << 16);
    assert_eq!(split_address(blocks[SEGMENT_BLOCKS as usize + 9]), (1, 9));
    assert_eq!(heap.blocks_in_use(), SEGMENT_BLOCKS + 10);
    heap.validate_free_list().unwrap();
    // A freed block of segment 0 is reused before anything in segment 1.
    free(&mut heap, blocks[7]);
    assert_eq!(heap.malloc(8).unwrap(), 7);
    for &block in &blocks {
        free(&mut heap, block);
    }
    assert_eq!(heap.blocks_in_use(), 0);
    heap.validate_free_list().unwrap();
}

#[test]
fn a_chain_never_leaves_its_segment() {
    let mut heap = Heap::new(SEGMENT_BLOCKS * 2).unwrap();
    let filler: Vec<u32> = (0..SEGMENT_BLOCKS - 5)
        .map(|_| heap.malloc(8).unwrap())
        .collect();
    // 10 blocks do not fit in the 5 left in segment 0: the chain goes to segment 1 whole.
    let long = heap.malloc_blocks(10, false).unwrap();
    let chain = heap.chain(long);
    assert_eq!(chain.len(), 10);
    assert!(chain.iter().all(|&block| block >> 16 == 1), "{chain:?}");
    assert_eq!(heap.memory().next(*chain.last().unwrap()), NO_BLOCK);
    // A 3-block chain still fits in segment 0.
    let short = heap.malloc_blocks(3, false).unwrap();
    assert!(heap.chain(short).iter().all(|&block| block >> 16 == 0));
    free(&mut heap, long);
    free(&mut heap, short);
    for block in filler {
        free(&mut heap, block);
    }
    heap.validate_free_list().unwrap();
}

#[test]
fn allocation_is_deterministic_across_segments() {
    let run = || {
        let mut heap = Heap::new(SEGMENT_BLOCKS * 3).unwrap();
        let mut live = Vec::new();
        let mut addresses = Vec::new();
        let mut seed = 12345u64;
        for step in 0..200_000u32 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            // Grow to about 80,000 live objects (past segment 0), then churn.
            let churning = live.len() > 80_000 || step > 150_000;
            if !live.is_empty() && churning && seed >> 63 == 0 {
                let victim = live.swap_remove((seed as usize >> 8) % live.len());
                free(&mut heap, victim);
            } else {
                let size = 1 + (seed >> 40) as usize % 100;
                let block = heap.malloc(size).expect("room");
                addresses.push((step, block));
                live.push(block);
            }
        }
        let snapshot = heap.snapshot();
        (addresses, snapshot, heap.segment_count())
    };
    let (a, snapshot_a, segments_a) = run();
    let (b, snapshot_b, segments_b) = run();
    assert_eq!(a, b);
    assert_eq!(snapshot_a, snapshot_b);
    assert_eq!(segments_a, segments_b);
    assert!(segments_a >= 2, "the workload spans segments");
}

#[test]
fn exhaustion_and_quota_across_segments_leave_nothing_allocated() {
    let mut heap = Heap::new(SEGMENT_BLOCKS + 20).unwrap();
    let before = heap.snapshot();
    let blocks: Vec<u32> = (0..SEGMENT_BLOCKS + 15)
        .map(|_| heap.malloc(8).unwrap())
        .collect();
    assert_eq!(
        heap.malloc_blocks(10, false),
        Err(HeapError::Exhausted {
            requested: 10,
            free: 5
        })
    );
    // A chain longer than a segment can never be allocated: RT0406, not exhaustion, even
    // in a heap with room for it in total; a chain of exactly one segment fits.
    let mut big = Heap::new(SEGMENT_BLOCKS * 2).unwrap();
    assert_eq!(
        big.malloc_blocks(SEGMENT_BLOCKS + 1, false),
        Err(HeapError::ObjectTooLarge {
            requested: SEGMENT_BLOCKS + 1
        })
    );
    assert_eq!(big.blocks_in_use(), 0);
    let whole = big.malloc_blocks(SEGMENT_BLOCKS, false).unwrap();
    assert_eq!(big.blocks_in_use(), SEGMENT_BLOCKS);
    big.free_chain(whole).unwrap();
    heap.set_quota(Some(SEGMENT_BLOCKS + 16));
    assert!(heap.malloc(8).is_ok());
    assert!(matches!(
        heap.malloc(8),
        Err(HeapError::QuotaExceeded { .. })
    ));
    heap.set_quota(None);
    for &block in &blocks {
        free(&mut heap, block);
    }
    let leftover = (0..heap.segment_count())
        .flat_map(|segment| (0..SEGMENT_BLOCKS).map(move |index| ((segment as u32) << 16) | index))
        .find(|&block| heap.state(block) == Some(BlockState::Head));
    free(
        &mut heap,
        leftover.expect("the block allocated under the quota"),
    );
    let delta = compare_snapshots(&before, &heap.snapshot());
    assert!(delta.is_clean(), "{delta}");
    heap.validate_free_list().unwrap();
    assert!(run_ownership_check(&heap, &[]).valid);
}

#[test]
fn lazy_initialisation_hands_out_the_blocks_an_eager_free_list_would() {
    // Eager seed order: 0, 1, 2, ...; a freed block goes on the front of the list.
    let mut heap = Heap::new(16).unwrap();
    let a = heap.malloc(8).unwrap();
    let b = heap.malloc(8).unwrap();
    let c = heap.malloc(8).unwrap();
    assert_eq!((a, b, c), (0, 1, 2));
    free(&mut heap, b);
    free(&mut heap, a);
    // The list is now 0 -> 1 -> 3 -> 4 -> ...: the freed blocks link into the untouched ones.
    assert_eq!(heap.memory().next(a), b);
    assert_eq!(heap.memory().next(b), 3);
    assert_eq!(heap.snapshot().free_list_head, 0);
    heap.validate_free_list().unwrap();
    let taken: Vec<u32> = (0..4).map(|_| heap.malloc(8).unwrap()).collect();
    assert_eq!(taken, [0, 1, 3, 4]);
    heap.validate_free_list().unwrap();
}
