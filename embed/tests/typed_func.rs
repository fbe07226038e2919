//! `Module::typed_func`: resolved once (RT0001 for a missing function, RT0305 for a wrong
//! argument count), then called by index on both engines with the results and failures of
//! `Runtime::call` — and, after the first call, without allocating host memory per call
//! (a counting global allocator counts this thread's allocations).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use cairn::{Engine, EngineKind, Limits, TypedFunc, Value};

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

const SOURCE: &str = "fn add(a, b) = a + b\nfn pair(t, n) = (t ++ \"!\", n * 2)\nfn main() = 0\n";
const ENGINES: [EngineKind; 2] = [EngineKind::Interpreter, EngineKind::Jit];

#[test]
fn typed_calls_return_what_named_calls_return_on_both_engines() {
    for kind in ENGINES {
        let engine = Engine::new(kind);
        let module = engine.compile("t.cairn", SOURCE).unwrap();
        let mut rt = engine.runtime(Limits::default()).unwrap();
        let add: TypedFunc<(i64, i64), i64> = module.typed_func("add").unwrap();
        assert_eq!(add.call(&mut rt, (20, 22)).unwrap(), 42, "{kind:?}");
        let pair = module
            .typed_func::<(&str, i64), (String, i64)>("pair")
            .unwrap();
        assert_eq!(
            pair.call(&mut rt, ("hi", 4)).unwrap(),
            ("hi!".to_string(), 8)
        );
        let as_value = module.typed_func::<(i64, f64), Value>("add").unwrap();
        assert_eq!(as_value.call(&mut rt, (1, 0.5)).unwrap(), Value::Float(1.5));
        // A failing call: the run's diagnostic, and nothing left on the heap.
        let error = pair
            .call(&mut rt, ("x", i64::from(i32::MAX) << 16))
            .unwrap_err();
        assert_eq!(error.code(), "RT0301", "{kind:?}: {error}");
        let wrong = module.typed_func::<(i64, i64), i64>("pair").unwrap();
        assert_eq!(wrong.call(&mut rt, (1, 2)).unwrap_err().code(), "RT0303");
        assert_eq!(rt.blocks_in_use(), 0, "{kind:?}");
    }
}

#[test]
fn resolving_checks_the_name_and_the_argument_count() {
    let engine = Engine::new(EngineKind::Jit);
    let module = engine.compile("t.cairn", SOURCE).unwrap();
    let missing = module.typed_func::<(), i64>("nope").unwrap_err();
    assert_eq!(missing.code(), "RT0001");
    assert_eq!(missing.message(), "`t.cairn` has no function `nope`");
    let arity = module.typed_func::<(i64,), i64>("add").unwrap_err();
    assert_eq!(arity.code(), "RT0305");
    assert_eq!(
        arity.message(),
        "arity mismatch: add expects 2 arguments, got 1"
    );
}

#[test]
fn a_typed_call_of_immediates_allocates_no_host_memory() {
    for kind in ENGINES {
        let engine = Engine::new(kind);
        let module = engine.compile("t.cairn", SOURCE).unwrap();
        let mut rt = engine.runtime(Limits::default()).unwrap();
        let add = module.typed_func::<(i64, i64), i64>("add").unwrap();
        // The first call maps the thread's run stack and compiles lazily.
        assert_eq!(add.call(&mut rt, (1, 2)).unwrap(), 3);
        ALLOCATIONS.with(|count| count.set(0));
        COUNTING.with(|counting| counting.set(true));
        let mut total = 0;
        for i in 0..100 {
            total += add.call(&mut rt, (i, 1)).unwrap();
        }
        COUNTING.with(|counting| counting.set(false));
        assert_eq!(total, 5050);
        assert_eq!(ALLOCATIONS.with(Cell::get), 0, "{kind:?}");
    }
}
