//! The heap's audit-mode entry points: turning audit mode on and off, the checks run before a
//! count changes, shadow-count validation, hooks, the event log, the allocation-failure
//! handler and the watchdog check (docs/MEMORY.md, "Audit mode and the integrity toolkit").

use super::audit::{
    AllocationSite, AuditWarning, HeapAudit, HeapEvent, HookCallback, HookFailure, HookId,
    IntegrityViolation, WatchdogReport,
};
use super::audit_config::{AuditConfig, WatchdogAction};
use super::{Heap, HeapError, RefOp};

/// What a failed allocation asked for, handed to the allocation-failure handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AllocationFailure {
    /// Blocks requested.
    pub requested: u32,
    /// Blocks in use.
    pub in_use: u32,
    /// Blocks free in the heap.
    pub free: u32,
    /// The soft quota, if any.
    pub quota: Option<u32>,
    /// Whether the failure was the quota (RT0402) rather than exhaustion (RT0401).
    pub quota_exceeded: bool,
}

/// The handler's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllocationRetry {
    /// The handler freed blocks or raised the quota: check once more.
    Retry,
    /// Fail the allocation with its original error.
    Fail,
}

/// Called (at most once per allocation) when an allocation fails. It gets the heap itself so
/// that it can release values the host caches (`objects::release`) or raise the quota.
pub type AllocationFailureHandler =
    Box<dyn FnMut(&mut Heap, &AllocationFailure) -> AllocationRetry + Send>;

/// A block whose `REF_COUNT` differs from its shadow count.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RefCountMismatch {
    pub block: u32,
    /// The shadow count: what every recorded retain and release adds up to.
    pub expected: u16,
    /// `REF_COUNT` in the block.
    pub actual: u16,
    pub site: AllocationSite,
}

impl std::fmt::Display for RefCountMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "block {}: expected REF_COUNT {}, found {} (allocated at {})",
            self.block, self.expected, self.actual, self.site
        )
    }
}

impl Heap {
    /// Turns audit mode on with `config` (replacing any previous audit state), or off with
    /// a config that enables nothing. Shadow counts start from the current counts.
    pub fn set_audit(&mut self, config: AuditConfig) {
        if !config.is_enabled() || !super::AUDIT_COMPILED {
            self.audit = None;
        } else {
            let mut counts = vec![0u16; self.segment_count() << 16];
            for block in self.addresses() {
                counts[block as usize] = self.memory.ref_count(block);
            }
            self.audit = Some(Box::new(HeapAudit::new(
                config,
                counts,
                self.counters.total_allocated,
            )));
            self.restart_rate_window();
        }
        self.observing = self.trace.is_some() || self.audit.is_some();
    }

    /// Audit mode's state, when on.
    pub fn audit(&self) -> Option<&HeapAudit> {
        self.audit.as_deref()
    }

    /// Whether the engines should report allocation sites (`set_current_site`).
    #[inline]
    pub fn tracks_allocation_sites(&self) -> bool {
        self.audit
            .as_ref()
            .is_some_and(|audit| audit.config.allocation_sites)
    }

    /// The site the next allocation is attributed to.
    #[inline]
    pub fn set_current_site(&self, site: AllocationSite) {
        self.current_site.set(site.0);
    }

    pub fn current_site(&self) -> AllocationSite {
        AllocationSite(self.current_site.get())
    }

    /// The allocation site of head `index` (unknown without site tracking).
    pub fn site_of(&self, index: u32) -> AllocationSite {
        self.audit
            .as_ref()
            .map(|audit| audit.site_of(index))
            .unwrap_or_default()
    }

    /// An integrity error for `block`: RT0801 with the block's site in audit mode, the
    /// plain integrity error (RT0404) otherwise.
    pub(super) fn integrity_error(&mut self, block: u32, detail: String) -> HeapError {
        match &mut self.audit {
            Some(audit) => HeapError::Audit(audit.record_violation(block, detail)),
            None => HeapError::Integrity(detail),
        }
    }

    /// Before a count change in audit mode: the shadow count must equal `REF_COUNT`.
    #[inline(never)]
    pub(super) fn check_shadow(
        &mut self,
        block: u32,
        actual: u16,
        what: &str,
    ) -> Result<(), HeapError> {
        match self
            .audit
            .as_mut()
            .and_then(|audit| audit.check_shadow(block, actual, what))
        {
            Some(violation) => Err(HeapError::Audit(violation)),
            None => Ok(()),
        }
    }

    #[inline(never)]
    pub(super) fn after_allocation_audit(&mut self) {
        let (in_use, limit) = self.near_oom_usage();
        if let Some(audit) = &mut self.audit {
            audit.after_allocation(in_use, limit);
        }
    }

    #[inline(never)]
    pub(super) fn after_free_audit(&mut self) {
        let (in_use, limit) = self.near_oom_usage();
        if let Some(audit) = &mut self.audit {
            audit.after_free(in_use, limit);
        }
    }

    /// Blocks in use and the limit the near-OOM percentage is of (the quota or the heap).
    fn near_oom_usage(&self) -> (u32, u32) {
        let limit = self.quota.unwrap_or(u32::MAX).min(self.block_count());
        (self.blocks_in_use(), limit)
    }

