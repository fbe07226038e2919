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
    let at = |offset| SlotLocation {
        block: head,
        offset,
    };
    Ok(match kind {
        Kind::Text => Vec::new(),
        Kind::List => vec![at(list::LIST_ROOT_OFFSET)],
        Kind::ListNode => (0..list::NODE_SLOTS)
            .map(|i| at(list::node_slot_offset(i)))
            .collect(),
        // Seq, Closure and Ref share the Tuple layout (see `slots_object`).
        Kind::Tuple | Kind::Seq | Kind::Closure | Kind::Ref => tuple::element_slots(heap, head),
        Kind::Map => vec![at(map::MAP_ROOT_OFFSET)],
        Kind::MapNode => vec![
            at(map::NODE_KEY_OFFSET),
            at(map::NODE_VALUE_OFFSET),
            at(map::NODE_LEFT_OFFSET),
            at(map::NODE_RIGHT_OFFSET),
        ],
    })
}
