//! The stress harness (docs/MEMORY.md, "Stress scenarios"): every scenario under every disposal
//! policy passes every checkpoint on both engines at small sizes, the trace counts what the program
//! does, and each checker fails when what it checks is wrong.

use cairn_conformance::stress::harness::{check_sampled_log, check_snapshots, compare_engines};
use cairn_conformance::stress::{
    CowExpectation, DisposalPolicy, RunExpectations, Scenario, StressConfig, StressParams,
    StressReport, run_scenario, run_source,
};
use cairn_runtime::heap::{Heap, compare_snapshots};

fn small(disposal: DisposalPolicy) -> StressParams {
    StressParams {
        // 18 structures: more than a batch (16), so batched disposal reuses blocks too.
        iterations: 6,
        max_vector_size: 20,
        chain_depth: 6,
        allocation_rate: 3,
        disposal,
    }
}

/// Runs `scenario` under all three policies and asserts every checkpoint passed.
fn passes_under_every_policy(scenario: Scenario) {
    for disposal in DisposalPolicy::ALL {
        let params = small(disposal);
        let report = run_scenario(scenario, &params, &StressConfig::default());
        assert!(report.passed, "{}", report.render());
        assert_eq!(report.engines.len(), 2);
        assert_eq!(report.engines_agree, Some(true));
        for engine in &report.engines {
            assert!(engine.heap_operations > 0, "{}", report.render());
            assert_eq!(engine.leaked_heads, 0);
            assert_eq!(engine.violations, 0);
            assert!(engine.ownership_valid);
            assert!(engine.reused_mallocs > 0);
            assert!(engine.outcome.starts_with("result "), "{}", engine.outcome);
            assert_eq!(engine.output.trim(), &engine.outcome["result ".len()..]);
        }
    }
}

#[test]
fn deep_nesting_passes() {
    passes_under_every_policy(Scenario::DeepNesting);
}

#[test]
fn fan_out_passes() {
    passes_under_every_policy(Scenario::FanOut);
}

#[test]
fn slicing_passes() {
    passes_under_every_policy(Scenario::Slicing);
}

#[test]
fn chain_of_mappings_passes() {
    passes_under_every_policy(Scenario::ChainOfMappings);
}

#[test]
fn sequence_reuse_passes() {
    passes_under_every_policy(Scenario::SequenceReuse);
}

#[test]
fn alternating_consumers_passes() {
    passes_under_every_policy(Scenario::AlternatingConsumers);
}

#[test]
fn merge_storm_passes() {
    passes_under_every_policy(Scenario::MergeStorm);
}

#[test]
fn sharing_graph_passes() {
    passes_under_every_policy(Scenario::SharingGraph);
}

#[test]
fn allocation_mix_passes() {
    passes_under_every_policy(Scenario::AllocationMix);
}

#[test]
fn sliding_window_passes() {
    passes_under_every_policy(Scenario::SlidingWindow);
}

/// A one-element list is a head and a leaf node: each of the `iterations x rate` chains of
/// `chain_depth + 1` lists is 2 mallocs, plus the holder `[]`; all freed again.
#[test]
fn deep_nesting_trace_counts_every_list() {
    let params = small(DisposalPolicy::Immediate);
    let report = run_scenario(Scenario::DeepNesting, &params, &StressConfig::default());
    assert!(report.passed, "{}", report.render());
    let lists = params.iterations * params.allocation_rate * (params.chain_depth + 1);
    for engine in &report.engines {
        assert_eq!(engine.mallocs, 2 * lists + 1, "{}", report.render());
        assert_eq!(engine.frees, engine.mallocs);
        assert_eq!(engine.cows, 0);
    }
}

/// Delayed disposal keeps 8 chains alive, so the peak is higher than with immediate.
#[test]
fn delayed_disposal_keeps_structures_alive() {
    let peak = |disposal| {
        let params = StressParams {
            iterations: 10,
            ..small(disposal)
        };
        let report = run_scenario(Scenario::DeepNesting, &params, &StressConfig::default());
        assert!(report.passed, "{}", report.render());
        report.engines[0].peak_blocks
    };
    let immediate = peak(DisposalPolicy::Immediate);
    let delayed = peak(DisposalPolicy::Delayed);
    assert!(delayed >= immediate + 7 * 2 * 7, "{immediate} vs {delayed}");
}

