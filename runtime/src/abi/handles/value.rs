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

    /// The handle a C host is given for `word` of the heap whose tag is `heap_tag` (0 gives
    /// NULL). A heap reference carries the tag in bits 40..48 (zero in every value word), so
    /// a handle of another runtime is refused (docs/ABI.md, "Handles"). No provenance: it is
    /// never dereferenced.
    pub fn tagged(word: u64, heap_tag: u8) -> AiviValueHandle {
        AiviValueHandle(std::ptr::without_provenance_mut(
            tag_word(word, heap_tag) as usize
        ))
    }

    /// The handle with exactly these bits: a shim's result word (tag 0: a raw word of the
    /// runtime it is passed to, accepted unchecked), or any bits (tests, fuzzers).
    pub fn from_bits(bits: u64) -> AiviValueHandle {
        AiviValueHandle(std::ptr::without_provenance_mut(bits as usize))
    }

    /// The value word (the runtime tag of a heap reference removed).
    pub fn word(self) -> u64 {
        untag_word(self.0.addr() as u64)
    }

    /// The handle's bits as given (runtime tag included).
    pub fn bits(self) -> u64 {
        self.0.addr() as u64
    }

    /// The runtime tag a heap reference's handle carries (0 for any other value).
    pub fn runtime_tag(self) -> u8 {
        word_tag(self.0.addr() as u64)
    }

    pub fn is_null(self) -> bool {
        self.0.is_null()
    }
}

/// Bits 40..48 of a heap reference: zero in every value word, the runtime tag in a handle.
const HANDLE_TAG_SHIFT: u32 = 40;
const HANDLE_TAG_MASK: u64 = 0xFF << HANDLE_TAG_SHIFT;

fn is_heap_word(word: u64) -> bool {
    word >> crate::value::TAG_SHIFT == crate::value::TAG_HEAP
}

/// `word` with `heap_tag` stamped in, when it is a heap reference.
pub(crate) fn tag_word(word: u64, heap_tag: u8) -> u64 {
    if is_heap_word(word) {
        (word & !HANDLE_TAG_MASK) | (u64::from(heap_tag) << HANDLE_TAG_SHIFT)
    } else {
        word
    }
}

/// The value word of a handle's bits.
pub(crate) fn untag_word(bits: u64) -> u64 {
    if is_heap_word(bits) {
        bits & !HANDLE_TAG_MASK
    } else {
        bits
    }
}

/// The runtime tag in a handle's bits (0 unless a heap reference).
pub(crate) fn word_tag(bits: u64) -> u8 {
    if is_heap_word(bits) {
        ((bits & HANDLE_TAG_MASK) >> HANDLE_TAG_SHIFT) as u8
    } else {
        0
    }
}

/// RT0404 when the handle bits `bits` of a heap reference carry another heap's tag. Tag 0
/// is a shim's result word, which carries no runtime identity: it is accepted unchecked
/// (docs/ABI.md, "Handles").
pub(crate) fn check_runtime_tag(heap: &Heap, what: &str, bits: u64) -> Result<(), RuntimeError> {
    let tag = word_tag(bits);
    if tag != 0 && tag != heap.handle_tag() {
        return Err(RuntimeError::invalid_reference(&format!(
            "{what} handle {bits:#018x} belongs to another runtime"
        )));
    }
    Ok(())
}

/// Validates a non-NULL handle: of this runtime, a well-formed word of a script-visible
/// kind, and for heap references a live head whose kind byte matches
/// (`objects::checked_head`). RT0404 otherwise.
pub fn checked_value(heap: &Heap, handle: AiviValueHandle) -> Result<Value, RuntimeError> {
    check_runtime_tag(heap, "value", handle.bits())?;
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
    Ok(AiviValueHandle::tagged(
        objects::retain(heap, value)?.bits(),
        heap.handle_tag(),
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
        return Ok(AiviValueHandle::tagged(
            copy.bits(),
            context.heap.handle_tag(),
        ));
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
