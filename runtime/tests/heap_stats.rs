//! Heap statistics (docs/MEMORY.md, "Heap statistics"): the numbers `HeapStats::collect` reads from
//! a real heap, their JSON form, and their Prometheus text form read back by a Prometheus parser.

mod shim_harness;

use std::collections::BTreeMap;

use cairn_runtime::Value;
use cairn_runtime::audit::HeapStats;
use cairn_runtime::heap::AuditConfig;
use prometheus_parse::{LineInfo, Scrape};
use shim_harness::{Harness, int};

/// A heap holding: a text retained twice more (count 3), a list of three ints, a map with
/// one text key, and a tuple that was built and released again.
fn populated() -> (Harness, Vec<Value>) {
    let mut h = Harness::new(256);
    let text = h.text("hello");
    let text2 = h.retain(text);
    let text3 = h.retain(text);
    let list = h.list(&[int(1), int(2), int(3)]);
    let key = h.text("k");
    let map = h.map(&[key, int(1)]);
    let tuple = h.tuple(&[int(7), int(8)]);
    h.release(tuple);
    (h, vec![text, text2, text3, list, map])
}

fn counts_by_kind(stats: &HeapStats) -> BTreeMap<&str, u32> {
    stats
        .live_by_kind
        .iter()
        .map(|(kind, &n)| (kind.as_str(), n))
        .collect()
}

#[test]
fn stats_read_totals_histogram_and_kinds_from_the_heap() {
    let (mut h, values) = populated();
    let stats = HeapStats::collect(&h.ctx.heap);
    let snapshot = h.snapshot();

    // Totals are consistent on a heap that started empty, and match the heap.
    assert_eq!(
        stats.total_allocated - stats.total_freed,
        u64::from(stats.currently_in_use)
    );
    assert_eq!(stats.currently_in_use, snapshot.blocks_in_use);
    assert_eq!(stats.block_count, 256);
    assert_eq!(stats.free_blocks, 256 - stats.currently_in_use);
    assert_eq!(stats.quota, None);
    assert!(stats.total_freed >= 1, "the tuple was freed");
    assert!(stats.peak_usage >= stats.currently_in_use);
    assert_eq!(
        u64::from(stats.peak_usage),
        stats.total_allocated,
        "nothing was freed before the tuple, the last allocation, so the peak is everything allocated"
    );

    // One head per object; the text is the only head with count 3.
    assert_eq!(stats.live_heads() as usize, snapshot.allocated_heads.len());
    assert_eq!(stats.ref_count_histogram.get(&3), Some(&1));
    assert_eq!(
        stats.ref_count_histogram.get(&1).copied(),
        Some(stats.live_heads() - 1)
    );
    assert_eq!(stats.ref_count_histogram.len(), 2);

    let kinds = counts_by_kind(&stats);
    assert_eq!(kinds["Text"], 2, "\"hello\" and the key \"k\"");
    assert_eq!(kinds["List"], 1);
    assert!(kinds["ListNode"] >= 1, "a non-empty list has a leaf node");
    assert_eq!(kinds["Map"], 1);
    assert_eq!(kinds["MapNode"], 1, "one entry, one leaf");
    assert_eq!(kinds["Tuple"], 0, "released");
    assert_eq!(kinds["Seq"], 0);
    assert!(!kinds.contains_key("unknown"));
    assert_eq!(kinds.values().sum::<u32>(), stats.live_heads());

    for value in values {
        h.release(value);
    }
    let after = HeapStats::collect(&h.ctx.heap);
    assert_eq!(after.currently_in_use, 0);
    assert_eq!(after.total_allocated, after.total_freed);
    assert_eq!(after.peak_usage, stats.peak_usage);
    assert!(after.ref_count_histogram.is_empty());
    assert!(after.live_by_kind.values().all(|&n| n == 0));
}

