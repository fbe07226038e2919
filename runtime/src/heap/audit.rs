//! Audit-mode state of one heap (docs/MEMORY.md, "Audit mode and the integrity toolkit"): the
//! sampled event log, shadow reference counts, the allocation-site side table, hooks,
//! integrity violations, near-OOM warnings and watchdog reports. The heap owns one
//! `HeapAudit` only while audit mode is on; when it is off the heap pays one branch per
//! event (`Heap::observing`) and nothing else.

use std::collections::VecDeque;

use serde::Serialize;

use super::audit_config::{AuditConfig, WatchdogAction, WatchdogConfig};
use super::snapshot::HeapSnapshot;
use super::trace::RefOp;

/// Where a block was allocated: the IR op that was running (function id, op index), or
/// nowhere known (an allocation by the host, or with site tracking off). The runtime knows
/// no syntax; engines and tools map a site to a function name and a source span.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AllocationSite(pub u64);

impl AllocationSite {
    /// No site known.
    pub const UNKNOWN: AllocationSite = AllocationSite(0);

    /// Op `op` (function-wide numbering) of function `function`.
    pub fn op(function: u32, op: u32) -> AllocationSite {
        AllocationSite(((u64::from(function) + 1) << 32) | u64::from(op))
    }

    /// `(function, op)`, or `None` for [`AllocationSite::UNKNOWN`].
    pub fn function_and_op(self) -> Option<(u32, u32)> {
        let function = (self.0 >> 32) as u32;
        (function != 0).then(|| (function - 1, self.0 as u32))
    }
}

impl Serialize for AllocationSite {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.function_and_op() {
            None => serializer.serialize_none(),
            Some((function, op)) => {
                use serde::ser::SerializeStruct;
                let mut site = serializer.serialize_struct("AllocationSite", 2)?;
                site.serialize_field("function", &function)?;
                site.serialize_field("op", &op)?;
                site.end()
            }
        }
    }
}

impl std::fmt::Display for AllocationSite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.function_and_op() {
            None => write!(f, "unknown site"),
            Some((function, op)) => write!(f, "function {function} op {op}"),
        }
    }
}

/// One heap event as audit mode sees it: the trace event (docs/MEMORY.md, "Traces and snapshots")
/// plus the block's allocation site. `seq` counts every event since audit mode was turned on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct HeapEvent {
    pub seq: u64,
    pub op: RefOp,
    pub block: u32,
    pub old: u16,
    pub new: u16,
    pub site: AllocationSite,
}

/// A registered hook's id (to unregister it, or to read its failure).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct HookId(pub u64);

/// A hook callback: it sees the event only, never the heap, so it cannot corrupt it.
pub type HookCallback = Box<dyn FnMut(&HeapEvent) + Send>;

struct Hook {
    id: HookId,
    events: Vec<RefOp>,
    callback: HookCallback,
    enabled: bool,
}

/// A hook that panicked: it was disabled and the run went on (audit hooks cannot take the runtime
/// down).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HookFailure {
    pub hook: HookId,
    pub event: HeapEvent,
    pub message: String,
}

/// An integrity violation found by audit mode (RT0801), with the block and its site.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IntegrityViolation {
    pub block: u32,
    pub detail: String,
    pub site: AllocationSite,
}

impl std::fmt::Display for IntegrityViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "block {}: {}", self.block, self.detail)?;
        if self.site != AllocationSite::UNKNOWN {
            write!(f, " (allocated at {})", self.site)?;
        }
        Ok(())
    }
}

/// A warning recorded by audit mode (never printed by the runtime).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "warning", rename_all = "snake_case")]
pub enum AuditWarning {
    /// An allocation left fewer than the configured percentage of `limit` blocks free.
    NearOutOfMemory { seq: u64, in_use: u32, limit: u32 },
}

/// Which watchdog threshold fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "trigger", rename_all = "snake_case")]
pub enum WatchdogTrigger {
    HighWatermark { limit: u32 },
    MinFreeBlocks { limit: u32 },
    AllocationRate { limit: u64 },
}

/// One watchdog firing: which check (counted from 1), why, the heap's use, and a snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchdogReport {
    pub check: u64,
    pub trigger: WatchdogTrigger,
    pub in_use: u32,
    pub free: u32,
    pub allocated_since_previous_check: u64,
    pub action: WatchdogAction,
    pub snapshot: HeapSnapshot,
}

/// The event log's ring buffer (docs/MEMORY.md, "Audit mode and the integrity toolkit").
pub struct EventLog {
    capacity: usize,
    sample_every: u64,
    entries: VecDeque<HeapEvent>,
}

