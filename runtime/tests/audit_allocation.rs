//! Allocation under pressure (docs/MEMORY.md, "Soft quota and the allocation-failure handler"): the
//! allocation-failure handler and its one retry, critical allocations past the quota, and the
//! watchdog at fuel points — with fuel accounting unchanged by it.

mod shim_harness;

use std::sync::{Arc, Mutex};

use cairn_runtime::abi::shims;
use cairn_runtime::heap::audit::WatchdogTrigger;
use cairn_runtime::heap::{
    AllocationFailure, AllocationRetry, AuditConfig, HeapError, WatchdogAction, WatchdogConfig,
};
use cairn_runtime::{ErrorCode, Limits, Value, objects};
use shim_harness::{Harness, int};

fn with_quota(blocks: u32, quota: Option<u32>) -> Harness {
    Harness::with_limits(Limits {
        heap_blocks: blocks,
        heap_quota: quota,
        ..Limits::default()
    })
}

type Seen = Arc<Mutex<Vec<AllocationFailure>>>;

#[test]
fn the_handler_is_called_once_and_may_raise_the_quota_for_a_retry() {
    let mut h = with_quota(32, Some(4));
    let seen: Seen = Arc::default();
    let log = Arc::clone(&seen);
    h.ctx
        .heap
        .set_allocation_failure_handler(Some(Box::new(move |heap, failure| {
            log.lock().expect("lock").push(*failure);
            heap.set_quota(Some(10));
            AllocationRetry::Retry
        })));
    let first = h.ctx.heap.malloc_blocks(2, false).expect("under the quota");
    assert!(seen.lock().expect("lock").is_empty());
    let big = h
        .ctx
        .heap
        .malloc_blocks(6, false)
        .expect("retried after the quota rose");
    assert_eq!(
        *seen.lock().expect("lock"),
        [AllocationFailure {
            requested: 6,
            in_use: 2,
            free: 30,
            quota: Some(4),
            quota_exceeded: true,
        }]
    );
    assert_eq!(h.ctx.heap.quota(), Some(10));
    assert_eq!(h.ctx.heap.blocks_in_use(), 8);
    assert_eq!(h.ctx.heap.chain(big).len(), 6);
    assert_eq!(h.ctx.heap.chain(first).len(), 2);
    h.ctx.heap.validate_free_list().expect("free list");
}

#[test]
fn a_handler_that_fails_leaves_the_original_error_and_nothing_allocated() {
    let mut h = with_quota(64, Some(3));
    let calls = Arc::new(Mutex::new(0));
    let count = Arc::clone(&calls);
    h.ctx
        .heap
        .set_allocation_failure_handler(Some(Box::new(move |_, _| {
            *count.lock().expect("lock") += 1;
            AllocationRetry::Fail
        })));
    let before = h.snapshot();
    let items: Vec<Value> = (0..40).map(int).collect();
    let error = h.try_list(&items).expect_err("over the quota");
    assert_eq!(error.code, ErrorCode::RT0402, "{error:?}");
    assert_eq!(*calls.lock().expect("lock"), 1);
    h.assert_heap_equals(&before);

    // Exhaustion rather than the quota: RT0401, handler told so.
    let mut h = with_quota(8, None);
    let seen: Seen = Arc::default();
    let log = Arc::clone(&seen);
    h.ctx
        .heap
        .set_allocation_failure_handler(Some(Box::new(move |_, failure| {
            log.lock().expect("lock").push(*failure);
            AllocationRetry::Fail
        })));
    let before = h.snapshot();
    let error = h.ctx.heap.malloc_blocks(20, false).expect_err("too big");
    assert_eq!(
        error,
        HeapError::Exhausted {
            requested: 20,
            free: 8
        }
    );
    assert_eq!(
        cairn_runtime::RuntimeError::from(error).code,
        ErrorCode::RT0401
    );
    assert_eq!(
        *seen.lock().expect("lock"),
        [AllocationFailure {
            requested: 20,
            in_use: 0,
            free: 8,
            quota: None,
            quota_exceeded: false,
        }]
    );
    h.assert_heap_equals(&before);
}

