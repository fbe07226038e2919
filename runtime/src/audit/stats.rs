//! Heap statistics (docs/MEMORY.md, "Heap statistics"): totals, peak and current use, the
//! reference-count histogram, live objects by kind and the allocation rate, exported as JSON and in
//! the Prometheus text exposition format (version 0.0.4).
//!
//! Every count is in 64-byte blocks except the histogram and the per-kind counts, which
//! count head blocks (one per live object). `totalAllocated` and `totalFreed` count blocks
//! since the heap was created, so `totalAllocated - totalFreed == currentlyInUse` always
//! holds for a heap that started empty. The allocation rate is the only wall-clock figure:
//! it differs from run to run, so it must never be compared between engines.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::heap::{BlockState, Heap};
use crate::objects::header::KIND_OFFSET;
use crate::value::Kind;

/// Every object kind the heap can hold, in `Kind` order (the per-kind counts list each of
/// them, zero or not, so the exported series never appear and disappear).
const KINDS: [Kind; 10] = [
    Kind::Text,
    Kind::List,
    Kind::Tuple,
    Kind::Map,
    Kind::Seq,
    Kind::Closure,
    Kind::Ref,
    Kind::ListNode,
    Kind::MapNode,
    Kind::HostObject,
];

/// The label of a head whose kind byte names no kind (a block allocated below the object
/// layer, or a corrupt header).
pub const UNKNOWN_KIND: &str = "unknown";

/// The name a kind is counted under in `liveByKind` and the `kind` label.
pub fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Text => "Text",
        Kind::List => "List",
        Kind::Tuple => "Tuple",
        Kind::Map => "Map",
        Kind::Seq => "Seq",
        Kind::Closure => "Closure",
        Kind::Ref => "Ref",
        Kind::ListNode => "ListNode",
        Kind::MapNode => "MapNode",
        Kind::HostObject => "HostObject",
    }
}

/// A picture of a heap's use at one moment (see the module doc).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeapStats {
    /// Blocks allocated since the heap was created (an n-block chain counts n).
    pub total_allocated: u64,
    /// Blocks freed since the heap was created.
    pub total_freed: u64,
    /// Blocks in use now.
    pub currently_in_use: u32,
    /// The most blocks ever in use at once.
    pub peak_usage: u32,
    /// `REF_COUNT` → number of live heads with that count.
    pub ref_count_histogram: BTreeMap<u16, u32>,
    /// Kind name → number of live heads of that kind (every kind is listed; heads whose kind
    /// byte names no kind are counted under `"unknown"`, listed only when there are some).
    pub live_by_kind: BTreeMap<String, u32>,
    /// The heap's size in blocks.
    pub block_count: u32,
    /// Blocks on the free list.
    pub free_blocks: u32,
    /// The soft quota in blocks, if any.
    pub quota: Option<u32>,
    /// Wall-clock seconds since the heap was created or audit mode was last turned on.
    pub elapsed_seconds: f64,
    /// Blocks allocated per wall-clock second over `elapsed_seconds` (0 when no time has
    /// measurably passed).
    pub allocations_per_second: f64,
}

impl HeapStats {
    /// Reads the statistics of `heap` (one pass over the block states).
    pub fn collect(heap: &Heap) -> HeapStats {
        let mut ref_count_histogram = BTreeMap::new();
        let mut by_kind = [0u32; KINDS.len()];
        let mut unknown = 0u32;
        for block in heap.addresses() {
            if heap.state(block) != Some(BlockState::Head) {
                continue;
            }
            *ref_count_histogram
                .entry(heap.ref_count(block))
                .or_insert(0u32) += 1;
            match Kind::from_u8(heap.memory().read_u8(block, KIND_OFFSET)) {
                Some(kind) => by_kind[kind as usize - 1] += 1,
                None => unknown += 1,
            }
        }
        let mut live_by_kind: BTreeMap<String, u32> = KINDS
            .iter()
            .zip(by_kind)
            .map(|(&kind, count)| (kind_label(kind).to_string(), count))
            .collect();
        if unknown > 0 {
            live_by_kind.insert(UNKNOWN_KIND.to_string(), unknown);
        }
        let counters = heap.counters();
        let (elapsed, allocated_in_window) = heap.rate_window();
        let elapsed_seconds = elapsed.as_secs_f64();
        let allocations_per_second = if elapsed_seconds > 0.0 {
            allocated_in_window as f64 / elapsed_seconds
        } else {
            0.0
        };
        HeapStats {
            total_allocated: counters.total_allocated,
            total_freed: counters.total_freed,
            currently_in_use: heap.blocks_in_use(),
            peak_usage: counters.peak_usage,
            ref_count_histogram,
            live_by_kind,
            block_count: heap.block_count(),
            free_blocks: heap.free_count(),
            quota: heap.quota(),
            elapsed_seconds,
            allocations_per_second,
        }
    }

