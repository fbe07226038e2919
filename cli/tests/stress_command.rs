//! `cairn stress`: a scenario passes on both engines (table and `--json`), `--list` names
//! every scenario, an unknown scenario is a usage error (exit 2), and a failing checkpoint
//! exits 1.

mod support;

use support::{cairn, code, stderr, stdout};

#[test]
fn deep_nesting_passes_on_both_engines() {
    let out = cairn(&["stress", "deep-nesting", "--iterations", "10"]);
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}{}", stderr(&out));
    assert!(text.starts_with("PASS deep-nesting (vectors)"), "{text}");
    assert!(text.contains("iterations=10"), "{text}");
    assert!(text.contains("  interp "), "{text}");
    assert!(text.contains("  jit "), "{text}");
    assert!(text.contains("engines agree"), "{text}");
}

#[test]
fn json_reports_both_engines_with_the_same_trace() {
    let out = cairn(&["stress", "deep-nesting", "--iterations", "10", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON report");
    assert_eq!(report["scenario"], "deep-nesting");
    assert_eq!(report["passed"], true);
    assert_eq!(report["engines_agree"], true);
    assert_eq!(report["params"]["iterations"], 10);
    let engines = report["engines"].as_array().expect("engines");
    assert_eq!(engines.len(), 2);
    let operations = engines[0]["heap_operations"].as_u64().expect("count");
    assert!(operations > 1000, "{operations}");
    assert_eq!(engines[1]["heap_operations"].as_u64(), Some(operations));
    assert_eq!(engines[0]["trace_hash"], engines[1]["trace_hash"]);
    for engine in engines {
        assert_eq!(engine["leaked_heads"], 0);
        assert_eq!(engine["violations"], 0);
        assert_eq!(engine["ownership_valid"], true);
        assert_eq!(engine["mallocs"], engine["frees"]);
    }
}

#[test]
fn list_names_every_scenario() {
    let out = cairn(&["stress", "--list"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 10, "{text}");
    for name in ["deep-nesting", "fan-out", "merge-storm", "sliding-window"] {
        assert!(text.contains(name), "{text}");
    }
}

#[test]
fn an_unknown_scenario_is_a_usage_error() {
    let out = cairn(&["stress", "no-such-scenario"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("unknown scenario"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_heap_too_small_for_the_scenario_exits_1() {
    let out = cairn(&[
        "stress",
        "deep-nesting",
        "--chain-depth",
        "100",
        "--heap-blocks",
        "64",
        "--engine",
        "interp",
    ]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.starts_with("FAIL deep-nesting"), "{text}");
    assert!(text.contains("RT0401"), "{text}");
}

/// `--iterations 0` (stress) and `--count 0` (fuzz) ask for nothing to run: both are refused
/// as usage errors (exit 2) naming the accepted range, instead of running one round or
/// printing an empty report.
#[test]
fn zero_iterations_and_a_zero_fuzz_count_are_refused() {
    for args in [
        &["stress", "deep-nesting", "--iterations", "0"][..],
        &["stress", "all", "--iterations", "0"][..],
        &["fuzz", "--count", "0"][..],
    ] {
        let out = cairn(args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), "", "{args:?}: nothing ran");
        assert!(
            stderr(&out).contains("invalid value '0'") && stderr(&out).contains("1.."),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}