#[test]
fn a_retry_that_still_fails_calls_the_handler_only_once() {
    let mut h = with_quota(16, Some(2));
    let calls = Arc::new(Mutex::new(0));
    let count = Arc::clone(&calls);
    h.ctx
        .heap
        .set_allocation_failure_handler(Some(Box::new(move |_, _| {
            *count.lock().expect("lock") += 1;
            AllocationRetry::Retry
        })));
    assert_eq!(
        h.ctx.heap.malloc_blocks(3, false),
        Err(HeapError::QuotaExceeded {
            used: 0,
            quota: 2,
            requested: 3
        })
    );
    assert_eq!(*calls.lock().expect("lock"), 1);
    // The handler stays installed for the next failure.
    assert!(h.ctx.heap.malloc_blocks(3, false).is_err());
    assert_eq!(*calls.lock().expect("lock"), 2);
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}

#[test]
fn a_handler_that_releases_a_cached_value_makes_room_for_the_retry() {
    let mut h = with_quota(16, None);
    // A cached text filling 10 of the 16 blocks (60 bytes per block).
    let cached = h.text(&"x".repeat(10 * 60 - 12));
    assert_eq!(h.ctx.heap.blocks_in_use(), 10);
    let cache = Arc::new(Mutex::new(Some(cached)));
    let slot = Arc::clone(&cache);
    h.ctx
        .heap
        .set_allocation_failure_handler(Some(Box::new(move |heap, failure| {
            assert!(!failure.quota_exceeded);
            match slot.lock().expect("lock").take() {
                Some(value) => {
                    objects::release(heap, value).expect("release the cached value");
                    AllocationRetry::Retry
                }
                None => AllocationRetry::Fail,
            }
        })));
    let freed_before = h.ctx.heap.counters().total_freed;
    let list = h.list(&(0..60).map(int).collect::<Vec<_>>());
    assert!(
        cache.lock().expect("lock").is_none(),
        "the cache was emptied"
    );
    assert_eq!(h.ctx.heap.counters().total_freed - freed_before, 10);
    assert_eq!(h.show(list).matches(',').count(), 59);
    h.release(list);
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}

#[test]
fn critical_allocations_ignore_the_quota_but_not_the_heap_size() {
    let mut h = with_quota(8, Some(2));
    let calls = Arc::new(Mutex::new(0));
    let count = Arc::clone(&calls);
    h.ctx
        .heap
        .set_allocation_failure_handler(Some(Box::new(move |_, _| {
            *count.lock().expect("lock") += 1;
            AllocationRetry::Fail
        })));
    let block = h.ctx.heap.malloc_blocks(5, true).expect("critical");
    assert_eq!(h.ctx.heap.blocks_in_use(), 5);
    assert_eq!(*calls.lock().expect("lock"), 0, "no failure, no handler");
    assert!(matches!(
        h.ctx.heap.malloc_blocks(1, false),
        Err(HeapError::QuotaExceeded {
            used: 5,
            quota: 2,
            requested: 1
        })
    ));
    assert!(matches!(
        h.ctx.heap.malloc_blocks(4, true),
        Err(HeapError::Exhausted {
            requested: 4,
            free: 3
        })
    ));
    assert_eq!(*calls.lock().expect("lock"), 2);
    assert!(h.ctx.heap.dec_ref(block).expect("dec"));
    h.ctx.heap.free_chain(block).expect("free");
}

fn watchdog_limits(watchdog: WatchdogConfig, fuel: Option<u64>) -> Limits {
    Limits {
        heap_blocks: 64,
        fuel,
        audit: AuditConfig {
            watchdog: Some(watchdog),
            ..AuditConfig::default()
        },
        ..Limits::default()
    }
}

fn fuel_point(h: &mut Harness) -> Result<Value, cairn_runtime::RuntimeError> {
    h.call0(shims::rt_fuel)
}

