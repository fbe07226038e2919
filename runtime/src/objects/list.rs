//! List: a persistent radix tree (branching 7) of `ListNode` blocks under a List head.
//!
//! List head (one block): header (byte 2 = tree height), `[4..8)` length (u32), `[8..16)`
//! root word (0 when empty). ListNode (one block): header, then 7 value slots at
//! `4 + 8 * i`. Leaves (height 0) hold elements; interior nodes hold ListNode words. The
//! tree is left-packed: element `i` is at slot `(i / 7^level) % 7` on each level, so a
//! tree of height `h` holds up to `7^(h+1)` elements and indexing is O(log n).
//! Updates (push/pop/set/extend) are in `list_update`.

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::value::{Kind, Value};

use super::children::SlotLocation;
use super::header::{
    KIND_SPECIFIC_OFFSET, allocate_single_block_object, block_of, checked_head,
    ensure_blocks_available, inherited_flags, reference,
};
use super::release::{release, retain};

pub const LIST_HEIGHT_OFFSET: usize = KIND_SPECIFIC_OFFSET;
pub const LIST_LENGTH_OFFSET: usize = 4;
pub const LIST_ROOT_OFFSET: usize = 8;
pub const NODE_SLOTS: usize = 7;
pub const NODE_FIRST_SLOT_OFFSET: usize = 4;

pub fn node_slot_offset(slot: usize) -> usize {
    NODE_FIRST_SLOT_OFFSET + 8 * slot
}

pub fn node_slot(node: u16, slot: usize) -> SlotLocation {
    SlotLocation {
        block: node,
        offset: node_slot_offset(slot),
    }
}

pub fn root_slot(head: u16) -> SlotLocation {
    SlotLocation {
        block: head,
        offset: LIST_ROOT_OFFSET,
    }
}

/// Elements a tree of `height` can hold: `7^(height+1)`.
pub fn capacity(height: u8) -> usize {
    NODE_SLOTS.pow(height as u32 + 1)
}

/// The slot holding element `index` in a node at `level`.
pub fn slot_for(index: usize, level: u8) -> usize {
    (index / NODE_SLOTS.pow(level as u32)) % NODE_SLOTS
}

pub fn list_length(heap: &Heap, head: u16) -> usize {
    heap.memory().read_u32(head, LIST_LENGTH_OFFSET) as usize
}

pub fn list_height(heap: &Heap, head: u16) -> u8 {
    heap.memory().read_u8(head, LIST_HEIGHT_OFFSET)
}

pub fn set_list_shape(heap: &mut Heap, head: u16, length: usize, height: u8) {
    heap.memory_mut()
        .write_u32(head, LIST_LENGTH_OFFSET, length as u32);
    heap.memory_mut().write_u8(head, LIST_HEIGHT_OFFSET, height);
}

/// Length of a validated List value.
pub fn length_of(heap: &Heap, list: Value) -> Result<usize, RuntimeError> {
    Ok(list_length(
        heap,
        checked_head(heap, list, Some(Kind::List))?,
    ))
}

/// Element `index` (borrowed, not retained), or `None` when out of range. O(log n).
pub fn element_at(heap: &Heap, list: Value, index: usize) -> Result<Option<Value>, RuntimeError> {
    let head = checked_head(heap, list, Some(Kind::List))?;
    if index >= list_length(heap, head) {
        return Ok(None);
    }
    let mut node = block_of(root_slot(head).read(heap));
    let mut level = list_height(heap, head);
    loop {
        let word = node_slot(node, slot_for(index, level)).read(heap);
        if level == 0 {
            return Ok(Some(word));
        }
        node = block_of(word);
        level -= 1;
    }
}

/// All elements in order (borrowed, not retained), by an explicit-stack tree walk.
pub fn elements(heap: &Heap, list: Value) -> Result<Vec<Value>, RuntimeError> {
    let head = checked_head(heap, list, Some(Kind::List))?;
    let length = list_length(heap, head);
    let mut out = Vec::with_capacity(length);
    let root = root_slot(head).read(heap);
    if root.bits() == 0 {
        return Ok(out);
    }
    let mut stack = vec![(root, list_height(heap, head))];
    while let Some((node_word, level)) = stack.pop() {
        let node = block_of(node_word);
        let words: Vec<Value> = (0..NODE_SLOTS)
            .map(|slot| node_slot(node, slot).read(heap))
            .filter(|word| word.bits() != 0)
            .collect();
        if level == 0 {
            out.extend(words);
        } else {
            stack.extend(words.into_iter().rev().map(|child| (child, level - 1)));
        }
    }
    Ok(out)
}

