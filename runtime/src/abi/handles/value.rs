//! `AiviValueHandle`: a value word carried in a pointer. The pointer's bits ARE the NaN-boxed
//! word (`value.rs`); the all-zero word is never a value, so NULL means "no value". Retain
//! and release go through the object layer, so their effects appear in the refcount trace.

use std::marker::{PhantomData, PhantomPinned};

use super::runtime_lifecycle::{AiviRuntime, with_live_runtime};
use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::objects;
use crate::value::{Kind, Value};

// The handle stores a 64-bit word in a pointer.
const _: () = assert!(std::mem::size_of::<usize>() == 8);

/// The opaque C type `struct AiviValue`; never dereferenced.
#[repr(C)]
pub struct AiviValue {
    _opaque: [u8; 0],
    _not_send_sync_or_unpin: PhantomData<(*mut u8, PhantomPinned)>,
}

/// `typedef struct AiviValue *AiviValueHandle;` whose bits are the value word.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AiviValueHandle(pub *mut AiviValue);

impl AiviValueHandle {
    pub const NULL: AiviValueHandle = AiviValueHandle(std::ptr::null_mut());

    /// The handle for `word` (0 gives NULL). No provenance: it is never dereferenced.
    pub fn from_word(word: u64) -> AiviValueHandle {
        AiviValueHandle(std::ptr::without_provenance_mut(word as usize))
    }

    pub fn word(self) -> u64 {
        self.0.addr() as u64
    }

    pub fn is_null(self) -> bool {
        self.0.is_null()
    }
}

/// Validates a non-NULL handle's word: well formed, a script-visible kind, and for heap
/// references a live head whose kind byte matches (`objects::checked_head`). RT0404 otherwise.
pub fn checked_value(heap: &Heap, handle: AiviValueHandle) -> Result<Value, RuntimeError> {
    let value = Value(handle.word());
    if !value.is_well_formed() || value.kind_name().is_none() {
        return Err(RuntimeError::invalid_reference(&format!(
            "value handle {:#018x} is not a well-formed value word",
            value.bits()
        )));
    }
    if value.is_heap() {
        objects::checked_head(heap, value, None)?;
    }
    Ok(value)
}

/// Retain: one more owner of the value; returns the word the new owner uses (the same
/// word, or a copy when the count would saturate). NULL in, NULL out.
pub fn value_retain(
    heap: &mut Heap,
    handle: AiviValueHandle,
) -> Result<AiviValueHandle, RuntimeError> {
    if handle.is_null() {
        return Ok(AiviValueHandle::NULL);
    }
    let value = checked_value(heap, handle)?;
    Ok(AiviValueHandle::from_word(
        objects::retain(heap, value)?.bits(),
    ))
}

/// Release: one owner fewer; the last release frees the object (and its children) once.
pub fn value_release(heap: &mut Heap, handle: AiviValueHandle) -> Result<(), RuntimeError> {
    if handle.is_null() {
        return Ok(());
    }
    let value = checked_value(heap, handle)?;
    objects::release(heap, value)
}

/// Clone: a semantically equivalent owned handle. Values are immutable and Refs and
/// closures have identity, so a new reference to the same object is equivalent. A Seq is a
/// stateful cursor, so its clone is an independent cursor over the rest of it (the language's
/// `clone(s)`: the cursor chain is copied, what it holds is shared).
pub fn value_clone(
    context: &mut crate::context::Context,
    handle: AiviValueHandle,
) -> Result<AiviValueHandle, RuntimeError> {
    if handle.is_null() {
        return Ok(AiviValueHandle::NULL);
    }
    let value = checked_value(&context.heap, handle)?;
    if value.heap_kind() == Some(Kind::Seq) {
        let copy = crate::objects::seq_clone::clone_value(context, value)?;
        return Ok(AiviValueHandle::from_word(copy.bits()));
    }
    value_retain(&mut context.heap, handle)
}

/// `AiviValueHandle aivi_value_retain(AiviRuntime *rt, AiviValueHandle value)`: the handle
/// the new owner uses (usually `value`; a copy if its count would saturate). NULL in, NULL
/// out; a bad handle or runtime gives NULL with RT0404 parked.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_value_retain(
    rt: *mut AiviRuntime,
    value: AiviValueHandle,
) -> AiviValueHandle {
    if value.is_null() {
        return AiviValueHandle::NULL;
    }
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe {
        with_live_runtime(rt, AiviValueHandle::NULL, |context| {
            value_retain(&mut context.heap, value)
        })
    }
}

/// `uint32_t aivi_value_release(AiviRuntime *rt, AiviValueHandle value)`: 1 on success and
/// for NULL; 0 with the error parked (RT0404 for a bad handle or an integrity violation).
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_value_release(rt: *mut AiviRuntime, value: AiviValueHandle) -> u32 {
    if value.is_null() {
        return 1;
    }
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe {
        with_live_runtime(rt, 0, |context| {
            value_release(&mut context.heap, value).map(|()| 1)
        })
    }
}

/// `AiviValueHandle aivi_value_clone(AiviRuntime *rt, AiviValueHandle value)`: a new owned
/// handle to an equivalent value. NULL in, NULL out; failures give NULL with the error parked.
///
/// # Safety
/// `rt` is NULL or a pointer from `aivi_runtime_new` (a freed one is diagnosed), and no
/// other thread uses that runtime during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aivi_value_clone(
    rt: *mut AiviRuntime,
    value: AiviValueHandle,
) -> AiviValueHandle {
    if value.is_null() {
        return AiviValueHandle::NULL;
    }
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe {
        with_live_runtime(rt, AiviValueHandle::NULL, |context| {
            value_clone(context, value)
        })
    }
}
