//! `AiviRefHandle`: a value word that must reference a Ref cell (`Kind::Ref`). Refs carry
//! identity, so clone is a new owner of the same cell. Every entry point rejects a word
//! that is not a live Ref with RT0404 (never reinterpreting another object as a cell).

use std::marker::{PhantomData, PhantomPinned};

use super::runtime_lifecycle::{AiviRuntime, with_live_runtime};
use super::value::AiviValueHandle;
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

    pub fn from_word(word: u64) -> AiviRefHandle {
        AiviRefHandle(std::ptr::without_provenance_mut(word as usize))
    }

    pub fn word(self) -> u64 {
        self.0.addr() as u64
    }

    pub fn is_null(self) -> bool {
        self.0.is_null()
    }
}

/// Validates that `word` is a live Ref: RT0404 for any other word.
pub fn checked_ref(heap: &Heap, word: u64) -> Result<Value, RuntimeError> {
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
    let value = checked_ref(heap, handle.word())?;
    Ok(AiviRefHandle::from_word(
        objects::retain(heap, value)?.bits(),
    ))
}

pub fn ref_release(heap: &mut Heap, handle: AiviRefHandle) -> Result<(), RuntimeError> {
    if handle.is_null() {
        return Ok(());
    }
    let value = checked_ref(heap, handle.word())?;
    objects::release(heap, value)
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
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe { aivi_ref_retain(rt, AiviRefHandle::from_word(value.word())) }
}
