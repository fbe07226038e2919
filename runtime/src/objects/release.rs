//! Ownership operations on values: `retain` (with the copy-instead-of-saturate rule),
//! `release` (iterative, with an explicit worklist, so arbitrarily deep structures free
//! without recursion), object copy, and `make_unique` for copy-on-write.
//!
//! Release order is deterministic: when an object's count reaches zero its chain is freed
//! first, then its children are released depth-first in slot order (see `children`).

use crate::error::RuntimeError;
use crate::heap::{Heap, HeapError};
use crate::value::{Kind, Value};

use smallvec::{SmallVec, smallvec};

use super::children::{child_slots, visit_child_slots};
use super::header::{KIND_OFFSET, checked_head, reference};
use super::tuple;

/// Takes one reference away from `value`. Immediates are a no-op. Every problem found
/// (bad word, release of a free block, an object whose layout is unknown) is an integrity
/// violation; the walk continues past it and the first one is returned.
#[inline]
pub fn release(heap: &mut Heap, value: Value) -> Result<(), RuntimeError> {
    // Fast path, inlined into callers: most releases only decrement a count (without
    // observers, in one check). When it does not apply the heap is untouched and
    // `release_slow` takes the full path.
    if let Some((block, kind)) = well_formed_heap_reference(value)
        && heap.try_dec_ref_unobserved(block, KIND_OFFSET, kind)
    {
        return Ok(());
    }
    // An immediate owns nothing: releasing a well-formed one is a no-op.
    if !value.is_heap() && value.is_well_formed() {
        return Ok(());
    }
    release_slow(heap, value)
}

