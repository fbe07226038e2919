//! `cairn heap stats FILE [--prometheus|--json]`: heap statistics when `main` returns, taken
//! before its result is released (so they show what the program built), with the totals and
//! peak of the whole run: a table by default, the Prometheus text format or JSON on request.
//! The program's own output goes to stderr, keeping stdout a document.

use std::fmt::Write as _;

use cairn::HeapStats;

use super::args::StatsArgs;
use super::{Echo, emit, load};
use crate::outcome::{Outcome, UsageError};

pub fn stats_command(args: &StatsArgs) -> Result<Outcome, UsageError> {
    let Some(mut program) = load(&args.run)? else {
        return Ok(Outcome::Failure);
    };
    let (succeeded, stats) = program.run_main(Echo::Stderr, |rt| rt.export_heap_stats());
    let text = if args.prometheus {
        stats.to_prometheus()
    } else if args.json {
        format!("{:#}\n", stats.to_json())
    } else {
        table(&stats)
    };
    emit(&text)?;
    Ok(super::outcome(succeeded))
}

/// The human table (blocks are 64 bytes; objects are head blocks).
pub fn table(stats: &HeapStats) -> String {
    let mut out = String::new();
    let mut row = |name: &str, value: String| {
        let _ = writeln!(out, "{name:<22}{value}");
    };
    row(
        "blocks in use",
        format!(
            "{} of {} ({} free)",
            stats.currently_in_use, stats.block_count, stats.free_blocks
        ),
    );
    row("peak blocks in use", stats.peak_usage.to_string());
    row("blocks allocated", stats.total_allocated.to_string());
    row("blocks freed", stats.total_freed.to_string());
    row("live objects", stats.live_heads().to_string());
    row(
        "quota",
        stats
            .quota
            .map_or_else(|| "none".to_string(), |quota| format!("{quota} blocks")),
    );
    row(
        "allocation rate",
        format!(
            "{:.0} blocks/s over {:.3} s",
            stats.allocations_per_second, stats.elapsed_seconds
        ),
    );
    out.push_str("\nlive objects by kind\n");
    for (kind, heads) in &stats.live_by_kind {
        let _ = writeln!(out, "  {kind:<12}{heads:>8}");
    }
    out.push_str("\nobjects by REF_COUNT\n");
    if stats.ref_count_histogram.is_empty() {
        out.push_str("  (no live objects)\n");
    }
    for (count, heads) in &stats.ref_count_histogram {
        let _ = writeln!(out, "  {count:<12}{heads:>8}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_totals_kinds_and_the_histogram() {
        let stats = HeapStats {
            total_allocated: 10,
            total_freed: 6,
            currently_in_use: 4,
            peak_usage: 7,
            ref_count_histogram: [(1, 2), (3, 1)].into_iter().collect(),
            live_by_kind: [("List".to_string(), 3)].into_iter().collect(),
            block_count: 100,
            free_blocks: 96,
            quota: None,
            elapsed_seconds: 0.5,
            allocations_per_second: 20.0,
        };
        let text = table(&stats);
        assert!(
            text.starts_with("blocks in use         4 of 100 (96 free)\n"),
            "{text}"
        );
        assert!(text.contains("peak blocks in use    7\n"), "{text}");
        assert!(text.contains("live objects          3\n"), "{text}");
        assert!(
            text.contains("allocation rate       20 blocks/s over 0.500 s\n"),
            "{text}"
        );
        assert!(text.contains("\n  List               3\n"), "{text}");
        assert!(
            text.ends_with(
                "objects by REF_COUNT\n  1                  2\n  3                  1\n"
            ),
            "{text}"
        );
    }
}
