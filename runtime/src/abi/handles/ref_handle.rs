//! `AiviRefHandle`: a value word that must reference a Ref cell (`Kind::Ref`, the Tuple
//! layout with one slot: see `abi::shims::refs`). Refs carry identity, so clone is a new
//! owner of the same cell. Every entry point rejects a word that is not a live Ref with
//! RT0404 (never reinterpreting another object as a cell).
//!
//! A C host makes a cell with the `rt_ref_new` shim (or receives one from a script), turns
//! the value into a ref handle with `aivi_ref_from_value`, reads it with `aivi_ref_get` (a
//! new owned value handle) and writes it with `aivi_ref_set` (the value handle is borrowed
//! and retained into the cell; RT0403 when the value contains a Ref, exactly as `r := v`).

use std::marker::{PhantomData, PhantomPinned};

use super::runtime_lifecycle::{AiviRuntime, with_live_runtime};
use super::value::{AiviValueHandle, check_runtime_tag, checked_value, tag_word, untag_word};
use crate::abi::shims::{ref_cell_store, ref_cell_value, value_contains_ref};
use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::objects;
use crate::value::{Kind, Value};

/// The opaque C type `struct AiviRef`; never dereferenced.
#[repr(C)]
pub struct AiviRef {
    _opaque: [u8; 0],
    _not_send_sync_or_unpin: PhantomData<(*mut u8, PhantomPinned)>,
}

/// `typedef struct AiviRef *AiviRefHandle;` whose bits are a Ref value word.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AiviRefHandle(pub *mut AiviRef);

impl AiviRefHandle {
    pub const NULL: AiviRefHandle = AiviRefHandle(std::ptr::null_mut());

    /// The handle for the Ref word `word` of the heap whose tag is `heap_tag` (as
    /// `AiviValueHandle::tagged`).
    pub fn tagged(word: u64, heap_tag: u8) -> AiviRefHandle {
        AiviRefHandle(std::ptr::without_provenance_mut(
            tag_word(word, heap_tag) as usize
        ))
    }

    /// The handle with exactly these bits (as `AiviValueHandle::from_bits`).
    pub fn from_bits(bits: u64) -> AiviRefHandle {
        AiviRefHandle(std::ptr::without_provenance_mut(bits as usize))
    }

    /// The Ref's value word (the runtime tag removed).
    pub fn word(self) -> u64 {
        untag_word(self.0.addr() as u64)
    }

    /// The handle's bits as given (runtime tag included).
    pub fn bits(self) -> u64 {
        self.0.addr() as u64
    }

    pub fn is_null(self) -> bool {
        self.0.is_null()
    }
}

/// Validates that the handle bits `bits` are a live Ref of this runtime: RT0404 for any
/// other word.
pub fn checked_ref(heap: &Heap, bits: u64) -> Result<Value, RuntimeError> {
    check_runtime_tag(heap, "ref", bits)?;
    let word = untag_word(bits);
    let value = Value(word);
    if value.heap_kind() != Some(Kind::Ref) {
        return Err(RuntimeError::invalid_reference(&format!(
            "ref handle {word:#018x} is not a Ref value word"
        )));
    }
    objects::checked_head(heap, value, Some(Kind::Ref))?;
    Ok(value)
}

pub fn ref_retain(heap: &mut Heap, handle: AiviRefHandle) -> Result<AiviRefHandle, RuntimeError> {
    if handle.is_null() {
        return Ok(AiviRefHandle::NULL);
    }
    let value = checked_ref(heap, handle.bits())?;
    Ok(AiviRefHandle::tagged(
        objects::retain(heap, value)?.bits(),
        heap.handle_tag(),
    ))
}

pub fn ref_release(heap: &mut Heap, handle: AiviRefHandle) -> Result<(), RuntimeError> {
    if handle.is_null() {
        return Ok(());
    }
    let value = checked_ref(heap, handle.bits())?;
    objects::release(heap, value)
}

fn null_ref_error(function: &str) -> RuntimeError {
    RuntimeError::invalid_reference(&format!("{function} was given a NULL ref handle"))
}

