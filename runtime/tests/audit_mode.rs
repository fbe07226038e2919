//! Audit mode's core (docs/MEMORY.md, "Audit mode and the integrity toolkit"): the event log ring
//! buffer and its sampling and export, shadow counts, hooks, allocation sites, near-OOM warnings,
//! `Context::finish_run` and the `cow` trace rule — each checked against what the heap did.

mod shim_harness;

use std::sync::{Arc, Mutex};

use cairn_runtime::abi::shims;
use cairn_runtime::heap::audit::AuditWarning;
use cairn_runtime::heap::{
    AllocationSite, AuditConfig, BlockState, EventLogConfig, HeapError, RefOp,
};
use cairn_runtime::objects::header::block_of;
use cairn_runtime::{Context, ErrorCode, Limits, Value, objects};
use shim_harness::{Harness, int};

fn audited(blocks: u32, audit: AuditConfig) -> Harness {
    Harness::with_limits(Limits {
        heap_blocks: blocks,
        audit,
        ..Limits::default()
    })
}

fn log_only(capacity: usize, sample_every: u64) -> AuditConfig {
    AuditConfig {
        event_log: Some(EventLogConfig {
            capacity,
            sample_every,
        }),
        ..AuditConfig::default()
    }
}

/// malloc, `n` incRefs, `n` decRefs, free of one 1-block chain: `2n + 2` events.
fn churn(h: &mut Harness, n: u16) -> u32 {
    let heap = &mut h.ctx.heap;
    let block = heap.malloc(8).expect("malloc");
    for _ in 0..n {
        heap.inc_ref(block).expect("inc");
    }
    for _ in 0..n {
        assert!(!heap.dec_ref(block).expect("dec"));
    }
    assert!(heap.dec_ref(block).expect("last dec"));
    heap.free_chain(block).expect("free");
    block
}

#[test]
fn the_event_log_keeps_the_last_capacity_entries_in_order() {
    let mut h = audited(16, log_only(4, 1));
    let block = churn(&mut h, 5); // 12 events: seq 0..=11
    let log = h.ctx.heap.event_log();
    assert_eq!(log.len(), 4);
    let seqs: Vec<u64> = log.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [8, 9, 10, 11]);
    // The last three decRefs (count 4 → 3 → 2 → 1) and the free (1 → 0).
    let shape: Vec<(RefOp, u16, u16)> = log.iter().map(|e| (e.op, e.old, e.new)).collect();
    assert_eq!(
        shape,
        [
            (RefOp::DecRef, 4, 3),
            (RefOp::DecRef, 3, 2),
            (RefOp::DecRef, 2, 1),
            (RefOp::Free, 1, 0),
        ]
    );
    assert!(log.iter().all(|e| e.block == block));
}

#[test]
fn a_log_that_is_not_full_keeps_everything_from_seq_zero() {
    let mut h = audited(16, log_only(100, 1));
    churn(&mut h, 2);
    let log = h.ctx.heap.event_log();
    let ops: Vec<&str> = log.iter().map(|e| e.op.as_str()).collect();
    assert_eq!(
        ops,
        ["malloc", "incRef", "incRef", "decRef", "decRef", "free"]
    );
    assert_eq!(log[0].seq, 0);
    assert_eq!((log[0].old, log[0].new), (0, 1));
}

#[test]
fn sampling_keeps_every_nth_event_by_seq() {
    let mut h = audited(16, log_only(100, 3));
    churn(&mut h, 6); // 14 events: seq 0..=13
    let seqs: Vec<u64> = h.ctx.heap.event_log().iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [0, 3, 6, 9, 12]);
    // Sampling and the ring buffer together: the last 2 sampled entries.
    let mut h = audited(16, log_only(2, 3));
    churn(&mut h, 6);
    let seqs: Vec<u64> = h.ctx.heap.event_log().iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [9, 12]);
}

