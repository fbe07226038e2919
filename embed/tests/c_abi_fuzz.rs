//! C-ABI fuzz (issue 9, deliverable 4): seeded random sequences of calls to the Value ABI's
//! handle functions (`aivi_*`) and the C API's value accessors (`cairn_value_*`) with valid,
//! released, foreign (another runtime's), NULL and garbage handles, and NULL, freed and
//! garbage runtime pointers. Never a crash; every misuse is an error result with RT0404
//! parked; once every valid handle is released the heap is empty and consistent.
//! `CAIRN_CABI_FUZZ_OPS` runs longer (default 4,000 ops per seed) and prints ops/s.

use cairn::capi::values::{cairn_value_at, cairn_value_len};
use cairn_runtime::Value;
use cairn_runtime::abi::handles::error::{aivi_error_code, aivi_error_release};
use cairn_runtime::abi::handles::ref_handle::{
    aivi_ref_from_value, aivi_ref_get, aivi_ref_release,
};
use cairn_runtime::abi::handles::runtime_lifecycle::{
    aivi_runtime_blocks_in_use, aivi_runtime_free, aivi_runtime_new, aivi_runtime_take_error,
};
use cairn_runtime::abi::handles::value::{aivi_value_clone, aivi_value_release, aivi_value_retain};
use cairn_runtime::abi::handles::value_constructors::{
    aivi_value_int, aivi_value_list, aivi_value_text, aivi_value_tuple,
};
use cairn_runtime::abi::handles::value_inspection::{aivi_value_as_int, aivi_value_kind};
use cairn_runtime::abi::handles::{AiviRefHandle, AiviRuntime, AiviValueHandle};
use cairn_runtime::heap::BlockState;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One fuzzing session: the runtime under test, a foreign one, and the handles the host owns.
struct Session {
    rt: *mut AiviRuntime,
    foreign: *mut AiviRuntime,
    /// Handles this host owns one reference to (each must be released once).
    owned: Vec<AiviValueHandle>,
    /// Handles of `foreign` this host owns.
    foreign_owned: Vec<AiviValueHandle>,
    /// Handles already released (stale).
    released: Vec<AiviValueHandle>,
    misuses: u64,
    ops: u64,
}

impl Session {
    fn new() -> Session {
        Session {
            rt: aivi_runtime_new(4_096),
            foreign: aivi_runtime_new(4_096),
            owned: Vec::new(),
            foreign_owned: Vec::new(),
            released: Vec::new(),
            misuses: 0,
            ops: 0,
        }
    }

    /// Whether `handle` names a live head of the runtime under test: then a stale, foreign
    /// or garbage word is indistinguishable from a real handle (the words are the values),
    /// so it cannot be used as a misuse.
    fn aliases_live_object(&self, handle: AiviValueHandle) -> bool {
        let Some(block) = Value(handle.word()).heap_block() else {
            return false;
        };
        // SAFETY: `rt` is the live runtime this session made (an `AiviRuntime` is its
        // `Context`), used only on this thread, and no ABI call is running.
        let context = unsafe { &*self.rt };
        context.heap.state(block) != Some(BlockState::Free) && context.heap.state(block).is_some()
    }

    /// A handle that must be refused: released, foreign or garbage (never one that aliases a
    /// live object, see above).
    fn bad_handle(&self, rng: &mut ChaCha8Rng) -> Option<AiviValueHandle> {
        let candidate = match rng.random_range(0..4) {
            0 => *self
                .released
                .get(rng.random_range(0..self.released.len().max(1)))?,
            1 => *self
                .foreign_owned
                .get(rng.random_range(0..self.foreign_owned.len().max(1)))?,
            2 => AiviValueHandle::from_bits(rng.random::<u64>() | 0xFFF8_0000_0000_0000),
            _ => AiviValueHandle::from_bits(rng.random()),
        };
        if candidate.is_null() || self.aliases_live_object(candidate) {
            return None;
        }
        // A garbage word may well be a valid scalar (any double is a Float).
        let word = Value(candidate.word());
        if word.is_well_formed() && !word.is_heap() {
            return None;
        }
        Some(candidate)
    }

    /// Takes the parked error and checks it is RT0404 (a refused handle).
    fn expect_refused(&mut self, what: &str) {
        self.misuses += 1;
        // SAFETY: `rt` is live and used on this thread only.
        let error = unsafe { aivi_runtime_take_error(self.rt) };
        assert!(!error.is_null(), "{what}: refused without an error parked");
        let code = aivi_error_code(error);
        // SAFETY: `aivi_error_code` returns a NUL-terminated static or error-owned string.
        let code = unsafe { std::ffi::CStr::from_ptr(code) }
            .to_string_lossy()
            .into_owned();
        // Every misuse is RT0404, a full heap or not: a handle is checked before anything is
        // allocated for the call.
        assert_eq!(code, "RT0404", "{what}: wrong error code");
        // SAFETY: as above; the error handle is ours and released once.
        assert_eq!(unsafe { aivi_error_release(self.rt, error) }, 1);
        // Releasing it again is a misuse too: an error result, never a crash.
        // SAFETY: as above.
        let twice = unsafe { aivi_error_release(self.rt, error) };
        assert_eq!(
            twice, 0,
            "{what}: a released error handle was released again"
        );
        // SAFETY: clears what the double release parked.
        let parked = unsafe { aivi_runtime_take_error(self.rt) };
        // SAFETY: as above.
        unsafe { aivi_error_release(self.rt, parked) };
    }