#[test]
fn the_watchdog_reports_at_the_right_check_and_then_refuses_allocations() {
    let watchdog = WatchdogConfig {
        check_every_fuel: 3,
        high_watermark: Some(4),
        action: WatchdogAction::RefuseAllocations,
        ..WatchdogConfig::default()
    };
    let mut h = Harness::with_limits(watchdog_limits(watchdog, None));
    h.ctx.begin_run();
    // Fuel points 1..=3 spend the first interval; point 4 runs check 1 (heap empty).
    for _ in 0..4 {
        fuel_point(&mut h).expect("fuel");
    }
    assert!(h.ctx.heap.watchdog_reports().is_empty());
    let big = h.ctx.heap.malloc_blocks(5, false).expect("5 blocks");
    // Points 5 and 6 spend the interval; point 7 runs check 2, which fires.
    fuel_point(&mut h).expect("fuel");
    fuel_point(&mut h).expect("fuel");
    assert!(h.ctx.heap.watchdog_reports().is_empty());
    assert!(!h.ctx.heap.is_refusing_allocations());
    fuel_point(&mut h).expect("fuel");
    let reports = h.ctx.heap.watchdog_reports();
    assert_eq!(reports.len(), 1);
    let report = &reports[0];
    assert_eq!(report.check, 2);
    assert_eq!(report.trigger, WatchdogTrigger::HighWatermark { limit: 4 });
    assert_eq!(report.in_use, 5);
    assert_eq!(report.free, 59);
    assert_eq!(report.allocated_since_previous_check, 5);
    assert_eq!(report.action, WatchdogAction::RefuseAllocations);
    assert_eq!(report.snapshot.blocks_in_use, 5);
    assert_eq!(report.snapshot.allocated_heads.get(&big), Some(&1));

    // Later allocations fail with RT0402; critical ones still succeed.
    assert!(h.ctx.heap.is_refusing_allocations());
    let error = h.try_list(&[int(1)]).expect_err("refused");
    assert_eq!(error.code, ErrorCode::RT0402, "{error:?}");
    let critical = h.ctx.heap.malloc_blocks(1, true).expect("critical");
    h.ctx.heap.resume_allocations();
    let list = h.try_list(&[int(1)]).expect("allowed again");
    h.release(list);
    for block in [critical, big] {
        assert!(h.ctx.heap.dec_ref(block).expect("dec"));
        h.ctx.heap.free_chain(block).expect("free");
    }
}

#[test]
fn the_watchdog_records_and_goes_on_by_default_and_sees_min_free_and_rate() {
    let watchdog = WatchdogConfig {
        check_every_fuel: 2,
        min_free_blocks: Some(60),
        max_allocations_per_check: Some(3),
        ..WatchdogConfig::default()
    };
    let mut h = Harness::with_limits(watchdog_limits(watchdog, None));
    h.ctx.begin_run();
    let a = h.ctx.heap.malloc_blocks(4, false).expect("4 blocks"); // 60 free: not below
    for _ in 0..3 {
        fuel_point(&mut h).expect("fuel"); // point 3 runs check 1
    }
    let reports = h.ctx.heap.watchdog_reports();
    assert_eq!(reports.len(), 1);
    assert_eq!(
        reports[0].trigger,
        WatchdogTrigger::AllocationRate { limit: 3 }
    );
    assert_eq!(reports[0].allocated_since_previous_check, 4);
    let b = h.ctx.heap.malloc_blocks(1, false).expect("1 block"); // 59 free
    for _ in 0..2 {
        fuel_point(&mut h).expect("fuel"); // point 5 runs check 2
    }
    let reports = h.ctx.heap.watchdog_reports();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[1].check, 2);
    assert_eq!(
        reports[1].trigger,
        WatchdogTrigger::MinFreeBlocks { limit: 60 }
    );
    assert!(!h.ctx.heap.is_refusing_allocations(), "record and go on");
    h.ctx.heap.malloc_blocks(1, false).expect("still allowed");
    let _ = (a, b);
}

#[test]
fn rt_enter_runs_the_watchdog_like_rt_fuel() {
    let watchdog = WatchdogConfig {
        check_every_fuel: 1,
        high_watermark: Some(0),
        ..WatchdogConfig::default()
    };
    let mut h = Harness::with_limits(watchdog_limits(watchdog, None));
    h.ctx.begin_run();
    h.ctx.heap.malloc(8).expect("one block");
    h.call0(shims::rt_enter)
        .expect("enter 1: spends the interval");
    assert!(h.ctx.heap.watchdog_reports().is_empty());
    h.call0(shims::rt_enter).expect("enter 2: check 1");
    assert_eq!(h.ctx.heap.watchdog_reports().len(), 1);
    h.call0(shims::rt_leave).expect("leave");
    h.call0(shims::rt_leave).expect("leave");
}