#[test]
fn entries_carry_the_allocation_site_of_their_block() {
    let config = AuditConfig {
        allocation_sites: true,
        ..log_only(16, 1)
    };
    let mut h = audited(16, config);
    let heap = &mut h.ctx.heap;
    assert!(heap.tracks_allocation_sites());
    heap.set_current_site(AllocationSite::op(2, 7));
    let a = heap.malloc(8).expect("malloc a");
    heap.set_current_site(AllocationSite::op(5, 1));
    let b = heap.malloc(8).expect("malloc b");
    // Retains happen at another site, but an event names its block's allocation site.
    heap.set_current_site(AllocationSite::op(9, 9));
    heap.inc_ref(a).expect("inc a");
    assert!(!heap.dec_ref(a).expect("dec a"));
    let log = heap.event_log();
    let sites: Vec<(u32, RefOp, AllocationSite)> =
        log.iter().map(|e| (e.block, e.op, e.site)).collect();
    assert_eq!(
        sites,
        [
            (a, RefOp::Malloc, AllocationSite::op(2, 7)),
            (b, RefOp::Malloc, AllocationSite::op(5, 1)),
            (a, RefOp::IncRef, AllocationSite::op(2, 7)),
            (a, RefOp::DecRef, AllocationSite::op(2, 7)),
        ]
    );
    assert_eq!(heap.site_of(a), AllocationSite::op(2, 7));
    assert_eq!(AllocationSite::op(2, 7).function_and_op(), Some((2, 7)));
}

#[test]
fn the_json_lines_export_parses_back_with_every_field() {
    let config = AuditConfig {
        allocation_sites: true,
        ..log_only(16, 1)
    };
    let mut h = audited(16, config);
    h.ctx.heap.set_current_site(AllocationSite::op(3, 4));
    let block = churn(&mut h, 1);
    let mut out = Vec::new();
    h.ctx.heap.export_event_log(&mut out).expect("export");
    let text = String::from_utf8(out).expect("utf-8");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 4);
    let expected = [
        (0, "malloc", 0, 1),
        (1, "incRef", 1, 2),
        (2, "decRef", 2, 1),
        (3, "free", 1, 0),
    ];
    for (line, (seq, op, old, new)) in lines.iter().zip(expected) {
        assert_eq!(line["seq"], seq);
        assert_eq!(line["op"], op);
        assert_eq!(line["block"], block);
        assert_eq!(line["old"], old);
        assert_eq!(line["new"], new);
        assert_eq!(line["site"]["function"], 3);
        assert_eq!(line["site"]["op"], 4);
        assert_eq!(line.as_object().map(|o| o.len()), Some(6));
    }
    // Without site tracking the site is null.
    let mut h = audited(16, log_only(16, 1));
    churn(&mut h, 0);
    let mut out = Vec::new();
    h.ctx.heap.export_event_log(&mut out).expect("export");
    let first: serde_json::Value = serde_json::from_str(
        String::from_utf8(out)
            .expect("utf-8")
            .lines()
            .next()
            .expect("line"),
    )
    .expect("json");
    assert!(first["site"].is_null());
}

#[test]
fn shadow_counts_agree_with_the_heap_after_many_operations() {
    let mut h = audited(2048, AuditConfig::full());
    let before = h.snapshot();
    let mut list = h.list(&[]);
    let mut old_versions = Vec::new();
    for i in 0..60 {
        // Pushing on a shared list copies the path; the old version stays alive.
        let shared = h.retain(list);
        old_versions.push(list);
        list = h
            .call2(shims::rt_push, shared, int(i))
            .expect("push on a shared list copies");
        if i % 3 == 0 {
            let oldest = old_versions.remove(0);
            h.release(oldest);
        }
    }
    let key = h.text("key");
    let map = h.map(&[key, list]);
    let copy = h.retain(map);
    assert_eq!(h.ctx.heap.validate_ref_counts(), Some(Vec::new()));
    h.release(copy);
    h.release(map);
    for version in old_versions {
        h.release(version);
    }
    assert_eq!(h.ctx.heap.validate_ref_counts(), Some(Vec::new()));
    assert!(h.ctx.heap.audit_violations().is_empty());
    assert!(
        h.ctx.heap.event_log().len() == 1024,
        "the log saw every event"
    );
    h.assert_heap_equals(&before);
}

