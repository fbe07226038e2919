//! Failing every allocation by forking (Unix): the program runs once per engine and the
//! process forks at every allocation N. The child fails allocation N, lets the run unwind
//! to its end, checks the heap and writes what it saw to a pipe, then exits; the parent
//! lets the allocation succeed and goes on to N + 1. A failure point costs one fork and one
//! unwind instead of a replay of the whole run up to it, so failing every allocation of
//! every corpus program is affordable (replaying is about M x L / 2 events per program).
//! The child's run up to the failure *is* the parent's run, so this mode checks the unwind
//! (outcome, trace after the failure, leaks) and the engines' agreement; the replay mode
//! (`replay.rs`) is what checks that a re-run reaches the same point.

use std::collections::VecDeque;
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use cairn_lang::ir;
use cairn_runtime::Context;
use cairn_runtime::heap::{RefOp, TraceEvent};
use serde::{Deserialize, Serialize};

use super::{InjectionReport, Loaded, MAX_PROBLEMS, run_main_observed};
use crate::program::Program;
use crate::run::{Engine, Outcome};

/// What the child that failed one allocation saw at the end of its run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct ChildReport {
    allocation: u64,
    /// Trace events recorded before the failed allocation (where it shows in the trace).
    failed_at_event: usize,
    /// The outcome as printed, shortened; `outcome_hash` covers all of it (frames too).
    outcome: String,
    outcome_hash: u64,
    rt0401: bool,
    output_hash: u64,
    /// The events recorded after the failure: how many, and a hash of them all.
    unwind_events: usize,
    unwind_trace_hash: u64,
    leaked_blocks: u32,
    integrity_violations: Vec<String>,
    panicked: bool,
}

/// How long a child may take to report: its run is bounded by the program's fuel and
/// depth limits, so one that takes longer is stuck (a lock taken across the fork, say).
const CHILD_TIMEOUT_MS: i32 = 120_000;

/// Whether `fd` has data or end of file within `timeout_ms`.
fn readable_within(fd: &OwnedFd, timeout_ms: i32) -> bool {
    let mut poll = libc::pollfd {
        fd: std::os::fd::AsRawFd::as_raw_fd(fd),
        events: libc::POLLIN,
        revents: 0,
    };
    loop {
        // SAFETY: `poll` is one valid, writable `pollfd` for an open descriptor.
        match unsafe { libc::poll(&mut poll, 1, timeout_ms) } {
            -1 if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted => {}
            n => return n > 0,
        }
    }
}

/// Longest outcome text a child reports (the pipe holds 64 KiB; a report must fit).
const MAX_OUTCOME_TEXT: usize = 400;

enum Role {
    Parent,
    /// The child's trace starts empty at the failure (the parent cleared it just before).
    Child {
        allocation: u64,
        failed_at_event: usize,
        report: OwnedFd,
    },
}

struct InFlight {
    allocation: u64,
    pid: libc::pid_t,
    report: OwnedFd,
}

/// Shared by the allocation probe (which forks) and the harness (which reaps and, in a
/// child, reports).
struct ForkState {
    role: Role,
    jobs: usize,
    /// The allocations to fork at, ascending (`None`: every one).
    selected: Option<Vec<u64>>,
    in_flight: VecDeque<InFlight>,
    /// One entry per allocation failed, in allocation order.
    reports: Vec<Result<ChildReport, String>>,
    /// The parent's trace, folded in as it goes (a fork copies the page tables of all the
    /// parent's memory, so the parent keeps no long trace): events, mallocs and a hash.
    trace: TraceDigest,
}

/// A trace folded into counts and a hash, event by event.
#[derive(Clone, Default)]
struct TraceDigest {
    events: usize,
    mallocs: u64,
    hasher: rustc_hash::FxHasher,
}

impl TraceDigest {
    fn add(&mut self, events: &[TraceEvent]) {
        self.events += events.len();
        self.mallocs += events.iter().filter(|e| e.op == RefOp::Malloc).count() as u64;
        hash_events(events, &mut self.hasher);
    }

    fn hash(&self) -> u64 {
        self.hasher.finish()
    }
}

fn lock(state: &Mutex<ForkState>) -> MutexGuard<'_, ForkState> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

