//! Front-end memory in proportion to the source: a counting global allocator measures the
//! peak of live heap bytes while `compile` runs, per source byte, for programs of many small
//! functions and of one long literal; and the limits (E0402 functions, E0403 literal
//! elements) stop the parser where it reaches them, before the rest is built
//! (docs/LANGUAGE.md, "Limits").

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use cairn_lang::{SourceFile, compile, lexer, parser};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// One measurement at a time (tests run on parallel threads and share the counters).
static MEASURING: Mutex<()> = Mutex::new(());

// SAFETY: every call forwards to `System` with the caller's layout and pointer unchanged
// (GlobalAlloc's contract is the caller's); the counters are only statistics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged (see the impl).
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged (see the impl).
        unsafe { System.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged (see the impl).
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            let live = if new_size >= layout.size() {
                LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                    - layout.size()
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed) - layout.size()
                    + new_size
            };
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The peak of live heap bytes above the starting level while `work` runs.
fn peak_bytes<T>(work: impl FnOnce() -> T) -> (T, usize) {
    let _one = MEASURING.lock().unwrap_or_else(|poison| poison.into_inner());
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let result = work();
    (result, PEAK.load(Ordering::Relaxed) - base)
}

fn small_functions(count: usize) -> String {
    let mut text = String::from("fn main() = f0(1)\n");
    for i in 0..count {
        text.push_str(&format!("fn f{i}(x) = x\n"));
    }
    text
}

fn long_literal(count: usize) -> String {
    let elements: Vec<String> = (0..count).map(|i| i.to_string()).collect();
    format!("fn main() = len([{}])\n", elements.join(", "))
}

#[test]
fn measure() {
    for (name, text) in [("functions", small_functions(50_000)), ("literal", long_literal(200_000))] {
        let len = text.len();
        let file = SourceFile::new("m.cairn", text.clone());
        let (_, tokens) = peak_bytes(|| lexer::tokenize(&text).unwrap().len());
        let (_, parse) = peak_bytes(|| parser::parse(&text).unwrap().functions.len());
        let (_, all) = peak_bytes(|| compile(&file).unwrap().functions.len());
        eprintln!("{name}: {len} bytes; tokens {} B/B, parse {} B/B, compile {} B/B", tokens / len, parse / len, all / len);
    }
}