#[test]
fn shadow_counts_are_off_unless_asked_for() {
    let h = Harness::new(16);
    assert_eq!(h.ctx.heap.validate_ref_counts(), None);
    let h = audited(16, log_only(4, 1));
    assert_eq!(h.ctx.heap.validate_ref_counts(), None);
}

#[test]
fn a_count_changed_behind_the_heaps_back_is_reported_and_the_next_retain_fails() {
    let config = AuditConfig {
        shadow_counts: true,
        allocation_sites: true,
        ..AuditConfig::default()
    };
    let mut h = audited(64, config);
    h.ctx.heap.set_current_site(AllocationSite::op(1, 2));
    let text = h.text("drifting");
    let block = block_of(text);
    h.ctx.heap.memory_mut().set_ref_count(block, 5);

    let mismatches = h.ctx.heap.validate_ref_counts().expect("shadow counts on");
    assert_eq!(mismatches.len(), 1);
    let mismatch = &mismatches[0];
    assert_eq!(mismatch.block, block);
    assert_eq!(mismatch.expected, 1);
    assert_eq!(mismatch.actual, 5);
    assert_eq!(mismatch.site, AllocationSite::op(1, 2));
    assert!(mismatch.to_string().contains("function 1 op 2"));

    // The shim reports RT0801 (no panic, no count change).
    let error = h.call1(shims::rt_retain, text).expect_err("retain fails");
    assert_eq!(error.code, ErrorCode::RT0801, "{error:?}");
    assert!(
        error.message.contains(&format!("block {block}")),
        "{}",
        error.message
    );
    assert_eq!(h.ctx.heap.ref_count(block), 5);
    let violations = h.ctx.heap.audit_violations();
    assert_eq!(violations.len(), 1);
    assert_eq!(violations[0].block, block);
    assert_eq!(violations[0].site, AllocationSite::op(1, 2));

    // So does the object layer, and so does a release.
    let error = objects::retain(&mut h.ctx.heap, text).expect_err("retain fails");
    assert_eq!(error.code, ErrorCode::RT0801);
    let error = objects::release(&mut h.ctx.heap, text).expect_err("release fails");
    assert_eq!(error.code, ErrorCode::RT0801);
    assert_eq!(h.ctx.heap.audit_violations().len(), 3);
}

#[test]
fn a_count_zeroed_behind_the_heaps_back_is_an_error_not_a_panic() {
    let mut h = audited(64, AuditConfig::full());
    let text = h.text("gone");
    let block = block_of(text);
    h.ctx.heap.memory_mut().set_ref_count(block, 0);
    let mismatches = h.ctx.heap.validate_ref_counts().expect("on");
    assert_eq!((mismatches[0].expected, mismatches[0].actual), (1, 0));
    let error = h.call1(shims::rt_retain, text).expect_err("retain fails");
    assert!(
        matches!(error.code, ErrorCode::RT0801 | ErrorCode::RT0404),
        "{error:?}"
    );
}