/// Runs fuel points until one fails; returns how many succeeded and the error code.
fn fuel_until_failure(limits: Limits, enter_every: usize) -> (u64, ErrorCode) {
    let mut h = Harness::with_limits(limits);
    h.ctx.begin_run();
    for n in 0..10_000u64 {
        let result = if enter_every > 0 && (n as usize).is_multiple_of(enter_every) {
            h.call0(shims::rt_enter)
        } else {
            h.call0(shims::rt_fuel)
        };
        if let Err(error) = result {
            return (n, error.code);
        }
        assert_eq!(
            h.ctx.fuel_remaining + h.ctx.fuel_reserve,
            h.ctx.limits.fuel.expect("limited") - n - 1,
            "fuel left after point {}",
            n + 1
        );
    }
    panic!("fuel never ran out");
}

#[test]
fn fuel_accounting_is_the_same_with_or_without_the_watchdog() {
    for fuel in [1u64, 2, 5, 6, 7, 100] {
        // Some(0) is refused (RT0404) by Context::new
        let plain = Limits {
            heap_blocks: 16,
            fuel: Some(fuel),
            ..Limits::default()
        };
        assert_eq!(
            fuel_until_failure(plain.clone(), 0),
            (fuel, ErrorCode::RT0502),
            "fuel {fuel} without the watchdog"
        );
        for every in [1u64, 2, 3, 7, 1000] {
            let watchdog = WatchdogConfig {
                check_every_fuel: every,
                high_watermark: Some(0),
                ..WatchdogConfig::default()
            };
            let limits = Limits {
                heap_blocks: 16,
                fuel: Some(fuel),
                audit: AuditConfig {
                    watchdog: Some(watchdog),
                    ..AuditConfig::default()
                },
                ..Limits::default()
            };
            for enter_every in [0, 2] {
                assert_eq!(
                    fuel_until_failure(limits.clone(), enter_every),
                    (fuel, ErrorCode::RT0502),
                    "fuel {fuel}, check every {every}, enter every {enter_every}"
                );
            }
        }
    }
}

#[test]
fn the_watchdog_checks_every_interval_of_a_limited_run() {
    // Fuel 10, check every 3: points 4, 7 and 10 run checks 1, 2 and 3.
    let watchdog = WatchdogConfig {
        check_every_fuel: 3,
        high_watermark: Some(0),
        ..WatchdogConfig::default()
    };
    let mut h = Harness::with_limits(watchdog_limits(watchdog, Some(10)));
    h.ctx.begin_run();
    let block = h.ctx.heap.malloc(8).expect("one block");
    let mut checks_after_point = Vec::new();
    for _ in 0..10 {
        fuel_point(&mut h).expect("fuel");
        checks_after_point.push(h.ctx.heap.watchdog_reports().len());
    }
    assert_eq!(checks_after_point, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]);
    let checks: Vec<u64> = h
        .ctx
        .heap
        .watchdog_reports()
        .iter()
        .map(|r| r.check)
        .collect();
    assert_eq!(checks, [1, 2, 3]);
    let error = fuel_point(&mut h).expect_err("out of fuel");
    assert_eq!(error.code, ErrorCode::RT0502);
    assert!(h.ctx.heap.dec_ref(block).expect("dec"));
    h.ctx.heap.free_chain(block).expect("free");
}

#[test]
fn a_panicking_handler_fails_the_allocation_and_is_recorded() {
    let mut h = with_quota(16, Some(1));
    h.ctx
        .heap
        .set_allocation_failure_handler(Some(Box::new(|_, _| panic!("handler broke"))));
    assert_eq!(
        h.ctx.heap.malloc_blocks(2, false),
        Err(HeapError::QuotaExceeded {
            used: 0,
            quota: 1,
            requested: 2
        })
    );
    assert_eq!(h.ctx.heap.integrity_violations.len(), 1);
    assert!(
        h.ctx.heap.integrity_violations[0].contains("handler broke"),
        "{:?}",
        h.ctx.heap.integrity_violations
    );
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
    h.ctx.heap.validate_free_list().expect("free list");
}

#[test]
fn a_handler_that_allocates_is_not_re_entered() {
    let mut h = with_quota(16, Some(2));
    let calls = Arc::new(Mutex::new(0));
    let count = Arc::clone(&calls);
    h.ctx
        .heap
        .set_allocation_failure_handler(Some(Box::new(move |heap, _| {
            *count.lock().expect("lock") += 1;
            // Over the quota too: fails without calling the handler again.
            assert!(heap.malloc_blocks(5, false).is_err());
            AllocationRetry::Fail
        })));
    assert!(h.ctx.heap.malloc_blocks(3, false).is_err());
    assert_eq!(*calls.lock().expect("lock"), 1);
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}
