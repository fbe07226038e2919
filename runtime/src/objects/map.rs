//! Map: a persistent ordered map, a B+ tree of one-block `MapNode`s under a Map head
//! (docs/MEMORY.md, "Objects" and "Map layout").
//!
//! Map head (one block): header, `[4..8)` entry count (u32), `[8..16)` root word (a
//! `MapNode`, 0 when empty). MapNode (one block): header byte 2 = level (0 = leaf), byte 3 =
//! count (a leaf's entries, 1..=3; an interior node's children, 2..=5), `[4..8)` entries in
//! the subtree (u32). A leaf holds keys at `[8..32)` and their values at `[32..56)`, in
//! ascending key order. An interior node holds up to 4 separator keys at `[8..40)` and up
//! to 5 child addresses (`u32`, the child's block address plus one) at `[40..60)`:
//! separator `i` is a (retained) key with every key of child `i` below it and every key of
//! child `i + 1` at or above it. Every leaf is at the same depth. Keys are normalized (see
//! `keys`) and ordered by `keys::compare_keys`. Lookups are O(log n) with one block per
//! level; updates are in `map_update`.

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
/// Header byte of a `MapNode` holding its level (0 = leaf).
pub const NODE_LEVEL_OFFSET: usize = KIND_SPECIFIC_OFFSET;
/// Header byte of a `MapNode` holding its count (leaf: entries; interior: children).
pub const NODE_COUNT_OFFSET: usize = KIND_SPECIFIC_OFFSET + 1;
/// Entries in the node's subtree (u32).
pub const NODE_SIZE_OFFSET: usize = 4;
/// A leaf's first key; key `i` is at `LEAF_KEYS_OFFSET + 8 * i`.
pub const LEAF_KEYS_OFFSET: usize = 8;
/// A leaf's first value; value `i` is at `LEAF_VALUES_OFFSET + 8 * i`.
pub const LEAF_VALUES_OFFSET: usize = 32;
/// An interior node's first separator; separator `i` is at `SEPARATORS_OFFSET + 8 * i`.
pub const SEPARATORS_OFFSET: usize = 8;
/// An interior node's first child address; child `i` is at `CHILDREN_OFFSET + 4 * i`.
pub const CHILDREN_OFFSET: usize = 40;
/// Entries a leaf holds at most.
pub const LEAF_CAPACITY: usize = 3;
/// Entries a leaf other than the root holds at least.
pub const LEAF_MINIMUM: usize = 2;
/// Children an interior node holds at most.
pub const BRANCH_CAPACITY: usize = 5;
/// Children an interior node other than the root holds at least.
pub const BRANCH_MINIMUM: usize = 3;

pub fn slot(block: u32, offset: usize) -> SlotLocation {
    SlotLocation::word(block, offset)
}

pub fn map_root_slot(head: u32) -> SlotLocation {
    slot(head, MAP_ROOT_OFFSET)
}

/// Key `i` of the leaf `node`.
#[inline]
pub fn leaf_key_slot(node: u32, i: usize) -> SlotLocation {
    slot(node, LEAF_KEYS_OFFSET + 8 * i)
}

/// Value `i` of the leaf `node`.
#[inline]
pub fn leaf_value_slot(node: u32, i: usize) -> SlotLocation {
    slot(node, LEAF_VALUES_OFFSET + 8 * i)
}

/// Separator `i` of the interior node `node`.
#[inline]
pub fn separator_slot(node: u32, i: usize) -> SlotLocation {
    slot(node, SEPARATORS_OFFSET + 8 * i)
}

/// Child `i` of the interior node `node` (read and written as `MapNode` words).
#[inline]
pub fn child_slot(node: u32, i: usize) -> SlotLocation {
    SlotLocation::map_node_address(node, CHILDREN_OFFSET + 4 * i)
}

/// The level of the `MapNode` `node` (0 = leaf).
#[inline]
pub fn node_level(heap: &Heap, node: u32) -> u8 {
    heap.memory().read_u8(node, NODE_LEVEL_OFFSET)
}

