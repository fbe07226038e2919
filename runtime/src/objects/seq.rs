//! Seq: lazy, stateful cursors (docs/MEMORY.md, "Sequence cursors"). A cursor is one block with the
//! Tuple layout and kind Seq: six slot words, slot 0 = Int(tag), slots 1..6 the tag's state (Unit
//! when unused). Pulling advances the state in place (`seq_pull`); an exhausted cursor releases its
//! state and becomes `Empty`, so it frees what it held early and stays exhausted. Consumers are in
//! `seq_consume`, `clone` in `seq_clone`.
//!
//! | tag | kind     | slot 1            | slot 2              | slot 3             | slot 4          |
//! |-----|----------|-------------------|---------------------|--------------------|-----------------|
//! | 0   | Empty    | (also "Done": every exhausted cursor)   |          |                    |                 |
//! | 1   | Range    | Int cur           | Int end             | Int step           |                 |
//! | 2   | ListIter | List              | Int index           |                    |                 |
//! | 3   | MapIter  | Map               | Int index           | Int mode: 0 entries, 1 keys, 2 values |  |
//! | 4   | TextIter | Text              | Int byte offset     | Int chain block    | Int block start |
//! | 5   | Map      | Seq src           | Closure f           |                    |                 |
//! | 6   | Filter   | Seq src           | Closure pred        |                    |                 |
//! | 7   | Take     | Seq src           | Int remaining       |                    |                 |
//! | 8   | Drop     | Seq src           | Int to skip         |                    |                 |
//! | 9   | Scan     | Seq src           | accumulator         | Closure f          |                 |
//! | 10  | Zip      | Seq left          | Seq right           |                    |                 |
//! | 11  | Cons     | value             | rest thunk or Unit  |                    |                 |
//! | 12  | FlatMap  | Seq src           | Closure f           | Seq current or Unit| Int 1 for `flat_map`, else Unit |
//! | 13  | Defer    | thunk or Unit     | Seq delegate or Unit|                    |                 |
//! | 14  | Append   | Seq src           | rest thunk or Unit  |                    |                 |
//! | 15  | Random   | Int s0            | Int s1              | Int s2             | Int s3          |
//! | 16  | Chunks   | Seq src           | Int n               |                    |                 |
//! | 17  | Windows  | Seq src           | Int n               | List last window or Unit |           |
//! | 18  | Unique   | Seq src           | Map of key items seen or Unit | List of other items seen or Unit | |
//!
//! Slot 5 is unused (Unit), but for Random: its mode (`objects::random`: -1 Ints, -2
//! Floats, `n` Ints below `n`); `s0..s3` are xoshiro128**'s 32-bit state words. A Cons that yielded its value becomes `Defer(rest)`; an Append
//! whose source ended becomes `Defer(rest)`; a Drop that skipped becomes `Defer(Unit, src)`.
//! "Everything left is the Seq X" is `Defer(Unit, X)`; when X is uniquely owned the cursor
//! takes over X's slots and frees X's shell, so generator chains stay flat. Chunks, Windows
//! and Unique are pulled in `seq_group`.

use crate::abi::shims::release_recording;
use crate::context::Context;
use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::value::{Kind, Value};

use super::children::SlotLocation;
use super::header::{add_object_flags, checked_head, inherited_flags, kind_name_of};
use super::list::retain_all_then;
use super::text::{ChainPosition, scalar_at, text_from_str};
use super::tuple::{
    TUPLE_HEAD_FIRST_SLOT_OFFSET, slots_from_values, tuple_from_values, tuple_length,
};
use super::{list, map, retain};

/// Slot words of every cursor (one block): the tag and five state words.
pub const SEQ_SLOTS: usize = 6;
pub const STATE_SLOTS: usize = SEQ_SLOTS - 1;
/// A cursor's state words (slots 1..6).
pub type State = [Value; STATE_SLOTS];