    /// Number of live heads (objects).
    pub fn live_heads(&self) -> u32 {
        self.ref_count_histogram.values().sum()
    }

    /// The statistics as a JSON object with the camelCase field names of docs/MEMORY.md, "Heap
    /// statistics" (histogram keys are the counts as strings, as JSON requires).
    pub fn to_json(&self) -> serde_json::Value {
        // Cannot fail: every field is a number, an optional number or a map whose keys are
        // integers or strings, all of which serde_json represents.
        serde_json::to_value(self).expect("HeapStats has only JSON-representable fields")
    }

    /// The statistics in the Prometheus text exposition format: `# HELP` and `# TYPE` for
    /// every metric, names prefixed `cairn_heap_`, counters ending in `_total`, the
    /// reference-count distribution as a gauge with a `count` label and the live objects as
    /// a gauge with a `kind` label.
    pub fn to_prometheus(&self) -> String {
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, samples: &[(String, String)]| {
            // Writing to a String cannot fail.
            let _ = writeln!(out, "# HELP cairn_heap_{name} {help}");
            let _ = writeln!(out, "# TYPE cairn_heap_{name} {kind}");
            for (labels, value) in samples {
                let _ = writeln!(out, "cairn_heap_{name}{labels} {value}");
            }
        };
        let plain = |value: String| vec![(String::new(), value)];
        metric(
            "allocated_blocks_total",
            "counter",
            "Blocks allocated since the heap was created.",
            &plain(self.total_allocated.to_string()),
        );
        metric(
            "freed_blocks_total",
            "counter",
            "Blocks freed since the heap was created.",
            &plain(self.total_freed.to_string()),
        );
        metric(
            "blocks_in_use",
            "gauge",
            "Blocks in use now.",
            &plain(self.currently_in_use.to_string()),
        );
        metric(
            "peak_blocks_in_use",
            "gauge",
            "The most blocks in use at once since the heap was created.",
            &plain(self.peak_usage.to_string()),
        );
        metric(
            "blocks",
            "gauge",
            "The heap's size in 64-byte blocks.",
            &plain(self.block_count.to_string()),
        );
        metric(
            "free_blocks",
            "gauge",
            "Blocks on the free list.",
            &plain(self.free_blocks.to_string()),
        );
        if let Some(quota) = self.quota {
            metric(
                "quota_blocks",
                "gauge",
                "The soft quota in blocks.",
                &plain(quota.to_string()),
            );
        }
        let histogram: Vec<(String, String)> = self
            .ref_count_histogram
            .iter()
            .map(|(count, heads)| (format!("{{count=\"{count}\"}}"), heads.to_string()))
            .collect();
        metric(
            "ref_count_heads",
            "gauge",
            "Live objects (head blocks) by reference count.",
            &histogram,
        );
        let kinds: Vec<(String, String)> = self
            .live_by_kind
            .iter()
            .map(|(kind, heads)| (format!("{{kind=\"{kind}\"}}"), heads.to_string()))
            .collect();
        metric(
            "live_objects",
            "gauge",
            "Live objects (head blocks) by kind.",
            &kinds,
        );
        metric(
            "allocated_blocks_per_second",
            "gauge",
            "Blocks allocated per wall-clock second since the heap was created or audit mode was turned on.",
            &plain(prometheus_float(self.allocations_per_second)),
        );
        out
    }
}

/// A float as the exposition format spells it (`+Inf`, `-Inf`, `NaN` for the specials).
fn prometheus_float(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_string()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_listed_in_discriminant_order() {
        // `collect` counts kind `k` at index `k as usize - 1`.
        for (index, kind) in KINDS.iter().enumerate() {
            assert_eq!(*kind as usize, index + 1);
            assert_eq!(Kind::from_u8(index as u8 + 1), Some(*kind));
        }
        assert_eq!(Kind::from_u8(KINDS.len() as u8 + 1), None);
    }

    #[test]
    fn special_floats_use_the_exposition_spelling() {
        assert_eq!(prometheus_float(f64::INFINITY), "+Inf");
        assert_eq!(prometheus_float(f64::NEG_INFINITY), "-Inf");
        assert_eq!(prometheus_float(f64::NAN), "NaN");
        assert_eq!(prometheus_float(2.5), "2.5");
    }
}