impl EventLog {
    fn push(&mut self, event: HeapEvent) {
        if !event.seq.is_multiple_of(self.sample_every) || self.capacity == 0 {
            return;
        }
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(event);
    }

    /// The entries kept, oldest first.
    pub fn entries(&self) -> impl Iterator<Item = &HeapEvent> {
        self.entries.iter()
    }
}

/// Audit state of a heap (see the module doc).
pub struct HeapAudit {
    pub(super) config: AuditConfig,
    event_seq: u64,
    pub(super) log: Option<EventLog>,
    /// Expected `REF_COUNT` per block address (0 for free and tail blocks); indexed by the
    /// 32-bit address, grown as segments are mapped.
    pub(super) shadow: Option<Vec<u16>>,
    /// Allocation site per head block address (cleaned on free).
    pub(super) sites: Option<Vec<AllocationSite>>,
    hooks: Vec<Hook>,
    next_hook_id: u64,
    pub(super) hook_failures: Vec<HookFailure>,
    pub(super) violations: Vec<IntegrityViolation>,
    pub(super) warnings: Vec<AuditWarning>,
    near_oom_armed: bool,
    pub(super) watchdog_reports: Vec<WatchdogReport>,
    watchdog_checks: u64,
    allocated_at_previous_check: u64,
}

impl HeapAudit {
    /// Audit state for a heap whose current counts are `counts` (one per block index) and
    /// whose heads were allocated at unknown sites.
    pub(super) fn new(config: AuditConfig, counts: Vec<u16>, total_allocated: u64) -> HeapAudit {
        let block_count = counts.len();
        HeapAudit {
            config,
            event_seq: 0,
            log: config.event_log.map(|log| EventLog {
                capacity: log.capacity,
                sample_every: log.sample_every.max(1),
                entries: VecDeque::with_capacity(log.capacity.min(1 << 16)),
            }),
            shadow: config.shadow_counts.then_some(counts),
            sites: config
                .allocation_sites
                .then(|| vec![AllocationSite::UNKNOWN; block_count]),
            hooks: Vec::new(),
            next_hook_id: 1,
            hook_failures: Vec::new(),
            violations: Vec::new(),
            warnings: Vec::new(),
            near_oom_armed: true,
            watchdog_reports: Vec::new(),
            watchdog_checks: 0,
            allocated_at_previous_check: total_allocated,
        }
    }

    pub fn config(&self) -> &AuditConfig {
        &self.config
    }

    /// Makes room for addresses below `addresses` (a segment was mapped).
    pub(super) fn grow_to(&mut self, addresses: usize) {
        if let Some(shadow) = &mut self.shadow
            && shadow.len() < addresses
        {
            shadow.resize(addresses, 0);
        }
        if let Some(sites) = &mut self.sites
            && sites.len() < addresses
        {
            sites.resize(addresses, AllocationSite::UNKNOWN);
        }
    }

    /// The site recorded for head block `index`.
    pub fn site_of(&self, index: u32) -> AllocationSite {
        self.sites
            .as_ref()
            .and_then(|sites| sites.get(index as usize).copied())
            .unwrap_or_default()
    }

    /// Checks that the shadow count of `index` equals `actual` before a count change;
    /// records and returns the violation when it does not.
    pub(super) fn check_shadow(
        &mut self,
        index: u32,
        actual: u16,
        what: &str,
    ) -> Option<IntegrityViolation> {
        let expected = *self.shadow.as_ref()?.get(index as usize)?;
        if expected == actual {
            return None;
        }
        let violation = IntegrityViolation {
            block: index,
            detail: format!(
                "reference count drift before {what}: shadow count {expected}, REF_COUNT {actual}"
            ),
            site: self.site_of(index),
        };
        self.violations.push(violation.clone());
        Some(violation)
    }

    /// Records a violation found by a heap check.
    pub(super) fn record_violation(&mut self, block: u32, detail: String) -> IntegrityViolation {
        let violation = IntegrityViolation {
            block,
            detail,
            site: self.site_of(block),
        };
        self.violations.push(violation.clone());
        violation
    }