impl ForkState {
    /// The probe: in the parent, forks a child that fails this allocation; `true` in the
    /// child (fail it), `false` in the parent (and in a child, for later allocations).
    fn at_allocation(&mut self, allocation: u64, heap: &mut cairn_runtime::heap::Heap) -> bool {
        if matches!(self.role, Role::Child { .. }) {
            return false;
        }
        self.trace.add(heap.trace_events());
        heap.clear_trace_events();
        if (self.selected.as_ref()).is_some_and(|chosen| chosen.binary_search(&allocation).is_err())
        {
            return false;
        }
        while self.in_flight.len() >= self.jobs {
            self.reap_oldest();
        }
        let mut fds = [0; 2];
        // SAFETY: `fds` is a writable array of two ints, as `pipe` requires.
        if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
            let error = std::io::Error::last_os_error();
            (self.reports).push(Err(format!("allocation {allocation}: no pipe: {error}")));
            return false;
        }
        // SAFETY: both descriptors were just created by `pipe` and are owned by no one else.
        let (read_end, write_end) =
            unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        // SAFETY: the child only unwinds the run on this thread, then writes its report
        // with `write` and leaves with `_exit` (`report_and_exit`): it takes no lock another
        // thread of the parent could have held at the fork (the allocator is fork-safe).
        match unsafe { libc::fork() } {
            -1 => {
                let error = std::io::Error::last_os_error();
                (self.reports).push(Err(format!("allocation {allocation}: no fork: {error}")));
                false
            }
            0 => {
                drop(read_end);
                self.in_flight.clear();
                self.role = Role::Child {
                    allocation,
                    failed_at_event: self.trace.events,
                    report: write_end,
                };
                true
            }
            pid => {
                drop(write_end);
                self.in_flight.push_back(InFlight {
                    allocation,
                    pid,
                    report: read_end,
                });
                false
            }
        }
    }

    /// Waits for the oldest child and records its report.
    fn reap_oldest(&mut self) {
        let Some(child) = self.in_flight.pop_front() else {
            return;
        };
        let at = format!("failure at allocation {}", child.allocation);
        if !readable_within(&child.report, CHILD_TIMEOUT_MS) {
            // SAFETY: `pid` is a child of this process not yet waited for.
            unsafe { libc::kill(child.pid, libc::SIGKILL) };
            self.reports.push(Err(format!(
                "{at}: the child did not finish within {CHILD_TIMEOUT_MS} ms (killed)"
            )));
        }
        let mut bytes = Vec::new();
        let read = std::fs::File::from(child.report).read_to_end(&mut bytes);
        let mut status = 0;
        // SAFETY: `pid` is a child of this process not yet waited for; `status` is writable.
        while unsafe { libc::waitpid(child.pid, &mut status, 0) } == -1 {
            if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
                break;
            }
        }
        if libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGKILL {
            return; // reported above
        }
        let report = if libc::WIFSIGNALED(status) {
            Err(format!(
                "{at}: the child died of signal {}",
                libc::WTERMSIG(status)
            ))
        } else if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
            Err(format!("{at}: the child exited with status {status:#x}"))
        } else {
            read.map_err(|e| e.to_string())
                .and_then(|_| serde_json::from_slice(&bytes).map_err(|e| e.to_string()))
                .map_err(|e| format!("{at}: no report from the child ({e})"))
        };
        self.reports.push(report);
    }

    fn reap_all(&mut self) {
        while !self.in_flight.is_empty() {
            self.reap_oldest();
        }
    }
}

/// One engine's run with a child forked at every allocation.
struct EngineForks {
    outcome: Outcome,
    output: String,
    trace: TraceDigest,
    reports: Vec<Result<ChildReport, String>>,
}

fn run_forking(
    program: &Program,
    module: &ir::Module,
    loaded: &Loaded,
    ctx: &mut Context,
    jobs: usize,
    selected: Option<Vec<u64>>,
) -> Result<EngineForks, String> {
    let state = Arc::new(Mutex::new(ForkState {
        role: Role::Parent,
        jobs: jobs.max(1),
        selected,
        in_flight: VecDeque::new(),
        reports: Vec::new(),
        trace: TraceDigest::default(),
    }));
    let probe_state = state.clone();
    ctx.heap
        .set_allocation_probe(Some(Box::new(move |allocation, heap: &mut _| {
            lock(&probe_state).at_allocation(allocation, heap)
        })));
    ctx.heap.start_trace();
    let ran = run_main_observed(program, module, loaded, ctx, None);
    let in_child = matches!(lock(&state).role, Role::Child { .. });
    if in_child {
        report_and_exit(&mut lock(&state), ctx, ran);
    }
    ctx.heap.set_allocation_probe(None);
    let mut state = lock(&state);
    state.trace.add(&ctx.heap.take_trace());
    state.reap_all();
    let outcome = ran.ok_or_else(|| "the normal run panicked".to_string())?;
    if ctx.heap.blocks_in_use() != 0 {
        return Err(format!(
            "the normal run leaked {} blocks",
            ctx.heap.blocks_in_use()
        ));
    }
    Ok(EngineForks {
        outcome,
        output: String::from_utf8_lossy(&ctx.output).into_owned(),
        trace: state.trace.clone(),
        reports: std::mem::take(&mut state.reports),
    })
}

