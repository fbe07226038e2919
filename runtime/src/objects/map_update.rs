//! Map updates: `insert` and `remove` on the AVL tree of `map`. Every node on the search
//! path is made unique first (in place when its count is 1, a recorded `cow` copy
//! otherwise) and rotations make the nodes they move unique. Every step leaves a
//! well-formed tree (only AVL metadata may be stale), so when an allocation fails half-way
//! the partly updated map is simply released: nothing leaks, and a shared original is
//! untouched.

use std::cmp::Ordering;

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::value::{Kind, Value};

use super::children::SlotLocation;
use super::header::{
    add_object_flags, allocate_single_block_object, block_of, checked_head, inherited_flags,
    kind_name_of, reference,
};
use super::keys::{compare_keys, normalize_key};
use super::map::{
    NODE_HEIGHT_OFFSET, NODE_KEY_OFFSET, NODE_LEFT_OFFSET, NODE_RIGHT_OFFSET, NODE_SIZE_OFFSET,
    NODE_VALUE_OFFSET, entries, expect_map, lookup, map_length, map_root_slot, node_height,
    set_map_length, slot, update_node,
};
use super::release::{make_unique, release, release_on_cleanup, retain};

/// Makes the node at `location` unique, stores it back and returns its block.
fn unique_node_at(heap: &mut Heap, location: SlotLocation) -> Result<u32, RuntimeError> {
    let word = make_unique(heap, location.read(heap))?;
    location.write(heap, word);
    Ok(block_of(word))
}

/// `insert(map, key, value)`: the map with `key` bound to `value` (all three consumed).
/// An existing equal key keeps its stored word; the new key is released.
pub fn insert(
    heap: &mut Heap,
    map: Value,
    key: Value,
    value: Value,
) -> Result<Value, RuntimeError> {
    let prepared = expect_map(heap, map, "insert").and_then(|_| normalize_key(heap, key));
    let key = match prepared {
        Ok(key) => key,
        Err(error) => {
            super::list::release_all(heap, &[map, key, value]);
            return Err(error);
        }
    };
    let mut current = map;
    let mut pending = Some((key, value));
    let outcome = (|| {
        current = make_unique(heap, current)?;
        let head = block_of(current);
        let flags = inherited_flags(heap, key) | inherited_flags(heap, value);
        if insert_at(heap, map_root_slot(head), &mut pending, flags)? {
            let length = map_length(heap, head);
            set_map_length(heap, head, length + 1);
        }
        add_object_flags(heap, head, flags);
        Ok(())
    })();
    match outcome {
        Ok(()) => Ok(current),
        Err(error) => {
            release_on_cleanup(heap, current);
            if let Some((key, value)) = pending {
                super::list::release_all(heap, &[key, value]);
            }
            Err(error)
        }
    }
}

fn insert_at(
    heap: &mut Heap,
    location: SlotLocation,
    pending: &mut Option<(Value, Value)>,
    flags: u8,
) -> Result<bool, RuntimeError> {
    let (key, _) = pending.expect("pair still pending");
    if location.read(heap).bits() == 0 {
        let node = allocate_single_block_object(heap, Kind::MapNode, flags)?;
        let (key, value) = pending.take().expect("pair still pending");
        slot(node, NODE_KEY_OFFSET).write(heap, key);
        slot(node, NODE_VALUE_OFFSET).write(heap, value);
        heap.memory_mut().write_u8(node, NODE_HEIGHT_OFFSET, 1);
        heap.memory_mut().write_u32(node, NODE_SIZE_OFFSET, 1);
        location.write(heap, reference(Kind::MapNode, node));
        return Ok(true);
    }
    let node = unique_node_at(heap, location)?;
    add_object_flags(heap, node, flags);
    let added = match compare_keys(heap, key, slot(node, NODE_KEY_OFFSET).read(heap))? {
        Ordering::Equal => {
            let (key, value) = pending.take().expect("pair still pending");
            let old = slot(node, NODE_VALUE_OFFSET).read(heap);
            slot(node, NODE_VALUE_OFFSET).write(heap, value);
            release(heap, old)?;
            release(heap, key)?;
            return Ok(false);
        }
        Ordering::Less => insert_at(heap, slot(node, NODE_LEFT_OFFSET), pending, flags)?,
        Ordering::Greater => insert_at(heap, slot(node, NODE_RIGHT_OFFSET), pending, flags)?,
    };
    update_node(heap, node);
    rebalance(heap, location)?;
    Ok(added)
}