/// The kind of a cursor (slot 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    Empty = 0,
    Range = 1,
    ListIter = 2,
    MapIter = 3,
    TextIter = 4,
    Map = 5,
    Filter = 6,
    Take = 7,
    Drop = 8,
    Scan = 9,
    Zip = 10,
    Cons = 11,
    FlatMap = 12,
    Defer = 13,
    Append = 14,
    Random = 15,
    Chunks = 16,
    Windows = 17,
    Unique = 18,
}

const TAGS: [Tag; 19] = [
    Tag::Empty,
    Tag::Range,
    Tag::ListIter,
    Tag::MapIter,
    Tag::TextIter,
    Tag::Map,
    Tag::Filter,
    Tag::Take,
    Tag::Drop,
    Tag::Scan,
    Tag::Zip,
    Tag::Cons,
    Tag::FlatMap,
    Tag::Defer,
    Tag::Append,
    Tag::Random,
    Tag::Chunks,
    Tag::Windows,
    Tag::Unique,
];

impl Tag {
    pub fn word(self) -> Value {
        small_int(self as usize)
    }

    /// State slots (0-based) that hold cursors of the chain beneath (cloned by `clone`).
    pub fn cursor_slots(self) -> &'static [usize] {
        match self {
            Tag::Map
            | Tag::Filter
            | Tag::Take
            | Tag::Drop
            | Tag::Scan
            | Tag::Append
            | Tag::Chunks
            | Tag::Windows
            | Tag::Unique => &[0],
            Tag::Zip => &[0, 1],
            Tag::FlatMap => &[0, 2],
            Tag::Defer => &[1],
            _ => &[],
        }
    }
}

/// What a Map iterator yields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapMode {
    Entries = 0,
    Keys = 1,
    Values = 2,
}

/// An Int word for a count or index known to fit (cursor state).
pub fn small_int(n: usize) -> Value {
    Value::int(n as i64).unwrap_or(Value::UNIT)
}

fn corrupt(head: u32) -> RuntimeError {
    RuntimeError::invalid_reference(&format!("Seq at block {head} has a malformed cursor state"))
}

/// An Int of a cursor's state.
pub fn state_int(head: u32, word: Value) -> Result<i64, RuntimeError> {
    word.as_int().ok_or_else(|| corrupt(head))
}

/// State slot `index` (0-based) of the cursor at `head`.
pub fn state_slot(head: u32, index: usize) -> SlotLocation {
    SlotLocation::word(head, TUPLE_HEAD_FIRST_SLOT_OFFSET + 8 * (index + 1))
}

/// `words` padded with Unit to a full state.
pub fn state_of(words: &[Value]) -> State {
    std::array::from_fn(|i| words.get(i).copied().unwrap_or(Value::UNIT))
}

/// Validates a Seq reference; returns its head, tag and state (borrowed words).
pub fn read_cursor(heap: &Heap, seq: Value) -> Result<(u32, Tag, State), RuntimeError> {
    let head = checked_head(heap, seq, Some(Kind::Seq))?;
    if tuple_length(heap, head) != SEQ_SLOTS {
        return Err(corrupt(head));
    }
    let tag_word = SlotLocation::word(head, TUPLE_HEAD_FIRST_SLOT_OFFSET).read(heap);
    let tag = tag_word
        .as_int()
        .and_then(|t| usize::try_from(t).ok())
        .and_then(|t| TAGS.get(t).copied())
        .ok_or_else(|| corrupt(head))?;
    Ok((
        head,
        tag,
        std::array::from_fn(|i| state_slot(head, i).read(heap)),
    ))
}

/// Overwrites a cursor's tag and state; the cursor owns the words of `state` from now on
/// (the caller has moved the old ones out or into `state`). Inherits their flags.
pub fn write_cursor(heap: &mut Heap, head: u32, tag: Tag, state: State) {
    SlotLocation::word(head, TUPLE_HEAD_FIRST_SLOT_OFFSET).write(heap, tag.word());
    let mut flags = 0;
    for (index, word) in state.into_iter().enumerate() {
        state_slot(head, index).write(heap, word);
        flags |= inherited_flags(heap, word);
    }
    add_object_flags(heap, head, flags);
}