/// The count of the `MapNode` `node`: a leaf's entries, an interior node's children.
#[inline]
pub fn node_count(heap: &Heap, node: u32) -> usize {
    heap.memory().read_u8(node, NODE_COUNT_OFFSET) as usize
}

pub fn set_node_count(heap: &mut Heap, node: u32, count: usize) {
    heap.memory_mut()
        .write_u8(node, NODE_COUNT_OFFSET, count as u8);
}

/// Entries in the subtree of the `MapNode` `node`.
#[inline]
pub fn node_size(heap: &Heap, node: u32) -> u32 {
    heap.memory().read_u32(node, NODE_SIZE_OFFSET)
}

pub fn set_node_size(heap: &mut Heap, node: u32, size: u32) {
    heap.memory_mut().write_u32(node, NODE_SIZE_OFFSET, size);
}

/// The block of child `i` of the interior node `node`.
#[inline]
pub fn child_block(heap: &Heap, node: u32, i: usize) -> u32 {
    heap.memory()
        .read_u32(node, CHILDREN_OFFSET + 4 * i)
        .wrapping_sub(1)
}

/// Calls `visit` with each child slot of the `MapNode` `node`, in release order (leaf: key
/// 0, value 0, key 1, ...; interior: child 0, separator 0, child 1, ...). Every slot is
/// visited whatever the count: unused slots are kept zero.
pub fn visit_node_slots(heap: &Heap, node: u32, mut visit: impl FnMut(SlotLocation)) {
    if node_level(heap, node) == 0 {
        for i in 0..LEAF_CAPACITY {
            visit(leaf_key_slot(node, i));
            visit(leaf_value_slot(node, i));
        }
    } else {
        for i in 0..BRANCH_CAPACITY {
            visit(child_slot(node, i));
            if i + 1 < BRANCH_CAPACITY {
                visit(separator_slot(node, i));
            }
        }
    }
}