/// Blocks a list of `length` elements occupies (head plus nodes of every level).
pub fn blocks_for_length(length: usize) -> u32 {
    let mut total = 1u32;
    let mut level_items = length;
    while level_items > 0 {
        let nodes = level_items.div_ceil(NODE_SLOTS);
        total += nodes as u32;
        if nodes == 1 {
            break;
        }
        level_items = nodes;
    }
    total
}

/// Builds a List from owned `items`, bottom-up (no copy-on-write). Consumes every item,
/// also on failure (then nothing new is left allocated).
pub fn list_from_values(heap: &mut Heap, items: Vec<Value>) -> Result<Value, RuntimeError> {
    if let Err(error) = ensure_blocks_available(heap, blocks_for_length(items.len())) {
        release_all(heap, &items);
        return Err(error);
    }
    let head = match allocate_single_block_object(heap, Kind::List, 0) {
        Ok(head) => head,
        Err(error) => {
            release_all(heap, &items);
            return Err(error);
        }
    };
    let length = items.len();
    let mut level_items = items;
    let mut height = 0u8;
    let mut flags = 0u8;
    while !level_items.is_empty() {
        let mut parents = Vec::with_capacity(level_items.len().div_ceil(NODE_SLOTS));
        for (chunk_index, chunk) in level_items.chunks(NODE_SLOTS).enumerate() {
            let chunk_flags = chunk
                .iter()
                .fold(0, |acc, &v| acc | inherited_flags(heap, v));
            match allocate_single_block_object(heap, Kind::ListNode, chunk_flags) {
                Ok(node) => {
                    for (slot, &value) in chunk.iter().enumerate() {
                        node_slot(node, slot).write(heap, value);
                    }
                    flags |= chunk_flags;
                    parents.push(reference(Kind::ListNode, node));
                }
                Err(error) => {
                    release_all(heap, &parents);
                    release_all(heap, &level_items[chunk_index * NODE_SLOTS..]);
                    let _ = release(heap, reference(Kind::List, head));
                    return Err(error);
                }
            }
        }
        if parents.len() == 1 {
            root_slot(head).write(heap, parents[0]);
            break;
        }
        level_items = parents;
        height += 1;
    }
    set_list_shape(heap, head, length, height);
    super::header::add_object_flags(heap, head, flags);
    Ok(reference(Kind::List, head))
}

/// A new List `left ++ right` (both borrowed; elements retained into the result).
pub fn concat_lists(heap: &mut Heap, left: Value, right: Value) -> Result<Value, RuntimeError> {
    let mut items = elements(heap, left)?;
    items.extend(elements(heap, right)?);
    retain_all_then(heap, items, list_from_values)
}

/// Retains every word of `items` (in order) and passes the owned words to `build`; on a
/// failed retain, releases the ones already retained.
pub fn retain_all_then(
    heap: &mut Heap,
    items: Vec<Value>,
    build: impl FnOnce(&mut Heap, Vec<Value>) -> Result<Value, RuntimeError>,
) -> Result<Value, RuntimeError> {
    let mut owned = Vec::with_capacity(items.len());
    for item in items {
        match retain(heap, item) {
            Ok(word) => owned.push(word),
            Err(error) => {
                release_all(heap, &owned);
                return Err(error);
            }
        }
    }
    build(heap, owned)
}

/// Releases every word (cleanup path: the primary error is what gets reported).
pub fn release_all(heap: &mut Heap, words: &[Value]) {
    for &word in words {
        let _ = release(heap, word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_shape_helpers_match_the_radix_layout() {
        assert_eq!(capacity(0), 7);
        assert_eq!(capacity(1), 49);
        assert_eq!(capacity(2), 343);
        assert_eq!(slot_for(48, 1), 6);
        assert_eq!(slot_for(48, 0), 6);
        assert_eq!(slot_for(49, 2), 1);
        assert_eq!(slot_for(49, 1), 0);
        assert_eq!(blocks_for_length(0), 1);
        assert_eq!(blocks_for_length(7), 2);
        assert_eq!(blocks_for_length(8), 4);
        assert_eq!(blocks_for_length(50), 1 + 8 + 2 + 1);
    }

    #[test]
    fn a_built_list_has_the_minimal_height() {
        let mut heap = Heap::new(128).unwrap();
        for (length, height) in [(1, 0), (7, 0), (8, 1), (49, 1), (50, 2), (343, 2), (344, 3)] {
            let items = (0..length).map(|i| Value::int(i).unwrap()).collect();
            let list = list_from_values(&mut heap, items).unwrap();
            let head = block_of(list);
            assert_eq!(list_height(&heap, head), height, "length {length}");
            assert_eq!(
                element_at(&heap, list, length as usize - 1).unwrap(),
                Value::int(length - 1)
            );
            release(&mut heap, list).unwrap();
            assert_eq!(heap.blocks_in_use(), 0);
        }
    }
}
