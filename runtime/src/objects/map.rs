//! Map: a persistent ordered map (AVL tree, one `MapNode` block per entry) under a Map head.
//!
//! Map head (one block): header, `[4..8)` entry count (u32), `[8..16)` root word (0 when
//! empty). MapNode (one block): header (byte 2 = AVL height, leaves are 1), `[4..8)`
//! subtree size (u32), `[8..16)` key, `[16..24)` value, `[24..32)` left, `[32..40)` right.
//! Keys are normalized (see `keys`) and ordered by `keys::compare_keys`. Lookups are
//! O(log n); updates are in `map_update`.

use std::cmp::Ordering;

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::value::{Kind, Value};

use super::children::SlotLocation;
use super::header::{
    KIND_SPECIFIC_OFFSET, allocate_single_block_object, block_of, checked_head, kind_name_of,
    reference,
};
use super::keys::compare_keys;
use super::list::release_all;

pub const MAP_LENGTH_OFFSET: usize = 4;
pub const MAP_ROOT_OFFSET: usize = 8;
pub const NODE_HEIGHT_OFFSET: usize = KIND_SPECIFIC_OFFSET;
pub const NODE_SIZE_OFFSET: usize = 4;
pub const NODE_KEY_OFFSET: usize = 8;
pub const NODE_VALUE_OFFSET: usize = 16;
pub const NODE_LEFT_OFFSET: usize = 24;
pub const NODE_RIGHT_OFFSET: usize = 32;

pub fn slot(block: u32, offset: usize) -> SlotLocation {
    SlotLocation::word(block, offset)
}

pub fn map_root_slot(head: u32) -> SlotLocation {
    slot(head, MAP_ROOT_OFFSET)
}

/// AVL height of a node word (0 for the empty word).
pub fn node_height(heap: &Heap, node: Value) -> u8 {
    if node.bits() == 0 {
        0
    } else {
        heap.memory().read_u8(block_of(node), NODE_HEIGHT_OFFSET)
    }
}

/// Subtree size of a node word (0 for the empty word).
pub fn node_size(heap: &Heap, node: Value) -> u32 {
    if node.bits() == 0 {
        0
    } else {
        heap.memory().read_u32(block_of(node), NODE_SIZE_OFFSET)
    }
}

/// Recomputes a node's height and subtree size from its children.
pub fn update_node(heap: &mut Heap, node: u32) {
    let left = slot(node, NODE_LEFT_OFFSET).read(heap);
    let right = slot(node, NODE_RIGHT_OFFSET).read(heap);
    let height = 1 + node_height(heap, left).max(node_height(heap, right));
    let size = 1 + node_size(heap, left) + node_size(heap, right);
    heap.memory_mut().write_u8(node, NODE_HEIGHT_OFFSET, height);
    heap.memory_mut().write_u32(node, NODE_SIZE_OFFSET, size);
}

pub fn map_length(heap: &Heap, head: u32) -> usize {
    heap.memory().read_u32(head, MAP_LENGTH_OFFSET) as usize
}

pub fn set_map_length(heap: &mut Heap, head: u32, length: usize) {
    heap.memory_mut()
        .write_u32(head, MAP_LENGTH_OFFSET, length as u32);
}

/// Validates that `map` is a Map for builtin `op`; RT0303 otherwise.
pub fn expect_map(heap: &Heap, map: Value, op: &str) -> Result<u32, RuntimeError> {
    if map.heap_kind() == Some(Kind::Map) {
        return checked_head(heap, map, Some(Kind::Map));
    }
    Err(RuntimeError::type_mismatch(
        op,
        "a Map",
        kind_name_of(map)?.as_str(),
    ))
}

pub fn length_of(heap: &Heap, map: Value) -> Result<usize, RuntimeError> {
    Ok(map_length(heap, checked_head(heap, map, Some(Kind::Map))?))
}

