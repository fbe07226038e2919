//! The audit toolkit through the Rust API: hooks, event log with source sites, the watchdog,
//! near-OOM warnings, the allocation-failure handler and `detect_leaks` — on both engines,
//! with identical results.

use std::sync::{Arc, Mutex};

use cairn::{
    AllocationRetry, AuditConfig, AuditWarning, Engine, EngineKind, Limits, RefOp, Value,
    WatchdogAction, WatchdogConfig, WatchdogTrigger,
};

const KINDS: [EngineKind; 2] = [EngineKind::Interpreter, EngineKind::Jit];

const PROGRAM: &str = "fn main() = 0
fn build(n) = collect(map(range(0, n), \\x -> [x, x * 2]))
fn grow(n) = if n == 0 then [] else push(grow(n - 1), [n])
fn keep() = ref([1, 2, 3])
fn accumulate(n, acc) = if n == 0 then acc else accumulate(n - 1, push(acc, [n]))
";

fn audited(config: AuditConfig) -> Limits {
    Limits {
        audit: config,
        ..Limits::default()
    }
}

#[test]
fn hooks_see_every_event_in_order_and_identically_on_both_engines() {
    let mut seen_by_engine = Vec::new();
    for kind in KINDS {
        let engine = Engine::new(kind);
        let module = engine.compile("p.cairn", PROGRAM).unwrap();
        let mut rt = engine.runtime(audited(AuditConfig::full())).unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let order = Arc::new(Mutex::new(Vec::new()));
        let (first, second) = (order.clone(), order.clone());
        let log = seen.clone();
        rt.register_audit_hook(&[RefOp::Malloc, RefOp::Free], move |event| {
            log.lock()
                .unwrap()
                .push((event.op, event.block, event.site));
            first.lock().unwrap().push(1);
        })
        .expect("hooks are on");
        rt.register_audit_hook(&[RefOp::Malloc], move |_| second.lock().unwrap().push(2))
            .unwrap();
        rt.start_trace();
        let value: Value = rt.call(&module, "build", (5,)).unwrap();
        let trace = rt.take_trace();
        assert_eq!(
            value.to_string(),
            "[[0, 0], [1, 2], [2, 4], [3, 6], [4, 8]]"
        );
        let seen = seen.lock().unwrap().clone();
        let expected: Vec<_> = trace
            .iter()
            .filter(|e| matches!(e.op, RefOp::Malloc | RefOp::Free))
            .map(|e| (e.op, e.block))
            .collect();
        assert_eq!(
            seen.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>(),
            expected
        );
        // FIFO: on every malloc hook 1 runs before hook 2.
        let order = order.lock().unwrap();
        for pair in order.windows(2) {
            assert!(pair != [2, 2], "hook 2 ran twice in a row: {order:?}");
        }
        // Every malloc of the run is attributed to an op of the module with a source line.
        for (op, _, site) in &seen {
            if *op == RefOp::Malloc {
                let location = module.site_location(*site).expect("a known site");
                assert_eq!(location.line, 2, "{location}");
            }
        }
        assert!(rt.hook_failures().is_empty());
        assert_eq!(rt.validate_ref_counts(), Some(Vec::new()));
        assert_eq!(rt.blocks_in_use(), 0);
        seen_by_engine.push(seen);
    }
    assert_eq!(seen_by_engine[0], seen_by_engine[1]);
}

#[test]
fn a_panicking_hook_is_disabled_and_reported_and_the_call_succeeds() {
    for kind in KINDS {
        let engine = Engine::new(kind);
        let module = engine.compile("p.cairn", PROGRAM).unwrap();
        let mut rt = engine.runtime(audited(AuditConfig::full())).unwrap();
        let calls = Arc::new(Mutex::new(0));
        let counted = calls.clone();
        rt.register_audit_hook(&[RefOp::Malloc], move |_| {
            *counted.lock().unwrap() += 1;
            panic!("hook bug");
        })
        .unwrap();
        let value: Value = rt.call(&module, "build", (3,)).unwrap();
        assert_eq!(value.to_string(), "[[0, 0], [1, 2], [2, 4]]");
        assert_eq!(*calls.lock().unwrap(), 1, "disabled after its first panic");
        let failures = rt.hook_failures();
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].message, "hook bug");
        assert_eq!(failures[0].event.op, RefOp::Malloc);
        assert_eq!(rt.blocks_in_use(), 0);
    }
}

#[test]
fn hooks_need_audit_mode() {
    let engine = Engine::new(EngineKind::Jit);
    let mut rt = engine.runtime(Limits::default()).unwrap();
    assert!(rt.register_audit_hook(&[RefOp::Malloc], |_| {}).is_none());
    assert!(rt.validate_ref_counts().is_none());
    assert!(rt.event_log().is_empty());
}

#[test]
fn the_watchdog_refuses_allocations_at_the_same_point_on_both_engines() {
    let mut outcomes = Vec::new();
    for kind in KINDS {
        let engine = Engine::new(kind);
        let module = engine.compile("p.cairn", PROGRAM).unwrap();
        let config = AuditConfig {
            watchdog: Some(WatchdogConfig {
                check_every_fuel: 10,
                high_watermark: Some(40),
                action: WatchdogAction::RefuseAllocations,
                ..WatchdogConfig::default()
            }),
            ..AuditConfig::default()
        };
        let mut rt = engine.runtime(audited(config)).unwrap();
        rt.start_trace();
        let error = rt
            .call::<Value>(&module, "accumulate", (200, Value::List(Vec::new())))
            .unwrap_err();
        let trace = rt.take_trace();
        assert_eq!(error.code(), "RT0402", "{error}");
        let reports = rt.watchdog_reports().to_vec();
        assert_eq!(reports.len(), 1);
        assert!(matches!(
            reports[0].trigger,
            WatchdogTrigger::HighWatermark { limit: 40 }
        ));
        assert!(reports[0].in_use > 40);
        assert_eq!(rt.blocks_in_use(), 0, "nothing leaked");
        let report = (reports[0].check, reports[0].in_use);
        rt.resume_allocations();
        assert!(rt.call::<Value>(&module, "grow", (3,)).is_ok());
        outcomes.push((error.message().to_string(), trace.len(), report));
    }
    assert_eq!(outcomes[0], outcomes[1]);
}

