//! Refs: `ref(v)`, `!r`, `r := v`. A Ref never holds a value that contains a Ref (RT0403,
//! checked in O(1) with the object header's "contains a Ref" flag).
//!
//! Layout: the Tuple layout with kind `Ref` and exactly one slot, the cell's value. A Ref word
//! itself always counts as "contains a Ref" (`header::inherited_flags`), and every container,
//! closure and sequence carries the flag when it is built from something that contains a Ref, so
//! the check on `ref(v)` and `r := v` reads one flag byte: no walk. That is how "cycles are
//! prohibited by construction" (docs/MEMORY.md, "Memory rules (for contributors)", rule 5) survives
//! mutation: no cell can ever (transitively) reach a cell.
//!
//! Known limit (documented, not fixed): `objects::retain` of an object whose `REF_COUNT`
//! is already `0xFFFE` hands out a *copy* instead of saturating the count. For a Ref that
//! copy is a different cell: an assignment through one owner is then not visible through the
//! owners of the copy, so Ref identity breaks after 65,534 simultaneous owners of one cell.
//!
//! The helpers below are shared with the C handle API (`abi::handles::ref_handle`).

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::objects::children::SlotLocation;
use crate::objects::header::{
    FLAG_CONTAINS_REF, checked_head, inherited_flags, kind_name_of, live_head_of, object_flags,
};
use crate::objects::release::release_on_cleanup;
use crate::objects::{release, retain, tuple};
use crate::value::{Kind, Value};

use super::release_recording;

/// Whether `value` (validated first: RT0404 for a bad word) contains a Ref, in O(1).
pub fn value_contains_ref(heap: &Heap, value: Value) -> Result<bool, RuntimeError> {
    if value.is_heap() {
        checked_head(heap, value, None)?;
    } else {
        kind_name_of(value)?;
    }
    Ok(inherited_flags(heap, value) & FLAG_CONTAINS_REF != 0)
}

/// The head of `reference` when it is a live Ref; RT0303 `type mismatch: {op} expects Ref,
/// got {kind}` for any other value.
pub fn expect_ref(heap: &Heap, reference: Value, op: &str) -> Result<u32, RuntimeError> {
    if reference.heap_kind() != Some(Kind::Ref) {
        return Err(RuntimeError::type_mismatch(
            op,
            "Ref",
            kind_name_of(reference)?.as_str(),
        ));
    }
    checked_head(heap, reference, Some(Kind::Ref))
}

/// A new Ref cell holding `value` (owned: consumed also on failure). RT0403 when `value`
/// contains a Ref.
pub fn ref_cell_new(heap: &mut Heap, value: Value) -> Result<Value, RuntimeError> {
    match value_contains_ref(heap, value) {
        Ok(false) => tuple::slots_from_slice(heap, Kind::Ref, &[value]),
        Ok(true) => {
            release(heap, value)?;
            Err(RuntimeError::ref_holds_ref())
        }
        // A word that failed validation cannot be released; nothing else was taken.
        Err(error) => Err(error),
    }
}

/// The one slot of the (validated) Ref cell at `head`, without allocating; RT0404 for a cell
/// whose length is not 1.
fn ref_slot(heap: &Heap, head: u32) -> Result<SlotLocation, RuntimeError> {
    let length = tuple::tuple_length(heap, head);
    if length != 1 {
        return Err(RuntimeError::invalid_reference(&format!(
            "Ref cell with {length} slots instead of 1"
        )));
    }
    Ok(SlotLocation::word(
        head,
        tuple::TUPLE_HEAD_FIRST_SLOT_OFFSET,
    ))
}

/// The value in the Ref cell `reference` (validated; the value is borrowed, not retained).
pub fn ref_cell_value(heap: &Heap, reference: Value) -> Result<Value, RuntimeError> {
    let head = checked_head(heap, reference, Some(Kind::Ref))?;
    Ok(ref_slot(heap, head)?.read(heap))
}

