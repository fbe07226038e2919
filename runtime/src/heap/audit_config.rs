//! What audit mode turns on (docs/MEMORY.md, "Audit mode and the integrity toolkit"): plain data
//! kept in [`crate::Limits`], so a runtime's audit setup is chosen with its other limits. Each part
//! can be enabled alone; [`AuditConfig::full`] turns on everything.

/// The event log: a ring buffer of the last `capacity` sampled events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventLogConfig {
    /// Entries kept; older ones are overwritten (default 1024).
    pub capacity: usize,
    /// Log every Nth event (1 = every event).
    pub sample_every: u64,
}

impl Default for EventLogConfig {
    fn default() -> EventLogConfig {
        EventLogConfig {
            capacity: 1024,
            sample_every: 1,
        }
    }
}

/// What the watchdog does when a threshold is crossed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum WatchdogAction {
    /// Record a report with a heap snapshot and go on.
    #[default]
    RecordAndSnapshot,
    /// Record the report, then refuse every further non-critical allocation with RT0402.
    RefuseAllocations,
}

/// Watchdog thresholds, checked cooperatively every `check_every_fuel` fuel
/// units — at the same IR points on both engines, so a trigger is deterministic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WatchdogConfig {
    /// Fuel units between checks (at least 1).
    pub check_every_fuel: u64,
    /// Trigger when more blocks than this are in use (`HIGH_WATERMARK`).
    pub high_watermark: Option<u32>,
    /// Trigger when fewer blocks than this are free (`MIN_FREE_BLOCKS`).
    pub min_free_blocks: Option<u32>,
    /// Trigger when more blocks than this were allocated since the previous check.
    pub max_allocations_per_check: Option<u64>,
    pub action: WatchdogAction,
}

impl Default for WatchdogConfig {
    fn default() -> WatchdogConfig {
        WatchdogConfig {
            check_every_fuel: 1000,
            high_watermark: None,
            min_free_blocks: None,
            max_allocations_per_check: None,
            action: WatchdogAction::RecordAndSnapshot,
        }
    }
}

/// The audit switches of one runtime. The default is everything off: then the heap pays one
/// predictable branch per event and compiled code contains nothing of audit mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct AuditConfig {
    /// The sampled ring-buffer event log.
    pub event_log: Option<EventLogConfig>,
    /// Shadow reference counts, checked before every count change.
    pub shadow_counts: bool,
    /// The block → allocation-site side table. Engines record the IR op that is
    /// running (the JIT compiles a variant of the program that stores it).
    pub allocation_sites: bool,
    /// Free-list assertions at every malloc.
    pub free_list_checks: bool,
    /// Audit hooks: registered hooks run only when this is on.
    pub hooks: bool,
    /// Record a near-OOM warning when an allocation leaves less than this percentage of the
    /// heap (or of the quota) free; re-armed once usage falls back below it.
    pub near_oom_percent: Option<u8>,
    /// The watchdog.
    pub watchdog: Option<WatchdogConfig>,
    /// `checkpoint()` records the ownership graph (the builtin is a no-op otherwise).
    pub checkpoints: bool,
}

impl AuditConfig {
    /// Everything on: the event log (1024 entries, every event), shadow counts, allocation
    /// sites, free-list checks, hooks, near-OOM warnings at 10% and checkpoints. The
    /// watchdog stays off (it needs thresholds).
    pub fn full() -> AuditConfig {
        AuditConfig {
            event_log: Some(EventLogConfig::default()),
            shadow_counts: true,
            allocation_sites: true,
            free_list_checks: true,
            hooks: true,
            near_oom_percent: Some(10),
            watchdog: None,
            checkpoints: true,
        }
    }

    /// The audit mode to leave on in production (docs/MEMORY.md, "Overhead": under 5%):
    /// the event log sampling every `n`th event, shadow counts, hooks, near-OOM warnings and
    /// checkpoints. It leaves out the two debugging aids whose cost grows with the program
    /// rather than with its heap traffic: allocation sites (a debugging aid;
    /// the engines record the running op) and the full free-list walk at the end of every
    /// run (every block `malloc` takes is still checked).
    pub fn sampled(n: u64) -> AuditConfig {
        AuditConfig {
            event_log: Some(EventLogConfig {
                sample_every: n.max(1),
                ..EventLogConfig::default()
            }),
            allocation_sites: false,
            free_list_checks: false,
            ..AuditConfig::full()
        }
    }

    /// Whether any part is on.
    pub fn is_enabled(&self) -> bool {
        *self != AuditConfig::default()
    }
}
