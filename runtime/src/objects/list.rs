//! List: a persistent radix tree of `ListNode` blocks under a List head: leaves of 7
//! elements, interior nodes of 14 children.
//!
//! List head (one block): header (byte 2 = tree height), `[4..8)` length (u32), `[8..16)`
//! root word (0 when empty). ListNode (one block): header (byte 2 = the node's level, 0 for
//! a leaf), then either 7 value slots at `4 + 8 * i` (a leaf: the elements) or 14 child
//! addresses at `4 + 4 * i` (an interior node: a child `ListNode`'s block address plus one,
//! 0 = empty). The tree is left-packed: element `i` is at leaf slot `i % 7`, and on each
//! level `l >= 1` at child `(i / (7 * 14^(l-1))) % 14`, so a tree of height `h` holds up to
//! `7 * 14^h` elements (a million in height 5: 6 dependent block loads) and indexing is
//! O(log n). Updates (push/pop/set/extend) are in `list_update`.

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::value::{Kind, Value};

use super::children::SlotLocation;
use super::header::{
    KIND_SPECIFIC_OFFSET, allocate_single_block_object, block_of, checked_head,
    ensure_blocks_available, inherited_flags, reference,
};
use super::release::{release_on_cleanup, retain};

pub const LIST_HEIGHT_OFFSET: usize = KIND_SPECIFIC_OFFSET;
pub const LIST_LENGTH_OFFSET: usize = 4;
pub const LIST_ROOT_OFFSET: usize = 8;
/// Value slots of a leaf `ListNode`.
pub const LEAF_SLOTS: usize = 7;
/// Child addresses of an interior `ListNode`.
pub const BRANCH_SLOTS: usize = 14;
/// The tallest tree a `u32` length needs: 7 * 14^8 > 2^32.
pub const MAX_LIST_HEIGHT: usize = 8;
/// Payload offset of a node's first slot (a leaf's value words are 8 bytes apart, an
/// interior node's child addresses 4).
pub const NODE_FIRST_SLOT_OFFSET: usize = 4;
/// Header byte of a `ListNode` holding its level (0 = leaf).
pub const NODE_LEVEL_OFFSET: usize = KIND_SPECIFIC_OFFSET;

/// The level recorded in the `ListNode` `node` (0 = leaf).
pub fn node_level(heap: &Heap, node: u32) -> u8 {
    heap.memory().read_u8(node, NODE_LEVEL_OFFSET)
}

/// Slots of a leaf (`interior` false) or an interior node.
pub fn node_slot_count(interior: bool) -> usize {
    if interior { BRANCH_SLOTS } else { LEAF_SLOTS }
}

/// Slot `slot` of the `ListNode` `node`: a value word in a leaf, a child address in an
/// interior node (read and written as `ListNode` words).
pub fn node_slot_of(node: u32, slot: usize, interior: bool) -> SlotLocation {
    if interior {
        SlotLocation::list_node_address(node, NODE_FIRST_SLOT_OFFSET + 4 * slot)
    } else {
        SlotLocation::word(node, NODE_FIRST_SLOT_OFFSET + 8 * slot)
    }
}

/// Slot `slot` of the node `node` at tree level `level`.
pub fn node_slot(node: u32, slot: usize, level: u8) -> SlotLocation {
    node_slot_of(node, slot, level > 0)
}

pub fn root_slot(head: u32) -> SlotLocation {
    SlotLocation::word(head, LIST_ROOT_OFFSET)
}

/// Elements a tree of `height` can hold: `7 * 14^height`.
pub fn capacity(height: u8) -> usize {
    LEAF_SLOTS * BRANCH_SLOTS.pow(height as u32)
}

/// The slot holding element `index` in a node at `level`.
pub fn slot_for(index: usize, level: u8) -> usize {
    if level == 0 {
        index % LEAF_SLOTS
    } else {
        (index / capacity(level - 1)) % BRANCH_SLOTS
    }
}

/// A new empty `ListNode` at `level` with `flags` (count 1).
pub fn allocate_node(heap: &mut Heap, level: u8, flags: u8) -> Result<u32, RuntimeError> {
    let node = allocate_single_block_object(heap, Kind::ListNode, flags)?;
    heap.memory_mut().write_u8(node, NODE_LEVEL_OFFSET, level);
    Ok(node)
}

pub fn list_length(heap: &Heap, head: u32) -> usize {
    heap.memory().read_u32(head, LIST_LENGTH_OFFSET) as usize
}

pub fn list_height(heap: &Heap, head: u32) -> u8 {
    heap.memory().read_u8(head, LIST_HEIGHT_OFFSET)
}

pub fn set_list_shape(heap: &mut Heap, head: u32, length: usize, height: u8) {
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
    element_and_length(heap, list, index).map(|(element, _)| element)
}