/// The cell's current value as a new owned word (retained; the cell keeps its own).
/// RT0404 for a NULL, non-Ref or dead handle.
pub fn ref_get(heap: &mut Heap, handle: AiviRefHandle) -> Result<AiviValueHandle, RuntimeError> {
    if handle.is_null() {
        return Err(null_ref_error("aivi_ref_get"));
    }
    let cell = checked_ref(heap, handle.bits())?;
    let value = ref_cell_value(heap, cell)?;
    Ok(AiviValueHandle::tagged(
        objects::retain(heap, value)?.bits(),
        heap.handle_tag(),
    ))
}

/// Stores the borrowed `value` in the cell (retaining it; the caller keeps its handle) and
/// releases the cell's old value after the store. RT0404 for a NULL, non-Ref or dead ref
/// handle and for a NULL or bad value handle; RT0403 when `value` contains a Ref. On failure
/// nothing is retained, released or stored.
pub fn ref_set(
    heap: &mut Heap,
    handle: AiviRefHandle,
    value: AiviValueHandle,
) -> Result<(), RuntimeError> {
    if handle.is_null() {
        return Err(null_ref_error("aivi_ref_set"));
    }
    let cell = checked_ref(heap, handle.bits())?;
    if value.is_null() {
        return Err(RuntimeError::invalid_reference(
            "aivi_ref_set was given a NULL value handle",
        ));
    }
    let value = checked_value(heap, value)?;
    if value_contains_ref(heap, value)? {
        return Err(RuntimeError::ref_holds_ref());
    }
    let owned = objects::retain(heap, value)?;
    ref_cell_store(heap, cell, owned)
}

/// `AiviRefHandle aivi_ref_retain(AiviRuntime *rt, AiviRefHandle r)`: NULL in, NULL out;
/// a non-Ref or dead word gives NULL with RT0404 parked.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_ref_retain(rt: *mut AiviRuntime, r: AiviRefHandle) -> AiviRefHandle {
    if r.is_null() {
        return AiviRefHandle::NULL;
    }
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe {
        with_live_runtime(rt, AiviRefHandle::NULL, |context| {
            ref_retain(&mut context.heap, r)
        })
    }
}

/// `AiviRefHandle aivi_ref_clone(AiviRuntime *rt, AiviRefHandle r)`: a new owner of the
/// same cell (a Ref's identity is the cell). Failures as for `aivi_ref_retain`.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_ref_clone(rt: *mut AiviRuntime, r: AiviRefHandle) -> AiviRefHandle {
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe { aivi_ref_retain(rt, r) }
}

/// `uint32_t aivi_ref_release(AiviRuntime *rt, AiviRefHandle r)`: 1 on success and for
/// NULL; 0 with RT0404 parked for a non-Ref or dead word.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_ref_release(rt: *mut AiviRuntime, r: AiviRefHandle) -> u32 {
    if r.is_null() {
        return 1;
    }
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe {
        with_live_runtime(rt, 0, |context| {
            ref_release(&mut context.heap, r).map(|()| 1)
        })
    }
}

/// `AiviRefHandle aivi_ref_from_value(AiviRuntime *rt, AiviValueHandle value)`: a new owned
/// ref handle for a value that is a Ref (the value handle stays owned by the caller).
/// NULL in, NULL out; a non-Ref value gives NULL with RT0404 parked.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_ref_from_value(
    rt: *mut AiviRuntime,
    value: AiviValueHandle,
) -> AiviRefHandle {
    // The value handle's bits as given, runtime tag included, so the tag is checked.
    let r = AiviRefHandle::from_bits(value.bits());
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe { aivi_ref_retain(rt, r) }
}

/// `AiviValueHandle aivi_ref_get(AiviRuntime *rt, AiviRefHandle r)`: the cell's value as a
/// new owned value handle (release it once). NULL with RT0404 parked for a NULL, non-Ref or
/// dead ref handle. `r` is borrowed.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_ref_get(rt: *mut AiviRuntime, r: AiviRefHandle) -> AiviValueHandle {
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe {
        with_live_runtime(rt, AiviValueHandle::NULL, |context| {
            ref_get(&mut context.heap, r)
        })
    }
}

