//! The 4-byte object header at the start of every head block's payload, validation of
//! incoming heap references, and the allocation pre-flight check.
//!
//! | byte | meaning                                                          |
//! |------|------------------------------------------------------------------|
//! | 0    | `Kind as u8`                                                     |
//! | 1    | flags: bit 0 = "contains a Ref", bit 1 = "may hold a NaN" (both  |
//! |      | propagated into containers; flags only accumulate)               |
//! | 2..4 | kind-specific (list: tree height at byte 2; map node: level, count)|

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::value::{Kind, KindName, Value};

pub const OBJECT_HEADER_SIZE: usize = 4;
pub const KIND_OFFSET: usize = 0;
pub const FLAGS_OFFSET: usize = 1;
pub const KIND_SPECIFIC_OFFSET: usize = 2;
/// Flag bit 0: the object (transitively) contains a Ref.
pub const FLAG_CONTAINS_REF: u8 = 0b0000_0001;
/// Flag bit 1: the object (transitively) may hold a NaN Float. Set when a NaN or an object
/// with the flag is stored in it, never cleared: a value without it is equal to itself, so
/// equality may take identity as equality (docs/MEMORY.md, "Walks over values").
pub const FLAG_MAY_HOLD_NAN: u8 = 0b0000_0010;

/// Writes the header of a freshly allocated head block.
pub fn write_object_header(heap: &mut Heap, head: u32, kind: Kind, flags: u8) {
    let memory = heap.memory_mut();
    memory.write_u8(head, KIND_OFFSET, kind as u8);
    memory.write_u8(head, FLAGS_OFFSET, flags);
}

pub fn object_flags(heap: &Heap, head: u32) -> u8 {
    heap.memory().read_u8(head, FLAGS_OFFSET)
}

/// ORs `flags` into an object's flag byte (flags only ever accumulate).
pub fn add_object_flags(heap: &mut Heap, head: u32, flags: u8) {
    if flags != 0 {
        let old = object_flags(heap, head);
        heap.memory_mut().write_u8(head, FLAGS_OFFSET, old | flags);
    }
}

/// The flag bits a container must inherit from holding `value`.
#[inline]
pub fn inherited_flags(heap: &Heap, value: Value) -> u8 {
    if !value.is_heap() {
        // The common case of a container's elements, decided without the match below.
        return if value.as_float().is_some_and(f64::is_nan) {
            FLAG_MAY_HOLD_NAN
        } else {
            0
        };
    }
    let own = || {
        value
            .heap_address()
            .map(|a| object_flags(heap, a.bits()) & (FLAG_CONTAINS_REF | FLAG_MAY_HOLD_NAN))
            .unwrap_or(0)
    };
    match value.heap_kind() {
        Some(Kind::Ref) => FLAG_CONTAINS_REF | own(),
        Some(_) => own(),
        None if value.as_float().is_some_and(f64::is_nan) => FLAG_MAY_HOLD_NAN,
        None => 0,
    }
}

/// Whether the (validated) object `value` heads may hold a NaN (`FLAG_MAY_HOLD_NAN`).
pub fn may_hold_nan(heap: &Heap, value: Value) -> bool {
    value
        .heap_address()
        .is_some_and(|a| object_flags(heap, a.bits()) & FLAG_MAY_HOLD_NAN != 0)
}

/// The head block of `value` when it is a well-formed reference of kind `kind` to a live
/// head of that kind: `checked_head(value, Some(kind))`'s acceptance without a `Result`, for
/// fast paths that send anything else down a reporting path.
#[inline]
pub fn live_head_of(heap: &Heap, value: Value, kind: Kind) -> Option<u32> {
    let (found, head) = value.well_formed_heap_parts()?;
    (found == kind && heap.is_live_head_of_kind(head, KIND_OFFSET, kind as u8)).then_some(head)
}

/// Validates a heap reference: an allocated head in segment 0 whose kind byte matches the
/// word's kind (and `expected`, when given). Returns the head block index.
#[inline]
pub fn checked_head(
    heap: &Heap,
    value: Value,
    expected: Option<Kind>,
) -> Result<u32, RuntimeError> {
    // Fast path: one test of the word and one look at the block. Anything it does not
    // accept goes through every check below, which finds the same fault and reports it.
    if let Some((kind, block)) = value.well_formed_heap_parts()
        && expected.is_none_or(|expected| expected == kind)
        && heap.is_live_head_of_kind(block, KIND_OFFSET, kind as u8)
    {
        return Ok(block);
    }
    checked_head_reporting(heap, value, expected)
}

/// [`checked_head`]'s full path: every check in order, with its message.
#[inline(never)]
fn checked_head_reporting(
    heap: &Heap,
    value: Value,
    expected: Option<Kind>,
) -> Result<u32, RuntimeError> {
    let (Some(kind), Some(address)) = (value.heap_kind(), value.heap_address()) else {
        return Err(RuntimeError::invalid_reference(&format!(
            "word {:#018x} is not a heap reference",
            value.bits()
        )));
    };
    if !value.is_well_formed() {
        return Err(RuntimeError::invalid_reference(&format!(
            "malformed heap reference {:#018x}",
            value.bits()
        )));
    }
    if let Some(expected) = expected
        && expected != kind
    {
        return Err(RuntimeError::invalid_reference(&format!(
            "expected a {expected:?} reference, got {kind:?}"
        )));
    }
    let block = address.bits();
    heap.check_head(block)?;
    let stored = heap.memory().read_u8(block, KIND_OFFSET);
    if stored != kind as u8 {
        return Err(RuntimeError::invalid_reference(&format!(
            "block {block} holds kind byte {stored}, the reference says {kind:?}"
        )));
    }
    Ok(block)
}

/// The user-visible kind of a word, or RT0404 for a malformed word / interior node.
pub fn kind_name_of(value: Value) -> Result<KindName, RuntimeError> {
    value.kind_name().ok_or_else(|| {
        RuntimeError::invalid_reference(&format!(
            "word {:#018x} is not a script value",
            value.bits()
        ))
    })
}

/// Checks that `blocks` blocks could be allocated right now (same checks and errors, in the
/// same order, as `Heap::malloc_blocks`). Multi-step updates call this first with their
/// worst case so that they never fail half-way for lack of memory.
pub fn ensure_blocks_available(heap: &mut Heap, blocks: u32) -> Result<(), RuntimeError> {
    heap.reserve(blocks, false).map_err(Into::into)
}

/// Allocates one head block for `kind` with a zeroed payload and header written.
pub fn allocate_single_block_object(
    heap: &mut Heap,
    kind: Kind,
    flags: u8,
) -> Result<u32, RuntimeError> {
    let head = heap.malloc_blocks(1, false)?;
    write_object_header(heap, head, kind, flags);
    Ok(head)
}

/// The heap word for a head of `kind` at heap address `head`.
pub fn reference(kind: Kind, head: u32) -> Value {
    Value::heap(kind, crate::value::BlockAddress::from_bits(head))
}

/// The heap address of a word known (by construction) to be a heap reference.
pub fn block_of(value: Value) -> u32 {
    value.heap_block().unwrap_or(crate::heap::NO_BLOCK)
}