pub fn empty_map(heap: &mut Heap) -> Result<Value, RuntimeError> {
    Ok(reference(
        Kind::Map,
        allocate_single_block_object(heap, Kind::Map, 0)?,
    ))
}

/// The value bound to the normalized `key` (borrowed), if any. O(log n).
pub fn lookup(heap: &Heap, map: Value, key: Value) -> Result<Option<Value>, RuntimeError> {
    let head = checked_head(heap, map, Some(Kind::Map))?;
    let mut node = map_root_slot(head).read(heap);
    while node.bits() != 0 {
        let block = block_of(node);
        node = match compare_keys(heap, key, slot(block, NODE_KEY_OFFSET).read(heap))? {
            Ordering::Equal => return Ok(Some(slot(block, NODE_VALUE_OFFSET).read(heap))),
            Ordering::Less => slot(block, NODE_LEFT_OFFSET).read(heap),
            Ordering::Greater => slot(block, NODE_RIGHT_OFFSET).read(heap),
        };
    }
    Ok(None)
}

/// All `(key, value)` pairs in ascending key order (borrowed), by an explicit-stack walk.
pub fn entries(heap: &Heap, map: Value) -> Result<Vec<(Value, Value)>, RuntimeError> {
    let head = checked_head(heap, map, Some(Kind::Map))?;
    let mut out = Vec::with_capacity(map_length(heap, head));
    let mut stack = Vec::new();
    let mut node = map_root_slot(head).read(heap);
    loop {
        while node.bits() != 0 {
            stack.push(node);
            node = slot(block_of(node), NODE_LEFT_OFFSET).read(heap);
        }
        let Some(top) = stack.pop() else { break };
        let block = block_of(top);
        out.push((
            slot(block, NODE_KEY_OFFSET).read(heap),
            slot(block, NODE_VALUE_OFFSET).read(heap),
        ));
        node = slot(block, NODE_RIGHT_OFFSET).read(heap);
    }
    Ok(out)
}

/// Entry `index` in ascending key order (borrowed), or `None` past the end. O(log n): it
/// descends by the nodes' subtree sizes (used by Map iterators).
pub fn entry_at(
    heap: &Heap,
    map: Value,
    index: usize,
) -> Result<Option<(Value, Value)>, RuntimeError> {
    let head = checked_head(heap, map, Some(Kind::Map))?;
    let mut node = map_root_slot(head).read(heap);
    let mut index = index;
    while node.bits() != 0 {
        let block = block_of(node);
        let left = slot(block, NODE_LEFT_OFFSET).read(heap);
        let left_size = node_size(heap, left) as usize;
        node = match index.cmp(&left_size) {
            Ordering::Less => left,
            Ordering::Equal => {
                return Ok(Some((
                    slot(block, NODE_KEY_OFFSET).read(heap),
                    slot(block, NODE_VALUE_OFFSET).read(heap),
                )));
            }
            Ordering::Greater => {
                index -= left_size + 1;
                slot(block, NODE_RIGHT_OFFSET).read(heap)
            }
        };
    }
    Ok(None)
}

/// Builds a Map from `2 * n` owned words `k0 v0 k1 v1 ...` (later duplicate keys win).
/// Consumes every word, also on failure.
pub fn map_from_words(heap: &mut Heap, words: Vec<Value>) -> Result<Value, RuntimeError> {
    let mut map = match empty_map(heap) {
        Ok(map) => map,
        Err(error) => {
            release_all(heap, &words);
            return Err(error);
        }
    };
    for (pair_index, pair) in words.chunks(2).enumerate() {
        let (key, value) = (pair[0], pair.get(1).copied().unwrap_or(Value::UNIT));
        match super::map_update::insert(heap, map, key, value) {
            Ok(updated) => map = updated,
            Err(error) => {
                release_all(heap, &words[(pair_index + 1) * 2..]);
                return Err(error);
            }
        }
    }
    Ok(map)
}
