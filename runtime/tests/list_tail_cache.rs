//! The List tail-leaf cache (`objects::list_tail`): pushes through it store exactly what the
//! general path stores and record exactly its events, and every way a right-spine node can
//! become shared or a spine can change (a shared head, a slice sharing the tail leaf, pop,
//! set, reverse) stops it from writing into anything but a uniquely owned leaf.

use cairn_runtime::heap::{Heap, TraceEvent};
use cairn_runtime::objects::list_tail::push_into_cached_tail_leaf;
use cairn_runtime::objects::{list, list_update, release, retain};
use cairn_runtime::value::Value;

fn int(n: i64) -> Value {
    Value::int(n).unwrap()
}

fn ints(heap: &Heap, list: Value) -> Vec<i64> {
    list::elements(heap, list)
        .unwrap()
        .iter()
        .map(|v| v.as_int().unwrap())
        .collect()
}

/// Builds a list of `0..n` by pushes; `bypass_cache` invalidates every cache before each
/// push, forcing the walking paths. Returns the list, its trace and the pushes the cache
/// took.
fn pushes(n: i64, bypass_cache: bool) -> (Heap, Value, Vec<TraceEvent>, usize) {
    let mut heap = Heap::new(4096).unwrap();
    let mut xs = list::list_from_values(&mut heap, Vec::new()).unwrap();
    heap.start_trace();
    let mut cached = 0;
    for i in 0..n {
        if bypass_cache {
            heap.invalidate_list_tail_caches();
        }
        if push_into_cached_tail_leaf(&mut heap, xs, int(i)) {
            cached += 1;
        } else {
            xs = list_update::push(&mut heap, xs, int(i)).unwrap();
        }
    }
    let trace = heap.take_trace();
    (heap, xs, trace, cached)
}

#[test]
fn pushes_through_the_cache_store_and_record_what_the_general_path_does() {
    let (heap, xs, trace, cached) = pushes(3_000, false);
    let (reference_heap, reference, reference_trace, none) = pushes(3_000, true);
    assert_eq!(none, 0);
    assert_eq!(
        cached,
        3_000 - 3_000usize.div_ceil(7),
        "every push but a new leaf's"
    );
    assert_eq!(ints(&heap, xs), (0..3_000).collect::<Vec<_>>());
    assert_eq!(ints(&heap, xs), ints(&reference_heap, reference));
    assert_eq!(trace, reference_trace);
    assert_eq!(heap.blocks_in_use(), list::blocks_for_length(3_000));
}

#[test]
fn a_shared_head_a_shared_tail_leaf_pop_set_and_reverse_all_stop_the_cache() {
    let mut heap = Heap::new(4096).unwrap();
    let mut xs = list::list_from_values(&mut heap, Vec::new()).unwrap();
    for i in 0..10 {
        xs = list_update::push(&mut heap, xs, int(i)).unwrap();
    }
    assert!(push_into_cached_tail_leaf(&mut heap, xs, int(10)), "warm");

    // A second owner of the head: the push copies the head (and so retains the root).
    let ys = retain(&mut heap, xs).unwrap();
    assert!(!push_into_cached_tail_leaf(&mut heap, xs, int(11)));
    xs = list_update::push(&mut heap, xs, int(11)).unwrap();
    assert_eq!(ints(&heap, ys), (0..11).collect::<Vec<_>>());
    release(&mut heap, ys).unwrap();

    // A slice that shares the tail leaf (aligned start, running to the end).
    assert!(push_into_cached_tail_leaf(&mut heap, xs, int(12)));
    let tail = list::slice_shared(&mut heap, xs, 7, 13).unwrap();
    assert!(!push_into_cached_tail_leaf(&mut heap, xs, int(13)));
    xs = list_update::push(&mut heap, xs, int(13)).unwrap();
    assert_eq!(ints(&heap, tail), (7..13).collect::<Vec<_>>(), "untouched");
    release(&mut heap, tail).unwrap();

    // pop, set and reverse reshape or rewrite the spine in place.
    xs = list_update::pop(&mut heap, xs).unwrap();
    assert!(!push_into_cached_tail_leaf(&mut heap, xs, int(13)));
    xs = list_update::push(&mut heap, xs, int(13)).unwrap();
    xs = list_update::set(&mut heap, xs, int(0), int(100)).unwrap();
    assert!(!push_into_cached_tail_leaf(&mut heap, xs, int(14)));
    xs = list_update::reverse(&mut heap, xs).unwrap();
    assert!(!push_into_cached_tail_leaf(&mut heap, xs, int(14)));
    xs = list_update::push(&mut heap, xs, int(-1)).unwrap();
    let mut expected: Vec<i64> = (1..14).rev().collect();
    expected.extend([100, -1]);
    assert_eq!(ints(&heap, xs), expected);

    // A non-List, a value with flags to propagate and a full leaf never take the cache.
    assert!(!push_into_cached_tail_leaf(&mut heap, int(3), int(1)));
    release(&mut heap, xs).unwrap();
    assert_eq!(heap.blocks_in_use(), 0);
}