/// `uint32_t aivi_ref_set(AiviRuntime *rt, AiviRefHandle r, AiviValueHandle value)`: stores
/// `value` in the cell (both handles borrowed: the cell retains the value, the caller still
/// releases its own handle) and releases the old value. 1 on success; 0 with the error
/// parked: RT0403 `a Ref cannot hold a value that contains a Ref` when `value` contains a
/// Ref (the cell is unchanged), RT0404 for a NULL or bad handle.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_ref_set(
    rt: *mut AiviRuntime,
    r: AiviRefHandle,
    value: AiviValueHandle,
) -> u32 {
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe {
        with_live_runtime(rt, 0, |context| {
            ref_set(&mut context.heap, r, value).map(|()| 1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::handles::runtime_lifecycle::{aivi_runtime_free, aivi_runtime_new};
    use crate::abi::shims::rt_ref_new;
    use crate::context::Context;
    use crate::error::ErrorCode;
    use crate::heap::{RefOp, compare_snapshots};

    /// Runs `body` with a fresh runtime and frees it afterwards.
    fn with_runtime(body: impl FnOnce(*mut AiviRuntime)) {
        let rt = aivi_runtime_new(64);
        assert!(!rt.is_null());
        body(rt);
        // SAFETY: created above, freed once.
        assert_eq!(unsafe { aivi_runtime_free(rt) }, 1);
    }

    fn context<'a>(rt: *mut AiviRuntime) -> &'a mut Context {
        // SAFETY: a live runtime used by this thread only; callers hold no other borrow.
        unsafe { &mut *rt }
    }

    fn new_cell(rt: *mut AiviRuntime, value: Value) -> AiviRefHandle {
        // SAFETY: live runtime; `value` is an owned word moved into the cell.
        let word = unsafe { rt_ref_new(rt, value.bits()) };
        assert_ne!(word, 0);
        AiviRefHandle::from_bits(word)
    }

    #[test]
    fn get_and_set_go_through_the_refcount_trace_and_steal_nothing() {
        with_runtime(|rt| {
            let before = context(rt).heap.snapshot();
            let cell = new_cell(rt, Value::int(7).unwrap());
            let heap = &mut context(rt).heap;
            let text = crate::objects::text::text_from_str(heap, "v").unwrap();
            let text_block = text.heap_address().unwrap().index as u32;
            heap.start_trace();
            // SAFETY: live runtime; both handles are live.
            let stored = unsafe { aivi_ref_set(rt, cell, AiviValueHandle::from_bits(text.bits())) };
            assert_eq!(stored, 1);
            // SAFETY: live runtime; the cell is live.
            let read = unsafe { aivi_ref_get(rt, cell) };
            assert_eq!(read.word(), text.bits());
            let events: Vec<(RefOp, u32, u16, u16)> = context(rt)
                .heap
                .take_trace()
                .iter()
                .map(|e| (e.op, e.block, e.old, e.new))
                .collect();
            assert_eq!(
                events,
                vec![
                    (RefOp::IncRef, text_block, 1, 2), // set retains: no implicit steal
                    (RefOp::IncRef, text_block, 2, 3), // get hands out a new owner
                ]
            );
            let heap = &mut context(rt).heap;
            crate::objects::release(heap, Value(read.word())).unwrap();
            crate::objects::release(heap, text).unwrap();
            ref_release(heap, cell).unwrap();
            let delta = compare_snapshots(&before, &heap.snapshot());
            assert!(delta.is_clean(), "{delta}");
        });
    }

    #[test]
    fn a_value_containing_a_ref_is_refused_and_nothing_changes() {
        with_runtime(|rt| {
            let cell = new_cell(rt, Value::UNIT);
            let other = new_cell(rt, Value::TRUE);
            let heap = &mut context(rt).heap;
            let list =
                crate::objects::list::list_from_values(heap, vec![Value(other.word())]).unwrap();
            let snapshot = heap.snapshot();
            for value in [list.bits(), cell.word(), other.word()] {
                // SAFETY: live runtime; every handle is live.
                let stored = unsafe { aivi_ref_set(rt, cell, AiviValueHandle::from_bits(value)) };
                assert_eq!(stored, 0);
                let error = context(rt).take_error().unwrap().0;
                assert_eq!(error.code, ErrorCode::RT0403);
                assert_eq!(
                    error.message,
                    "a Ref cannot hold a value that contains a Ref"
                );
                let delta = compare_snapshots(&snapshot, &context(rt).heap.snapshot());
                assert!(delta.is_clean(), "{delta}");
            }
            let heap = &mut context(rt).heap;
            assert_eq!(
                ref_cell_value(heap, Value(cell.word())).unwrap(),
                Value::UNIT
            );
            crate::objects::release(heap, list).unwrap();
            ref_release(heap, cell).unwrap();
            assert_eq!(heap.blocks_in_use(), 0);
        });
    }
}