/// [`element_at`] and the list's length, validating the list once (what `xs[i]` needs).
pub fn element_and_length(
    heap: &Heap,
    list: Value,
    index: usize,
) -> Result<(Option<Value>, usize), RuntimeError> {
    let head = checked_head(heap, list, Some(Kind::List))?;
    let length = list_length(heap, head);
    if index >= length {
        return Ok((None, length));
    }
    Ok((Some(element_of_head(heap, head, index)), length))
}

/// Element `index` (< the length) of the list headed by `head` (already validated).
pub(crate) fn element_of_head(heap: &Heap, head: u32, index: usize) -> Value {
    // The mixed-radix digits of `index`, least significant first (base 7, then base 14):
    // divisions by constants (multiplies), not by 7 * 14^level at every level.
    let height = (list_height(heap, head) as usize).min(MAX_LIST_HEIGHT);
    let mut digits = [0u8; MAX_LIST_HEIGHT + 1];
    digits[0] = (index % LEAF_SLOTS) as u8;
    let mut rest = index / LEAF_SLOTS;
    for digit in digits.iter_mut().take(height + 1).skip(1) {
        *digit = (rest % BRANCH_SLOTS) as u8;
        rest /= BRANCH_SLOTS;
    }
    let memory = heap.memory();
    let mut node = block_of(root_slot(head).read(heap));
    for &digit in digits[1..=height].iter().rev() {
        let offset = NODE_FIRST_SLOT_OFFSET + 4 * usize::from(digit);
        // A child address plus one (0, an empty slot, only in a corrupt tree: it becomes an
        // address no segment has, which the bounds-checked read reports).
        node = memory.read_u32(node, offset).wrapping_sub(1);
    }
    Value(memory.read_u64(node, NODE_FIRST_SLOT_OFFSET + 8 * usize::from(digits[0])))
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
        let words: Vec<Value> = (0..node_slot_count(level > 0))
            .map(|slot| node_slot(node, slot, level).read(heap))
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
    let mut fan_out = LEAF_SLOTS;
    while level_items > 0 {
        let nodes = level_items.div_ceil(fan_out);
        total += nodes as u32;
        if nodes == 1 {
            break;
        }
        level_items = nodes;
        fan_out = BRANCH_SLOTS;
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
        let fan_out = node_slot_count(height > 0);
        let mut parents = Vec::with_capacity(level_items.len().div_ceil(fan_out));
        for (chunk_index, chunk) in level_items.chunks(fan_out).enumerate() {
            let chunk_flags = chunk
                .iter()
                .fold(0, |acc, &v| acc | inherited_flags(heap, v));
            match allocate_node(heap, height, chunk_flags) {
                Ok(node) => {
                    for (slot, &value) in chunk.iter().enumerate() {
                        node_slot(node, slot, height).write(heap, value);
                    }
                    flags |= chunk_flags;
                    parents.push(reference(Kind::ListNode, node));
                }
                Err(error) => {
                    release_all(heap, &parents);
                    release_all(heap, &level_items[chunk_index * fan_out..]);
                    release_on_cleanup(heap, reference(Kind::List, head));
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
        release_on_cleanup(heap, word);
    }
}

/// Height of the minimal (left-packed) tree holding `length` elements: 0 for `0..=7`, 1 for
/// `8..=98`.
pub fn height_for_length(length: usize) -> u8 {
    let mut height = 0u8;
    while capacity(height) < length {
        height += 1;
    }
    height
}

/// The tree of a List being sliced: where the slice's element 0 sits in it.
struct SliceSource {
    root: Value,
    height: u8,
    length: usize,
    start: usize,
}

impl SliceSource {
    /// The node at `level` whose subtree contains element `index` (borrowed).
    fn subtree(&self, heap: &Heap, index: usize, level: u8) -> Value {
        let mut node = self.root;
        for above in (level + 1..=self.height).rev() {
            node = node_slot(block_of(node), slot_for(index, above), above).read(heap);
        }
        node
    }

    /// Element `index` of the source list (borrowed).
    fn element(&self, heap: &Heap, index: usize) -> Value {
        node_slot(
            block_of(self.subtree(heap, index, 0)),
            slot_for(index, 0),
            0,
        )
        .read(heap)
    }
}

/// Elements `start..end` of `list` (borrowed) as a new List that shares structure with it.
/// The caller has checked `start <= end <= len(list)`.
///
/// The result is an ordinary left-packed tree of minimal height. Each of its subtrees (a node
/// at level `L` holding new elements `s..s+c`) is *shared* with `list` — the old node is
/// retained, nothing under it is touched — exactly when the old tree has a node holding the
/// same elements: old index `start + s` is a multiple of `capacity(L)` (the node's alignment) and
/// the old node holds exactly `c` elements (it is full, or it is the old rightmost node and
/// the slice runs to the end of `list`). Every other node is rebuilt, retaining the shared
/// children or the elements it holds. So:
/// - a prefix `0..b` shares every full subtree and rebuilds only its right spine (at most
///   one new block per level plus the head);
/// - a slice whose `start` is a multiple of 7 shares every full leaf (and every full node
///   whose alignment matches) and rebuilds the interior nodes above them;
/// - an unaligned `start` shifts every element to another leaf slot, so the leaves are
///   rebuilt (elements retained, never copied) — the cost of a copy, O(len) blocks;
/// - `0..len(list)` returns `list` itself, retained.
///
/// Allocation is checked up front (the result needs at most `blocks_for_length(end -
/// start)` blocks); on a later failure everything built so far is released.
pub fn slice_shared(
    heap: &mut Heap,
    list: Value,
    start: usize,
    end: usize,
) -> Result<Value, RuntimeError> {
    let head = checked_head(heap, list, Some(Kind::List))?;
    let length = list_length(heap, head);
    if start > end || end > length {
        return Err(RuntimeError::internal(&format!(
            "slice {start}..{end} of a list of length {length}"
        )));
    }
    if start == 0 && end == length {
        return retain(heap, list);
    }
    let count = end - start;
    ensure_blocks_available(heap, blocks_for_length(count))?;
    let source = SliceSource {
        root: root_slot(head).read(heap),
        height: list_height(heap, head),
        length,
        start,
    };
    let height = height_for_length(count);
    let root = if count == 0 {
        None
    } else {
        Some(build_slice_node(heap, &source, height, 0, count)?)
    };
    let flags = root.map_or(0, |root| inherited_flags(heap, root));
    let new_head = match allocate_single_block_object(heap, Kind::List, flags) {
        Ok(new_head) => new_head,
        Err(error) => {
            if let Some(root) = root {
                release_on_cleanup(heap, root);
            }
            return Err(error);
        }
    };
    if let Some(root) = root {
        root_slot(new_head).write(heap, root);
    }
    set_list_shape(heap, new_head, count, height);
    Ok(reference(Kind::List, new_head))
}

/// The owned node at `level` holding the slice's elements `first..first + count`
/// (`count <= capacity(level)`): the source's node when it holds exactly those elements,
/// otherwise a new node over shared or rebuilt children.
fn build_slice_node(
    heap: &mut Heap,
    source: &SliceSource,
    level: u8,
    first: usize,
    count: usize,
) -> Result<Value, RuntimeError> {
    let old_first = source.start + first;
    let size = capacity(level);
    if old_first.is_multiple_of(size) && size.min(source.length - old_first) == count {
        let shared = source.subtree(heap, old_first, level);
        return retain(heap, shared);
    }
    let node = allocate_node(heap, level, 0)?;
    let node_word = reference(Kind::ListNode, node);
    let mut flags = 0;
    let child_size = if level == 0 { 1 } else { capacity(level - 1) };
    for (slot, offset) in (0..count).step_by(child_size).enumerate() {
        let child = if level == 0 {
            let element = source.element(heap, old_first + offset);
            retain(heap, element)
        } else {
            let child_count = child_size.min(count - offset);
            build_slice_node(heap, source, level - 1, first + offset, child_count)
        };
        match child {
            Ok(child) => {
                flags |= inherited_flags(heap, child);
                node_slot(node, slot, level).write(heap, child);
            }
            Err(error) => {
                // The node holds only children it owns, so this release is balanced.
                release_on_cleanup(heap, node_word);
                return Err(error);
            }
        }
    }
    super::header::add_object_flags(heap, node, flags);
    Ok(node_word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::release::release;

    #[test]
    fn tree_shape_helpers_match_the_radix_layout() {
        assert_eq!(capacity(0), 7);
        assert_eq!(capacity(1), 98);
        assert_eq!(capacity(2), 1372);
        assert_eq!(capacity(5), 3_764_768, "a million elements fit in height 5");
        assert!(capacity(MAX_LIST_HEIGHT as u8) > u32::MAX as usize);
        assert!(capacity(MAX_LIST_HEIGHT as u8 - 1) <= u32::MAX as usize);
        assert_eq!(slot_for(97, 1), 13);
        assert_eq!(slot_for(97, 0), 6);
        assert_eq!(slot_for(98, 2), 1);
        assert_eq!(slot_for(98, 1), 0);
        assert_eq!(blocks_for_length(0), 1);
        assert_eq!(blocks_for_length(7), 2);
        assert_eq!(blocks_for_length(8), 4);
        assert_eq!(blocks_for_length(99), 1 + 15 + 2 + 1);
    }

    #[test]
    fn a_built_list_has_the_minimal_height() {
        let mut heap = Heap::new(512).unwrap();
        for (length, height) in [
            (1, 0),
            (7, 0),
            (8, 1),
            (98, 1),
            (99, 2),
            (1372, 2),
            (1373, 3),
        ] {
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
