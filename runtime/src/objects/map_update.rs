//! Map updates: `insert`, `remove` and `merge` on the B+ tree of `map` (docs/MEMORY.md,
//! "Map layout"). Every node on the search path is made unique first (in place when its
//! count is 1, a recorded `cow` copy otherwise), and so is a sibling before it gives or
//! takes entries. An insert that splits nodes allocates every block it needs before it
//! moves anything, so a failed allocation leaves a well-formed tree; a remove only ever
//! leaves a node under its minimum when a copy fails half-way. Either way the partly
//! updated map is then simply released: nothing leaks, and a shared original is untouched.

use std::cmp::Ordering;

use smallvec::SmallVec;

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::value::{Kind, Value};

use super::children::SlotLocation;
use super::header::{
    KIND_OFFSET, add_object_flags, allocate_single_block_object, block_of, checked_head,
    inherited_flags, kind_name_of, object_flags, reference,
};
use super::keys::{compare_keys, normalize_key};
use super::map::{
    BRANCH_CAPACITY, BRANCH_MINIMUM, LEAF_CAPACITY, LEAF_MINIMUM, NODE_LEVEL_OFFSET, child_block,
    child_index, child_slot, entries, expect_map, leaf_key_slot, leaf_value_slot, lookup,
    map_length, map_root_slot, node_count, node_level, node_size, separator_slot, set_map_length,
    set_node_count, set_node_size,
};
use super::release::{make_unique, release, release_on_cleanup, retain};

/// The interior nodes of a root-to-leaf path with the child taken at each.
type Path = SmallVec<[(u32, usize); 24]>;

/// Makes the node at `location` unique, stores it back, adds `flags` and returns its block.
fn unique_node_at(heap: &mut Heap, location: SlotLocation, flags: u8) -> Result<u32, RuntimeError> {
    let word = location.read(heap);
    let block = block_of(word);
    // Fast path: a live `MapNode` with count 1 (its count and kind byte share the block's
    // cache line) is updated in place; anything else takes the checked `make_unique`.
    let node = if heap.memory().contains(block)
        && heap.memory().ref_count(block) == 1
        && heap.memory().read_u8(block, KIND_OFFSET) == Kind::MapNode as u8
    {
        block
    } else {
        let unique = make_unique(heap, word)?;
        if unique != word {
            location.write(heap, unique);
        }
        block_of(unique)
    };
    add_object_flags(heap, node, flags);
    Ok(node)
}

fn write_child(heap: &mut Heap, node: u32, i: usize, child: u32) {
    child_slot(node, i).write(heap, reference(Kind::MapNode, child));
}

fn set_level(heap: &mut Heap, node: u32, level: u8) {
    heap.memory_mut().write_u8(node, NODE_LEVEL_OFFSET, level);
}

/// Entries under the interior node `node`, from its children's sizes.
fn children_size(heap: &Heap, node: u32) -> u32 {
    (0..node_count(heap, node))
        .map(|i| node_size(heap, child_block(heap, node, i)))
        .sum()
}

/// Recomputes the subtree size of `node` (a leaf's count, or its children's sum).
fn recompute_size(heap: &mut Heap, node: u32) {
    let size = if node_level(heap, node) == 0 {
        node_count(heap, node) as u32
    } else {
        children_size(heap, node)
    };
    set_node_size(heap, node, size);
}

fn add_to_sizes(heap: &mut Heap, nodes: &[(u32, usize)], delta: i32) {
    for &(node, _) in nodes {
        let size = node_size(heap, node);
        set_node_size(heap, node, size.wrapping_add_signed(delta));
    }
}

/// Moves entry `from` of leaf `source` to entry `to` of leaf `target` (the source slot
/// is left empty).
fn move_entry(heap: &mut Heap, source: u32, from: usize, target: u32, to: usize) {
    let key = leaf_key_slot(source, from).take(heap);
    let value = leaf_value_slot(source, from).take(heap);
    leaf_key_slot(target, to).write(heap, key);
    leaf_value_slot(target, to).write(heap, value);
}

/// Moves child `from` (and, when `with_separator`, separator `from`) of `source` to
/// position `to` of `target`.
fn move_child(heap: &mut Heap, source: u32, from: usize, target: u32, to: usize) {
    let child = child_slot(source, from).take(heap);
    child_slot(target, to).write(heap, child);
}