#[test]
fn near_oom_warnings_fire_once_per_crossing_identically() {
    let mut warnings = Vec::new();
    for kind in KINDS {
        let engine = Engine::new(kind);
        let module = engine.compile("p.cairn", PROGRAM).unwrap();
        let limits = Limits {
            heap_quota: Some(100),
            audit: AuditConfig {
                near_oom_percent: Some(20),
                ..AuditConfig::default()
            },
            ..Limits::default()
        };
        let mut rt = engine.runtime(limits).unwrap();
        rt.call::<Value>(&module, "build", (40,)).unwrap();
        rt.call::<Value>(&module, "build", (40,)).unwrap();
        let seen = rt.audit_warnings().to_vec();
        assert_eq!(seen.len(), 2, "one per call: {seen:?}");
        assert!(matches!(
            seen[0],
            AuditWarning::NearOutOfMemory { limit: 100, .. }
        ));
        warnings.push(seen);
    }
    assert_eq!(warnings[0], warnings[1]);
}

#[test]
fn the_failure_handler_can_release_host_caches_before_the_retry() {
    for kind in KINDS {
        let engine = Engine::new(kind);
        let module = engine.compile("p.cairn", PROGRAM).unwrap();
        let limits = Limits {
            heap_quota: Some(20),
            ..Limits::default()
        };
        let mut rt = engine.runtime(limits).unwrap();
        let cache: Arc<Mutex<Vec<Value>>> = Arc::new(Mutex::new(Vec::new()));
        for _ in 0..5 {
            let held: Value = rt.call(&module, "keep", ()).unwrap();
            cache.lock().unwrap().push(held);
        }
        let cached_blocks = rt.blocks_in_use();
        assert!(cached_blocks >= 10);
        let handler_cache = cache.clone();
        let calls = Arc::new(Mutex::new(0));
        let counted = calls.clone();
        rt.on_allocation_failure(move |failure, _control| {
            assert!(failure.quota_exceeded);
            *counted.lock().unwrap() += 1;
            handler_cache.lock().unwrap().clear();
            AllocationRetry::Retry
        });
        let value: Value = rt.call(&module, "build", (3,)).unwrap();
        assert_eq!(value.to_string(), "[[0, 0], [1, 2], [2, 4]]");
        assert_eq!(*calls.lock().unwrap(), 1);
        assert!(cache.lock().unwrap().is_empty());
        assert_eq!(rt.blocks_in_use(), 0);
    }
}

#[test]
fn detect_leaks_does_not_count_what_the_host_holds() {
    for kind in KINDS {
        let engine = Engine::new(kind);
        let module = engine.compile("p.cairn", PROGRAM).unwrap();
        let mut rt = engine.runtime(audited(AuditConfig::full())).unwrap();
        let (held, report) = rt.detect_leaks(|rt| rt.call::<Value>(&module, "keep", ()).unwrap());
        assert!(report.is_clean(), "{report}");
        assert_eq!(
            report.delta.newly_allocated.len(),
            3,
            "the Ref, its list and the list's leaf"
        );
        drop(held);
        let ((), report) = rt.detect_leaks(|rt| {
            rt.call::<Value>(&module, "grow", (10,)).unwrap();
        });
        assert!(report.is_clean(), "{report}");
        assert_eq!(report.to_string(), "Leaks: 0");
    }
}

#[test]
fn checkpoints_record_the_graph_mid_run_identically_and_only_in_audit_mode() {
    let source =
        "fn main() = { xs = [1, [2, 3]]; checkpoint(); ys = push(xs, 4); checkpoint(); len(ys) }";
    let mut graphs = Vec::new();
    for kind in KINDS {
        let engine = Engine::new(kind);
        let module = engine.compile("c.cairn", source).unwrap();
        let mut plain = engine.runtime(Limits::default()).unwrap();
        assert_eq!(plain.call::<i64>(&module, "main", ()).unwrap(), 3);
        assert!(plain.checkpoints().is_empty());
        let mut rt = engine.runtime(audited(AuditConfig::full())).unwrap();
        assert_eq!(rt.call::<i64>(&module, "main", ()).unwrap(), 3);
        let recorded = rt.checkpoints().to_vec();
        assert_eq!(recorded.len(), 2);
        // At the first checkpoint `xs` (a List, its node and the inner list's two blocks)
        // is held by the running program only: external references, no structural problem.
        let first = &recorded[0];
        assert_eq!(first.nodes.len(), 4, "{:?}", first.nodes);
        assert!(first.check_structure().is_empty());
        let roots: i64 = first.nodes.iter().map(|n| n.external_refs).sum();
        assert_eq!(roots, 1, "only `xs` is held from outside the heap");
        // `xs` is dead after `push`, so the push updated it in place: no new object.
        assert_eq!(recorded[1].nodes.len(), first.nodes.len());
        let report = rt.run_ownership_check();
        assert!(report.valid && report.nodes == 0, "{report}");
        assert!(first.to_dot().starts_with("digraph"));
        graphs.push(recorded);
    }
    assert_eq!(graphs[0], graphs[1]);
}
