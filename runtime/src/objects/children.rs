//! Where each kind keeps the value words it owns ("children"), in the fixed, documented
//! order used by release, copy and traversal: List head -> root; ListNode leaf -> slots
//! 0..7, interior ListNode -> child addresses 0..14; Tuple, Seq, Closure, Ref -> slots
//! 0..n; Map head -> root; MapNode leaf -> key 0, value 0, .. key 2, value 2; interior
//! MapNode -> child 0, separator 0, child 1, .., separator 3, child 4.
//! A zero word in a child slot means "empty" (the zero word is never a value). Interior
//! `ListNode`s and `MapNode`s keep their children as 32-bit block addresses
//! (`SlotEncoding::ListNodeAddress`, `SlotEncoding::MapNodeAddress`, docs/MEMORY.md
//! "Objects"); a slot location reads and writes them as `ListNode` / `MapNode` words, so
//! every walk sees value words whatever the slot's width.

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::value::{Kind, Value};

use super::header::{block_of, reference};
use super::{list, map, tuple};

/// How a child slot stores its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotEncoding {
    /// A value word (8 bytes).
    Word,
    /// A `ListNode` head's block address plus one (4 bytes; 0 = empty), the slots of an
    /// interior `ListNode`. Only `ListNode` words are stored in such a slot.
    ListNodeAddress,
    /// A `MapNode` head's block address plus one (4 bytes; 0 = empty), the child slots of an
    /// interior `MapNode`. Only `MapNode` words are stored in such a slot.
    MapNodeAddress,
}

/// One child inside an object: block index, payload byte offset and encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotLocation {
    pub block: u32,
    pub offset: usize,
    pub encoding: SlotEncoding,
}

impl SlotLocation {
    /// The value-word slot at `offset` of `block`.
    #[inline]
    pub const fn word(block: u32, offset: usize) -> Self {
        SlotLocation {
            block,
            offset,
            encoding: SlotEncoding::Word,
        }
    }

    /// The child-address slot at `offset` of the interior `ListNode` `block`.
    #[inline]
    pub const fn list_node_address(block: u32, offset: usize) -> Self {
        SlotLocation {
            block,
            offset,
            encoding: SlotEncoding::ListNodeAddress,
        }
    }

    /// The child-address slot at `offset` of the interior `MapNode` `block`.
    #[inline]
    pub const fn map_node_address(block: u32, offset: usize) -> Self {
        SlotLocation {
            block,
            offset,
            encoding: SlotEncoding::MapNodeAddress,
        }
    }

    #[inline(always)]
    pub fn read(self, heap: &Heap) -> Value {
        match self.encoding {
            SlotEncoding::Word => Value(heap.memory().read_u64(self.block, self.offset)),
            SlotEncoding::ListNodeAddress => self.read_address(heap, Kind::ListNode),
            SlotEncoding::MapNodeAddress => self.read_address(heap, Kind::MapNode),
        }
    }
    #[inline(always)]
    pub fn write(self, heap: &mut Heap, value: Value) {
        match self.encoding {
            SlotEncoding::Word => {
                heap.memory_mut()
                    .write_u64(self.block, self.offset, value.bits())
            }
            SlotEncoding::ListNodeAddress | SlotEncoding::MapNodeAddress => {
                self.write_address(heap, value)
            }
        }
    }
    fn read_address(self, heap: &Heap, kind: Kind) -> Value {
        match heap.memory().read_u32(self.block, self.offset) {
            0 => Value(0),
            stored => reference(kind, stored - 1),
        }
    }
    fn write_address(self, heap: &mut Heap, value: Value) {
        let stored = match value.bits() {
            0 => 0,
            _ => block_of(value).wrapping_add(1),
        };
        heap.memory_mut().write_u32(self.block, self.offset, stored);
    }
    /// Reads the word and leaves the slot empty (moves ownership out).
    #[inline]
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
    let at = |offset| SlotLocation::word(head, offset);
    match kind {
        Kind::Text | Kind::HostObject => {}
        Kind::List => visit(at(list::LIST_ROOT_OFFSET)),
        Kind::ListNode => {
            let interior = list::node_level(heap, head) > 0;
            (0..list::node_slot_count(interior))
                .for_each(|i| visit(list::node_slot_of(head, i, interior)))
        }
        // Seq, Closure and Ref share the Tuple layout (see `slots_object`).
        Kind::Tuple | Kind::Seq | Kind::Closure | Kind::Ref => {
            tuple::visit_element_slots(heap, head, visit)
        }
        Kind::Map => visit(at(map::MAP_ROOT_OFFSET)),
        Kind::MapNode => map::visit_node_slots(heap, head, visit),
    }
    Ok(())
}
