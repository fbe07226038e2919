//! One soak thread: its own runtimes (one per [`SlotKind`], dropped and recreated every few
//! thousand calls), the opaque handles it holds, and the loop that makes its share of the
//! calls against the shared module pool. After every call it checks the outcome against the
//! model and the documented heap invariant: `blocks_in_use()` is exactly the blocks of the
//! handles the host still holds for that runtime.

use std::collections::BTreeMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::time::Duration;

use cairn::{Engine, Module, Runtime, Value};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::cases::plan;
use super::model::{Effect, Expect, Held, Mode, SlotKind};
use super::scripts::Program;

/// A recompiled module replaces a pool entry every this many calls of a worker.
const RECOMPILE_EVERY: u64 = 5_000;
/// A runtime is dropped and recreated after a random number of its calls in this range.
const RUNTIME_LIFE: std::ops::Range<u64> = 2_000..20_000;
/// At most this many handles are held per runtime.
const MAX_HELD: usize = 24;
/// Workers publish their call count every this many calls.
const PUBLISH_EVERY: u64 = 256;
/// Problems described in full per worker (all are counted).
const MAX_PROBLEMS: usize = 10;

/// The modules every worker calls: each program on each engine, replaced by a fresh
/// compilation from time to time. Entry `program * 2 + engine`.
pub struct Pool {
    entries: Vec<RwLock<(Module, u64)>>,
    generation: AtomicU64,
    engines: [Engine; 2],
}

impl Pool {
    pub fn new(engines: [Engine; 2]) -> Result<Pool, String> {
        let generation = AtomicU64::new(0);
        let mut entries = Vec::new();
        for program in Program::ALL {
            for engine in &engines {
                let g = generation.fetch_add(1, Ordering::Relaxed);
                entries.push(RwLock::new((program.compile(engine, g)?, g)));
            }
        }
        Ok(Pool {
            entries,
            generation,
            engines,
        })
    }

    fn get(&self, program: Program, engine: usize) -> (Module, u64) {
        let entry = self.entries[program.index() * 2 + engine]
            .read()
            .unwrap_or_else(|e| e.into_inner());
        (entry.0.clone(), entry.1)
    }

    /// Compiles a new generation of entry `index` and swaps it in (the old module lives on
    /// in whoever still holds it).
    fn recompile(&self, index: usize) -> Result<(), String> {
        let program = Program::ALL[index / 2];
        let g = self.generation.fetch_add(1, Ordering::Relaxed);
        let module = program.compile(&self.engines[index % 2], g)?;
        *self.entries[index]
            .write()
            .unwrap_or_else(|e| e.into_inner()) = (module, g);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

/// What the helper thread does for workers: cancel a running call, or drop handles on a
/// thread other than the one that made them.
pub enum Job {
    Cancel(cairn::CancelHandle, Duration),
    /// Drops the handles, then signals the worker (when it waits: the runtime is alive and
    /// its next check must see the release queued).
    Drop(Vec<Value>, Option<Sender<()>>),
}

/// Counters every worker adds to as it goes (read by the reporting thread).
#[derive(Default)]
pub struct Progress {
    pub calls: AtomicU64,
    pub mismatches: AtomicU64,
    pub leaks: AtomicU64,
}

/// What a worker did, merged into the final report.
#[derive(Default)]
pub struct WorkerReport {
    pub calls: u64,
    /// Calls by outcome: `ok` or the diagnostic code.
    pub outcomes: BTreeMap<String, u64>,
    pub mismatches: u64,
    pub leaks: u64,
    pub problems: Vec<String>,
    pub runtimes_created: u64,
    pub modules_compiled: u64,
    pub handles_created: u64,
    pub cancels: u64,
}

struct Slot {
    kind: SlotKind,
    rt: Runtime,
    held: Vec<Held>,
    life: u64,
}

pub struct Worker<'a> {
    index: usize,
    rng: ChaCha8Rng,
    pool: &'a Pool,
    progress: &'a Progress,
    helper: Sender<Job>,
    slots: Vec<Slot>,
    /// Handles of runtimes already dropped, dropped a little later.
    orphans: Vec<Value>,
    report: WorkerReport,
}

impl<'a> Worker<'a> {
    pub fn new(
        index: usize,
        seed: u64,
        pool: &'a Pool,
        progress: &'a Progress,
        helper: Sender<Job>,
    ) -> Result<Worker<'a>, String> {
        let stream = seed ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut worker = Worker {
            index,
            rng: ChaCha8Rng::seed_from_u64(stream),
            pool,
            progress,
            helper,
            slots: Vec::new(),
            orphans: Vec::new(),
            report: WorkerReport::default(),
        };
        let kinds = [
            SlotKind::Plain,
            SlotKind::Plain,
            SlotKind::Fuel,
            SlotKind::Depth,
            SlotKind::Quota,
            SlotKind::SmallHeap,
            SlotKind::FailAlloc(1),
        ];
        for kind in kinds {
            let slot = worker.new_slot(kind)?;
            worker.slots.push(slot);
        }
        Ok(worker)
    }