/// `remove(map, key)`: the map without `key` (map consumed, key borrowed). Removing an
/// absent key returns the map unchanged (no copy).
pub fn remove(heap: &mut Heap, map: Value, key: Value) -> Result<Value, RuntimeError> {
    let mut current = map;
    let outcome = (|| {
        expect_map(heap, map, "remove")?;
        let key = normalize_key(heap, key)?;
        if lookup(heap, map, key)?.is_none() {
            return Ok(());
        }
        current = make_unique(heap, current)?;
        let head = block_of(current);
        remove_at(heap, map_root_slot(head), key)?;
        let length = map_length(heap, head);
        set_map_length(heap, head, length - 1);
        Ok(())
    })();
    match outcome {
        Ok(()) => Ok(current),
        Err(error) => {
            release_on_cleanup(heap, current);
            Err(error)
        }
    }
}

/// Removes the (present) `key` from the subtree at `location`.
fn remove_at(heap: &mut Heap, location: SlotLocation, key: Value) -> Result<(), RuntimeError> {
    let node = unique_node_at(heap, location)?;
    match compare_keys(heap, key, slot(node, NODE_KEY_OFFSET).read(heap))? {
        Ordering::Less => remove_at(heap, slot(node, NODE_LEFT_OFFSET), key)?,
        Ordering::Greater => remove_at(heap, slot(node, NODE_RIGHT_OFFSET), key)?,
        Ordering::Equal => {
            let left = slot(node, NODE_LEFT_OFFSET).read(heap);
            let right = slot(node, NODE_RIGHT_OFFSET).read(heap);
            if left.bits() == 0 || right.bits() == 0 {
                let offset = if left.bits() == 0 {
                    NODE_RIGHT_OFFSET
                } else {
                    NODE_LEFT_OFFSET
                };
                let child = slot(node, offset).take(heap);
                let detached = location.read(heap);
                location.write(heap, child);
                return release(heap, detached);
            }
            let successor = remove_min(heap, slot(node, NODE_RIGHT_OFFSET))?;
            let successor_block = block_of(successor);
            for offset in [NODE_KEY_OFFSET, NODE_VALUE_OFFSET] {
                let ours = slot(node, offset).read(heap);
                let theirs = slot(successor_block, offset).read(heap);
                slot(node, offset).write(heap, theirs);
                slot(successor_block, offset).write(heap, ours);
            }
            release(heap, successor)?;
        }
    }
    update_node(heap, node);
    rebalance(heap, location)
}

/// Detaches the minimum node of the subtree at `location` and returns it (unique, no
/// children); the subtree is rebalanced.
fn remove_min(heap: &mut Heap, location: SlotLocation) -> Result<Value, RuntimeError> {
    let node = unique_node_at(heap, location)?;
    if slot(node, NODE_LEFT_OFFSET).read(heap).bits() == 0 {
        let right = slot(node, NODE_RIGHT_OFFSET).take(heap);
        let detached = location.read(heap);
        location.write(heap, right);
        return Ok(detached);
    }
    let minimum = remove_min(heap, slot(node, NODE_LEFT_OFFSET))?;
    update_node(heap, node);
    if let Err(error) = rebalance(heap, location) {
        // The detached node is ours alone: free it so the failure leaks nothing.
        release_on_cleanup(heap, minimum);
        return Err(error);
    }
    Ok(minimum)
}

fn child_height(heap: &Heap, node: u32, offset: usize) -> i32 {
    node_height(heap, slot(node, offset).read(heap)) as i32
}