/// Stores `word` (now owned by the cursor) in state slot `index`, inheriting its flags.
pub fn store_state(heap: &mut Heap, head: u32, index: usize, word: Value) {
    state_slot(head, index).write(heap, word);
    let flags = inherited_flags(heap, word);
    add_object_flags(heap, head, flags);
}

/// Turns the cursor at `head` into `Empty`, releasing everything it held (in slot order).
pub fn become_empty(context: &mut Context, head: u32) {
    let state: State = std::array::from_fn(|i| state_slot(head, i).read(&context.heap));
    write_cursor(&mut context.heap, head, Tag::Empty, state_of(&[]));
    for word in state {
        release_recording(context, word);
    }
}

/// A new cursor owning `state` (consumed, also on failure).
pub fn new_cursor(heap: &mut Heap, tag: Tag, state: &[Value]) -> Result<Value, RuntimeError> {
    let mut words = Vec::with_capacity(SEQ_SLOTS);
    words.push(tag.word());
    words.extend_from_slice(&state_of(state));
    let cursor = slots_from_values(heap, Kind::Seq, words)?;
    if may_store_produced_values(tag)
        && let Some(address) = cursor.heap_address()
    {
        super::header::add_object_flags(heap, address.bits(), super::header::FLAG_CONTAINS_REF);
    }
    Ok(cursor)
}

/// Cursors that keep values a closure produced while they are pulled (an accumulator, a
/// generator's pending rest or current sub-sequence, the last window, the items seen). Any closure can make a fresh Ref, so
/// such a cursor counts as containing a Ref from the start: a Ref may never hold it (RT0403),
/// and neither may a container or a stage built over it (they inherit the flag when built).
/// Flags never need to change later, so no holder's flag goes stale, and no Ref can come to
/// hold itself through a sequence.
fn may_store_produced_values(tag: Tag) -> bool {
    matches!(
        tag,
        Tag::Scan
            | Tag::Cons
            | Tag::FlatMap
            | Tag::Defer
            | Tag::Append
            | Tag::Windows
            | Tag::Unique
    )
}

/// RT0303 unless `value` is a Seq, List, Map or Text (a live one: RT0404 otherwise).
pub fn expect_iterable(heap: &Heap, value: Value, op: &str) -> Result<(), RuntimeError> {
    match value.heap_kind() {
        Some(Kind::Seq | Kind::List | Kind::Map | Kind::Text) => {
            checked_head(heap, value, None)?;
            Ok(())
        }
        _ => Err(RuntimeError::type_mismatch(
            op,
            "a Seq, List, Map or Text",
            kind_name_of(value)?.as_str(),
        )),
    }
}

/// The leaf cursor over a List, Map or Text `container` (its state takes over the caller's
/// reference, or borrows it for a consumer's local cursor); `None` for anything else.
pub fn leaf_over(container: Value) -> Option<(Tag, State)> {
    let start = small_int(0);
    match container.heap_kind()? {
        Kind::List => Some((Tag::ListIter, state_of(&[container, start]))),
        Kind::Map => Some((
            Tag::MapIter,
            state_of(&[container, start, small_int(MapMode::Entries as usize)]),
        )),
        Kind::Text => {
            let head = container.heap_address()?.index;
            Some((
                Tag::TextIter,
                state_of(&[container, start, small_int(head as usize), start]),
            ))
        }
        _ => None,
    }
}

/// `iter(value)`: the Seq itself, or a new cursor over a List, Map or Text. `value` is owned
/// and consumed, also on failure; anything else is RT0303 for builtin `op`.
pub fn iter_owned(context: &mut Context, value: Value, op: &str) -> Result<Value, RuntimeError> {
    if let Err(error) = expect_iterable(&context.heap, value, op) {
        release_recording(context, value);
        return Err(error);
    }
    match leaf_over(value) {
        Some((tag, state)) => new_cursor(&mut context.heap, tag, &state),
        None => Ok(value),
    }
}

