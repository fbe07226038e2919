//! `clone(s)`: an independent cursor over the rest of `s` (docs/LANGUAGE.md, "Sequences"). Every
//! cursor of the chain beneath `s` is copied (a cursor reached twice, as in `zip(s, s)`, is copied
//! once, so the copy behaves exactly like the original); containers, closures and values held by
//! the cursors are shared (retained). Iterative, so a deep chain cannot overflow the Rust stack;
//! the blocks are checked up front, so the copy fails (RT0401/RT0402) before allocating anything,
//! and a later failure releases the partial copy.

use std::collections::{HashMap, HashSet};

use crate::context::Context;
use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::value::{Kind, Value};

use super::header::{add_object_flags, block_of, ensure_blocks_available, object_flags};
use super::release::release_on_cleanup;
use super::retain;
use super::seq::{Tag, expect_iterable, leaf_over, new_cursor, read_cursor, small_int, state_slot};

/// `clone(value)` (borrowed): a copy of a Seq's cursor chain, or a fresh cursor over a List,
/// Map or Text. RT0303 for anything else.
pub fn clone_value(context: &mut Context, value: Value) -> Result<Value, RuntimeError> {
    let heap = &mut context.heap;
    expect_iterable(heap, value, "clone")?;
    if leaf_over(value).is_none() {
        return clone_chain(heap, value);
    }
    // The retained word may be a copy (a saturated count): the cursor must walk that one.
    let container = retain(heap, value)?;
    match leaf_over(container) {
        Some((tag, state)) => new_cursor(heap, tag, &state),
        None => {
            release_on_cleanup(heap, container);
            Err(RuntimeError::internal("a retained container changed kind"))
        }
    }
}

/// The sub-cursors of the cursor `seq` (the Seq words in its chain slots).
fn sub_cursors(heap: &Heap, seq: Value) -> Result<Vec<(usize, Value)>, RuntimeError> {
    let (_, tag, state) = read_cursor(heap, seq)?;
    Ok(tag
        .cursor_slots()
        .iter()
        .map(|&index| (index, state[index]))
        .filter(|(_, word)| word.heap_kind() == Some(Kind::Seq))
        .collect())
}

/// The number of distinct cursors in the chain of `root`.
fn chain_size(heap: &Heap, root: Value) -> Result<u32, RuntimeError> {
    let mut seen = HashSet::from([block_of(root)]);
    let mut stack = vec![root];
    while let Some(seq) = stack.pop() {
        for (_, sub) in sub_cursors(heap, seq)? {
            if seen.insert(block_of(sub)) {
                stack.push(sub);
            }
        }
    }
    Ok(seen.len() as u32)
}

/// A sub-cursor still to copy: the original and the copy slot (parent head, state index)
/// that will own its copy.
type Pending = (Value, u32, usize);

fn clone_chain(heap: &mut Heap, root: Value) -> Result<Value, RuntimeError> {
    ensure_blocks_available(heap, chain_size(heap, root)?)?;
    let mut copies = HashMap::new();
    let mut pending: Vec<Pending> = Vec::new();
    let root_copy = copy_cursor(heap, root, &mut copies, &mut pending)?;
    while let Some((original, parent, index)) = pending.pop() {
        let copy = match copies.get(&block_of(original)) {
            Some(&copy) => retain(heap, copy),
            None => copy_cursor(heap, original, &mut copies, &mut pending),
        };
        match copy {
            Ok(copy) => state_slot(parent, index).write(heap, copy),
            Err(error) => {
                // Every copy made so far hangs off the root copy: this frees them all.
                release_on_cleanup(heap, root_copy);
                return Err(error);
            }
        }
    }
    Ok(root_copy)
}

/// Copies one cursor: its tag and every non-cursor state word (retained); its sub-cursor
/// slots stay Unit and are queued on `pending`.
fn copy_cursor(
    heap: &mut Heap,
    original: Value,
    copies: &mut HashMap<u32, Value>,
    pending: &mut Vec<Pending>,
) -> Result<Value, RuntimeError> {
    let (head, tag, state) = read_cursor(heap, original)?;
    let copy = new_cursor(heap, tag, &[])?;
    let copy_head = block_of(copy);
    add_object_flags(heap, copy_head, object_flags(heap, head));
    copies.insert(head, copy);
    let chain_slots: &[usize] = tag.cursor_slots();
    for (index, word) in state.into_iter().enumerate() {
        if chain_slots.contains(&index) && word.heap_kind() == Some(Kind::Seq) {
            pending.push((word, copy_head, index));
            continue;
        }
        match retain(heap, word) {
            Ok(retained) => state_slot(copy_head, index).write(heap, retained),
            Err(error) => {
                release_on_cleanup(heap, copy);
                return Err(error);
            }
        }
    }
    let text = state_slot(copy_head, 0).read(heap);
    if tag == Tag::TextIter && text != state[0] {
        // The retain handed out a copy of the Text (saturated count): scan it from its head.
        state_slot(copy_head, 2).write(heap, small_int(block_of(text) as usize));
        state_slot(copy_head, 3).write(heap, small_int(0));
    }
    Ok(copy)
}