    /// Keeps a new owned handle; a NULL one is only allowed when the heap is full (RT0401).
    fn push_owned(&mut self, handle: AiviValueHandle, what: &str) {
        if handle.is_null() {
            // SAFETY: `rt` is live and used on this thread only.
            let error = unsafe { aivi_runtime_take_error(self.rt) };
            assert!(
                !error.is_null(),
                "{what} of valid handles failed with nothing parked"
            );
            // SAFETY: a NUL-terminated string owned by the error handle.
            let code = unsafe { std::ffi::CStr::from_ptr(aivi_error_code(error)) };
            assert_eq!(
                code.to_str(),
                Ok("RT0401"),
                "{what} of valid handles failed"
            );
            // SAFETY: the error handle is ours, released once.
            unsafe { aivi_error_release(self.rt, error) };
            return;
        }
        self.owned.push(handle);
    }

    /// One random operation.
    fn step(&mut self, rng: &mut ChaCha8Rng) {
        self.ops += 1;
        let rt = self.rt;
        let valid =
            (!self.owned.is_empty()).then(|| self.owned[rng.random_range(0..self.owned.len())]);
        // SAFETY (every call below): `rt` and `foreign` are live runtimes of this thread;
        // every pointer argument points to a live local buffer of the stated length. The
        // handles are arbitrary words: that is what the ABI must survive.
        unsafe {
            match rng.random_range(0..12) {
                0 => {
                    let handle = aivi_value_int(rt, rng.random_range(-1000..1000));
                    self.push_owned(handle, "int");
                }
                1 => {
                    let text = b"fuzzing text longer than one block to make a chain of blocks";
                    let len = rng.random_range(0..text.len());
                    let handle = aivi_value_text(rt, text.as_ptr().cast(), len);
                    self.push_owned(handle, "text");
                }
                2 | 3 => {
                    let count = rng.random_range(0..4.min(self.owned.len() + 1));
                    let mut items: Vec<AiviValueHandle> = (0..count)
                        .map(|_| self.owned[rng.random_range(0..self.owned.len())])
                        .collect();
                    let poisoned = rng.random_bool(0.3) && self.poison(rng, &mut items);
                    let make = if rng.random_bool(0.5) {
                        aivi_value_list
                    } else {
                        aivi_value_tuple
                    };
                    let handle = make(rt, items.as_ptr(), items.len());
                    if poisoned {
                        assert!(handle.is_null(), "a container of a bad handle was built");
                        self.expect_refused("container");
                    } else {
                        // Even an empty container is a block: on a full heap it is NULL with
                        // RT0401 parked, which `push_owned` takes.
                        self.push_owned(handle, "container");
                    }
                }
                4 => match valid {
                    Some(handle) => {
                        let copy = if rng.random_bool(0.5) {
                            aivi_value_retain(rt, handle)
                        } else {
                            aivi_value_clone(rt, handle)
                        };
                        self.push_owned(copy, "retain");
                    }
                    None => assert!(aivi_value_retain(rt, AiviValueHandle::NULL).is_null()),
                },
                5 | 6 => {
                    if !self.owned.is_empty() {
                        let index = rng.random_range(0..self.owned.len());
                        let handle = self.owned.swap_remove(index);
                        assert_eq!(
                            aivi_value_release(rt, handle),
                            1,
                            "release of a valid handle"
                        );
                        self.released.push(handle);
                    }
                }
                7 => {
                    if let Some(bad) = self.bad_handle(rng) {
                        match rng.random_range(0..6) {
                            0 => assert_eq!(aivi_value_release(rt, bad), 0),
                            1 => assert!(aivi_value_retain(rt, bad).is_null()),
                            2 => assert!(aivi_value_clone(rt, bad).is_null()),
                            3 => assert_eq!(aivi_value_as_int(rt, bad, &mut 0), 0),
                            4 => assert!(aivi_ref_from_value(rt, bad).is_null()),
                            _ => assert!(cairn_value_at(rt, bad, 0).is_null()),
                        }
                        self.expect_refused("bad handle");
                    }
                }
                8 => {
                    if let Some(handle) = valid {
                        let kind = aivi_value_kind(rt, handle);
                        assert!(!kind.is_null());
                        let kind = std::ffi::CStr::from_ptr(kind).to_string_lossy();
                        let indexed = kind == "List" || kind == "Tuple";
                        let len = cairn_value_len(rt, handle);
                        if indexed && len > 0 && len != usize::MAX {
                            let item = cairn_value_at(rt, handle, rng.random_range(0..len));
                            self.push_owned(item, "cairn_value_at");
                        }
                        // Clear whatever a kind mismatch parked (not a handle misuse).
                        let parked = aivi_runtime_take_error(rt);
                        aivi_error_release(rt, parked);
                    }
                }
                9 => {
                    let handle = aivi_value_text(self.foreign, b"foreign".as_ptr().cast(), 7);
                    if handle.is_null() {
                        // Only a full foreign heap refuses (it is never released into).
                        let error = aivi_runtime_take_error(self.foreign);
                        let code = std::ffi::CStr::from_ptr(aivi_error_code(error));
                        assert_eq!(code.to_str(), Ok("RT0401"));
                        aivi_error_release(self.foreign, error);
                    } else {
                        self.foreign_owned.push(handle);
                    }
                }
                10 => {
                    if let Some(handle) = valid {
                        let r = aivi_ref_from_value(rt, handle);
                        if !r.is_null() {
                            let inside = aivi_ref_get(rt, r);
                            self.push_owned(inside, "ref get");
                            assert_eq!(aivi_ref_release(rt, r), 1);
                            assert_eq!(aivi_ref_release(rt, AiviRefHandle::NULL), 1);
                        } else {
                            let parked = aivi_runtime_take_error(rt);
                            aivi_error_release(rt, parked);
                        }
                    }
                }
                _ => {
                    // Runtime pointers that are not runtimes: NULL and garbage.
                    let garbage = rng.random::<u64>() as usize as *mut AiviRuntime;
                    for not_a_runtime in [std::ptr::null_mut(), garbage] {
                        assert!(aivi_value_int(not_a_runtime, 1).is_null());
                        assert_eq!(aivi_runtime_blocks_in_use(not_a_runtime), u32::MAX);
                        // A dead runtime's "parked error" is an RT0404 handle of its own.
                        let error = aivi_runtime_take_error(not_a_runtime);
                        let code = std::ffi::CStr::from_ptr(aivi_error_code(error));
                        assert_eq!(code.to_str(), Ok("RT0404"));
                        assert_eq!(aivi_error_release(rt, error), 1);
                    }
                }
            }
        }
    }