/// The child of interior node `node` (with `children` children) whose range holds `key`.
#[inline]
pub fn child_index(
    heap: &Heap,
    node: u32,
    children: usize,
    key: Value,
) -> Result<usize, RuntimeError> {
    let payload = node_payload(heap, node);
    let last = children.clamp(1, BRANCH_CAPACITY) - 1;
    let mut i = 0;
    while i < last {
        let separator = word_at(payload, SEPARATORS_OFFSET + 8 * i);
        if compare_keys(heap, key, separator)? == Ordering::Less {
            break;
        }
        i += 1;
    }
    Ok(i)
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

/// The root node's block of the Map head `head`, if the map is not empty.
#[inline]
pub fn root_block(heap: &Heap, head: u32) -> Option<u32> {
    let root = map_root_slot(head).read(heap);
    (root.bits() != 0).then(|| block_of(root))
}

/// The value bound to the normalized `key` (borrowed), if any. O(log n): one block per
/// tree level, each read as one payload slice.
pub fn lookup(heap: &Heap, map: Value, key: Value) -> Result<Option<Value>, RuntimeError> {
    let head = checked_head(heap, map, Some(Kind::Map))?;
    let Some(mut node) = root_block(heap, head) else {
        return Ok(None);
    };
    loop {
        let payload = node_payload(heap, node);
        let count = payload[NODE_COUNT_OFFSET] as usize;
        if payload[NODE_LEVEL_OFFSET] == 0 {
            for i in 0..count.min(LEAF_CAPACITY) {
                let stored = word_at(payload, LEAF_KEYS_OFFSET + 8 * i);
                match compare_keys(heap, key, stored)? {
                    Ordering::Equal => {
                        return Ok(Some(word_at(payload, LEAF_VALUES_OFFSET + 8 * i)));
                    }
                    Ordering::Less => return Ok(None),
                    Ordering::Greater => {}
                }
            }
            return Ok(None);
        }
        let last = count.clamp(1, BRANCH_CAPACITY) - 1;
        let mut i = 0;
        while i < last {
            let separator = word_at(payload, SEPARATORS_OFFSET + 8 * i);
            if compare_keys(heap, key, separator)? == Ordering::Less {
                break;
            }
            i += 1;
        }
        let at = CHILDREN_OFFSET + 4 * i;
        let child = u32::from_le_bytes([
            payload[at],
            payload[at + 1],
            payload[at + 2],
            payload[at + 3],
        ]);
        node = child.wrapping_sub(1);
    }
}

/// The payload of the `MapNode` `node`, one bounds check for all its fields.
#[inline(always)]
fn node_payload(heap: &Heap, node: u32) -> &[u8; 60] {
    heap.memory()
        .payload(node)
        .try_into()
        .expect("a block payload is 60 bytes")
}

#[inline(always)]
fn word_at(payload: &[u8; 60], at: usize) -> Value {
    let mut bytes = [0; 8];
    bytes.copy_from_slice(&payload[at..at + 8]);
    Value(u64::from_le_bytes(bytes))
}

/// Blocks a lookup reads below the head: the tree's height plus one (0 when empty).
pub fn lookup_hops(heap: &Heap, map: Value) -> Result<usize, RuntimeError> {
    let head = checked_head(heap, map, Some(Kind::Map))?;
    Ok(root_block(heap, head).map_or(0, |root| node_level(heap, root) as usize + 1))
}

/// All `(key, value)` pairs in ascending key order (borrowed), by an explicit-stack walk.
pub fn entries(heap: &Heap, map: Value) -> Result<Vec<(Value, Value)>, RuntimeError> {
    let head = checked_head(heap, map, Some(Kind::Map))?;
    let mut out = Vec::with_capacity(map_length(heap, head));
    let Some(root) = root_block(heap, head) else {
        return Ok(out);
    };
    // (interior node, next child to visit); leaves are emptied as soon as they are reached.
    let mut stack: Vec<(u32, usize)> = Vec::new();
    let mut node = root;
    loop {
        if node_level(heap, node) == 0 {
            for i in 0..node_count(heap, node) {
                out.push((
                    leaf_key_slot(node, i).read(heap),
                    leaf_value_slot(node, i).read(heap),
                ));
            }
        } else {
            stack.push((node, 0));
        }
        let Some(next) = next_child(heap, &mut stack) else {
            break;
        };
        node = next;
    }
    Ok(out)
}

/// Pops finished interior nodes off `stack` and returns the next child to descend into.
fn next_child(heap: &Heap, stack: &mut Vec<(u32, usize)>) -> Option<u32> {
    while let Some((node, next)) = stack.last_mut() {
        if *next < node_count(heap, *node) {
            let child = child_block(heap, *node, *next);
            *next += 1;
            return Some(child);
        }
        stack.pop();
    }
    None
}

/// Entry `index` in ascending key order (borrowed), or `None` past the end. O(log n): it
/// descends by the nodes' subtree sizes (used by Map iterators).
pub fn entry_at(
    heap: &Heap,
    map: Value,
    index: usize,
) -> Result<Option<(Value, Value)>, RuntimeError> {
    let head = checked_head(heap, map, Some(Kind::Map))?;
    if index >= map_length(heap, head) {
        return Ok(None);
    }
    let Some(mut node) = root_block(heap, head) else {
        return Ok(None);
    };
    let mut index = index;
    loop {
        let count = node_count(heap, node);
        if node_level(heap, node) == 0 {
            if index >= count {
                return Ok(None);
            }
            return Ok(Some((
                leaf_key_slot(node, index).read(heap),
                leaf_value_slot(node, index).read(heap),
            )));
        }
        let mut chosen = None;
        for i in 0..count {
            let child = child_block(heap, node, i);
            let size = node_size(heap, child) as usize;
            if index < size {
                chosen = Some(child);
                break;
            }
            index -= size;
        }
        match chosen {
            Some(child) => node = child,
            None => return Ok(None),
        }
    }
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
