//! What audit mode costs (docs/MEMORY.md, "Overhead": sampled audit mode under 5%): fib,
//! the vector program and the map program (`cairn_benches::{FIB_27, VECTOR_20K, MAP_5K}`) on
//! the interpreter and the JIT, each in three audit modes:
//!
//! - `off`: `Limits::default()`, audit mode off (the heap pays one branch per event);
//! - `sampled-100`: `AuditConfig::sampled(100)`, the production audit mode (below), one
//!   event in 100 logged;
//! - `full`: `AuditConfig::full()`, every event logged (for information).
//!
//! Benchmark ids are `audit/<program>/<engine>/<mode>` in every build, so that criterion
//! baselines saved by a build without the audit code (`--features strip-audit`, where
//! `set_audit` does nothing and every mode runs as `off`) line up with the normal build.
//!
//! Each iteration runs main on a fresh `Context` made with the mode's limits (made and
//! dropped outside the timing: a host makes a runtime once and runs it many times), checks
//! the result and releases it; the run's own audit work (the end-of-run free-list walk, …)
//! is timed. Programs are compiled once; the JIT's audit variant (compiled on the first run
//! by a runtime that tracks allocation sites) is warmed before timing.
//!
//! Reproduce the two comparisons (one machine, one session, in this order):
//!
//! ```text
//! # 1. the build without audit code, saved as baseline `stripped`
//! cargo bench -p cairn-benches --bench audit_overhead --features strip-audit -- --save-baseline
//! stripped
//! # 2. the normal build against it: the `off` rows' "change" is audit off vs no audit code
//! #    (target ≤ 1%); sampled-100 vs off (target < 5%) is the ratio of the medians this
//! #    run prints for `audit/<program>/<engine>/sampled-100` and `.../off`.
//! cargo bench -p cairn-benches --bench audit_overhead -- --baseline stripped
//! ```
//!
//! Noise on a busy machine can exceed 1%: repeat step 1 and 2 alternately, and compare the
//! stripped build with its own baseline (`--features strip-audit -- --baseline stripped`) to
//! see the noise floor.
//!
//! The clock is the bench thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`, user + system), not
//! wall time: on a shared machine wall time also counts the time other processes hold the
//! core, which swamps a 1% difference. Both engines run on the calling thread, so nothing is
//! missed. `CAIRN_BENCH_WALL_CLOCK=1` measures wall time instead (never compare a baseline
//! saved with one clock against a run with the other).
//!
//! `sampled-100` is the production audit mode (`AuditConfig::sampled`): shadow counts, hooks,
//! near-OOM warnings and the sampled event log, without the two debugging aids whose cost
//! grows with the program rather than its heap traffic (allocation sites, which make the
//! interpreter observe every instruction and the JIT run its audit variant; and the full
//! free-list walk at the end of every run, ~0.3 ms on a 65,535-block segment). `full` has
//! them. Measured figures are in docs/MEMORY.md ("Overhead").

use std::hint::black_box;
use std::time::Duration;

use cairn_benches::{BenchProgram, FIB_27, MAP_5K, Run, VECTOR_20K, compile, run_checked};
use cairn_runtime::heap::AuditConfig;
use cairn_runtime::{Context, Limits};
use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{BatchSize, Criterion};

/// Whether this build has audit mode compiled out (the runtime's `strip-audit` feature).
const STRIPPED: bool = cfg!(feature = "strip-audit");

/// The programs, with the short name used in benchmark ids.
const PROGRAMS: &[(&str, BenchProgram)] =
    &[("fib", FIB_27), ("vector", VECTOR_20K), ("map", MAP_5K)];

