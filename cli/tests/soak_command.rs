//! `cairn soak`: a short fixed-seed slice of the embedding soak test (20,000 calls on two
//! threads) passes with no leak and no unexpected outcome, exercises every kind of call it
//! is made of, and samples the RSS; a bad flag is a usage error. (The memory verdict needs a
//! long run, `cairn soak` with its default 10,000,000 calls; docs/EMBEDDING.md.)

mod support;

use support::{cairn, code, stderr, stdout};

#[test]
fn a_short_soak_has_no_leak_and_no_unexpected_outcome() {
    let out = cairn(&[
        "soak",
        "--calls",
        "20000",
        "--threads",
        "2",
        "--seed",
        "7",
        "--report-every",
        "2000",
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON report");
    assert_eq!(report["calls"], 20_000);
    assert_eq!(report["threads"], 2);
    assert_eq!(report["leaks"], 0, "{report:#}");
    assert_eq!(report["mismatches"], 0, "{report:#}");
    assert_eq!(report["problems"].as_array().map(Vec::len), Some(0));
    assert_eq!(report["passed"], true);

    // Every kind of call the soak is made of happened.
    let outcomes = report["outcomes"].as_object().expect("outcomes");
    for code in [
        "ok", // values checked against the model
        "RT0001", "RT0303", "RT0305", // misuse of the API, a handle of another runtime
        "RT0103", "RT0104", "RT0301", "RT0302", "RT0403", "RT0900", // script diagnostics
        "RT0701", "RT0702", // host functions failing and panicking
        "RT0401", "RT0402", "RT0501", "RT0502", // limits, injected allocation failures
        "RT0503", // cancelled
    ] {
        assert!(
            outcomes
                .get(code)
                .and_then(|n| n.as_u64())
                .is_some_and(|n| n > 0),
            "no {code} outcome: {outcomes:?}"
        );
    }
    let total: u64 = outcomes.values().filter_map(|n| n.as_u64()).sum();
    assert_eq!(total, 20_000);
    assert!(
        report["handles_created"].as_u64().unwrap() > 100,
        "{report:#}"
    );
    assert!(report["cancels"].as_u64().unwrap() > 0, "{report:#}");
    // Both engines' modules of every program, plus the recompiled ones (every 5,000 calls
    // of a worker).
    assert!(
        report["modules_compiled"].as_u64().unwrap() > 8,
        "{report:#}"
    );
    assert!(
        report["runtimes_created"].as_u64().unwrap() >= 14,
        "{report:#}"
    );

    // RSS samples: one at the start, about one per 2,000 calls, one at the end.
    let samples = report["samples"].as_array().expect("samples");
    assert!(samples.len() >= 8, "{samples:?}");
    assert_eq!(samples.last().unwrap()["calls"], 20_000);
    let calls: Vec<u64> = samples
        .iter()
        .map(|s| s["calls"].as_u64().unwrap())
        .collect();
    assert!(calls.windows(2).all(|w| w[0] < w[1]), "{calls:?}");
    if cfg!(target_os = "linux") {
        for s in samples {
            assert!(s["rss_kib"].as_u64().is_some_and(|kib| kib > 0), "{s}");
        }
        assert!(report["memory"]["baseline_kib"].as_u64().is_some());
    }
    // Too short a run for a verdict on memory.
    assert_eq!(report["memory"]["judged"], false);
    assert!(report["memory"]["flat"].is_null());
}

#[test]
fn the_text_report_ends_with_the_verdict() {
    let out = cairn(&[
        "soak",
        "--calls",
        "3000",
        "--threads",
        "1",
        "--report-every",
        "1000",
    ]);
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}{}", stderr(&out));
    assert!(
        text.starts_with("soak: 3000 calls on 1 threads (seed 0)"),
        "{text}"
    );
    assert!(
        text.trim_end()
            .ends_with("PASS: 0 leaks, 0 unexpected outcomes, memory not judged (run too short)"),
        "{text}"
    );
    // The samples go to stderr, one line each.
    assert!(
        stderr(&out)
            .lines()
            .any(|l| l.trim_start().starts_with("3000 calls")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn zero_threads_is_a_usage_error() {
    let out = cairn(&["soak", "--threads", "0"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}
