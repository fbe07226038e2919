//! Host objects (docs/MEMORY.md, "Host objects"; docs/EMBEDDING.md, "Host objects"): a heap
//! object of one block that names a slot of its heap's host object table, where the host's
//! own value (a Rust `Box<dyn Any + Send>`, or a C pointer with its drop callback wrapped in
//! one) lives. The block is counted, traced, copied and freed like any other; when the last
//! block naming a slot is freed, the slot's payload is dropped, exactly once.
//!
//! Block layout (payload offsets): header (kind byte `Kind::HostObject`, flags, bytes 2..4
//! unused), the slot index (u32 at 4), the object's serial number in its heap (u64 at 8:
//! 1 for the first host object the heap made, never reused; printed as `<Type#serial>`).

use std::any::Any;
use std::sync::Arc;

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::value::{Kind, Value};

use super::header::{checked_head, reference, write_object_header};

/// Payload offset of the slot index (u32).
pub const HOST_SLOT_OFFSET: usize = 4;
/// Payload offset of the serial number (u64).
pub const HOST_SERIAL_OFFSET: usize = 8;

/// What a host object holds: any `Send` value of the host (a Runtime is `Send`).
pub type HostPayload = Box<dyn Any + Send>;

/// One live host object.
struct HostSlot {
    type_name: Arc<str>,
    payload: HostPayload,
    /// Blocks naming this slot: 1, or more after a saturated count was copied
    /// (docs/MEMORY.md, "Reference counts"). The payload drops when the last one is freed.
    holders: u32,
    serial: u64,
}

/// A heap's host objects: slots reused through a free list, serials never reused.
#[derive(Default)]
pub struct HostObjectTable {
    slots: Vec<Option<HostSlot>>,
    free: Vec<u32>,
    next_serial: u64,
    live: usize,
    dropped: u64,
}

impl HostObjectTable {
    /// Live host objects (slots with a payload).
    pub fn live(&self) -> usize {
        self.live
    }

    /// Payloads dropped since the heap was made.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    fn insert(&mut self, type_name: Arc<str>, payload: HostPayload) -> (u32, u64) {
        self.next_serial += 1;
        let serial = self.next_serial;
        let slot = HostSlot {
            type_name,
            payload,
            holders: 1,
            serial,
        };
        self.live += 1;
        let index = match self.free.pop() {
            Some(index) => {
                self.slots[index as usize] = Some(slot);
                index
            }
            None => {
                self.slots.push(Some(slot));
                (self.slots.len() - 1) as u32
            }
        };
        (index, serial)
    }

    fn slot(&self, index: u32) -> Option<&HostSlot> {
        self.slots.get(index as usize).and_then(Option::as_ref)
    }

    fn slot_mut(&mut self, index: u32) -> Option<&mut HostSlot> {
        self.slots.get_mut(index as usize).and_then(Option::as_mut)
    }

    /// One more block names `index` (a copy of a saturated object).
    fn add_holder(&mut self, index: u32) {
        if let Some(slot) = self.slot_mut(index) {
            slot.holders += 1;
        }
    }

    /// One block naming `index` was freed: the payload, when it was the last one (the
    /// caller drops it, outside any borrow of the heap).
    fn remove_holder(&mut self, index: u32) -> Option<HostPayload> {
        let slot = self.slot_mut(index)?;
        slot.holders -= 1;
        if slot.holders > 0 {
            return None;
        }
        let slot = self.slots[index as usize].take()?;
        self.free.push(index);
        self.live -= 1;
        self.dropped += 1;
        Some(slot.payload)
    }
}

impl Drop for HostObjectTable {
    /// The heap is going (its runtime was dropped): the payloads still held are dropped
    /// now, each once, a panic caught as at a final release.
    fn drop(&mut self) {
        for slot in self.slots.drain(..).flatten() {
            drop_payload(slot.payload);
        }
    }
}

/// Runs a payload's drop, catching a panic (nothing unwinds through the release walk).
fn drop_payload(payload: HostPayload) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(payload)));
}