    /// Takes one event: shadow counts, sites, the log, hooks.
    pub(super) fn on_event(&mut self, op: RefOp, index: u32, old: u16, new: u16, site: u64) {
        if let Some(shadow) = &mut self.shadow
            && let Some(slot) = shadow.get_mut(index as usize)
        {
            match op {
                RefOp::Malloc | RefOp::IncRef | RefOp::DecRef | RefOp::Free => *slot = new,
                RefOp::Cow => {}
            }
        }
        let block_site = match (&mut self.sites, op) {
            (Some(sites), RefOp::Malloc) => {
                sites[index as usize] = AllocationSite(site);
                AllocationSite(site)
            }
            (Some(sites), RefOp::Free) => std::mem::take(&mut sites[index as usize]),
            (Some(sites), _) => sites[index as usize],
            (None, _) => AllocationSite::UNKNOWN,
        };
        let event = HeapEvent {
            seq: self.event_seq,
            op,
            block: index,
            old,
            new,
            site: block_site,
        };
        self.event_seq += 1;
        if let Some(log) = &mut self.log {
            log.push(event);
        }
        if self.config.hooks && !self.hooks.is_empty() {
            self.run_hooks(&event);
        }
    }

    fn run_hooks(&mut self, event: &HeapEvent) {
        for hook in &mut self.hooks {
            if !hook.enabled || !hook.events.contains(&event.op) {
                continue;
            }
            let callback = &mut hook.callback;
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| callback(event)));
            if let Err(panic) = outcome {
                hook.enabled = false;
                self.hook_failures.push(HookFailure {
                    hook: hook.id,
                    event: *event,
                    message: crate::abi::handles::boundary::panic_detail(panic.as_ref()),
                });
            }
        }
    }

    /// Registers a hook for `events`; hooks run in registration order.
    pub(super) fn register_hook(&mut self, events: &[RefOp], callback: HookCallback) -> HookId {
        let id = HookId(self.next_hook_id);
        self.next_hook_id += 1;
        self.hooks.push(Hook {
            id,
            events: events.to_vec(),
            callback,
            enabled: true,
        });
        id
    }

    pub(super) fn unregister_hook(&mut self, id: HookId) -> bool {
        let before = self.hooks.len();
        self.hooks.retain(|hook| hook.id != id);
        self.hooks.len() != before
    }

    /// After an allocation: a near-OOM warning when fewer than the configured percentage of
    /// `limit` blocks are left (once per crossing).
    pub(super) fn after_allocation(&mut self, in_use: u32, limit: u32) {
        let Some(below) = self.near_oom_below(in_use, limit) else {
            return;
        };
        if below && self.near_oom_armed {
            self.near_oom_armed = false;
            self.warnings.push(AuditWarning::NearOutOfMemory {
                seq: self.event_seq.saturating_sub(1),
                in_use,
                limit,
            });
        } else if !below {
            self.near_oom_armed = true;
        }
    }

    /// After a free: re-arms the near-OOM warning once usage is back out of the zone, so that
    /// a later allocation that crosses into it again in one step warns again.
    pub(super) fn after_free(&mut self, in_use: u32, limit: u32) {
        if self.near_oom_below(in_use, limit) == Some(false) {
            self.near_oom_armed = true;
        }
    }

    /// Whether fewer than the configured percentage of `limit` blocks are free (`None` when
    /// near-OOM warnings are off).
    fn near_oom_below(&self, in_use: u32, limit: u32) -> Option<bool> {
        let percent = self.config.near_oom_percent?;
        let free = limit.saturating_sub(in_use);
        Some(u64::from(free) * 100 < u64::from(limit) * u64::from(percent))
    }

    /// One watchdog check; returns the action to take when a threshold fired.
    pub(super) fn watchdog_check(
        &mut self,
        in_use: u32,
        free: u32,
        total_allocated: u64,
        snapshot: impl FnOnce() -> HeapSnapshot,
    ) -> Option<WatchdogAction> {
        let config: WatchdogConfig = self.config.watchdog?;
        self.watchdog_checks += 1;
        let allocated = total_allocated - self.allocated_at_previous_check;
        self.allocated_at_previous_check = total_allocated;
        let trigger = if let Some(limit) = config.high_watermark.filter(|&l| in_use > l) {
            WatchdogTrigger::HighWatermark { limit }
        } else if let Some(limit) = config.min_free_blocks.filter(|&l| free < l) {
            WatchdogTrigger::MinFreeBlocks { limit }
        } else if let Some(limit) = config.max_allocations_per_check.filter(|&l| allocated > l) {
            WatchdogTrigger::AllocationRate { limit }
        } else {
            return None;
        };
        self.watchdog_reports.push(WatchdogReport {
            check: self.watchdog_checks,
            trigger,
            in_use,
            free,
            allocated_since_previous_check: allocated,
            action: config.action,
            snapshot: snapshot(),
        });
        Some(config.action)
    }
}