    fn new_slot(&mut self, kind: SlotKind) -> Result<Slot, String> {
        let kind = match kind {
            SlotKind::FailAlloc(_) => SlotKind::FailAlloc(self.rng.random_range(1..=6)),
            other => other,
        };
        let rt = runtime(&self.pool.engines[0], kind.limits())?;
        self.report.runtimes_created += 1;
        Ok(Slot {
            kind,
            rt,
            held: Vec::new(),
            life: self.rng.random_range(RUNTIME_LIFE),
        })
    }

    /// Makes `calls` calls and returns what happened.
    pub fn run(mut self, calls: u64) -> Result<WorkerReport, String> {
        let mut unpublished = 0;
        for done in 0..calls {
            if done % RECOMPILE_EVERY == RECOMPILE_EVERY - 1 {
                let entry = self.rng.random_range(0..self.pool.len());
                self.pool.recompile(entry)?;
                self.report.modules_compiled += 1;
            }
            let slot = self.rng.random_range(0..self.slots.len());
            self.one_call(slot);
            self.maybe_drop_handles(slot);
            self.age(slot)?;
            unpublished += 1;
            if unpublished == PUBLISH_EVERY {
                self.progress
                    .calls
                    .fetch_add(unpublished, Ordering::Relaxed);
                unpublished = 0;
            }
        }
        self.progress
            .calls
            .fetch_add(unpublished, Ordering::Relaxed);
        self.report.calls = calls;
        // Everything still held is released; each runtime must then be empty.
        for slot in &mut self.slots {
            slot.held.clear();
            let left = slot.rt.blocks_in_use();
            if left != 0 {
                self.report.leaks += 1;
                self.progress.leaks.fetch_add(1, Ordering::Relaxed);
                self.report.problems.push(format!(
                    "worker {}: {left} blocks left in a {:?} runtime with no handles",
                    self.index, slot.kind
                ));
            }
        }
        Ok(self.report)
    }

    fn one_call(&mut self, index: usize) {
        let foreign = self.foreign_handle(index);
        let slot = &self.slots[index];
        let foreign = foreign.map(|(s, h)| &self.slots[s].held[h]);
        let planned = plan(&mut self.rng, slot.kind, &slot.held, foreign);
        let engine = self.rng.random_range(0..2);
        let (module, generation) = match planned.module_of {
            Some(h) => (self.slots[index].held[h].module.clone(), None),
            None => {
                let (module, generation) = self.pool.get(planned.program, engine);
                (module, Some(generation))
            }
        };
        let slot = &mut self.slots[index];
        let result = match planned.mode {
            Mode::Normal => slot
                .rt
                .call_value(&module, planned.function, planned.args.clone()),
            Mode::AsText => slot
                .rt
                .call::<String>(&module, planned.function, planned.args.clone())
                .map(Value::Text),
            Mode::CancelBefore => {
                slot.rt.cancel_handle().cancel();
                slot.rt
                    .call_value(&module, planned.function, planned.args.clone())
            }
            Mode::CancelWhileRunning => {
                let delay = Duration::from_micros(self.rng.random_range(0..300));
                let _ = self
                    .helper
                    .send(Job::Cancel(slot.rt.cancel_handle(), delay));
                self.report.cancels += 1;
                slot.rt
                    .call_value(&module, planned.function, planned.args.clone())
            }
        };
        let outcome = match &result {
            Ok(_) => "ok".to_string(),
            Err(error) => error.code().to_string(),
        };
        *self.report.outcomes.entry(outcome).or_insert(0) += 1;
        let before: u32 = slot.held.iter().map(|h| h.blocks).sum();
        let verdict = planned.check(generation, &result);
        match (verdict, result) {
            (Ok(()), Ok(value)) => {
                if let Effect::Update(h, state) = planned.effect {
                    slot.held[h].state = state;
                }
                if let Expect::NewHandle(state) = planned.expect {
                    let blocks = slot.rt.blocks_in_use().saturating_sub(before);
                    slot.held.push(Held {
                        value,
                        state,
                        module: module.clone(),
                        blocks,
                    });
                    self.report.handles_created += 1;
                    if blocks == 0 {
                        let what = format!("{}: a new handle holds no block", planned.function);
                        self.problem(&what, false);
                    }
                }
            }
            (Ok(()), Err(_)) => {}
            (Err(what), _) => {
                let what = format!(
                    "{:?} runtime, {} on the {:?}: {what}",
                    slot.kind,
                    module.name(),
                    module.engine_kind()
                );
                self.problem(&what, false);
            }
        }
        let slot = &mut self.slots[index];
        let expected: u32 = slot.held.iter().map(|h| h.blocks).sum();
        let in_use = slot.rt.blocks_in_use();
        if in_use != expected {
            let what = format!(
                "{:?} runtime after {}({:?}): {in_use} blocks in use, the host's handles hold {expected}",
                slot.kind, planned.function, planned.args
            );
            let kind = slot.kind;
            self.problem(&what, true);
            // Start the runtime afresh so that one leak is counted once.
            if let Ok(fresh) = self.new_slot(kind) {
                self.slots[index] = fresh;
            }
        }
    }

