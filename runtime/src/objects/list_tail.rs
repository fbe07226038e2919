//! The tail-leaf cache of a List head, which makes `push` into a uniquely owned list O(1)
//! without path copying or walking the tree (as Clojure's and Scala's persistent vectors do
//! with their tail buffer) while keeping the tree, and so every list's block count, exactly
//! as it was.
//!
//! A List head's payload bytes `[16..20)` hold the address of the list's rightmost leaf and
//! `[24..32)` the heap's list-tail epoch when that was recorded (0, as in a freshly
//! allocated head: no cache). `push` records it after every push that leaves the whole
//! right spine uniquely owned (the general path makes every node on it unique; the in-place
//! path checks that they are). The cache stays valid as long as no node can have become
//! shared and no list's right spine has changed other than by pushes into that leaf, and
//! the heap's epoch enforces that: it advances whenever
//! - a `ListNode` is retained (`release::retain`: the only way a node gains an owner; copying
//!   a List head retains its root, slicing retains the subtrees it shares), and
//! - `pop`, `set` or `reverse` runs (they reshape or rewrite spines in place).
//!
//! A push uses the cache when the head is a valid List with count 1, its epoch is current,
//! the new element goes into the cached leaf (the length is not a multiple of 7: a full leaf
//! means a new one), the value carries no flags to propagate up the spine, and the leaf is
//! a live `ListNode` head with count 1. It then stores the value and bumps the length —
//! exactly what the general path does in that state, with no refcount event on either
//! path. Anything else falls back to the general path, which reports any error.

use crate::heap::{BlockState, Heap};
use crate::value::{Kind, Value};

use super::header::{KIND_OFFSET, checked_head, inherited_flags};
use super::list::{LEAF_SLOTS, list_height, list_length, node_slot, set_list_shape};

/// Payload offset of the cached rightmost leaf's address (u32) in a List head.
pub const LIST_TAIL_LEAF_OFFSET: usize = 16;
/// Payload offset of the epoch the cache was recorded at (u64; 0 = none) in a List head.
pub const LIST_TAIL_EPOCH_OFFSET: usize = 24;

/// Records `leaf` as the rightmost leaf of the List headed by `head`, whose right spine is
/// uniquely owned right now.
pub fn remember_tail_leaf(heap: &mut Heap, head: u32, leaf: u32) {
    let epoch = heap.list_tail_epoch();
    let memory = heap.memory_mut();
    memory.write_u32(head, LIST_TAIL_LEAF_OFFSET, leaf);
    memory.write_u64(head, LIST_TAIL_EPOCH_OFFSET, epoch);
}

/// `push(list, value)` through the cache when it applies (see the module docs); `false`,
/// having changed nothing, otherwise.
pub fn push_into_cached_tail_leaf(heap: &mut Heap, list: Value, value: Value) -> bool {
    if list.heap_kind() != Some(Kind::List) {
        return false;
    }
    let Ok(head) = checked_head(heap, list, Some(Kind::List)) else {
        return false;
    };
    let memory = heap.memory();
    let epoch = memory.read_u64(head, LIST_TAIL_EPOCH_OFFSET);
    let length = list_length(heap, head);
    if heap.ref_count(head) != 1
        || epoch != heap.list_tail_epoch()
        || length.is_multiple_of(LEAF_SLOTS)
        // `inherited_flags` reads a heap value's flag byte: only of a mapped block.
        || value.heap_block().is_some_and(|block| !memory.contains(block))
        || inherited_flags(heap, value) != 0
    {
        return false;
    }
    let leaf = memory.read_u32(head, LIST_TAIL_LEAF_OFFSET);
    if heap.state(leaf) != Some(BlockState::Head)
        || heap.ref_count(leaf) != 1
        || memory.read_u8(leaf, KIND_OFFSET) != Kind::ListNode as u8
    {
        return false;
    }
    node_slot(leaf, length % LEAF_SLOTS, 0).write(heap, value);
    let height = list_height(heap, head);
    set_list_shape(heap, head, length + 1, height);
    true
}