type Calls = Arc<Mutex<Vec<(&'static str, RefOp, u32)>>>;

fn recorder(calls: &Calls, name: &'static str) -> cairn_runtime::heap::audit::HookCallback {
    let calls = Arc::clone(calls);
    Box::new(move |event| {
        calls
            .lock()
            .expect("lock")
            .push((name, event.op, event.block));
    })
}

#[test]
fn hooks_run_in_registration_order_for_the_events_they_asked_for() {
    let config = AuditConfig {
        hooks: true,
        ..AuditConfig::default()
    };
    let mut h = audited(16, config);
    let calls: Calls = Arc::default();
    let heap = &mut h.ctx.heap;
    let a = heap
        .register_audit_hook(&[RefOp::Malloc, RefOp::Free], recorder(&calls, "a"))
        .expect("hooks on");
    let b = heap
        .register_audit_hook(&[RefOp::Malloc], recorder(&calls, "b"))
        .expect("hooks on");
    let c = heap
        .register_audit_hook(&[RefOp::IncRef, RefOp::Malloc], recorder(&calls, "c"))
        .expect("hooks on");
    assert!(a != b && b != c);
    let block = churn(&mut h, 1);
    assert_eq!(
        *calls.lock().expect("lock"),
        [
            ("a", RefOp::Malloc, block),
            ("b", RefOp::Malloc, block),
            ("c", RefOp::Malloc, block),
            ("c", RefOp::IncRef, block),
            ("a", RefOp::Free, block),
        ]
    );
    // Unregistering removes exactly that hook.
    assert!(h.ctx.heap.unregister_audit_hook(b));
    assert!(!h.ctx.heap.unregister_audit_hook(b));
    calls.lock().expect("lock").clear();
    let block = churn(&mut h, 0);
    assert_eq!(
        *calls.lock().expect("lock"),
        [
            ("a", RefOp::Malloc, block),
            ("c", RefOp::Malloc, block),
            ("a", RefOp::Free, block),
        ]
    );
}

#[test]
fn hooks_cannot_be_registered_without_audit_hooks() {
    let calls: Calls = Arc::default();
    let mut h = Harness::new(16);
    assert_eq!(
        h.ctx
            .heap
            .register_audit_hook(&[RefOp::Malloc], recorder(&calls, "x")),
        None
    );
    let mut h = audited(
        16,
        AuditConfig {
            hooks: false,
            ..AuditConfig::full()
        },
    );
    assert_eq!(
        h.ctx
            .heap
            .register_audit_hook(&[RefOp::Malloc], recorder(&calls, "x")),
        None
    );
    churn(&mut h, 1);
    assert!(calls.lock().expect("lock").is_empty());
}

#[test]
fn a_panicking_hook_is_disabled_and_reported_and_the_operation_completes() {
    let mut h = audited(64, AuditConfig::full());
    let calls: Calls = Arc::default();
    let panics = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = Arc::clone(&panics);
    let bad = h
        .ctx
        .heap
        .register_audit_hook(
            &[RefOp::Malloc],
            Box::new(move |event| {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                panic!("hook exploded at block {}", event.block);
            }),
        )
        .expect("hooks on");
    h.ctx
        .heap
        .register_audit_hook(&[RefOp::Malloc], recorder(&calls, "good"))
        .expect("hooks on");
    let before = h.snapshot();
    let first = h.text("one");
    let second = h.text("two");
    assert_eq!(h.show(first), "\"one\"");
    assert_eq!(panics.load(std::sync::atomic::Ordering::SeqCst), 1);
    let failures = h.ctx.heap.hook_failures();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].hook, bad);
    assert_eq!(failures[0].event.op, RefOp::Malloc);
    assert_eq!(failures[0].event.block, block_of(first));
    assert!(
        failures[0]
            .message
            .contains(&format!("hook exploded at block {}", block_of(first))),
        "{}",
        failures[0].message
    );
    // The hook after it still ran, both times.
    let seen: Vec<u32> = calls.lock().expect("lock").iter().map(|c| c.2).collect();
    assert_eq!(seen, [block_of(first), block_of(second)]);
    assert_eq!(h.ctx.heap.validate_ref_counts(), Some(Vec::new()));
    h.release(first);
    h.release(second);
    h.assert_heap_equals(&before);
}