    /// Replaces one item by a bad handle; false when none could be made.
    fn poison(&self, rng: &mut ChaCha8Rng, items: &mut Vec<AiviValueHandle>) -> bool {
        let Some(bad) = self.bad_handle(rng) else {
            return false;
        };
        let at = rng.random_range(0..=items.len());
        items.insert(at, bad);
        true
    }

    /// Releases everything, checks the heaps are empty, frees the runtimes, and checks a
    /// freed runtime pointer is refused.
    fn finish(mut self) {
        // SAFETY: as in `step`; each owned handle is released exactly once.
        unsafe {
            for handle in std::mem::take(&mut self.owned) {
                assert_eq!(aivi_value_release(self.rt, handle), 1);
            }
            for handle in std::mem::take(&mut self.foreign_owned) {
                assert_eq!(aivi_value_release(self.foreign, handle), 1);
            }
            assert_eq!(aivi_runtime_blocks_in_use(self.rt), 0, "blocks leaked");
            assert_eq!(
                aivi_runtime_blocks_in_use(self.foreign),
                0,
                "foreign blocks leaked"
            );
            assert!(
                aivi_runtime_take_error(self.rt).is_null(),
                "an error left parked"
            );
            let context = &*self.rt;
            assert!(context.heap.integrity_violations.is_empty());
            context
                .heap
                .validate_free_list()
                .expect("a consistent free list");
            assert_eq!(aivi_runtime_free(self.rt), 1);
            assert_eq!(aivi_runtime_free(self.foreign), 1);
            // A freed runtime: refused, never touched.
            assert_eq!(aivi_runtime_free(self.rt), 0);
            assert!(aivi_value_int(self.rt, 1).is_null());
        }
    }
}

#[test]
fn random_handle_sequences_never_crash_and_misuse_is_refused() {
    let ops: u64 = std::env::var("CAIRN_CABI_FUZZ_OPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4_000);
    let started = std::time::Instant::now();
    let (mut total, mut misuses) = (0, 0);
    for seed in 0..4u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut session = Session::new();
        for _ in 0..ops {
            session.step(&mut rng);
        }
        total += session.ops;
        misuses += session.misuses;
        session.finish();
    }
    let elapsed = started.elapsed();
    assert!(
        misuses > total / 50,
        "too few misuses exercised: {misuses} of {total}"
    );
    println!(
        "{total} ops ({misuses} refused misuses) in {elapsed:.2?}: {:.0} ops/s",
        total as f64 / elapsed.as_secs_f64()
    );
}