/// Allocations of one normal run (counted by a probe that fails none).
fn count_allocations(
    program: &Program,
    module: &ir::Module,
    loaded: &Loaded,
    ctx: &mut Context,
) -> Result<u64, String> {
    let count = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = count.clone();
    ctx.heap
        .set_allocation_probe(Some(Box::new(move |allocation, _: &mut _| {
            counter.store(allocation, std::sync::atomic::Ordering::Relaxed);
            false
        })));
    let ran = run_main_observed(program, module, loaded, ctx, None);
    ctx.heap.set_allocation_probe(None);
    ran.ok_or_else(|| "the counting run panicked".to_string())?;
    if ctx.heap.blocks_in_use() != 0 {
        return Err(format!(
            "the counting run leaked {} blocks",
            ctx.heap.blocks_in_use()
        ));
    }
    Ok(count.load(std::sync::atomic::Ordering::Relaxed))
}

/// In a child, at the end of its run: writes the report to the parent and exits.
fn report_and_exit(state: &mut ForkState, ctx: &mut Context, outcome: Option<Outcome>) -> ! {
    let Role::Child {
        allocation,
        failed_at_event,
        report,
    } = &state.role
    else {
        unreachable!("only a child reports");
    };
    let unwind = ctx.heap.take_trace();
    let mut outcome_text = outcome
        .as_ref()
        .map_or("panicked".into(), ToString::to_string);
    if outcome_text.len() > MAX_OUTCOME_TEXT {
        let mut cut = MAX_OUTCOME_TEXT;
        while !outcome_text.is_char_boundary(cut) {
            cut -= 1;
        }
        outcome_text.truncate(cut);
    }
    let violations = ctx
        .heap
        .integrity_violations
        .iter()
        .take(4)
        .cloned()
        .collect();
    let child = ChildReport {
        allocation: *allocation,
        failed_at_event: *failed_at_event,
        outcome: outcome_text,
        outcome_hash: hash_of(&format!("{outcome:?}")),
        rt0401: matches!(&outcome, Some(Outcome::Failed(error)) if error.code == "RT0401"),
        output_hash: hash_of(&ctx.output),
        unwind_events: unwind.len(),
        unwind_trace_hash: {
            let mut hasher = rustc_hash::FxHasher::default();
            hash_events(&unwind, &mut hasher);
            hasher.finish()
        },
        leaked_blocks: ctx.heap.blocks_in_use(),
        integrity_violations: violations,
        panicked: outcome.is_none(),
    };
    let bytes = serde_json::to_vec(&child).unwrap_or_default();
    let mut written = 0;
    while written < bytes.len() {
        // SAFETY: `report` is this child's open write end; the range is inside `bytes`.
        let n = unsafe {
            libc::write(
                std::os::fd::AsRawFd::as_raw_fd(report),
                bytes[written..].as_ptr().cast(),
                bytes.len() - written,
            )
        };
        if n <= 0 {
            break;
        }
        written += n as usize;
    }
    // SAFETY: `_exit` ends this forked child at once, running no destructors or atexit
    // handlers that belong to the parent's state.
    unsafe { libc::_exit(0) }
}

/// A fast, fixed-seed hash (the same in parent and children; not for adversaries).
fn hash_of(value: &(impl Hash + ?Sized)) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    value.hash(&mut hasher);
    hasher.finish()
}

fn hash_events(events: &[TraceEvent], hasher: &mut rustc_hash::FxHasher) {
    for event in events {
        (event.seq, event.op as u8, event.block, event.old, event.new).hash(hasher);
    }
}

