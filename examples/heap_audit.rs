//! The memory-integrity toolkit from a host (docs/EMBEDDING.md, "Auditing the heap"): audit mode in
//! `Limits`, a hook counting events, the event log with allocation sites mapped to source lines,
//! the ownership check with the host's handles as roots, the graph as DOT, heap statistics as
//! Prometheus text, `detect_leaks`, the watchdog and the allocation-failure handler.
//!
//! Run it with `cargo run --example heap_audit` (add `-- interp` for the interpreter).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use cairn::{
    AllocationRetry, AuditConfig, Engine, EngineKind, Limits, RefOp, Value, WatchdogAction,
    WatchdogConfig,
};

const SCRIPT: &str = r#"
fn main() = ()
fn table(n) = collect(map(range(0, n), \i -> #{"id": i, "tags": [i, i * 2]}))
fn cache() = ref(#{"hits": 0})
fn fill(n, acc) = if n == 0 then acc else fill(n - 1, push(acc, [n, n]))
"#;

pub fn run(kind: EngineKind) {
    let engine = Engine::new(kind);
    let module = engine
        .compile("audit.cairn", SCRIPT)
        .expect("the script compiles");

    // 1. Audit mode on: shadow counts, sites, event log, hooks, free-list checks, ...
    let limits = Limits {
        audit: AuditConfig::full(),
        ..Limits::default()
    };
    let mut rt = engine.runtime(limits).expect("a runtime");
    let mallocs = Arc::new(AtomicU64::new(0));
    let counter = mallocs.clone();
    rt.register_audit_hook(&[RefOp::Malloc], move |_event| {
        counter.fetch_add(1, Ordering::Relaxed);
    })
    .expect("hooks are on in full audit mode");

    let table: Value = rt.call(&module, "table", (3,)).expect("table(3)");
    println!("table(3) = {table}");
    println!(
        "mallocs seen by the hook: {}",
        mallocs.load(Ordering::Relaxed)
    );

    // 2. The event log: every event with the site of the block it is about.
    let log = rt.event_log();
    let first = log.first().expect("events were logged");
    let location = module.site_location(first.site).expect("a script site");
    println!(
        "first event: {:?} of block {} allocated in {location}",
        first.op, first.block
    );
    assert_eq!(location.line, 3);

    // 3. Shadow counts agree with every REF_COUNT; the ownership graph is valid with the
    //    handle the host keeps as its only root.
    assert_eq!(rt.validate_ref_counts(), Some(Vec::new()));
    let cache: Value = rt.call(&module, "cache", ()).expect("cache()");
    let report = rt.run_ownership_check();
    assert!(report.valid, "{report}");
    assert_eq!(report.roots, 1);
    println!(
        "ownership check: {} nodes, {} edges, valid",
        report.nodes, report.edges
    );
    let dot = rt.export_ref_graph().to_dot();
    println!(
        "graph (DOT, {} lines): {}",
        dot.lines().count(),
        dot.lines().next().unwrap_or("")
    );

    // 4. Statistics, in Prometheus text format.
    let stats = rt.export_heap_stats();
    assert_eq!(stats.currently_in_use, rt.blocks_in_use());
    let prometheus = stats.to_prometheus();
    let in_use = prometheus
        .lines()
        .find(|line| line.starts_with("cairn_heap_blocks_in_use "))
        .expect("the in-use gauge");
    println!("{in_use}");
    drop(cache);

    // 5. detect_leaks: nothing left behind by a call whose result is dropped.
    let ((), leaks) = rt.detect_leaks(|rt| {
        rt.call::<Value>(&module, "table", (10,))
            .expect("table(10)");
    });
    assert!(leaks.is_clean(), "{leaks}");
    println!("{leaks}");

    // 6. A watchdog that refuses allocations past 200 blocks, checked every 50 fuel units
    //    at the same points on both engines, and an allocation-failure handler that lets
    //    one more call through by raising the quota.
    let guarded = Limits {
        audit: AuditConfig {
            watchdog: Some(WatchdogConfig {
                check_every_fuel: 50,
                high_watermark: Some(200),
                action: WatchdogAction::RefuseAllocations,
                ..WatchdogConfig::default()
            }),
            ..AuditConfig::default()
        },
        ..Limits::default()
    };
    let mut rt = engine.runtime(guarded).expect("a runtime");
    let error = rt
        .call::<Value>(&module, "fill", (10_000, Value::List(Vec::new())))
        .expect_err("the watchdog stops the runaway fill");
    assert_eq!(error.code(), "RT0402");
    println!(
        "watchdog: {} ({:?})",
        error.message(),
        rt.watchdog_reports()[0].trigger
    );
    assert_eq!(rt.blocks_in_use(), 0);
    rt.resume_allocations();

    let mut limited = engine
        .runtime(Limits {
            heap_quota: Some(50),
            ..Limits::default()
        })
        .expect("a runtime");
    limited.on_allocation_failure(|failure, control| {
        control.quota = Some(failure.in_use + failure.requested + 1_000);
        AllocationRetry::Retry
    });
    let filled: Value = limited
        .call(&module, "fill", (100, Value::List(Vec::new())))
        .expect("the handler raised the quota");
    let Value::List(items) = &filled else {
        panic!("fill returns a list")
    };
    assert_eq!(items.len(), 100);
    println!(
        "allocation-failure handler: quota raised, fill(100) built {} items",
        items.len()
    );
}

/// The engine named on the command line: `jit` (default) or `interp`.
fn engine_from_args() -> EngineKind {
    match std::env::args().nth(1).as_deref() {
        None | Some("jit") => EngineKind::Jit,
        Some("interp" | "interpreter") => EngineKind::Interpreter,
        Some(other) => panic!("unknown engine {other:?}: expected `jit` or `interp`"),
    }
}

fn main() {
    run(engine_from_args());
}