/// Makes a host object of type `type_name` holding `payload`: one block with count 1. On
/// failure (RT0401, RT0402) the payload is dropped at once and nothing is left allocated.
pub fn new_host_object(
    heap: &mut Heap,
    type_name: Arc<str>,
    payload: HostPayload,
) -> Result<Value, RuntimeError> {
    let head = match heap.malloc_blocks(1, false) {
        Ok(head) => head,
        Err(error) => {
            drop_payload(payload);
            return Err(error.into());
        }
    };
    let (slot, serial) = heap.host_objects_mut().insert(type_name, payload);
    write_object_header(heap, head, Kind::HostObject, 0);
    heap.memory_mut().write_u32(head, HOST_SLOT_OFFSET, slot);
    heap.memory_mut()
        .write_u64(head, HOST_SERIAL_OFFSET, serial);
    Ok(reference(Kind::HostObject, head))
}

/// The slot a validated host object names (RT0404 for anything else).
pub fn host_slot(heap: &Heap, value: Value) -> Result<u32, RuntimeError> {
    let head = checked_head(heap, value, Some(Kind::HostObject))?;
    let slot = heap.memory().read_u32(head, HOST_SLOT_OFFSET);
    match heap.host_objects().slot(slot) {
        Some(_) => Ok(slot),
        None => Err(RuntimeError::invalid_reference(&format!(
            "host object block {head} names the empty slot {slot}"
        ))),
    }
}

/// The type name of the host object `value`.
pub fn type_name(heap: &Heap, value: Value) -> Result<Arc<str>, RuntimeError> {
    let slot = host_slot(heap, value)?;
    Ok(heap
        .host_objects()
        .slot(slot)
        .expect("checked")
        .type_name
        .clone())
}

/// The serial number of the host object `value` (`<Type#serial>`).
pub fn serial(heap: &Heap, value: Value) -> Result<u64, RuntimeError> {
    let slot = host_slot(heap, value)?;
    Ok(heap.host_objects().slot(slot).expect("checked").serial)
}

/// The payload of the host object `value`, shared.
pub fn payload(heap: &Heap, value: Value) -> Result<&(dyn Any + Send), RuntimeError> {
    let slot = host_slot(heap, value)?;
    Ok(&*heap.host_objects().slot(slot).expect("checked").payload)
}

/// The payload of the host object `value`, mutable (a method taking the object mutably).
pub fn payload_mut(heap: &mut Heap, value: Value) -> Result<&mut (dyn Any + Send), RuntimeError> {
    let slot = host_slot(heap, value)?;
    Ok(&mut *heap
        .host_objects_mut()
        .slot_mut(slot)
        .expect("checked")
        .payload)
}

/// The canonical printed form: `<Type#serial>`.
pub fn printed_form(heap: &Heap, value: Value) -> Result<String, RuntimeError> {
    let slot = host_slot(heap, value)?;
    let slot = heap.host_objects().slot(slot).expect("checked");
    Ok(format!("<{}#{}>", slot.type_name, slot.serial))
}

/// Identity of two host objects: the same slot (a saturated copy is the same object).
pub fn same_object(heap: &Heap, a: Value, b: Value) -> Result<bool, RuntimeError> {
    Ok(host_slot(heap, a)? == host_slot(heap, b)?)
}

/// Called by release once the count of host object `head` reached zero, before its block is
/// freed: the slot loses a holder, and the payload is dropped when it was the last.
pub(crate) fn before_free(heap: &mut Heap, head: u32) {
    let slot = heap.memory().read_u32(head, HOST_SLOT_OFFSET);
    if let Some(payload) = heap.host_objects_mut().remove_holder(slot) {
        drop_payload(payload);
    }
}

/// Called by copy once the block `copy` of a host object was made: its slot gains a holder.
pub(crate) fn after_copy(heap: &mut Heap, copy: u32) {
    let slot = heap.memory().read_u32(copy, HOST_SLOT_OFFSET);
    heap.host_objects_mut().add_holder(slot);
}