fn one_engine() -> StressConfig {
    StressConfig {
        engines: vec![cairn_conformance::run::Engine::Interpreter],
        ..StressConfig::default()
    }
}

fn problems(report: &StressReport) -> String {
    report.problems.join("\n")
}

#[test]
fn a_failing_program_fails_the_report() {
    let source = "fn main() = { xs = [1, 2]; ys = push(xs, 3); fail(\"broken invariant\") }";
    let report = run_source("fails", source, &RunExpectations::default(), &one_engine());
    assert!(!report.passed);
    assert!(
        problems(&report).contains("did not return"),
        "{}",
        problems(&report)
    );
}

#[test]
fn a_run_without_block_reuse_fails() {
    let source = "fn main() = len([1, 2, 3])";
    let report = run_source(
        "no-reuse",
        source,
        &RunExpectations::default(),
        &one_engine(),
    );
    assert!(!report.passed);
    assert!(
        problems(&report).contains("no block reuse"),
        "{}",
        problems(&report)
    );
}

#[test]
fn unexpected_cows_and_checkpoints_fail() {
    let params = small(DisposalPolicy::Immediate);
    let source = Scenario::FanOut.source(&params);
    let expectations = RunExpectations {
        cows: Some(CowExpectation {
            min: 0,
            max: Some(0),
            reason: "test: no copy expected",
        }),
        checkpoints: Some(1),
    };
    let report = run_source("fan-out", &source, &expectations, &one_engine());
    assert!(!report.passed);
    let text = problems(&report);
    assert!(text.contains("cow events, expected 0..=0"), "{text}");
    assert!(text.contains("checkpoints recorded, expected 1"), "{text}");
}

#[test]
fn engines_that_disagree_fail_the_comparison() {
    let report = run_scenario(
        Scenario::Slicing,
        &small(DisposalPolicy::Immediate),
        &StressConfig::default(),
    );
    let [left, right] = report.engines.as_slice() else {
        panic!("two engines expected");
    };
    assert!(compare_engines(left, right).is_empty());
    let mut other = right.clone();
    other.summary.hash ^= 1;
    let differences = compare_engines(left, &other);
    assert!(
        differences.iter().any(|d| d.contains("traces differ")),
        "{differences:?}"
    );
    let mut other = right.clone();
    other.output.push_str("extra\n");
    other.checkpoints += 1;
    other.event_log.pop();
    assert_eq!(compare_engines(left, &other).len(), 3);
}

#[test]
fn a_snapshot_pair_that_differs_fails() {
    let mut heap = Heap::new(16).unwrap();
    let before = heap.snapshot();
    assert!(check_snapshots(&compare_snapshots(&before, &heap.snapshot())).is_none());
    heap.malloc(100).unwrap();
    let problem = check_snapshots(&compare_snapshots(&before, &heap.snapshot()));
    assert!(problem.is_some_and(|p| p.contains("leaked heads [0]")));
}

#[test]
fn an_event_log_that_is_not_the_sampled_trace_fails() {
    let config = StressConfig {
        log_sample_every: 4,
        log_capacity: 3,
        ..StressConfig::default()
    };
    let limits = config.limits();
    let mut ctx = cairn_runtime::Context::new(limits.clone()).unwrap();
    ctx.heap.start_trace();
    for _ in 0..5 {
        let block = ctx.heap.malloc(10).unwrap();
        ctx.heap.inc_ref(block).unwrap();
        assert!(!ctx.heap.dec_ref(block).unwrap());
        assert!(ctx.heap.dec_ref(block).unwrap());
        ctx.heap.free_chain(block).unwrap();
    }
    let trace = ctx.heap.take_trace();
    let mut log = ctx.heap.event_log();
    assert_eq!(log.len(), 3);
    assert!(check_sampled_log(&trace, &log, &limits).is_none());
    log[1].new += 1;
    assert!(check_sampled_log(&trace, &log, &limits).is_some());
    log.pop();
    assert!(check_sampled_log(&trace, &log, &limits).is_some());
}