#[test]
fn heads_allocated_below_the_object_layer_count_as_unknown() {
    let mut h = Harness::new(16);
    let raw = h.ctx.heap.malloc(100).expect("two blocks");
    let stats = HeapStats::collect(&h.ctx.heap);
    assert_eq!(stats.live_by_kind.get("unknown"), Some(&1));
    assert_eq!(stats.currently_in_use, 2);
    assert_eq!(stats.ref_count_histogram, BTreeMap::from([(1, 1)]));
    assert!(h.ctx.heap.dec_ref(raw).expect("count 1"));
    h.ctx.heap.free_chain(raw).expect("free");
    assert!(
        !HeapStats::collect(&h.ctx.heap)
            .live_by_kind
            .contains_key("unknown")
    );
}

#[test]
fn json_has_the_camel_case_fields_and_the_right_values() {
    let (mut h, values) = populated();
    h.ctx.heap.set_quota(Some(200));
    let stats = HeapStats::collect(&h.ctx.heap);
    let json = stats.to_json();
    let object = json.as_object().expect("an object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "allocationsPerSecond",
            "blockCount",
            "currentlyInUse",
            "elapsedSeconds",
            "freeBlocks",
            "liveByKind",
            "peakUsage",
            "quota",
            "refCountHistogram",
            "totalAllocated",
            "totalFreed",
        ]
    );
    assert_eq!(json["totalAllocated"], stats.total_allocated);
    assert_eq!(json["totalFreed"], stats.total_freed);
    assert_eq!(json["currentlyInUse"], stats.currently_in_use);
    assert_eq!(json["peakUsage"], stats.peak_usage);
    assert_eq!(json["blockCount"], 256);
    assert_eq!(json["quota"], 200);
    assert_eq!(json["refCountHistogram"]["3"], 1);
    assert_eq!(json["liveByKind"]["Map"], 1);
    assert_eq!(json["liveByKind"]["Text"], 2);
    assert!(json["allocationsPerSecond"].is_f64());

    // Deterministic: the histogram's keys come out in count order.
    let text = serde_json::to_string(&json).expect("serialize");
    let one = text.find("\"1\":").expect("count 1");
    let three = text.find("\"3\":").expect("count 3");
    assert!(one < three);

    h.ctx.heap.set_quota(None);
    assert!(HeapStats::collect(&h.ctx.heap).to_json()["quota"].is_null());
    for value in values {
        h.release(value);
    }
}

fn gauge_or_counter(scrape: &Scrape, metric: &str, label: Option<(&str, &str)>) -> f64 {
    let sample = scrape
        .samples
        .iter()
        .find(|s| {
            s.metric == metric
                && label.is_none_or(|(name, value)| s.labels.get(name) == Some(value))
        })
        .unwrap_or_else(|| panic!("no sample {metric} {label:?}"));
    match sample.value {
        prometheus_parse::Value::Counter(v) => {
            assert!(metric.ends_with("_total"), "{metric} is a counter");
            v
        }
        prometheus_parse::Value::Gauge(v) => {
            assert!(!metric.ends_with("_total"), "{metric} is a gauge");
            v
        }
        ref other => panic!("{metric} has no TYPE line: {other:?}"),
    }
}

