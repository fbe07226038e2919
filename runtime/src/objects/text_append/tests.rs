//! Tests of the owned-left Text append: in place when unique, a copy when shared or when the
//! head's segment is full, and the heap unchanged (but for the consumed left) on RT0401/RT0402.

use super::*;
use crate::error::ErrorCode;
use crate::heap::{SEGMENT_BLOCKS, compare_snapshots};
use crate::objects::header::block_of;
use crate::objects::release::{copy_object, retain};
use crate::objects::text::{text_char_count, text_from_str, text_to_string};

fn chain_is_tight_with_last_recorded(heap: &Heap, text: Value) {
    let head = block_of(text);
    let chain = heap.chain(head);
    let bytes = heap.memory().read_u32(head, TEXT_BYTE_LENGTH_OFFSET) as usize;
    assert_eq!(
        chain.len(),
        Heap::blocks_for(TEXT_BYTES_OFFSET + bytes) as usize
    );
    assert_eq!(Some(&text_last_block(heap, head)), chain.last());
}

#[test]
fn a_unique_left_is_appended_to_in_place_across_block_boundaries() {
    let mut heap = Heap::new(256).unwrap();
    heap.start_trace();
    let mut built = text_from_str(&mut heap, "").unwrap();
    let mut expected = String::new();
    for i in 0..300 {
        let piece = if i % 7 == 0 {
            "ü✓".to_string()
        } else {
            i.to_string()
        };
        let right = text_from_str(&mut heap, &piece).unwrap();
        let before = heap.trace_events().len();
        let joined = concat_texts_owned_left(&mut heap, built, right).unwrap();
        assert_eq!(joined, built, "appended in place: the same word");
        assert_eq!(heap.trace_events().len(), before, "no refcount event");
        release(&mut heap, right).unwrap();
        expected.push_str(&piece);
        built = joined;
        chain_is_tight_with_last_recorded(&heap, built);
    }
    assert_eq!(text_to_string(&heap, built).unwrap(), expected);
    assert_eq!(
        text_char_count(&heap, built).unwrap(),
        expected.chars().count()
    );
    release(&mut heap, built).unwrap();
    assert_eq!(heap.blocks_in_use(), 0);
    heap.validate_free_list().unwrap();
}

#[test]
fn a_shared_left_is_copied_and_stays_unchanged() {
    let mut heap = Heap::new(64).unwrap();
    let left = text_from_str(&mut heap, &"a".repeat(50)).unwrap();
    let other_owner = retain(&mut heap, left).unwrap();
    let right = text_from_str(&mut heap, "bc").unwrap();
    let joined = concat_texts_owned_left(&mut heap, left, right).unwrap();
    assert_ne!(joined, left);
    assert_eq!(text_to_string(&heap, other_owner).unwrap(), "a".repeat(50));
    assert_eq!(heap.ref_count(block_of(other_owner)), 1);
    assert_eq!(
        text_to_string(&heap, joined).unwrap(),
        format!("{}bc", "a".repeat(50))
    );
    chain_is_tight_with_last_recorded(&heap, joined);
    for value in [other_owner, right, joined] {
        release(&mut heap, value).unwrap();
    }
    assert_eq!(heap.blocks_in_use(), 0);
}

#[test]
fn a_copied_text_records_its_own_last_block() {
    let mut heap = Heap::new(64).unwrap();
    let original = text_from_str(&mut heap, &"x".repeat(100)).unwrap();
    let copy = reference(Kind::Text, copy_object(&mut heap, original).unwrap());
    chain_is_tight_with_last_recorded(&heap, copy);
    let right = text_from_str(&mut heap, &"y".repeat(30)).unwrap();
    let joined = concat_texts_owned_left(&mut heap, copy, right).unwrap();
    assert_eq!(joined, copy);
    assert_eq!(text_to_string(&heap, original).unwrap(), "x".repeat(100));
    for value in [original, right, joined] {
        release(&mut heap, value).unwrap();
    }
    assert_eq!(heap.blocks_in_use(), 0);
}

/// RT0402/RT0401 in the middle of an append: the left operand is consumed (freed), nothing
/// else changes, nothing leaks.
#[test]
fn quota_and_exhaustion_leave_the_heap_as_before_but_for_the_consumed_left() {
    for quota in [true, false] {
        let mut heap = Heap::new(if quota { 64 } else { 7 }).unwrap();
        let right = text_from_str(&mut heap, &"r".repeat(200)).unwrap(); // 4 blocks
        let before = heap.snapshot();
        let left = text_from_str(&mut heap, "left").unwrap();
        if quota {
            heap.set_quota(Some(heap.blocks_in_use() + 2));
        }
        heap.start_trace();
        let error = concat_texts_owned_left(&mut heap, left, right).unwrap_err();
        let expected = if quota {
            ErrorCode::RT0402
        } else {
            ErrorCode::RT0401
        };
        assert_eq!(error.code, expected);
        let events = heap.take_trace();
        assert_eq!(events.len(), 1, "only the left operand's free: {events:?}");
        assert!(compare_snapshots(&before, &heap.snapshot()).is_clean());
        assert_eq!(text_to_string(&heap, right).unwrap(), "r".repeat(200));
        heap.validate_free_list().unwrap();
    }
}

#[test]
fn a_full_segment_copies_into_a_segment_that_fits() {
    let mut heap = Heap::new(SEGMENT_BLOCKS + 64).unwrap();
    let left = text_from_str(&mut heap, &"l".repeat(40)).unwrap();
    let right = text_from_str(&mut heap, &"r".repeat(30)).unwrap();
    let free_in_first = heap.free_list_of(0).unwrap().2;
    let filler = heap.malloc_blocks(free_in_first, false).unwrap();
    assert_eq!(heap.segment_count(), 1);
    let joined = concat_texts_owned_left(&mut heap, left, right).unwrap();
    assert_eq!(block_of(joined) >> 16, 1, "copied into segment 1");
    assert_eq!(
        text_to_string(&heap, joined).unwrap(),
        format!("{}{}", "l".repeat(40), "r".repeat(30))
    );
    chain_is_tight_with_last_recorded(&heap, joined);
    assert_eq!(
        heap.free_list_of(0).unwrap().2,
        1,
        "the left operand was freed"
    );
    heap.free_chain(filler).unwrap();
    for value in [right, joined] {
        release(&mut heap, value).unwrap();
    }
    assert_eq!(heap.blocks_in_use(), 0);
}

#[test]
fn a_wrong_kind_or_bad_reference_consumes_the_left() {
    let mut heap = Heap::new(16).unwrap();
    let left = text_from_str(&mut heap, "a").unwrap();
    let forged = Value::heap(Kind::Text, crate::value::BlockAddress::from_bits(9));
    let error = concat_texts_owned_left(&mut heap, left, forged).unwrap_err();
    assert_eq!(error.code, ErrorCode::RT0404);
    assert_eq!(heap.blocks_in_use(), 0);
}