/// Restores the AVL balance of the (unique) node at `location`.
fn rebalance(heap: &mut Heap, location: SlotLocation) -> Result<(), RuntimeError> {
    let node = block_of(location.read(heap));
    let balance =
        child_height(heap, node, NODE_LEFT_OFFSET) - child_height(heap, node, NODE_RIGHT_OFFSET);
    if balance > 1 {
        let left = block_of(slot(node, NODE_LEFT_OFFSET).read(heap));
        if child_height(heap, left, NODE_LEFT_OFFSET) < child_height(heap, left, NODE_RIGHT_OFFSET)
        {
            rotate(heap, slot(node, NODE_LEFT_OFFSET), NODE_RIGHT_OFFSET)?;
        }
        rotate(heap, location, NODE_LEFT_OFFSET)?;
    } else if balance < -1 {
        let right = block_of(slot(node, NODE_RIGHT_OFFSET).read(heap));
        if child_height(heap, right, NODE_RIGHT_OFFSET)
            < child_height(heap, right, NODE_LEFT_OFFSET)
        {
            rotate(heap, slot(node, NODE_RIGHT_OFFSET), NODE_LEFT_OFFSET)?;
        }
        rotate(heap, location, NODE_RIGHT_OFFSET)?;
    }
    Ok(())
}

/// Rotates the node at `location` so that its child on side `pivot_side` becomes the
/// subtree root (`pivot_side = LEFT` is a right rotation). Both nodes are made unique.
fn rotate(heap: &mut Heap, location: SlotLocation, pivot_side: usize) -> Result<(), RuntimeError> {
    let other_side = if pivot_side == NODE_LEFT_OFFSET {
        NODE_RIGHT_OFFSET
    } else {
        NODE_LEFT_OFFSET
    };
    let node = unique_node_at(heap, location)?;
    let pivot = unique_node_at(heap, slot(node, pivot_side))?;
    let node_word = location.read(heap);
    let pivot_word = slot(node, pivot_side).read(heap);
    let inner = slot(pivot, other_side).take(heap);
    slot(node, pivot_side).write(heap, inner);
    slot(pivot, other_side).write(heap, node_word);
    location.write(heap, pivot_word);
    update_node(heap, node);
    update_node(heap, pivot);
    Ok(())
}

/// `merge(a, b)`: `a` (consumed) with every entry of `b` (borrowed) inserted over it, in
/// ascending key order, through [`insert`] — so a uniquely owned `a` is updated in place
/// (no `cow`) and a shared one is path-copied. RT0303 `type mismatch: merge expects Map and
/// Map, got {kinds}` when either is not a Map (`a` is released). Merging into an empty `a`
/// returns `b` itself, retained (the result shares all of `b`).
pub fn merge(heap: &mut Heap, a: Value, b: Value) -> Result<Value, RuntimeError> {
    let checked = (|| {
        if a.heap_kind() != Some(Kind::Map) || b.heap_kind() != Some(Kind::Map) {
            let kinds = format!("{} and {}", kind_name_of(a)?, kind_name_of(b)?);
            return Err(RuntimeError::type_mismatch("merge", "Map and Map", &kinds));
        }
        let a_head = checked_head(heap, a, Some(Kind::Map))?;
        checked_head(heap, b, Some(Kind::Map))?;
        Ok((map_length(heap, a_head), entries(heap, b)?))
    })();
    let (a_length, pairs) = match checked {
        Ok(checked) => checked,
        Err(error) => {
            release_on_cleanup(heap, a);
            return Err(error);
        }
    };
    if a_length == 0 && !pairs.is_empty() {
        release(heap, a)?;
        return retain(heap, b);
    }
    let mut current = a;
    for (key, value) in pairs {
        let retained = retain(heap, key).and_then(|key| match retain(heap, value) {
            Ok(value) => Ok((key, value)),
            Err(error) => {
                release_on_cleanup(heap, key);
                Err(error)
            }
        });
        let (key, value) = match retained {
            Ok(pair) => pair,
            Err(error) => {
                release_on_cleanup(heap, current);
                return Err(error);
            }
        };
        // `insert` consumes the map and the pair, also on failure.
        current = insert(heap, current, key, value)?;
    }
    Ok(current)
}