#[test]
fn allocation_sites_are_cleaned_on_free_and_set_again_on_reuse() {
    let config = AuditConfig {
        allocation_sites: true,
        ..AuditConfig::default()
    };
    let mut h = audited(16, config);
    let heap = &mut h.ctx.heap;
    heap.set_current_site(AllocationSite::op(0, 1));
    let first = heap.malloc(8).expect("malloc");
    assert_eq!(heap.site_of(first), AllocationSite::op(0, 1));
    assert!(heap.dec_ref(first).expect("dec"));
    heap.free_chain(first).expect("free");
    assert_eq!(heap.site_of(first), AllocationSite::UNKNOWN);
    heap.set_current_site(AllocationSite::op(4, 2));
    let reused = heap.malloc(8).expect("malloc");
    assert_eq!(reused, first, "the free list is LIFO");
    assert_eq!(heap.site_of(reused), AllocationSite::op(4, 2));
    // An unknown current site is recorded as unknown, not as the previous one.
    heap.set_current_site(AllocationSite::UNKNOWN);
    let other = heap.malloc(8).expect("malloc");
    assert_eq!(heap.site_of(other), AllocationSite::UNKNOWN);
    // Without site tracking nothing is known.
    let mut plain = Harness::new(16);
    plain.ctx.heap.set_current_site(AllocationSite::op(1, 1));
    let block = plain.ctx.heap.malloc(8).expect("malloc");
    assert_eq!(plain.ctx.heap.site_of(block), AllocationSite::UNKNOWN);
}

fn near_oom_warnings(h: &Harness) -> Vec<(u32, u32)> {
    h.ctx
        .heap
        .audit_warnings()
        .iter()
        .map(|w| match w {
            AuditWarning::NearOutOfMemory { in_use, limit, .. } => (*in_use, *limit),
        })
        .collect()
}

fn free_block(h: &mut Harness, block: u32) {
    assert!(h.ctx.heap.dec_ref(block).expect("dec"));
    h.ctx.heap.free_chain(block).expect("free");
}

#[test]
fn the_near_oom_warning_fires_once_per_crossing_and_re_arms() {
    // 10 blocks, warn below 30% free: 8 or more in use.
    let config = AuditConfig {
        near_oom_percent: Some(30),
        ..AuditConfig::default()
    };
    let mut h = audited(10, config);
    let mut blocks = Vec::new();
    for _ in 0..7 {
        blocks.push(h.ctx.heap.malloc(8).expect("malloc"));
    }
    assert!(
        near_oom_warnings(&h).is_empty(),
        "7 in use, 3 free: not yet"
    );
    blocks.push(h.ctx.heap.malloc(8).expect("malloc"));
    assert_eq!(near_oom_warnings(&h), [(8, 10)]);
    blocks.push(h.ctx.heap.malloc(8).expect("malloc"));
    assert_eq!(near_oom_warnings(&h), [(8, 10)], "still the same crossing");

    // Falling back below the threshold re-arms it, checked at the next allocation...
    for block in blocks.drain(3..) {
        free_block(&mut h, block);
    }
    blocks.push(h.ctx.heap.malloc(8).expect("malloc")); // 4 in use
    for _ in 0..4 {
        blocks.push(h.ctx.heap.malloc(8).expect("malloc"));
    }
    assert_eq!(near_oom_warnings(&h), [(8, 10), (8, 10)]);

    // ...and also when the usage drops by frees alone and one allocation crosses again.
    for block in blocks.drain(..) {
        free_block(&mut h, block);
    }
    let big = h.ctx.heap.malloc_blocks(9, false).expect("9 blocks");
    assert_eq!(near_oom_warnings(&h), [(8, 10), (8, 10), (9, 10)]);
    free_block(&mut h, big);
}

#[test]
fn the_near_oom_threshold_is_relative_to_the_quota() {
    let config = AuditConfig {
        near_oom_percent: Some(50),
        ..AuditConfig::default()
    };
    let mut h = Harness::with_limits(Limits {
        heap_blocks: 100,
        heap_quota: Some(10),
        audit: config,
        ..Limits::default()
    });
    let block = h.ctx.heap.malloc_blocks(6, false).expect("6 blocks");
    assert_eq!(near_oom_warnings(&h), [(6, 10)]);
    free_block(&mut h, block);
}

