//! The soak test's memory figures: the process's resident set size (`VmRSS` of
//! `/proc/self/status`, Linux), sampled every `--report-every` calls, and the verdict on
//! them. Memory is *flat* when the RSS of the last sample taken while the workers still run
//! (the one taken after they end has their runtimes dropped) exceeds the baseline — the first
//! sample taken after the warm-up (the first [`WARM_UP_PERCENT`] % of the calls) — by at most
//! the larger of [`TOLERANCE_MIB`] MiB and [`TOLERANCE_PERCENT`] % of the baseline. Runs of
//! fewer than [`MIN_JUDGED_CALLS`] calls are too short for the allocator to settle and are not
//! judged.

use serde::Serialize;

/// Calls before the baseline sample, as a percentage of the run.
pub const WARM_UP_PERCENT: u64 = 10;
/// Growth always allowed past the baseline.
pub const TOLERANCE_MIB: u64 = 4;
/// Growth allowed past the baseline, relative to it (when larger than the MiB tolerance).
pub const TOLERANCE_PERCENT: u64 = 10;
/// Shorter runs are reported but not judged.
pub const MIN_JUDGED_CALLS: u64 = 1_000_000;

/// The resident set size of this process in KiB, where the platform tells it.
pub fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// One sample: after `calls` calls (all threads), at `elapsed_s` seconds.
#[derive(Clone, Debug, Serialize)]
pub struct Sample {
    pub calls: u64,
    pub elapsed_s: f64,
    pub rss_kib: Option<u64>,
    /// Calls per second since the previous sample.
    pub calls_per_second: f64,
    /// Taken while the workers ran (false for the last one, after their runtimes are gone).
    pub running: bool,
}

/// The verdict on a run's samples.
#[derive(Clone, Debug, Serialize)]
pub struct MemoryVerdict {
    pub baseline_kib: Option<u64>,
    /// The last sample taken while the workers ran (after the baseline).
    pub final_kib: Option<u64>,
    pub peak_kib: Option<u64>,
    /// `final - baseline` (negative when memory shrank).
    pub growth_kib: Option<i64>,
    pub tolerance_kib: Option<u64>,
    /// Whether the run was long enough (and RSS readable) to judge.
    pub judged: bool,
    /// `Some(true)` when judged flat, `Some(false)` when judged growing.
    pub flat: Option<bool>,
}

/// Judges `samples` of a run of `total_calls` calls.
pub fn judge(samples: &[Sample], total_calls: u64) -> MemoryVerdict {
    let warm_up = total_calls * WARM_UP_PERCENT / 100;
    let baseline = samples
        .iter()
        .find(|s| s.calls >= warm_up && s.calls > 0)
        .and_then(|s| s.rss_kib);
    let final_kib = samples
        .iter()
        .rev()
        .find(|s| s.running && s.calls >= warm_up)
        .or(samples.last())
        .and_then(|s| s.rss_kib);
    let peak_kib = samples.iter().filter_map(|s| s.rss_kib).max();
    let tolerance_kib = baseline.map(|b| (TOLERANCE_MIB * 1024).max(b * TOLERANCE_PERCENT / 100));
    let growth_kib = match (baseline, final_kib) {
        (Some(b), Some(f)) => Some(f as i64 - b as i64),
        _ => None,
    };
    let judged = total_calls >= MIN_JUDGED_CALLS && growth_kib.is_some();
    let flat = match (judged, growth_kib, tolerance_kib) {
        (true, Some(growth), Some(tolerance)) => Some(growth <= tolerance as i64),
        _ => None,
    };
    MemoryVerdict {
        baseline_kib: baseline,
        final_kib,
        peak_kib,
        growth_kib,
        tolerance_kib,
        judged,
        flat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(points: &[(u64, u64)]) -> Vec<Sample> {
        points
            .iter()
            .map(|&(calls, rss)| Sample {
                calls,
                elapsed_s: 0.0,
                rss_kib: Some(rss),
                calls_per_second: 0.0,
                running: true,
            })
            .collect()
    }

    #[test]
    fn the_baseline_is_the_first_sample_after_the_warm_up() {
        let run = samples(&[(500_000, 10_000), (1_000_000, 40_000), (10_000_000, 43_000)]);
        let verdict = judge(&run, 10_000_000);
        assert_eq!(verdict.baseline_kib, Some(40_000));
        assert_eq!(verdict.growth_kib, Some(3_000));
        assert_eq!(verdict.tolerance_kib, Some(4_096));
        assert_eq!(verdict.flat, Some(true));
        assert_eq!(verdict.peak_kib, Some(43_000));
    }

    #[test]
    fn the_sample_after_the_workers_end_is_not_the_final_one() {
        let mut run = samples(&[
            (1_000_000, 100_000),
            (9_000_000, 120_000),
            (10_000_000, 90_000),
        ]);
        run[2].running = false;
        let verdict = judge(&run, 10_000_000);
        assert_eq!(verdict.final_kib, Some(120_000));
        assert_eq!(verdict.flat, Some(false));
    }

    #[test]
    fn growth_past_the_tolerance_is_not_flat() {
        let run = samples(&[(1_000_000, 100_000), (10_000_000, 111_000)]);
        let verdict = judge(&run, 10_000_000);
        assert_eq!(verdict.tolerance_kib, Some(10_000)); // 10 % of the baseline
        assert_eq!(verdict.flat, Some(false));
    }

    #[test]
    fn a_short_run_is_not_judged() {
        let run = samples(&[(2_000, 10_000), (20_000, 90_000)]);
        let verdict = judge(&run, 20_000);
        assert!(!verdict.judged);
        assert_eq!(verdict.flat, None);
        assert_eq!(verdict.growth_kib, Some(80_000));
    }

    #[test]
    fn this_process_has_a_resident_set_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(rss_kib().is_some_and(|kib| kib > 0));
        }
    }
}