/// Stores `value` (owned) in the validated Ref cell `reference` (borrowed) and releases the
/// old value *after* storing it (so releasing it can never observe a half-updated cell), as
/// `release` does: a fault found releasing it is an integrity violation, not a failure of
/// the store (the same rule as `set`'s replaced element).
/// RT0403 when `value` contains a Ref; then `value` is released and the cell is unchanged.
pub fn ref_cell_store(heap: &mut Heap, reference: Value, value: Value) -> Result<(), RuntimeError> {
    let head = checked_head(heap, reference, Some(Kind::Ref))?;
    store_in_cell(heap, head, value)
}

/// [`ref_cell_store`] into the Ref cell at `head`, already validated by the caller.
fn store_in_cell(heap: &mut Heap, head: u32, value: Value) -> Result<(), RuntimeError> {
    if value_contains_ref(heap, value)? {
        release(heap, value)?;
        return Err(RuntimeError::ref_holds_ref());
    }
    let slot = match ref_slot(heap, head) {
        Ok(slot) => slot,
        Err(error) => {
            release(heap, value)?;
            return Err(error);
        }
    };
    let old = slot.read(heap);
    slot.write(heap, value);
    release_on_cleanup(heap, old);
    Ok(())
}

/// The slot of `reference` when it is a well-formed reference to a live, one-slot Ref cell:
/// every check of `expect_ref` and `ref_slot` at once, with no `Result` (the shims' fast
/// path; anything else takes their full, reporting path).
#[inline]
fn live_cell_slot(heap: &Heap, reference: Value) -> Option<SlotLocation> {
    let head = live_head_of(heap, reference, Kind::Ref)?;
    if tuple::tuple_length(heap, head) != 1 {
        return None;
    }
    Some(SlotLocation::word(
        head,
        tuple::TUPLE_HEAD_FIRST_SLOT_OFFSET,
    ))
}

/// Whether `value_contains_ref` would accept `value` and find no Ref, decided without a
/// `Result`: a well-formed immediate, or a live head of a kind other than Ref whose flags
/// lack `FLAG_CONTAINS_REF`. `false` sends the caller down the reporting path.
#[inline]
fn plainly_storable(heap: &Heap, value: Value) -> bool {
    match value.well_formed_heap_parts() {
        Some((kind, _)) => {
            kind != Kind::Ref
                && live_head_of(heap, value, kind)
                    .is_some_and(|head| object_flags(heap, head) & FLAG_CONTAINS_REF == 0)
        }
        None => !value.is_heap() && value.is_well_formed(),
    }
}

define_shim! {
    /// `ref(v owned)`: a new Ref cell holding `v`; RT0403 when `v` contains a Ref (`v` is
    /// released).
    fn rt_ref_new(context, value) {
        Ok(ref_cell_new(&mut context.heap, Value(value))?.bits())
    }
}

define_shim! {
    /// `!r` (borrowed): the cell's value, retained. RT0303 `type mismatch: ! expects Ref,
    /// got {kind}` for any other value.
    fn rt_ref_get(context, reference) {
        let heap = &mut context.heap;
        if let Some(slot) = live_cell_slot(heap, Value(reference)) {
            let value = slot.read(heap);
            return Ok(retain(heap, value)?.bits());
        }
        let head = expect_ref(heap, Value(reference), "!")?;
        let value = ref_slot(heap, head)?.read(heap);
        Ok(retain(heap, value)?.bits())
    }
}

define_shim! {
    /// `r := v`: `r` borrowed, `v` owned; stores `v`, then releases the old value; returns
    /// Unit. RT0303 `type mismatch: := expects Ref, got {kind}` when `r` is not a Ref, RT0403
    /// when `v` contains a Ref (in both cases `v` is released and no cell changes).
    fn rt_ref_set(context, reference, value) {
        let heap = &mut context.heap;
        if let Some(slot) = live_cell_slot(heap, Value(reference))
            && plainly_storable(heap, Value(value))
        {
            let old = slot.read(heap);
            slot.write(heap, Value(value));
            release_on_cleanup(heap, old);
            return Ok(Value::UNIT.bits());
        }
        let head = match expect_ref(&context.heap, Value(reference), ":=") {
            Ok(head) => head,
            Err(error) => {
                release_recording(context, Value(value));
                return Err(error);
            }
        };
        store_in_cell(&mut context.heap, head, Value(value))?;
        Ok(Value::UNIT.bits())
    }
}
