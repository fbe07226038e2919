//! List updates: `push`, `pop`, `set` and `extend` (spread). Each walks the root-to-leaf
//! path, making every node on it unique first (`make_unique`: in place when the count is 1,
//! otherwise a recorded `cow` copy), so a uniquely owned list is updated in place with no
//! `cow` event and a shared one is path-copied. Every step leaves a well-formed tree, so when
//! an allocation fails half-way the partly updated list is simply released: nothing leaks,
//! and a shared original is untouched.
//!
//! Ownership: the list and the stored value are consumed, on success and on failure.

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::value::{Kind, Value};

use super::children::SlotLocation;
use super::header::{
    add_object_flags, block_of, checked_head, inherited_flags, kind_name_of, live_head_of,
    reference,
};
use super::list::{
    allocate_node, capacity, elements, list_height, list_length, node_slot, node_slot_count,
    root_slot, set_list_shape, slot_for,
};
use super::list_tail::{push_into_cached_tail_leaf, remember_tail_leaf};
use super::release::{make_unique, release, release_on_cleanup, retain};

/// Validates that `list` is a List for builtin `op`; RT0303 otherwise.
pub fn expect_list(heap: &Heap, list: Value, op: &str) -> Result<u32, RuntimeError> {
    if list.heap_kind() == Some(Kind::List) {
        return checked_head(heap, list, Some(Kind::List));
    }
    Err(RuntimeError::type_mismatch(
        op,
        "a List",
        kind_name_of(list)?.as_str(),
    ))
}

/// Runs `steps` on a list being updated; on failure releases the (possibly already
/// copied) list and whatever owned value was not stored yet.
fn run_update(
    heap: &mut Heap,
    list: Value,
    pending: Option<Value>,
    op: &str,
    steps: impl FnOnce(&mut Heap, &mut Value, &mut Option<Value>) -> Result<(), RuntimeError>,
) -> Result<Value, RuntimeError> {
    let mut current = list;
    let mut pending = pending;
    let outcome = expect_list(heap, list, op).and_then(|_| steps(heap, &mut current, &mut pending));
    match outcome {
        Ok(()) => Ok(current),
        Err(error) => {
            release_on_cleanup(heap, current);
            if let Some(value) = pending {
                release_on_cleanup(heap, value);
            }
            Err(error)
        }
    }
}

/// Makes the node at `location` unique (allocating an empty one at `level` if the slot is
/// empty), stores it back and returns its block.
fn unique_node_at(
    heap: &mut Heap,
    location: SlotLocation,
    level: u8,
    flags: u8,
) -> Result<u32, RuntimeError> {
    let word = location.read(heap);
    let node_word = if word.bits() == 0 {
        reference(Kind::ListNode, allocate_node(heap, level, 0)?)
    } else {
        make_unique(heap, word)?
    };
    location.write(heap, node_word);
    let node = block_of(node_word);
    add_object_flags(heap, node, flags);
    Ok(node)
}

/// `push(list, value)`: the list with `value` appended.
pub fn push(heap: &mut Heap, list: Value, value: Value) -> Result<Value, RuntimeError> {
    if push_into_cached_tail_leaf(heap, list, value) || push_in_place_when_unique(heap, list, value)
    {
        return Ok(list);
    }
    run_update(heap, list, Some(value), "push", |heap, current, pending| {
        let head = block_of(*current);
        let (length, mut height) = (list_length(heap, head), list_height(heap, head));
        *current = make_unique(heap, *current)?;
        let head = block_of(*current);
        let flags = pending.map(|v| inherited_flags(heap, v)).unwrap_or(0);
        let root = root_slot(head).read(heap);
        if root.bits() != 0 && length == capacity(height) {
            let old_root_flags = inherited_flags(heap, root);
            let new_root = allocate_node(heap, height + 1, old_root_flags)?;
            height += 1;
            node_slot(new_root, 0, height).write(heap, root);
            root_slot(head).write(heap, reference(Kind::ListNode, new_root));
            set_list_shape(heap, head, length, height);
        }
        let mut location = root_slot(head);
        let mut level = height;
        let leaf = loop {
            let node = unique_node_at(heap, location, level, flags)?;
            location = node_slot(node, slot_for(length, level), level);
            if level == 0 {
                break node;
            }
            level -= 1;
        };
        location.write(heap, pending.take().expect("value still pending"));
        add_object_flags(heap, head, flags);
        set_list_shape(heap, head, length + 1, height);
        // Every node on the right spine was just made unique.
        remember_tail_leaf(heap, head, leaf);
        Ok(())
    })
}