/// A cursor over the keys, values or entries of the Map `map` (owned, consumed also on
/// failure; RT0303 for builtin `op` when it is not a Map).
pub fn map_cursor(
    context: &mut Context,
    map: Value,
    mode: MapMode,
    op: &str,
) -> Result<Value, RuntimeError> {
    if let Err(error) = map::expect_map(&context.heap, map, op) {
        release_recording(context, map);
        return Err(error);
    }
    let state = [map, small_int(0), small_int(mode as usize)];
    new_cursor(&mut context.heap, Tag::MapIter, &state)
}

/// `range(start, end, step)` (borrowed Ints): RT0303 for another kind or a zero step.
pub fn range_cursor(
    heap: &mut Heap,
    start: Value,
    end: Value,
    step: Value,
) -> Result<Value, RuntimeError> {
    for word in [start, end, step] {
        if !word.is_int() {
            return Err(RuntimeError::type_mismatch(
                "range",
                "Int",
                kind_name_of(word)?.as_str(),
            ));
        }
    }
    if step.as_int() == Some(0) {
        return Err(RuntimeError::type_mismatch("range", "a non-zero step", "0"));
    }
    new_cursor(heap, Tag::Range, &[start, end, step])
}

/// Advances a leaf cursor's `state` (Range, ListIter, MapIter, TextIter, Random; only its Ints
/// change): the next item (owned), or `None` when there is nothing more.
pub fn step_leaf(
    heap: &mut Heap,
    head: u32,
    tag: Tag,
    state: &mut State,
) -> Result<Option<Value>, RuntimeError> {
    let int = |index: usize| state_int(head, state[index]);
    match tag {
        Tag::Range => {
            let (current, end, step) = (int(0)?, int(1)?, int(2)?);
            if (step > 0 && current >= end) || (step < 0 && current <= end) || step == 0 {
                return Ok(None);
            }
            // Past the Int range the next value would not exist: the range ends there.
            state[0] = Value::int(current + step).unwrap_or(state[1]);
            Ok(Some(Value::int(current).ok_or_else(|| corrupt(head))?))
        }
        Tag::ListIter => {
            let index = usize::try_from(int(1)?).map_err(|_| corrupt(head))?;
            let Some(element) = list::element_at(heap, state[0], index)? else {
                return Ok(None);
            };
            let element = retain(heap, element)?;
            state[1] = small_int(index + 1);
            Ok(Some(element))
        }
        Tag::MapIter => {
            let index = usize::try_from(int(1)?).map_err(|_| corrupt(head))?;
            let Some((key, value)) = map::entry_at(heap, state[0], index)? else {
                return Ok(None);
            };
            let item = match int(2)? {
                0 => retain_all_then(heap, vec![key, value], tuple_from_values)?,
                1 => retain(heap, key)?,
                2 => retain(heap, value)?,
                _ => return Err(corrupt(head)),
            };
            state[1] = small_int(index + 1);
            Ok(Some(item))
        }
        Tag::TextIter => {
            let offset = usize::try_from(int(1)?).map_err(|_| corrupt(head))?;
            let mut position = ChainPosition {
                block: u32::try_from(int(2)?).map_err(|_| corrupt(head))?,
                start: usize::try_from(int(3)?).map_err(|_| corrupt(head))?,
            };
            let Some(scalar) = scalar_at(heap, state[0], offset, &mut position)? else {
                return Ok(None);
            };
            let item = text_from_str(heap, scalar.encode_utf8(&mut [0; 4]))?;
            state[1] = small_int(offset + scalar.len_utf8());
            state[2] = small_int(position.block as usize);
            state[3] = small_int(position.start);
            Ok(Some(item))
        }
        Tag::Random => Ok(Some(super::random::step(head, state)?)),
        _ => Err(corrupt(head)),
    }
}