fn move_separator(heap: &mut Heap, source: u32, from: usize, target: u32, to: usize) {
    let separator = separator_slot(source, from).take(heap);
    separator_slot(target, to).write(heap, separator);
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
        if insert_into(heap, head, &mut pending, flags)? {
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

/// Inserts the pending pair into the tree of the (unique) head `head`; true when the key
/// was new. The pair is taken once it is stored (or, for an existing key, released).
fn insert_into(
    heap: &mut Heap,
    head: u32,
    pending: &mut Option<(Value, Value)>,
    flags: u8,
) -> Result<bool, RuntimeError> {
    let (key, _) = pending.expect("pair still pending");
    let root_location = map_root_slot(head);
    if root_location.read(heap).bits() == 0 {
        let leaf = allocate_single_block_object(heap, Kind::MapNode, flags)?;
        let (key, value) = pending.take().expect("pair still pending");
        leaf_key_slot(leaf, 0).write(heap, key);
        leaf_value_slot(leaf, 0).write(heap, value);
        set_node_count(heap, leaf, 1);
        set_node_size(heap, leaf, 1);
        root_location.write(heap, reference(Kind::MapNode, leaf));
        return Ok(true);
    }
    let mut path = Path::new();
    let mut node = unique_node_at(heap, root_location, flags)?;
    while node_level(heap, node) > 0 {
        let i = child_index(heap, node, node_count(heap, node), key)?;
        path.push((node, i));
        node = unique_node_at(heap, child_slot(node, i), flags)?;
    }
    let count = node_count(heap, node);
    let mut position = count;
    for i in 0..count {
        match compare_keys(heap, key, leaf_key_slot(node, i).read(heap))? {
            Ordering::Equal => {
                let (key, value) = pending.take().expect("pair still pending");
                let old = leaf_value_slot(node, i).read(heap);
                leaf_value_slot(node, i).write(heap, value);
                release(heap, old)?;
                release(heap, key)?;
                return Ok(false);
            }
            Ordering::Less => {
                position = i;
                break;
            }
            Ordering::Greater => {}
        }
    }
    if count < LEAF_CAPACITY {
        for i in (position..count).rev() {
            move_entry(heap, node, i, node, i + 1);
        }
        let (key, value) = pending.take().expect("pair still pending");
        leaf_key_slot(node, position).write(heap, key);
        leaf_value_slot(node, position).write(heap, value);
        set_node_count(heap, node, count + 1);
        set_node_size(heap, node, count as u32 + 1);
        add_to_sizes(heap, &path, 1);
        return Ok(true);
    }
    split_and_insert(heap, root_location, &path, node, position, pending)?;
    Ok(true)
}

/// Frees blocks allocated for a split that cannot go ahead (they hold nothing).
fn release_fresh(heap: &mut Heap, fresh: &[u32]) {
    for &block in fresh {
        release_on_cleanup(heap, reference(Kind::MapNode, block));
    }
}

/// Inserts the pending pair at `position` of the full `leaf` at the end of `path`: the
/// leaf splits 2 + 2, and every full interior node above it splits 3 + 3 as it takes the
/// new separator and child; a new root is added when the old one splits. Every block is
/// allocated (and the new leaf separator retained) before anything moves.
fn split_and_insert(
    heap: &mut Heap,
    root_location: SlotLocation,
    path: &[(u32, usize)],
    leaf: u32,
    position: usize,
    pending: &mut Option<(Value, Value)>,
) -> Result<(), RuntimeError> {
    let full_above = path
        .iter()
        .rev()
        .take_while(|&&(node, _)| node_count(heap, node) == BRANCH_CAPACITY)
        .count();
    let new_root = full_above == path.len();
    let needed = 1 + full_above + usize::from(new_root);
    let mut fresh: SmallVec<[u32; 24]> = SmallVec::new();
    for _ in 0..needed {
        match allocate_single_block_object(heap, Kind::MapNode, 0) {
            Ok(block) => fresh.push(block),
            Err(error) => {
                release_fresh(heap, &fresh);
                return Err(error);
            }
        }
    }
    let (key, value) = pending.expect("pair still pending");
    let mut keys = [Value(0); LEAF_CAPACITY + 1];
    let mut values = [Value(0); LEAF_CAPACITY + 1];
    let mut from = 0;
    for i in 0..=LEAF_CAPACITY {
        if i == position {
            (keys[i], values[i]) = (key, value);
        } else {
            keys[i] = leaf_key_slot(leaf, from).read(heap);
            values[i] = leaf_value_slot(leaf, from).read(heap);
            from += 1;
        }
    }
    let half = LEAF_CAPACITY.div_ceil(2);
    // The separator is the right leaf's first key; the tree holds it twice.
    let separator = match retain(heap, keys[half]) {
        Ok(separator) => separator,
        Err(error) => {
            release_fresh(heap, &fresh);
            return Err(error);
        }
    };
    // Nothing below fails.
    pending.take();
    let right = fresh[0];
    add_object_flags(heap, right, object_flags(heap, leaf));
    for i in 0..=LEAF_CAPACITY {
        let (node, at) = if i < half {
            (leaf, i)
        } else {
            (right, i - half)
        };
        leaf_key_slot(node, at).write(heap, keys[i]);
        leaf_value_slot(node, at).write(heap, values[i]);
    }
    for i in half..LEAF_CAPACITY {
        leaf_key_slot(leaf, i).write(heap, Value(0));
        leaf_value_slot(leaf, i).write(heap, Value(0));
    }
    let right_half = LEAF_CAPACITY + 1 - half;
    set_node_count(heap, leaf, half);
    set_node_size(heap, leaf, half as u32);
    set_node_count(heap, right, right_half);
    set_node_size(heap, right, right_half as u32);

    let mut carry = (separator, right);
    let mut next_fresh = 1;
    for (depth, &(parent, taken)) in path.iter().enumerate().rev() {
        let children = node_count(heap, parent);
        if children < BRANCH_CAPACITY {
            for i in (taken + 1..children).rev() {
                move_child(heap, parent, i, parent, i + 1);
                move_separator(heap, parent, i - 1, parent, i);
            }
            separator_slot(parent, taken).write(heap, carry.0);
            write_child(heap, parent, taken + 1, carry.1);
            set_node_count(heap, parent, children + 1);
            add_to_sizes(heap, &path[..=depth], 1);
            return Ok(());
        }
        // Split the full parent: 6 children and 5 separators, the new pair at `taken`.
        let mut child_words = [Value(0); BRANCH_CAPACITY + 1];
        let mut separators = [Value(0); BRANCH_CAPACITY];
        let mut from = 0;
        for (i, word) in child_words.iter_mut().enumerate() {
            *word = if i == taken + 1 {
                reference(Kind::MapNode, carry.1)
            } else {
                from += 1;
                child_slot(parent, from - 1).take(heap)
            };
        }
        let mut from = 0;
        for (i, word) in separators.iter_mut().enumerate() {
            *word = if i == taken {
                carry.0
            } else {
                from += 1;
                separator_slot(parent, from - 1).take(heap)
            };
        }
        let sibling = fresh[next_fresh];
        next_fresh += 1;
        add_object_flags(heap, sibling, object_flags(heap, parent));
        set_level(heap, sibling, node_level(heap, parent));
        let half = BRANCH_CAPACITY.div_ceil(2);
        for (i, &word) in child_words.iter().enumerate() {
            let (node, at) = if i < half {
                (parent, i)
            } else {
                (sibling, i - half)
            };
            child_slot(node, at).write(heap, word);
        }
        for (i, &word) in separators.iter().enumerate() {
            if i + 1 < half {
                separator_slot(parent, i).write(heap, word);
            } else if i >= half {
                separator_slot(sibling, i - half).write(heap, word);
            }
        }
        set_node_count(heap, parent, half);
        set_node_count(heap, sibling, BRANCH_CAPACITY + 1 - half);
        recompute_size(heap, parent);
        recompute_size(heap, sibling);
        carry = (separators[half - 1], sibling);
    }
    // The root split: a new root over the two halves.
    let old_root = block_of(root_location.read(heap));
    let root = fresh[next_fresh];
    add_object_flags(heap, root, object_flags(heap, old_root));
    set_level(heap, root, node_level(heap, old_root) + 1);
    write_child(heap, root, 0, old_root);
    separator_slot(root, 0).write(heap, carry.0);
    write_child(heap, root, 1, carry.1);
    set_node_count(heap, root, 2);
    recompute_size(heap, root);
    root_location.write(heap, reference(Kind::MapNode, root));
    Ok(())
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
        if remove_from(heap, head, key)? {
            let length = map_length(heap, head);
            set_map_length(heap, head, length - 1);
        }
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

/// Removes `key` from the tree of the (unique) head `head`; true when it was there.
fn remove_from(heap: &mut Heap, head: u32, key: Value) -> Result<bool, RuntimeError> {
    let root_location = map_root_slot(head);
    if root_location.read(heap).bits() == 0 {
        return Ok(false);
    }
    let mut path = Path::new();
    let mut node = unique_node_at(heap, root_location, 0)?;
    while node_level(heap, node) > 0 {
        let i = child_index(heap, node, node_count(heap, node), key)?;
        path.push((node, i));
        node = unique_node_at(heap, child_slot(node, i), 0)?;
    }
    let count = node_count(heap, node);
    let mut found = None;
    for i in 0..count {
        if compare_keys(heap, key, leaf_key_slot(node, i).read(heap))? == Ordering::Equal {
            found = Some(i);
            break;
        }
    }
    let Some(position) = found else {
        return Ok(false);
    };
    let removed_key = leaf_key_slot(node, position).take(heap);
    let removed_value = leaf_value_slot(node, position).take(heap);
    for i in position + 1..count {
        move_entry(heap, node, i, node, i - 1);
    }
    set_node_count(heap, node, count - 1);
    set_node_size(heap, node, count as u32 - 1);
    add_to_sizes(heap, &path, -1);
    release(heap, removed_key)?;
    release(heap, removed_value)?;
    rebalance(heap, root_location, &path, node)?;
    Ok(true)
}

/// Restores the minimum counts bottom-up from `node` (the leaf at the end of `path`): an
/// underfull node borrows from a sibling that can spare an entry or child, or merges with
/// it; a root left with one child (or an empty root leaf) is removed.
fn rebalance(
    heap: &mut Heap,
    root_location: SlotLocation,
    path: &[(u32, usize)],
    node: u32,
) -> Result<(), RuntimeError> {
    let mut node = node;
    for &(parent, taken) in path.iter().rev() {
        let is_leaf = node_level(heap, node) == 0;
        let minimum = if is_leaf {
            LEAF_MINIMUM
        } else {
            BRANCH_MINIMUM
        };
        if node_count(heap, node) >= minimum {
            break;
        }
        let left_index = taken.saturating_sub(1);
        let left = unique_node_at(heap, child_slot(parent, left_index), 0)?;
        let right = unique_node_at(heap, child_slot(parent, left_index + 1), 0)?;
        let sibling = if left == node { right } else { left };
        add_object_flags(heap, node, object_flags(heap, sibling));
        if node_count(heap, sibling) > minimum {
            if is_leaf {
                borrow_leaf_entry(heap, parent, left_index, left, right, sibling == left)?;
            } else {
                borrow_child(heap, parent, left_index, left, right, sibling == left);
            }
        } else {
            add_object_flags(heap, left, object_flags(heap, right));
            merge_children(heap, parent, left_index, left, right, is_leaf)?;
        }
        node = parent;
    }
    collapse_root(heap, root_location)
}

/// Moves one entry between the adjacent leaves `left` and `right` (children `left_index`
/// and `left_index + 1` of `parent`): `right`'s new first key becomes the separator.
fn borrow_leaf_entry(
    heap: &mut Heap,
    parent: u32,
    left_index: usize,
    left: u32,
    right: u32,
    from_left: bool,
) -> Result<(), RuntimeError> {
    let (left_count, right_count) = (node_count(heap, left), node_count(heap, right));
    let new_first = if from_left {
        leaf_key_slot(left, left_count - 1).read(heap)
    } else {
        leaf_key_slot(right, 1).read(heap)
    };
    let separator = retain(heap, new_first)?;
    if from_left {
        for i in (0..right_count).rev() {
            move_entry(heap, right, i, right, i + 1);
        }
        move_entry(heap, left, left_count - 1, right, 0);
        set_node_count(heap, left, left_count - 1);
        set_node_count(heap, right, right_count + 1);
    } else {
        move_entry(heap, right, 0, left, left_count);
        for i in 1..right_count {
            move_entry(heap, right, i, right, i - 1);
        }
        set_node_count(heap, left, left_count + 1);
        set_node_count(heap, right, right_count - 1);
    }
    recompute_size(heap, left);
    recompute_size(heap, right);
    let old = separator_slot(parent, left_index).read(heap);
    separator_slot(parent, left_index).write(heap, separator);
    release(heap, old)
}

/// Moves one child between the adjacent interior nodes `left` and `right` (children
/// `left_index` and `left_index + 1` of `parent`), rotating the separator through `parent`.
fn borrow_child(
    heap: &mut Heap,
    parent: u32,
    left_index: usize,
    left: u32,
    right: u32,
    from_left: bool,
) {
    let (left_count, right_count) = (node_count(heap, left), node_count(heap, right));
    if from_left {
        for i in (0..right_count).rev() {
            move_child(heap, right, i, right, i + 1);
            if i + 1 < right_count {
                move_separator(heap, right, i, right, i + 1);
            }
        }
        move_separator(heap, parent, left_index, right, 0);
        move_child(heap, left, left_count - 1, right, 0);
        move_separator(heap, left, left_count - 2, parent, left_index);
        set_node_count(heap, left, left_count - 1);
        set_node_count(heap, right, right_count + 1);
    } else {
        move_separator(heap, parent, left_index, left, left_count - 1);
        move_child(heap, right, 0, left, left_count);
        move_separator(heap, right, 0, parent, left_index);
        for i in 1..right_count {
            move_child(heap, right, i, right, i - 1);
            if i + 1 < right_count {
                move_separator(heap, right, i, right, i - 1);
            }
        }
        set_node_count(heap, left, left_count + 1);
        set_node_count(heap, right, right_count - 1);
    }
    recompute_size(heap, left);
    recompute_size(heap, right);
}

/// Merges `right` (child `left_index + 1` of `parent`) into `left` and frees it; the
/// separator between them is released (leaves) or moves down into `left` (interior).
fn merge_children(
    heap: &mut Heap,
    parent: u32,
    left_index: usize,
    left: u32,
    right: u32,
    is_leaf: bool,
) -> Result<(), RuntimeError> {
    let (left_count, right_count) = (node_count(heap, left), node_count(heap, right));
    let separator = separator_slot(parent, left_index).take(heap);
    if is_leaf {
        for i in 0..right_count {
            move_entry(heap, right, i, left, left_count + i);
        }
    } else {
        separator_slot(left, left_count - 1).write(heap, separator);
        for i in 0..right_count {
            move_child(heap, right, i, left, left_count + i);
            if i + 1 < right_count {
                move_separator(heap, right, i, left, left_count + i);
            }
        }
    }
    set_node_count(heap, left, left_count + right_count);
    recompute_size(heap, left);
    set_node_count(heap, right, 0);
    let parent_count = node_count(heap, parent);
    let detached = child_slot(parent, left_index + 1).take(heap);
    for i in left_index + 2..parent_count {
        move_child(heap, parent, i, parent, i - 1);
        move_separator(heap, parent, i - 1, parent, i - 2);
    }
    set_node_count(heap, parent, parent_count - 1);
    release(heap, detached)?;
    if is_leaf {
        release(heap, separator)?;
    }
    Ok(())
}

/// Removes an empty root leaf, or a root interior node left with a single child.
fn collapse_root(heap: &mut Heap, root_location: SlotLocation) -> Result<(), RuntimeError> {
    let root_word = root_location.read(heap);
    if root_word.bits() == 0 {
        return Ok(());
    }
    let root = block_of(root_word);
    let count = node_count(heap, root);
    if node_level(heap, root) == 0 {
        if count == 0 {
            root_location.write(heap, Value(0));
            return release(heap, root_word);
        }
    } else if count == 1 {
        let child = child_slot(root, 0).take(heap);
        root_location.write(heap, child);
        return release(heap, root_word);
    }
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