/// Fails every allocation of the program on both engines by forking (see the module).
pub(super) fn inject(
    program: &Program,
    module: &ir::Module,
    engines: &mut [(Engine, Loaded, Context)],
    jobs: usize,
    at_most: Option<u64>,
    allocations: Option<u64>,
    report: &mut InjectionReport,
) {
    let selected = match (at_most, allocations) {
        (None, _) => None,
        (Some(at_most), Some(count)) => Some(super::spread(count, at_most)),
        (Some(at_most), None) => {
            // On a context of its own: the engines' runs must start from fresh heaps, so
            // that their traces name the same blocks.
            let (_, loaded, _) = &engines[0];
            let limits = program.expectations.limits.to_limits();
            let counted = Context::new(limits)
                .map_err(|e| format!("no context: {e}"))
                .and_then(|mut ctx| count_allocations(program, module, loaded, &mut ctx));
            match counted {
                Ok(count) => Some(super::spread(count, at_most)),
                Err(problem) => return report.problems.push(problem),
            }
        }
    };
    let mut runs = Vec::new();
    for (engine, loaded, ctx) in engines.iter_mut() {
        match run_forking(program, module, loaded, ctx, jobs, selected.clone()) {
            Ok(run) => runs.push(run),
            Err(problem) => return report.problems.push(format!("{engine}: {problem}")),
        }
    }
    let [interp, jit] = runs.as_slice() else {
        return;
    };
    report.trace_events = interp.trace.events;
    report.mallocs = interp.trace.mallocs;
    report.injected = interp.reports.len() as u64;
    if interp.outcome != jit.outcome || interp.output != jit.output {
        report.problems.push(format!(
            "normal run: engines disagree: interp {} / jit {}",
            interp.outcome, jit.outcome
        ));
    }
    let digest = |trace: &TraceDigest| (trace.events, trace.mallocs, trace.hash());
    if digest(&interp.trace) != digest(&jit.trace) {
        report.problems.push(format!(
            "normal run: traces differ (events, mallocs, hash): interp {:?} / jit {:?}",
            digest(&interp.trace),
            digest(&jit.trace)
        ));
    }
    let expected = selected.map_or(report.mallocs, |chosen| chosen.len() as u64);
    if interp.reports.len() as u64 != expected || jit.reports.len() != interp.reports.len() {
        report.problems.push(format!(
            "{} allocations to fail, but {} interp and {} jit children",
            expected,
            interp.reports.len(),
            jit.reports.len()
        ));
    }
    for (from_interp, from_jit) in interp.reports.iter().zip(&jit.reports) {
        if report.problems.len() >= MAX_PROBLEMS {
            report
                .problems
                .push("... (stopped after this many problems)".into());
            return;
        }
        check_children(from_interp, from_jit, report);
    }
}

fn check_children(
    interp: &Result<ChildReport, String>,
    jit: &Result<ChildReport, String>,
    report: &mut InjectionReport,
) {
    let (interp, jit) = match (interp, jit) {
        (Ok(interp), Ok(jit)) => (interp, jit),
        (interp, jit) => {
            for problem in [interp.as_ref().err(), jit.as_ref().err()]
                .into_iter()
                .flatten()
            {
                report.problems.push(problem.clone());
            }
            return;
        }
    };
    let at = format!("failure at allocation {}", interp.allocation);
    if interp != jit {
        report.problems.push(format!(
            "{at}: engines disagree: interp {interp:?} / jit {jit:?}"
        ));
    }
    if interp.rt0401 {
        report.ended_in_rt0401 += 1;
    } else {
        report.other_outcomes += 1;
        (report.problems).push(format!(
            "{at}: expected RT0401, the run ended with {}",
            interp.outcome
        ));
    }
    if interp.leaked_blocks != 0 || !interp.integrity_violations.is_empty() || interp.panicked {
        report.problems.push(format!(
            "{at}: leaked {} blocks, integrity violations {:?}, panicked {}",
            interp.leaked_blocks, interp.integrity_violations, interp.panicked
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn child(allocation: u64) -> ChildReport {
        ChildReport {
            allocation,
            failed_at_event: 10,
            outcome: "error RT0401 heap exhausted".into(),
            outcome_hash: 1,
            rt0401: true,
            output_hash: 2,
            unwind_events: 3,
            unwind_trace_hash: 4,
            leaked_blocks: 0,
            integrity_violations: Vec::new(),
            panicked: false,
        }
    }

    fn problems(
        interp: Result<ChildReport, String>,
        jit: Result<ChildReport, String>,
    ) -> Vec<String> {
        let mut report = InjectionReport::default();
        check_children(&interp, &jit, &mut report);
        report.problems
    }

    #[test]
    fn agreeing_clean_children_pass() {
        assert!(problems(Ok(child(7)), Ok(child(7))).is_empty());
    }

    #[test]
    fn a_different_unwind_a_leak_another_outcome_or_a_dead_child_is_reported() {
        let mut other_unwind = child(7);
        other_unwind.unwind_trace_hash = 5;
        assert!(problems(Ok(child(7)), Ok(other_unwind))[0].contains("engines disagree"));
        let mut leaking = child(7);
        leaking.leaked_blocks = 2;
        let found = problems(Ok(leaking.clone()), Ok(leaking));
        assert!(
            found.iter().any(|p| p.contains("leaked 2 blocks")),
            "{found:?}"
        );
        let mut returned = child(7);
        returned.rt0401 = false;
        let found = problems(Ok(returned.clone()), Ok(returned));
        assert!(
            found.iter().any(|p| p.contains("expected RT0401")),
            "{found:?}"
        );
        let died = "failure at allocation 7: the child died of signal 11".to_string();
        assert_eq!(problems(Ok(child(7)), Err(died.clone())), vec![died]);
    }
}