#[test]
fn finish_run_fails_a_run_that_found_a_violation_and_releases_its_value() {
    let config = AuditConfig {
        shadow_counts: true,
        ..AuditConfig::default()
    };
    let mut h = audited(64, config);
    // A violation before the run does not fail it.
    let early = h.text("early");
    h.ctx.heap.memory_mut().set_ref_count(block_of(early), 3);
    assert!(h.call1(shims::rt_retain, early).is_err());
    h.ctx.begin_run();
    let result = h.text("result");
    let kept = h
        .ctx
        .finish_run(Ok(result))
        .expect("no violation in this run");
    assert_eq!(kept, result);

    h.ctx.begin_run();
    let victim = h.text("victim");
    h.ctx.heap.memory_mut().set_ref_count(block_of(victim), 9);
    let returned = h.text("returned");
    let returned_block = block_of(returned);
    assert!(h.call1(shims::rt_retain, victim).is_err());
    let failure = h.ctx.finish_run(Ok(returned)).expect_err("RT0801");
    assert_eq!(failure.error.code, ErrorCode::RT0801);
    assert!(
        failure
            .error
            .message
            .contains(&format!("block {}", block_of(victim))),
        "{}",
        failure.error.message
    );
    assert_eq!(
        h.ctx.heap.state(returned_block),
        Some(BlockState::Free),
        "the run's value was released"
    );
    // An error outcome stays the error it was.
    h.ctx.begin_run();
    assert!(h.call1(shims::rt_retain, victim).is_err());
    let original = cairn_runtime::RunFailure {
        error: cairn_runtime::RuntimeError::out_of_fuel(),
        frames: Vec::new(),
    };
    let failure = h.ctx.finish_run(Err(original.clone())).expect_err("error");
    assert_eq!(failure, original);
}

#[test]
fn finish_run_is_a_no_op_without_audit_mode() {
    let mut ctx = Context::new(Limits {
        heap_blocks: 16,
        ..Limits::default()
    })
    .expect("context");
    ctx.begin_run();
    let value = Value::int(3).expect("int");
    assert_eq!(ctx.finish_run(Ok(value)), Ok(value));
}

#[test]
fn copy_chain_records_no_cow_when_the_copy_cannot_be_made() {
    let mut h = Harness::new(32);
    let heap = &mut h.ctx.heap;
    let head = heap.malloc_blocks(2, false).expect("2 blocks");
    heap.inc_ref(head).expect("shared");
    heap.set_quota(Some(3));
    heap.start_trace();
    assert_eq!(
        heap.copy_chain(head),
        Err(HeapError::QuotaExceeded {
            used: 2,
            quota: 3,
            requested: 2
        })
    );
    assert!(heap.take_trace().is_empty(), "no cow, no malloc");
    assert_eq!(heap.blocks_in_use(), 2);

    heap.set_quota(None);
    heap.start_trace();
    let copy = heap.copy_chain(head).expect("room now");
    let ops: Vec<(&str, u32)> = heap
        .take_trace()
        .iter()
        .map(|e| (e.op.as_str(), e.block))
        .collect();
    assert_eq!(ops, [("cow", head), ("malloc", copy)]);
}

#[test]
fn a_push_on_a_shared_list_over_quota_records_no_cow_and_leaks_nothing() {
    let mut h = Harness::new(64);
    let list = h.list(&[int(1), int(2), int(3)]);
    let shared = h.retain(list);
    let used = h.ctx.heap.blocks_in_use();
    h.ctx.heap.set_quota(Some(used));
    let before = h.snapshot();
    h.start_trace();
    let error = h
        .call2(shims::rt_push, shared, int(4))
        .expect_err("over quota");
    assert_eq!(error.code, ErrorCode::RT0402);
    let ops = h.trace_ops();
    assert!(!ops.contains(&"cow"), "{ops:?}");
    assert!(!ops.contains(&"malloc"), "{ops:?}");
    // The failed push released the owned argument (the shared reference) and nothing else.
    assert_eq!(ops, ["decRef"]);
    assert_eq!(h.ctx.heap.blocks_in_use(), before.blocks_in_use);
    h.ctx.heap.set_quota(None);
    h.release(list);
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}