#[test]
fn prometheus_text_parses_and_carries_the_values() {
    let (mut h, values) = populated();
    h.ctx.heap.set_quota(Some(200));
    let stats = HeapStats::collect(&h.ctx.heap);
    let text = stats.to_prometheus();

    // Every line is a HELP, a TYPE or a sample the parser understands.
    for line in text.lines() {
        let info = LineInfo::parse(line);
        assert!(
            !matches!(info, LineInfo::Ignored | LineInfo::Empty),
            "unparsed line {line:?}"
        );
    }
    assert!(text.ends_with('\n'));

    let scrape = Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).expect("parse");
    let sample_lines = text.lines().filter(|l| !l.starts_with('#')).count();
    assert_eq!(scrape.samples.len(), sample_lines);
    for sample in &scrape.samples {
        assert!(
            sample.metric.starts_with("cairn_heap_"),
            "{}",
            sample.metric
        );
        assert!(
            scrape.docs.contains_key(&sample.metric),
            "{} has no HELP",
            sample.metric
        );
    }

    let value = |metric: &str| gauge_or_counter(&scrape, metric, None);
    assert_eq!(
        value("cairn_heap_allocated_blocks_total"),
        stats.total_allocated as f64
    );
    assert_eq!(
        value("cairn_heap_freed_blocks_total"),
        stats.total_freed as f64
    );
    assert_eq!(
        value("cairn_heap_blocks_in_use"),
        f64::from(stats.currently_in_use)
    );
    assert_eq!(
        value("cairn_heap_allocated_blocks_total") - value("cairn_heap_freed_blocks_total"),
        value("cairn_heap_blocks_in_use")
    );
    assert_eq!(
        value("cairn_heap_peak_blocks_in_use"),
        f64::from(stats.peak_usage)
    );
    assert_eq!(value("cairn_heap_blocks"), 256.0);
    assert_eq!(
        value("cairn_heap_free_blocks"),
        f64::from(stats.free_blocks)
    );
    assert_eq!(value("cairn_heap_quota_blocks"), 200.0);
    assert!(value("cairn_heap_allocated_blocks_per_second") >= 0.0);

    let by_count = |count: &str| {
        gauge_or_counter(
            &scrape,
            "cairn_heap_ref_count_heads",
            Some(("count", count)),
        )
    };
    assert_eq!(by_count("3"), 1.0);
    assert_eq!(by_count("1"), f64::from(stats.live_heads() - 1));
    let by_kind =
        |kind: &str| gauge_or_counter(&scrape, "cairn_heap_live_objects", Some(("kind", kind)));
    assert_eq!(by_kind("Text"), 2.0);
    assert_eq!(by_kind("List"), 1.0);
    assert_eq!(by_kind("Map"), 1.0);
    assert_eq!(by_kind("MapNode"), 1.0);
    assert_eq!(by_kind("Tuple"), 0.0, "every kind is exported, zero or not");

    // Without a quota there is no quota series.
    h.ctx.heap.set_quota(None);
    let text = HeapStats::collect(&h.ctx.heap).to_prometheus();
    assert!(!text.contains("cairn_heap_quota_blocks"));
    for value in values {
        h.release(value);
    }
}

#[test]
fn allocation_rate_is_blocks_over_the_window_since_creation_or_audit_on() {
    let mut h = Harness::new(256);
    let list = h.list(&[int(1), int(2)]);
    std::thread::sleep(std::time::Duration::from_millis(5));
    let stats = HeapStats::collect(&h.ctx.heap);
    assert!(stats.elapsed_seconds >= 0.005);
    let implied = stats.allocations_per_second * stats.elapsed_seconds;
    assert!(
        (implied - stats.total_allocated as f64).abs() < 1e-6,
        "rate × window = {implied}, allocated {}",
        stats.total_allocated
    );

    // Turning audit mode on restarts the window: earlier allocations no longer count.
    h.ctx.heap.set_audit(AuditConfig::full());
    let fresh = HeapStats::collect(&h.ctx.heap);
    assert!(fresh.elapsed_seconds < stats.elapsed_seconds);
    assert!(fresh.allocations_per_second * fresh.elapsed_seconds < 1e-6);
    let text = h.text("x");
    std::thread::sleep(std::time::Duration::from_millis(2));
    let later = HeapStats::collect(&h.ctx.heap);
    assert!((later.allocations_per_second * later.elapsed_seconds - 1.0).abs() < 1e-6);
    // The totals still count from the heap's creation.
    assert_eq!(later.total_allocated, stats.total_allocated + 1);
    h.release(text);
    h.release(list);
}
