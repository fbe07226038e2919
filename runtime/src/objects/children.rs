//! Where each kind keeps the value words it owns ("children"), in the fixed, documented
//! order used by release, copy and traversal: List head -> root; ListNode -> slots 0..7;
//! Tuple, Seq, Closure, Ref -> slots 0..n; Map head -> root; MapNode -> key, value, left, right.
//! A zero word in a child slot means "empty" (the zero word is never a value).

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::value::{Kind, Value};

use super::{list, map, tuple};

/// One value word inside an object: block index and payload byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotLocation {
    pub block: u32,
    pub offset: usize,
}

impl SlotLocation {
    pub fn read(self, heap: &Heap) -> Value {
        Value(heap.memory().read_u64(self.block, self.offset))
    }
    pub fn write(self, heap: &mut Heap, value: Value) {
        heap.memory_mut()
            .write_u64(self.block, self.offset, value.bits());
    }
    /// Reads the word and leaves the slot empty (moves ownership out).
    pub fn take(self, heap: &mut Heap) -> Value {
        let value = self.read(heap);
        self.write(heap, Value(0));
        value
    }
}

/// The child slots of the object headed by `head` (of `kind`), in release order.
pub fn child_slots(heap: &Heap, head: u32, kind: Kind) -> Result<Vec<SlotLocation>, RuntimeError> {
    let mut slots = Vec::new();
    visit_child_slots(heap, head, kind, |slot| slots.push(slot))?;
    Ok(slots)
}

/// Calls `visit` with each child slot of the object headed by `head` (of `kind`), in
/// release order, without allocating (release runs this for every object it frees).
pub fn visit_child_slots(
    heap: &Heap,
    head: u32,
    kind: Kind,
    mut visit: impl FnMut(SlotLocation),
) -> Result<(), RuntimeError> {
    let at = |offset| SlotLocation {
        block: head,
        offset,
    };
    match kind {
        Kind::Text => {}
        Kind::List => visit(at(list::LIST_ROOT_OFFSET)),
        Kind::ListNode => (0..list::NODE_SLOTS).for_each(|i| visit(at(list::node_slot_offset(i)))),
        // Seq, Closure and Ref share the Tuple layout (see `slots_object`).
        Kind::Tuple | Kind::Seq | Kind::Closure | Kind::Ref => {
            tuple::visit_element_slots(heap, head, visit)
        }
        Kind::Map => visit(at(map::MAP_ROOT_OFFSET)),
        Kind::MapNode => [
            map::NODE_KEY_OFFSET,
            map::NODE_VALUE_OFFSET,
            map::NODE_LEFT_OFFSET,
            map::NODE_RIGHT_OFFSET,
        ]
        .into_iter()
        .for_each(|offset| visit(at(offset))),
    }
    Ok(())
}