/// The common case of `push`, without the general path's bookkeeping: a valid List whose
/// head and every node on its rightmost path have count 1 (what `make_unique` would keep in
/// place) and whose rightmost path already has the node for the new element at every level
/// (the general path would allocate nothing). Then the value is stored and the flags and
/// shape updated exactly as the general path does, with no refcount event on either path.
/// Returns false, having changed nothing, in every other case (a shared or invalid node, a
/// node to allocate, a full tree), which the general path handles and reports.
fn push_in_place_when_unique(heap: &mut Heap, list: Value, value: Value) -> bool {
    // The kind test first: an empty slot (word 0) is common and must not format an error.
    let unique_node = |heap: &Heap, word: Value, kind: Kind| {
        (word.heap_kind() == Some(kind))
            .then(|| checked_head(heap, word, Some(kind)).ok())
            .flatten()
            .filter(|&block| heap.ref_count(block) == 1)
    };
    let Some(head) = unique_node(heap, list, Kind::List) else {
        return false;
    };
    let (length, height) = (list_length(heap, head), list_height(heap, head));
    let root = root_slot(head).read(heap);
    if root.bits() == 0
        || length >= capacity(height)
        || usize::from(height) > super::list::MAX_LIST_HEIGHT
    {
        return false;
    }
    let mut path = [0u32; super::list::MAX_LIST_HEIGHT + 1];
    let mut word = root;
    for level in (0..=usize::from(height)).rev() {
        let Some(node) = unique_node(heap, word, Kind::ListNode) else {
            return false;
        };
        path[level] = node;
        if level > 0 {
            word = node_slot(node, slot_for(length, level as u8), level as u8).read(heap);
        }
    }
    let flags = inherited_flags(heap, value);
    for &node in path[..=usize::from(height)].iter().rev() {
        add_object_flags(heap, node, flags);
    }
    node_slot(path[0], slot_for(length, 0), 0).write(heap, value);
    add_object_flags(heap, head, flags);
    set_list_shape(heap, head, length + 1, height);
    remember_tail_leaf(heap, head, path[0]);
    true
}

/// `pop(list)`: the list without its last element (the element is released).
/// Popping an empty list is RT0107 `pop from an empty list`.
pub fn pop(heap: &mut Heap, list: Value) -> Result<Value, RuntimeError> {
    heap.invalidate_list_tail_caches(); // reshapes or rewrites spines in place
    run_update(heap, list, None, "pop", |heap, current, _| {
        let head = block_of(*current);
        let (length, mut height) = (list_length(heap, head), list_height(heap, head));
        if length == 0 {
            return Err(RuntimeError::pop_from_empty_list());
        }
        *current = make_unique(heap, *current)?;
        let head = block_of(*current);
        let index = length - 1;
        let mut path = Vec::with_capacity(height as usize + 1);
        let mut location = root_slot(head);
        let mut level = height;
        let popped = loop {
            let node = unique_node_at(heap, location, level, 0)?;
            path.push((location, level));
            let slot = node_slot(node, slot_for(index, level), level);
            if level == 0 {
                break slot.take(heap);
            }
            location = slot;
            level -= 1;
        };
        for &(location, level) in path.iter().rev() {
            let node = block_of(location.read(heap));
            let slots = node_slot_count(level > 0);
            if (0..slots).any(|slot| node_slot(node, slot, level).read(heap).bits() != 0) {
                break;
            }
            let empty = location.take(heap);
            release(heap, empty)?;
        }
        while height > 0 {
            let root = root_slot(head).read(heap);
            if root.bits() == 0 {
                height = 0;
                break;
            }
            if node_slot(block_of(root), 1, height).read(heap).bits() != 0 {
                break;
            }
            let only_child = node_slot(block_of(root), 0, height).take(heap);
            root_slot(head).write(heap, only_child);
            release(heap, root)?;
            height -= 1;
        }
        set_list_shape(heap, head, index, height);
        release(heap, popped)
    })
}

