//! Issue 8, deliverable 5: no shim allocates host memory on a success path of `push`,
//! `xs[i]`, `len`, `insert` and lookup (`m[k]`, `has`). A counting global allocator counts
//! this thread's allocations while the shims run (tracing and audit mode off, as in a normal
//! run); a uniquely owned list and map are updated in place, with no `cow`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use cairn_runtime::abi::shims::{rt_has, rt_index, rt_insert, rt_len, rt_push};
use cairn_runtime::heap::RefOp;
use cairn_runtime::objects::{list, map, release, tuple};
use cairn_runtime::{Context, Limits, Value};

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

struct CountingAllocator;

// SAFETY: every call is forwarded unchanged to the system allocator; counting only touches
// const-initialised thread-locals, which never allocate.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.with(|count| count.set(count.get() + 1));
        }
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.with(|count| count.set(count.get() + 1));
        }
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Host allocations `body` makes on this thread.
fn allocations_during(body: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|count| count.set(0));
    COUNTING.with(|counting| counting.set(true));
    body();
    COUNTING.with(|counting| counting.set(false));
    ALLOCATIONS.with(Cell::get)
}

fn int(n: i64) -> u64 {
    Value::int(n).unwrap().bits()
}

#[test]
fn push_index_len_insert_and_lookup_allocate_no_host_memory_when_they_succeed() {
    let mut ctx = Context::new(Limits::default()).unwrap();
    ctx.begin_run();
    let ptr = ctx.as_ptr();
    let mut xs = list::list_from_values(&mut ctx.heap, Vec::new())
        .unwrap()
        .bits();
    let mut m = map::empty_map(&mut ctx.heap).unwrap().bits();
    let items = (0..9).map(|i| Value(int(i))).collect();
    let long_tuple = tuple::tuple_from_values(&mut ctx.heap, items)
        .unwrap()
        .bits();
    let (list_head, map_head) = (xs as u32, m as u32);
    let mut sum = 0;
    let allocations = allocations_during(|| {
        // SAFETY: `ptr` is the live context's pointer after `begin_run`; the words are owned
        // (push, insert: moved in and back out) or borrowed (index, len, has) as the shims say.
        unsafe {
            for i in 0..3_000 {
                xs = rt_push(ptr, xs, int(i));
                m = rt_insert(ptr, m, int(i * 7919 % 3_000), int(i));
            }
            for i in 0..3_000 {
                sum += Value(rt_index(ptr, xs, int(i))).as_int().unwrap();
                sum += Value(rt_index(ptr, m, int(i))).as_int().unwrap();
                sum += Value(rt_len(ptr, xs)).as_int().unwrap();
                sum += i64::from(rt_has(ptr, m, int(i)) == Value::TRUE.bits());
            }
            sum += Value(rt_index(ptr, long_tuple, int(8))).as_int().unwrap();
            sum += Value(rt_len(ptr, long_tuple)).as_int().unwrap();
        }
    });
    assert!(ctx.pending_error().is_none());
    assert_eq!(allocations, 0, "host allocations on success paths");
    let n = 3_000i64;
    assert_eq!(sum, 2 * (n * (n - 1) / 2) + n * n + n + 8 + 9);
    assert_eq!(
        (xs as u32, m as u32),
        (list_head, map_head),
        "updated in place"
    );
    for word in [xs, m, long_tuple] {
        release(&mut ctx.heap, Value(word)).unwrap();
    }
    assert_eq!(ctx.heap.blocks_in_use(), 0);
}

#[test]
fn a_uniquely_owned_map_and_list_are_updated_in_place_without_cow() {
    let mut ctx = Context::new(Limits::default()).unwrap();
    ctx.begin_run();
    let ptr = ctx.as_ptr();
    let mut xs = list::list_from_values(&mut ctx.heap, Vec::new())
        .unwrap()
        .bits();
    let mut m = map::empty_map(&mut ctx.heap).unwrap().bits();
    let (list_head, map_head) = (xs as u32, m as u32);
    ctx.heap.start_trace();
    // SAFETY: as above.
    unsafe {
        for i in 0..500 {
            xs = rt_push(ptr, xs, int(i));
            m = rt_insert(ptr, m, int(i * 31 % 500), int(i));
            m = rt_insert(ptr, m, int(i * 31 % 500), int(-i)); // replaces in place
        }
    }
    let trace = ctx.heap.take_trace();
    assert!(ctx.pending_error().is_none());
    assert_eq!(
        (xs as u32, m as u32),
        (list_head, map_head),
        "the same heads"
    );
    assert!(trace.iter().all(|event| event.op != RefOp::Cow), "no cow");
    assert!(trace.iter().all(|event| event.op == RefOp::Malloc));
    // Every block allocated is still in use (nothing was copied or freed): the list's
    // leaves and interior nodes and the map's B+ tree nodes, fewer than one per entry.
    assert_eq!(trace.len(), ctx.heap.blocks_in_use() as usize - 2);
    let map_nodes = trace.len() - (list::blocks_for_length(500) - 1) as usize;
    assert!((200..500).contains(&map_nodes), "{map_nodes} map nodes");
    for word in [xs, m] {
        release(&mut ctx.heap, Value(word)).unwrap();
    }
    assert_eq!(ctx.heap.blocks_in_use(), 0);
}