/// [`release`] past its unobserved fast path.
#[inline(never)]
fn release_slow(heap: &mut Heap, value: Value) -> Result<(), RuntimeError> {
    let mut first_violation: Option<RuntimeError> = None;
    let mut note = |error: RuntimeError| {
        if first_violation.is_none() {
            first_violation = Some(error);
        }
    };
    // A Text holds no references, so freeing one needs no walk; the worklist is used only
    // when a container is freed.
    if value.is_heap()
        && let Ok(head) = checked_head(heap, value, None)
    {
        if heap.ref_count(head) > 1 {
            return heap.dec_ref(head).map(|_| ()).map_err(Into::into);
        }
        if value.heap_kind() == Some(Kind::Text)
            || (matches!(
                value.heap_kind(),
                Some(Kind::Tuple | Kind::Closure | Kind::Ref)
            ) && holds_only_immediates(heap, head))
        {
            // Nothing to release below it: `dec_ref` and `free_chain`, the same events
            // the worklist below would make, without its walk.
            return match heap.dec_ref(head) {
                Ok(true) => heap.free_chain(head).map_err(Into::into),
                Ok(false) => Ok(()),
                Err(error) => Err(error.into()),
            };
        }
    }
    // Inline storage: freeing a small structure (a closure, a tuple, a short list) must not
    // allocate host memory; a deep one spills to the host heap.
    let mut worklist: SmallVec<[Value; 32]> = smallvec![value];
    while let Some(current) = worklist.pop() {
        if !current.is_heap() {
            if !current.is_well_formed() {
                note(RuntimeError::invalid_reference(&format!(
                    "release of malformed word {:#018x}",
                    current.bits()
                )));
            }
            continue;
        }
        let head = match checked_head(heap, current, None) {
            Ok(head) => head,
            Err(error) => {
                note(escalate_in_audit_mode(heap, error, current));
                continue;
            }
        };
        match heap.dec_ref(head) {
            Ok(false) => continue,
            Ok(true) => {}
            Err(error) => {
                note(error.into());
                continue;
            }
        }
        let kind = current
            .heap_kind()
            .expect("checked_head validated the kind");
        // Pushed in slot order, reversed once the chain is freed, so children are released
        // depth-first in slot order.
        let first_child = worklist.len();
        // An immediate needs no release (a malformed word is still pushed, to be noted).
        let needs_release =
            |child: Value| child.bits() != 0 && (child.is_heap() || !child.is_well_formed());
        let visited = if matches!(kind, Kind::Tuple | Kind::Closure | Kind::Ref)
            && push_short_tuple_children(heap, head, &mut worklist, needs_release)
        {
            Ok(())
        } else {
            visit_child_slots(heap, head, kind, |slot| {
                let child = slot.read(heap);
                if needs_release(child) {
                    worklist.push(child);
                }
            })
        };
        if let Err(error) = visited {
            worklist.truncate(first_child);
            note(error);
            continue;
        }
        if kind == Kind::HostObject {
            // The host's drop runs here, exactly once, when the last block naming the slot
            // goes (docs/MEMORY.md, "Host objects").
            super::host_object::before_free(heap, head);
        }
        if let Err(error) = heap.free_chain(head) {
            worklist.truncate(first_child);
            note(error.into());
            continue;
        }
        worklist[first_child..].reverse();
    }
    match first_violation {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// The slot bytes of the validated object with the Tuple layout at `head` when it has at
/// most two blocks and its chain is as long as its length: the head block's slots and the
/// tail block's (empty for one block), in slot order — what `visit_child_slots` visits.
/// `None` for a longer object or a short chain (the caller then takes the general visit,
/// which reports what it finds).
fn short_tuple_slot_bytes(heap: &Heap, head: u32) -> Option<[&[u8]; 2]> {
    let length = tuple::tuple_length(heap, head);
    if length > tuple::TUPLE_HEAD_SLOTS + tuple::TUPLE_TAIL_SLOTS {
        return None;
    }
    let in_head = length.min(tuple::TUPLE_HEAD_SLOTS);
    let first = tuple::TUPLE_HEAD_FIRST_SLOT_OFFSET;
    let head_bytes = &heap.memory().payload(head)[first..first + 8 * in_head];
    if length == in_head {
        return Some([head_bytes, &[]]);
    }
    let tail = heap.memory().next(head);
    if tail == crate::heap::NO_BLOCK || !heap.memory().contains(tail) {
        return None;
    }
    Some([
        head_bytes,
        &heap.memory().payload(tail)[..8 * (length - in_head)],
    ])
}

/// The word of an 8-byte slot.
#[inline]
fn slot_word(bytes: &[u8]) -> Value {
    Value(u64::from_le_bytes(bytes.try_into().expect("8 bytes")))
}

/// Pushes the slot words `keep` accepts of the short object with the Tuple layout at `head`
/// ([`short_tuple_slot_bytes`]), in slot order; `false`, with nothing pushed, when it is not
/// short.
fn push_short_tuple_children(
    heap: &Heap,
    head: u32,
    worklist: &mut SmallVec<[Value; 32]>,
    keep: impl Fn(Value) -> bool,
) -> bool {
    let Some(bytes) = short_tuple_slot_bytes(heap, head) else {
        return false;
    };
    for run in bytes {
        for slot in run.chunks_exact(8) {
            let word = slot_word(slot);
            if keep(word) {
                worklist.push(word);
            }
        }
    }
    true
}

/// Whether the short object with the Tuple layout at `head` ([`short_tuple_slot_bytes`])
/// holds only well-formed immediates, so that freeing it releases nothing else.
fn holds_only_immediates(heap: &Heap, head: u32) -> bool {
    short_tuple_slot_bytes(heap, head).is_some_and(|bytes| {
        bytes.iter().all(|run| {
            run.chunks_exact(8).all(|slot| {
                let word = slot_word(slot);
                !word.is_heap() && word.is_well_formed()
            })
        })
    })
}

/// Adds one reference to `value` and returns the word the new owner must use: `value`
/// itself, or — when the count is already `MAX_REF_COUNT` — a fresh copy with count 1
/// that retains its children. Immediates are returned unchanged.
#[inline]
pub fn retain(heap: &mut Heap, value: Value) -> Result<Value, RuntimeError> {
    // Fast path, inlined into callers, for every kind but `ListNode`, whose retain must also
    // invalidate the List tail-leaf caches (`retain_slow`).
    if let Some((block, kind)) = well_formed_heap_reference(value)
        && kind != Kind::ListNode as u8
        && heap.try_inc_ref_unobserved(block, KIND_OFFSET, kind)
    {
        return Ok(value);
    }
    if !value.is_heap() && value.is_well_formed() {
        return Ok(value);
    }
    retain_slow(heap, value)
}

/// [`retain`] past its unobserved fast path (which left the heap untouched).
#[inline(never)]
fn retain_slow(heap: &mut Heap, value: Value) -> Result<Value, RuntimeError> {
    if !value.is_heap() {
        if value.is_well_formed() {
            return Ok(value);
        }
        return Err(RuntimeError::invalid_reference(&format!(
            "retain of malformed word {:#018x}",
            value.bits()
        )));
    }
    let head = checked_head(heap, value, None)
        .map_err(|error| escalate_in_audit_mode(heap, error, value))?;
    let kind = value.heap_kind().expect("checked_head validated the kind");
    if kind == Kind::ListNode {
        // A list node gains an owner: it may now be on two lists' right spines.
        heap.invalidate_list_tail_caches();
    }
    match heap.inc_ref(head) {
        Ok(()) => Ok(value),
        // Copy instead of saturating: runtime bookkeeping, so a critical allocation (the
        // soft quota does not apply; the heap size does).
        Err(HeapError::Saturated) => Ok(reference(kind, copy_object_as(heap, value, true)?)),
        Err(error) => Err(error.into()),
    }
}

/// The block and kind byte of a well-formed heap reference (what the count fast paths
/// check against the block; anything they reject takes the fully checked path).
#[inline]
fn well_formed_heap_reference(value: Value) -> Option<(u32, u8)> {
    value
        .well_formed_heap_parts()
        .map(|(kind, block)| (block, kind as u8))
}

/// Copies the object `value` (its whole chain, recording `cow`) and retains every child the
/// copy now shares. The copy has count 1. On failure nothing is left allocated.
pub fn copy_object(heap: &mut Heap, value: Value) -> Result<u32, RuntimeError> {
    copy_object_as(heap, value, false)
}

/// [`copy_object`]; `critical` copies ignore the soft quota.
fn copy_object_as(heap: &mut Heap, value: Value, critical: bool) -> Result<u32, RuntimeError> {
    let head = checked_head(heap, value, None)?;
    let kind = value.heap_kind().expect("checked_head validated the kind");
    child_slots(heap, head, kind)?; // refuse kinds without a layout before allocating
    let copy = heap.copy_chain_as(head, critical)?;
    if kind == Kind::Text {
        super::text::record_text_last_block(heap, copy);
    }
    if kind == Kind::HostObject {
        super::host_object::after_copy(heap, copy);
    }
    let slots = child_slots(heap, copy, kind)?;
    for (position, slot) in slots.iter().enumerate() {
        let child = slot.read(heap);
        if child.bits() == 0 {
            continue;
        }
        match retain(heap, child) {
            Ok(retained) => slot.write(heap, retained),
            Err(error) => {
                for unretained in &slots[position..] {
                    unretained.write(heap, Value(0));
                }
                // The copy only holds children it retained, so this release is balanced.
                release_on_cleanup(heap, reference(kind, copy));
                return Err(error);
            }
        }
    }
    Ok(copy)
}

/// Copy-on-write: returns `value` when its count is 1 (update in place, no event), else
/// copies it (`cow`), retains the copy's children and releases the original once.
pub fn make_unique(heap: &mut Heap, value: Value) -> Result<Value, RuntimeError> {
    let head = checked_head(heap, value, None)?;
    if heap.ref_count(head) == 1 {
        return Ok(value);
    }
    let kind = value.heap_kind().expect("checked_head validated the kind");
    let copy = copy_object(heap, value)?;
    release(heap, value)?;
    Ok(reference(kind, copy))
}

/// In audit mode a bad reference found by retain or release (a free block, a tail, a block
/// out of range, a kind that does not match) is an integrity violation: recorded with the
/// block and reported as RT0801. Outside audit mode it stays RT0404.
fn escalate_in_audit_mode(heap: &mut Heap, error: RuntimeError, value: Value) -> RuntimeError {
    if error.code != crate::error::ErrorCode::RT0404 {
        return error;
    }
    let Some(address) = value.heap_address() else {
        return error;
    };
    let detail = error
        .message
        .strip_prefix("invalid heap reference: ")
        .unwrap_or(&error.message)
        .to_string();
    match heap.record_audit_violation(address.bits(), detail) {
        Some(violation) => RuntimeError::integrity_violation(&violation.to_string()),
        None => error,
    }
}

/// Releases `value` on a failure-cleanup path that is already returning another error: a
/// violation found on the way is recorded in the heap's integrity violations, never dropped.
pub fn release_on_cleanup(heap: &mut Heap, value: Value) {
    if let Err(error) = release(heap, value) {
        heap.note_integrity_violation(error.to_string());
    }
}