/// The audit modes, with the name used in benchmark ids.
fn modes() -> [(&'static str, AuditConfig); 3] {
    [
        ("off", AuditConfig::default()),
        ("sampled-100", AuditConfig::sampled(100)),
        ("full", AuditConfig::full()),
    ]
}

fn fresh_context(audit: AuditConfig) -> Context {
    Context::new(Limits {
        audit,
        ..Limits::default()
    })
    .expect("context")
}

/// One untimed run that also checks the mode is what it claims (audit on exactly when the
/// mode enables it and the build has audit code) and that audit mode found nothing wrong.
/// For the JIT this compiles the audit variant when the mode tracks allocation sites.
fn warm_up(run: Run<'_>, audit: AuditConfig, program: &BenchProgram) {
    let mut ctx = fresh_context(audit);
    run_checked(run, &mut ctx, program);
    let audit_on = audit.is_enabled() && !STRIPPED;
    assert_eq!(ctx.heap.audit().is_some(), audit_on, "{}", program.name);
    assert!(
        ctx.heap.audit_violations().is_empty(),
        "{}: {:?}",
        program.name,
        ctx.heap.audit_violations()
    );
    assert!(ctx.heap.integrity_violations.is_empty(), "{}", program.name);
}

fn audit_overhead<M: Measurement>(c: &mut Criterion<M>) {
    for (short_name, program) in PROGRAMS {
        let module = compile(program);
        let interp = cairn_interp::load(&module).expect("interpreter load");
        let jit = cairn_jit::compile(&module).expect("JIT compile");
        let engines: [(&str, Run<'_>); 2] = [
            ("interp", &|ctx| interp.run_main(black_box(ctx))),
            ("jit", &|ctx| jit.run_main(black_box(ctx))),
        ];

        let mut group = c.benchmark_group(format!("audit/{short_name}"));
        for (engine, run) in engines {
            for (mode, audit) in modes() {
                // Inside the routine (which criterion calls only for benchmarks the filter
                // selects), once.
                let mut warmed = false;
                group.bench_function(format!("{engine}/{mode}"), |b| {
                    if !warmed {
                        warm_up(run, audit, program);
                        warmed = true;
                    }
                    b.iter_batched_ref(
                        || fresh_context(audit),
                        |ctx| run_checked(run, ctx, program),
                        BatchSize::PerIteration,
                    )
                });
            }
        }
        group.finish();
    }
}

/// The CPU time the calling thread has used (user + system).
fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec; CLOCK_THREAD_CPUTIME_ID needs nothing else.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// Criterion measurement: CPU time of the bench thread, shown like wall time.
struct ThreadCpuTime {
    /// Only to borrow its duration formatter.
    wall: WallTime,
}

impl Measurement for ThreadCpuTime {
    type Intermediate = Duration;
    type Value = Duration;

    fn start(&self) -> Duration {
        thread_cpu_time()
    }
    fn end(&self, start: Duration) -> Duration {
        thread_cpu_time().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        self.wall.formatter()
    }
}

/// Short runs for a shared machine; command-line options (`--measurement-time`, …) override.
fn config<M: Measurement>(measurement: M) -> Criterion<M> {
    Criterion::default()
        .with_measurement(measurement)
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args()
}

/// `CAIRN_AUDIT_PROBE=<program>/<engine>/<mode>/<runs>` runs one combination `runs` times
/// (no criterion) so that an instruction counter can measure it: on a machine without
/// hardware counters, `valgrind --tool=callgrind` gives exact instruction counts, which
/// resolve a 1% difference that timing noise hides (see docs/MEMORY.md, "Overhead").
fn probe(spec: &str) {
    let parts: Vec<&str> = spec.split('/').collect();
    let [program_name, engine, mode, runs] = parts.as_slice() else {
        panic!("CAIRN_AUDIT_PROBE must be <program>/<engine>/<mode>/<runs>, got {spec:?}");
    };
    let (_, program) = PROGRAMS
        .iter()
        .find(|(name, _)| name == program_name)
        .unwrap_or_else(|| panic!("no program {program_name:?}"));
    let (_, audit) = modes()
        .into_iter()
        .find(|(name, _)| name == mode)
        .unwrap_or_else(|| panic!("no mode {mode:?}"));
    let runs: u32 = runs.parse().expect("a run count");
    let module = compile(program);
    let interp = cairn_interp::load(&module).expect("interpreter load");
    let jit = cairn_jit::compile(&module).expect("JIT compile");
    let run: Run<'_> = match *engine {
        "interp" => &|ctx| interp.run_main(black_box(ctx)),
        "jit" => &|ctx| jit.run_main(black_box(ctx)),
        other => panic!("no engine {other:?}"),
    };
    warm_up(run, audit, program);
    for _ in 0..runs {
        let mut ctx = fresh_context(audit);
        run_checked(run, &mut ctx, program);
    }
}

fn main() {
    if let Some(spec) = std::env::var_os("CAIRN_AUDIT_PROBE") {
        probe(&spec.to_string_lossy());
        return;
    }
    if std::env::var_os("CAIRN_BENCH_WALL_CLOCK").is_some() {
        audit_overhead(&mut config(WallTime));
    } else {
        audit_overhead(&mut config(ThreadCpuTime { wall: WallTime }));
    }
    Criterion::default().configure_from_args().final_summary();
}
