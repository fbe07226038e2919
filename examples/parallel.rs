//! One compiled Module, four runtimes on four threads. A `Module` is `Send + Sync` (compile
//! once, share it); a `Runtime` is one heap used by one thread at a time, so each thread
//! makes its own. Host functions registered on the engine are shared by every thread (here
//! a counter of progress reports). The threads' results are plain `Value`s (or Rust types)
//! the main thread combines.
//!
//! Run it with `cargo run --example parallel` (add `-- interp` for the interpreter).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::thread;
use std::time::Instant;

use cairn::{Engine, EngineKind, Limits};

const SCRIPT: &str = r#"
fn main() = ()

fn no_divisor(n, d) = if d * d > n then true else if n % d == 0 then false else no_divisor(n, d + 1)
fn is_prime(n) = n >= 2 and no_divisor(n, 2)

// Primes in [lo, hi): (how many, their sum, the largest or 0), reporting progress to the host.
fn prime_stats(lo, hi) = {
  primes = collect(filter(range(lo, hi), is_prime))
  progress(len(primes))
  n = len(primes)
  (n, sum(primes), if n == 0 then 0 else primes[n - 1])
}
"#;

const LIMIT: i64 = 40_000;
const THREADS: i64 = 4;

/// Primes below `limit` by a sieve, for checking the script's answer.
fn sieve(limit: i64) -> Vec<i64> {
    let limit = usize::try_from(limit).expect("a small positive limit");
    let mut composite = vec![false; limit];
    let mut primes = Vec::new();
    for n in 2..limit {
        if !composite[n] {
            primes.push(n as i64);
            for multiple in (n * n..limit).step_by(n) {
                composite[multiple] = true;
            }
        }
    }
    primes
}

/// Runs the example on `kind`; panics (with the reason) if anything behaves unexpectedly.
pub fn run(kind: EngineKind) {
    println!("== parallel on {kind:?}");
    let reported = Arc::new(AtomicI64::new(0));
    let mut engine = Engine::new(kind);
    let counter = reported.clone();
    engine
        .register_fn("progress", move |found: i64| {
            counter.fetch_add(found, Ordering::Relaxed);
        })
        .unwrap();

    // Compile once.
    let module = engine
        .compile("primes.cairn", SCRIPT)
        .unwrap_or_else(|error| panic!("the script should compile:\n{error}"));

    // Four threads, one runtime each, all running the same Module.
    let started = Instant::now();
    let chunk = LIMIT / THREADS;
    let results: Vec<(i64, i64, i64)> = thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|index| {
                let (engine, module) = (&engine, &module);
                scope.spawn(move || {
                    let mut rt = engine.runtime(Limits::default()).expect("runtime");
                    let (lo, hi) = (index * chunk, (index + 1) * chunk);
                    let stats: (i64, i64, i64) = rt
                        .call(module, "prime_stats", (lo, hi))
                        .expect("prime_stats");
                    println!("thread {index}: primes in [{lo}, {hi}): {stats:?}");
                    assert_eq!(rt.blocks_in_use(), 0);
                    stats
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a worker thread panicked"))
            .collect()
    });

    // Combine.
    let count: i64 = results.iter().map(|r| r.0).sum();
    let total: i64 = results.iter().map(|r| r.1).sum();
    let largest = results.iter().map(|r| r.2).max().unwrap_or(0);
    println!(
        "{THREADS} threads in {:?}: {count} primes below {LIMIT}, sum {total}, largest {largest}",
        started.elapsed()
    );

    let expected = sieve(LIMIT);
    assert_eq!(count, expected.len() as i64);
    assert_eq!(total, expected.iter().sum::<i64>());
    assert_eq!(Some(&largest), expected.last());
    assert_eq!(
        reported.load(Ordering::Relaxed),
        count,
        "every thread reported"
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
