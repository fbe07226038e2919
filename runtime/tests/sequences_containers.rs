//! Lists, Maps and Texts as sequences: `iter`, `keys`, `values` and consumers over
//! containers (which walk them without allocating a cursor), Map iteration in ascending key
//! order by position, and Text iteration by Unicode scalar across block boundaries (also
//! through the copy a saturated count hands out).

mod seq_support;
mod shim_harness;

use cairn_runtime::Value;
use cairn_runtime::abi::shims;
use cairn_runtime::heap::MAX_REF_COUNT;
use cairn_runtime::objects::header::block_of;
use seq_support::{collected, error_text, harness, next_shown};
use shim_harness::int;

#[test]
fn lists_maps_and_texts_iterate_as_sequences() {
    let mut h = harness(512);
    let before = h.snapshot();
    let items: Vec<Value> = (0..60).map(int).collect();
    let list = h.list(&items);
    let shared = h.retain(list);
    let seq = h.call1(shims::rt_iter, shared).unwrap();
    let expected = format!(
        "[{}]",
        (0..60)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert_eq!(collected(&mut h, seq), expected);
    h.release(seq);
    // Consumers borrow a container and walk it without allocating a cursor.
    assert_eq!(h.call1(shims::rt_count, list).unwrap(), int(60));
    assert_eq!(h.call1(shims::rt_sum, list).unwrap(), int(1770));
    assert_eq!(next_shown(&mut h, list), "(true, 0)");
    h.release(list);

    let (b, a, c) = (h.text("b"), h.text("a"), h.text("c"));
    let map = h.map(&[b, int(2), a, int(1), c, int(3)]);
    assert_eq!(collected(&mut h, map), r#"[("a", 1), ("b", 2), ("c", 3)]"#);
    let for_keys = h.retain(map);
    let keys = h.call1(shims::rt_keys, for_keys).unwrap();
    assert_eq!(collected(&mut h, keys), r#"["a", "b", "c"]"#);
    h.release(keys);
    let values = h.call1(shims::rt_values, map).unwrap();
    assert_eq!(collected(&mut h, values), "[1, 2, 3]");
    h.release(values);
    let not_map = h.call1(shims::rt_keys, int(3));
    assert_eq!(
        error_text(not_map),
        "RT0303 type mismatch: keys expects a Map, got Int"
    );

    // Multi-byte scalars straddle the 60-byte block boundaries of the Text's chain.
    let sample = "héllo wörld ✓ ".repeat(12) + "𝄞";
    let text = h.text(&sample);
    assert_eq!(
        h.call1(shims::rt_count, text).unwrap(),
        int(sample.chars().count() as i64)
    );
    let seq = h.call1(shims::rt_iter, text).unwrap();
    let chars = collected(&mut h, seq);
    let expected: Vec<String> = sample
        .chars()
        .map(|c| format!("{c:?}").replace('\'', "\""))
        .collect();
    assert_eq!(chars, format!("[{}]", expected.join(", ")));
    h.release(seq);
    h.assert_heap_equals(&before);
}

#[test]
fn maps_iterate_in_key_order_by_position() {
    let mut h = harness(1024);
    let before = h.snapshot();
    let mut words = Vec::new();
    for i in 0..200 {
        let key = (i * 37) % 200; // every key once, out of order
        words.extend([int(key), int(key * 2)]);
    }
    let map = h.map(&words);
    let for_keys = h.retain(map);
    let keys = h.call1(shims::rt_keys, for_keys).unwrap();
    let expected: Vec<String> = (0..200).map(|i| i.to_string()).collect();
    assert_eq!(
        collected(&mut h, keys),
        format!("[{}]", expected.join(", "))
    );
    h.release(keys);
    let for_entries = h.retain(map);
    let entries = h.call1(shims::rt_iter, for_entries).unwrap();
    let first = h.call2(shims::rt_seq_take, entries, int(3)).unwrap();
    assert_eq!(collected(&mut h, first), "[(0, 0), (1, 2), (2, 4)]");
    h.release(first);
    let values = h.call1(shims::rt_values, map).unwrap();
    assert_eq!(h.call1(shims::rt_sum, values).unwrap(), int(39_800));
    h.release(values);
    h.assert_heap_equals(&before);
}

#[test]
fn a_text_with_a_saturated_count_is_walked_through_its_copy() {
    let mut h = harness(256);
    let before = h.snapshot();
    let sample = "ab✓".repeat(30); // 150 bytes: three blocks
    let text = h.text(&sample);
    let owned = h.retain(text);
    let seq = h.call1(shims::rt_iter, owned).unwrap();
    for _ in 0..40 {
        let pair = h.call1(shims::rt_next, seq).unwrap();
        h.release(pair);
    }
    let head = block_of(text);
    let mut extra = Vec::new();
    let mut fillers = Vec::new();
    while h.ctx.heap.ref_count(head) < MAX_REF_COUNT {
        extra.push(h.retain(text));
    }
    // Both clones retain the Text past the limit and get a copy: they must walk the copy.
    let over = h.call1(shims::rt_seq_clone, text).unwrap();
    let rest = h.call1(shims::rt_seq_clone, seq).unwrap();
    let chars = |skip: usize| {
        let quoted: Vec<String> = sample
            .chars()
            .skip(skip)
            .map(|c| format!("\"{c}\""))
            .collect();
        format!("[{}]", quoted.join(", "))
    };
    assert_eq!(collected(&mut h, seq), chars(40));
    // Free the original Text entirely: the clones must not depend on its blocks.
    for value in extra.into_iter().chain([seq, text]) {
        h.release(value);
    }
    for _ in 0..8 {
        let filler = h.text("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
        fillers.push(filler);
    }
    assert_eq!(collected(&mut h, over), chars(0));
    assert_eq!(collected(&mut h, rest), chars(40));
    for value in fillers.into_iter().chain([over, rest]) {
        h.release(value);
    }
    h.assert_heap_equals(&before);
}