/// `set(list, index, value)`: the list with element `index` replaced (RT0101 when the
/// index is not an Int, RT0103 when it is out of range). `index` is borrowed.
pub fn set(
    heap: &mut Heap,
    list: Value,
    index: Value,
    value: Value,
) -> Result<Value, RuntimeError> {
    heap.invalidate_list_tail_caches(); // rewrites a spine in place
    if set_in_place_when_unique(heap, list, index, value) {
        return Ok(list);
    }
    run_update(heap, list, Some(value), "set", |heap, current, pending| {
        let head = block_of(*current);
        let (length, height) = (list_length(heap, head), list_height(heap, head));
        let Some(position) = index.as_int() else {
            return Err(RuntimeError::list_index_type(kind_name_of(index)?));
        };
        if position < 0 || position as usize >= length {
            return Err(RuntimeError::index_out_of_bounds(position, length));
        }
        let position = position as usize;
        *current = make_unique(heap, *current)?;
        let head = block_of(*current);
        let flags = pending.map(|v| inherited_flags(heap, v)).unwrap_or(0);
        let mut location = root_slot(head);
        let mut level = height;
        loop {
            let node = unique_node_at(heap, location, level, flags)?;
            location = node_slot(node, slot_for(position, level), level);
            if level == 0 {
                break;
            }
            level -= 1;
        }
        let old = location.read(heap);
        location.write(heap, pending.take().expect("value still pending"));
        add_object_flags(heap, head, flags);
        // The replaced element is released as the `release` op releases (`rt_release`):
        // it cannot fail the update; a violation found on the way is recorded. So an
        // engine's inline `set` may store and then call `rt_release` for the old element.
        release_on_cleanup(heap, old);
        Ok(())
    })
}

/// [`set`]'s fast path, the state the JIT's inline `set` stores in: the head and every node
/// on the path to element `index` (an in-range Int) are live heads with count 1 — so
/// `make_unique` would keep each in place and record nothing — and `value` has no flags for
/// the containers to inherit. Stores `value`, releases the old element as `set` releases it
/// and returns true; false, having changed nothing, otherwise (the general path then runs).
fn set_in_place_when_unique(heap: &mut Heap, list: Value, index: Value, value: Value) -> bool {
    let unique = |heap: &Heap, word: Value, kind: Kind| {
        live_head_of(heap, word, kind).filter(|&block| heap.ref_count(block) == 1)
    };
    let Some(head) = unique(heap, list, Kind::List) else {
        return false;
    };
    let Some(position) = index.as_int().and_then(|i| usize::try_from(i).ok()) else {
        return false;
    };
    let height = list_height(heap, head);
    if position >= list_length(heap, head) || usize::from(height) > super::list::MAX_LIST_HEIGHT {
        return false;
    }
    // `inherited_flags` reads a heap value's flag byte: only of a mapped block.
    let mapped = value
        .heap_block()
        .is_none_or(|block| heap.memory().contains(block));
    if !mapped || inherited_flags(heap, value) != 0 {
        return false;
    }
    let mut word = root_slot(head).read(heap);
    let mut level = height;
    let leaf_slot = loop {
        let Some(node) = unique(heap, word, Kind::ListNode) else {
            return false;
        };
        let slot = node_slot(node, slot_for(position, level), level);
        if level == 0 {
            break slot;
        }
        word = slot.read(heap);
        level -= 1;
    };
    let old = leaf_slot.read(heap);
    leaf_slot.write(heap, value);
    release_on_cleanup(heap, old);
    true
}

/// List spread `[...other]` appended to `list`: `list` owned, `other` borrowed (a List;
/// RT0303 `spread expects a List, got X` otherwise). Elements are retained into the result.
pub fn extend(heap: &mut Heap, list: Value, other: Value) -> Result<Value, RuntimeError> {
    let items = match expect_list(heap, other, "spread").and_then(|_| elements(heap, other)) {
        Ok(items) => items,
        Err(error) => {
            release_on_cleanup(heap, list);
            return Err(error);
        }
    };
    if let Err(error) = expect_list(heap, list, "spread") {
        release_on_cleanup(heap, list);
        return Err(error);
    }
    let mut current = list;
    for item in items {
        let owned = match retain(heap, item) {
            Ok(owned) => owned,
            Err(error) => {
                release_on_cleanup(heap, current);
                return Err(error);
            }
        };
        current = push(heap, current, owned)?;
    }
    Ok(current)
}