/// Issue 20, deliverable 2: the hot paths of programs — comparisons (Texts compared on their
/// blocks, values of different kinds, immediates), Ref read and write, Tuple construction and
/// indexing, the tuple-pattern check, the condition check, arithmetic and refcount shims —
/// allocate no host memory when they succeed.
#[test]
fn comparisons_refs_tuples_and_arithmetic_allocate_no_host_memory_when_they_succeed() {
    use cairn_runtime::abi::shims::{
        rt_add, rt_eq, rt_expect_bool, rt_expect_tuple_arity, rt_ge, rt_gt, rt_le, rt_lt, rt_mul,
        rt_ne, rt_neg, rt_not, rt_ref_get, rt_ref_new, rt_ref_set, rt_release, rt_rem, rt_retain,
        rt_sub, rt_tuple_from,
    };
    use cairn_runtime::objects::text::text_from_str;

    let mut ctx = Context::new(Limits::default()).unwrap();
    ctx.begin_run();
    let ptr = ctx.as_ptr();
    let long = "ü".repeat(100) + "a";
    let texts = [
        text_from_str(&mut ctx.heap, "x").unwrap().bits(),
        text_from_str(&mut ctx.heap, "y").unwrap().bits(),
        text_from_str(&mut ctx.heap, &long).unwrap().bits(),
        text_from_str(&mut ctx.heap, &(long.clone() + "b"))
            .unwrap()
            .bits(),
        text_from_str(&mut ctx.heap, &long).unwrap().bits(),
    ];
    let words = [Value(int(1)), Value(int(2)), Value(int(3)), Value(int(4))];
    let list = list::list_from_values(&mut ctx.heap, words.to_vec())
        .unwrap()
        .bits();
    let unit = Value::UNIT.bits();
    let mut trues = 0;
    let mut sum = 0;
    let before = ctx.heap.blocks_in_use();
    let allocations = allocations_during(|| {
        // SAFETY: `ptr` is the live context's pointer after `begin_run`; every word is
        // borrowed or owned as the shims say, and each owned result is released.
        unsafe {
            let truth = |word: u64| u64::from(word == Value::TRUE.bits());
            for &a in &texts {
                for &b in &texts {
                    for shim in [rt_eq, rt_ne, rt_lt, rt_le, rt_gt, rt_ge] {
                        trues += truth(shim(ptr, a, b));
                    }
                }
                trues += truth(rt_eq(ptr, a, unit)) + truth(rt_eq(ptr, a, list));
            }
            trues += truth(rt_eq(ptr, int(5), unit)) + truth(rt_ne(ptr, int(5), int(5)));
            trues += truth(rt_eq(ptr, int(5), Value::float(5.0).bits()));
            trues += truth(rt_eq(ptr, unit, unit)) + truth(rt_eq(ptr, list, int(1)));
            let cell = rt_ref_new(ptr, int(0));
            for i in 0..1_000 {
                let value = rt_ref_get(ptr, cell);
                let next = rt_add(ptr, value, int(1));
                rt_ref_set(ptr, cell, next);
                let tuple_words = [int(i), int(i + 1), int(i + 2), int(i + 3)];
                let tuple = rt_tuple_from(ptr, tuple_words.as_ptr() as u64, 4);
                rt_expect_tuple_arity(ptr, tuple, int(4));
                let third = rt_index(ptr, tuple, int(2));
                sum += Value(rt_sub(ptr, rt_mul(ptr, third, int(2)), third))
                    .as_int()
                    .unwrap();
                sum += Value(rt_rem(ptr, rt_neg(ptr, int(7)), int(4)))
                    .as_int()
                    .unwrap();
                rt_expect_bool(ptr, rt_not(ptr, Value::FALSE.bits()), 0);
                rt_retain(ptr, tuple);
                rt_release(ptr, tuple);
                rt_release(ptr, tuple);
            }
            sum += Value(rt_ref_get(ptr, cell)).as_int().unwrap();
            rt_release(ptr, cell);
        }
    });
    assert!(ctx.pending_error().is_none());
    assert_eq!(allocations, 0, "host allocations on success paths");
    assert_eq!(
        ctx.heap.blocks_in_use(),
        before,
        "every tuple and the cell freed"
    );
    // Equal pairs: each Text with itself, and the two separately built `long`s both ways:
    // `==`, `<=`, `>=` hold (3); every other ordered pair: `!=` and one of `<`/`<=` and
    // `>`/`>=` (3). 25 pairs in all: 25 * 3; then `5 == 5.0` and `() == ()`.
    assert_eq!(trues, 25 * 3 + 2);
    assert_eq!(sum, (0..1_000).map(|i| i + 2 - 3).sum::<i64>() + 1_000);
    for word in texts.into_iter().chain([list]) {
        release(&mut ctx.heap, Value(word)).unwrap();
    }
    assert_eq!(ctx.heap.blocks_in_use(), 0);
}