    #[cold]
    pub(super) fn retry_after_failure_handler(
        &mut self,
        needed: u32,
        critical: bool,
        error: HeapError,
    ) -> Result<(), HeapError> {
        let Some(mut handler) = self.allocation_failure_handler.take() else {
            return Err(error);
        };
        let failure = AllocationFailure {
            requested: needed,
            in_use: self.blocks_in_use(),
            free: self.free_count(),
            quota: self.quota,
            quota_exceeded: matches!(error, HeapError::QuotaExceeded { .. }),
        };
        let answer =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(self, &failure)));
        // A handler installed by the handler itself wins; otherwise the old one comes back.
        if self.allocation_failure_handler.is_none() {
            self.allocation_failure_handler = Some(handler);
        }
        match answer {
            Ok(AllocationRetry::Retry) => self.check_room(needed, critical),
            Ok(AllocationRetry::Fail) => Err(error),
            Err(panic) => {
                let detail = super::super::abi::handles::boundary::panic_detail(panic.as_ref());
                self.integrity_violations
                    .push(format!("the allocation-failure handler panicked: {detail}"));
                Err(error)
            }
        }
    }

    /// Installs (or with `None` removes) the allocation-failure handler.
    pub fn set_allocation_failure_handler(&mut self, handler: Option<AllocationFailureHandler>) {
        self.allocation_failure_handler = handler;
    }

    /// Registers a hook called for every event in `events`, after the ones registered
    /// before it. `None` when audit mode (with hooks) is off.
    pub fn register_audit_hook(
        &mut self,
        events: &[RefOp],
        callback: HookCallback,
    ) -> Option<HookId> {
        let audit = self.audit.as_mut().filter(|audit| audit.config.hooks)?;
        Some(audit.register_hook(events, callback))
    }

    pub fn unregister_audit_hook(&mut self, id: HookId) -> bool {
        self.audit
            .as_mut()
            .is_some_and(|audit| audit.unregister_hook(id))
    }

    /// Hooks that panicked (and were disabled).
    pub fn hook_failures(&self) -> &[HookFailure] {
        self.audit
            .as_ref()
            .map_or(&[], |audit| &audit.hook_failures)
    }

    /// Violations audit mode has found so far.
    pub fn audit_violations(&self) -> &[IntegrityViolation] {
        self.audit.as_ref().map_or(&[], |audit| &audit.violations)
    }

    /// Near-OOM warnings so far.
    pub fn audit_warnings(&self) -> &[AuditWarning] {
        self.audit.as_ref().map_or(&[], |audit| &audit.warnings)
    }

    /// Watchdog reports so far.
    pub fn watchdog_reports(&self) -> &[WatchdogReport] {
        self.audit
            .as_ref()
            .map_or(&[], |audit| &audit.watchdog_reports)
    }

    /// The event log's entries, oldest first (empty without an event log).
    pub fn event_log(&self) -> Vec<HeapEvent> {
        self.audit
            .as_ref()
            .and_then(|audit| audit.log.as_ref())
            .map(|log| log.entries().copied().collect())
            .unwrap_or_default()
    }

    /// Writes the event log as JSON Lines:
    /// `{"seq":..,"op":..,"block":..,"old":..,"new":..,"site":..}`.
    pub fn export_event_log(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        for event in self.event_log() {
            serde_json::to_writer(&mut *out, &event)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    /// Compares every block's shadow count with its `REF_COUNT` (shadow counts). `None`
    /// when shadow counts are off.
    pub fn validate_ref_counts(&self) -> Option<Vec<RefCountMismatch>> {
        let audit = self.audit.as_ref()?;
        let shadow = audit.shadow.as_ref()?;
        let mut mismatches = Vec::new();
        for block in self.addresses() {
            let expected = shadow.get(block as usize).copied().unwrap_or(0);
            let actual = self.memory.ref_count(block);
            if actual != expected {
                mismatches.push(RefCountMismatch {
                    block,
                    expected,
                    actual,
                    site: audit.site_of(block),
                });
            }
        }
        Some(mismatches)
    }

    /// One watchdog check (called at fuel points every `check_every_fuel` units). With
    /// [`WatchdogAction::RefuseAllocations`] every later non-critical allocation fails with
    /// RT0402 until [`Heap::resume_allocations`].
    pub fn watchdog_check(&mut self) {
        let in_use = self.blocks_in_use();
        let free = self.free_count();
        let total = self.counters.total_allocated;
        self.audit_free_list();
        let Some(mut audit) = self.audit.take() else {
            return;
        };
        let action = audit.watchdog_check(in_use, free, total, || self.snapshot());
        self.audit = Some(audit);
        if action == Some(WatchdogAction::RefuseAllocations) {
            self.refusing_allocations = true;
        }
    }

    /// Lifts a watchdog's refusal of allocations.
    pub fn resume_allocations(&mut self) {
        self.refusing_allocations = false;
    }

    pub fn is_refusing_allocations(&self) -> bool {
        self.refusing_allocations
    }

    /// In audit mode, records a violation about `block` found by the object layer and
    /// returns it (the caller reports RT0801); `None` when audit mode is off.
    pub fn record_audit_violation(
        &mut self,
        block: u32,
        detail: String,
    ) -> Option<IntegrityViolation> {
        Some(self.audit.as_mut()?.record_violation(block, detail))
    }

    /// With `free_list_checks` on, walks the whole free list (the periodic
    /// check; every block `malloc` takes is checked anyway) and records what is wrong.
    /// Runs at the end of every run, at every watchdog check and at `checkpoint()`.
    pub fn audit_free_list(&mut self) {
        let enabled = self
            .audit
            .as_ref()
            .is_some_and(|audit| audit.config.free_list_checks);
        if !enabled {
            return;
        }
        if let Err(error) = self.validate_free_list() {
            let detail = match error {
                HeapError::Integrity(detail) => detail,
                other => format!("{other:?}"),
            };
            let block = self.snapshot_free_list_head();
            self.record_audit_violation(block, detail);
        }
    }

    /// Records a violation found on a path that cannot return an error.
    pub fn note_integrity_violation(&mut self, detail: String) {
        self.integrity_violations.push(detail);
    }
}