/// Blocks `reverse` must allocate to make every node of `list` unique: the head if it is
/// shared, and every node that is shared or lies under a shared node (its copy's children
/// become shared). A fully unique list needs none.
fn blocks_to_unshare(heap: &Heap, list: Value) -> u32 {
    let head = block_of(list);
    let head_shared = heap.ref_count(head) > 1;
    let mut total = u32::from(head_shared);
    let mut stack = vec![(
        root_slot(head).read(heap),
        list_height(heap, head),
        head_shared,
    )];
    while let Some((word, level, above_shared)) = stack.pop() {
        if word.bits() == 0 {
            continue;
        }
        let node = block_of(word);
        let shared = above_shared || heap.ref_count(node) > 1;
        total += u32::from(shared);
        if level > 0 {
            for slot in 0..node_slot_count(true) {
                stack.push((node_slot(node, slot, level).read(heap), level - 1, shared));
            }
        }
    }
    total
}

/// `reverse(list)`: the list reversed (consumed; RT0303 `type mismatch: reverse expects a
/// List, got X` otherwise). Every node is made unique top-down (`make_unique`: in place at
/// count 1, a recorded `cow` copy when shared) and then the element words are swapped
/// pairwise, so a uniquely owned list is reversed in place with no refcount event at all,
/// and a shared one is copied node by node. The blocks a copy needs are checked up front.
pub fn reverse(heap: &mut Heap, list: Value) -> Result<Value, RuntimeError> {
    heap.invalidate_list_tail_caches(); // reshapes or rewrites spines in place
    run_update(heap, list, None, "reverse", |heap, current, _| {
        let length = list_length(heap, block_of(*current));
        if length < 2 {
            return Ok(());
        }
        let leaf_slots = unique_element_slots(heap, current)?;
        for low in 0..length / 2 {
            let high = length - 1 - low;
            let (a, b) = (leaf_slots[low].read(heap), leaf_slots[high].read(heap));
            leaf_slots[low].write(heap, b);
            leaf_slots[high].write(heap, a);
        }
        Ok(())
    })
}

/// Makes every node of the List `*current` (owned) unique top-down (`make_unique`: in place
/// at count 1, a recorded `cow` copy when shared; the blocks a copy needs are checked up
/// front) and returns the slots of its elements in order, ready to be rewritten in place
/// (`reverse`, `sort`). Elements move between leaves, so every node gets the head's
/// inherited flags (a Ref or NaN may now sit under any of them). `*current` is replaced by
/// the unique list; on failure it is a well-formed list the caller releases. The caller
/// invalidates the tail caches first.
pub fn unique_element_slots(
    heap: &mut Heap,
    current: &mut Value,
) -> Result<Vec<SlotLocation>, RuntimeError> {
    let length = list_length(heap, block_of(*current));
    super::header::ensure_blocks_available(heap, blocks_to_unshare(heap, *current))?;
    *current = make_unique(heap, *current)?;
    let head = block_of(*current);
    let flags = super::header::object_flags(heap, head)
        & (super::header::FLAG_CONTAINS_REF | super::header::FLAG_MAY_HOLD_NAN);
    let mut leaf_slots = Vec::with_capacity(length);
    let mut stack = vec![(root_slot(head), list_height(heap, head))];
    while let Some((location, level)) = stack.pop() {
        if location.read(heap).bits() == 0 {
            continue; // the root of an empty list
        }
        let word = make_unique(heap, location.read(heap))?;
        location.write(heap, word);
        let node = block_of(word);
        add_object_flags(heap, node, flags);
        let children: Vec<SlotLocation> = (0..node_slot_count(level > 0))
            .map(|slot| node_slot(node, slot, level))
            .filter(|slot| slot.read(heap).bits() != 0)
            .collect();
        if level == 0 {
            leaf_slots.extend(children);
        } else {
            stack.extend(children.into_iter().rev().map(|slot| (slot, level - 1)));
        }
    }
    if leaf_slots.len() != length {
        return Err(RuntimeError::invalid_reference(&format!(
            "List at block {head} holds {} elements, its length says {length}",
            leaf_slots.len()
        )));
    }
    Ok(leaf_slots)
}