    /// A random handle of another runtime of this worker: (slot, handle).
    fn foreign_handle(&mut self, index: usize) -> Option<(usize, usize)> {
        let other = self.rng.random_range(0..self.slots.len());
        let held = self.slots[other].held.len();
        (other != index && held > 0).then(|| (other, self.rng.random_range(0..held)))
    }

    fn problem(&mut self, what: &str, leak: bool) {
        if leak {
            self.report.leaks += 1;
            self.progress.leaks.fetch_add(1, Ordering::Relaxed);
        } else {
            self.report.mismatches += 1;
            self.progress.mismatches.fetch_add(1, Ordering::Relaxed);
        }
        if self.report.problems.len() < MAX_PROBLEMS {
            let kind = if leak { "leak" } else { "unexpected outcome" };
            self.report
                .problems
                .push(format!("worker {} {kind}: {what}", self.index));
        }
    }

    /// Now and then drops a held handle: here, or on the helper thread.
    fn maybe_drop_handles(&mut self, index: usize) {
        let slot = &mut self.slots[index];
        let too_many = slot.held.len() > MAX_HELD;
        if slot.held.is_empty() || !(too_many || self.rng.random_range(0..6) == 0) {
            return;
        }
        let handle = slot
            .held
            .swap_remove(self.rng.random_range(0..slot.held.len()));
        if self.rng.random_bool(0.25) {
            let (done, dropped) = std::sync::mpsc::channel();
            if self
                .helper
                .send(Job::Drop(vec![handle.value], Some(done)))
                .is_ok()
            {
                let _ = dropped.recv();
            }
        }
    }

    /// Counts a call against the runtime's life; at its end the runtime is dropped (with
    /// some of its handles still alive, released after it is gone) and recreated.
    fn age(&mut self, index: usize) -> Result<(), String> {
        let slot = &mut self.slots[index];
        slot.life = slot.life.saturating_sub(1);
        if slot.life > 0 {
            return Ok(());
        }
        let kind = slot.kind;
        let fresh = self.new_slot(kind)?;
        let old = std::mem::replace(&mut self.slots[index], fresh);
        let kept: Vec<Value> = old.held.into_iter().map(|h| h.value).collect();
        drop(old.rt);
        let previous = std::mem::replace(&mut self.orphans, kept);
        if self.rng.random_bool(0.5) {
            drop(previous);
        } else {
            let _ = self.helper.send(Job::Drop(previous, None));
        }
        Ok(())
    }
}

fn runtime(engine: &Engine, limits: cairn::Limits) -> Result<Runtime, String> {
    engine
        .runtime(limits)
        .map_err(|error| format!("cannot create a runtime: {error}"))
}

/// The helper thread's loop: runs jobs until every worker has hung up.
pub fn helper_loop(jobs: std::sync::mpsc::Receiver<Job>) {
    for job in jobs {
        match job {
            Job::Cancel(handle, delay) => {
                if !delay.is_zero() {
                    std::thread::sleep(delay);
                }
                handle.cancel();
            }
            Job::Drop(values, done) => {
                drop(values);
                if let Some(done) = done {
                    let _ = done.send(());
                }
            }
        }
    }
}
