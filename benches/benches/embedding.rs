//! Criterion benchmarks of the embedding boundary: Cairn (interpreter and JIT, through the
//! `cairn` facade) next to mlua (vendored Lua 5.4) and Rhai, one group per scenario so the
//! report shows every engine side by side.
//!
//! - `host -> script call`: the host calls a script's `add(a, b) = a + b` with `(1, 2)` and
//!   reads back an `i64`; one criterion iteration is one call.
//! - `script -> host call`: one host call runs a script loop that calls the registered host
//!   function `host_add: fn(i64, i64) -> i64` [`HOST_CALLS`] times (a tail-recursive loop in
//!   Cairn and Lua, which both eliminate tail calls; a `while` loop in Rhai, which does not
//!   and caps recursion depth). The group's throughput is [`HOST_CALLS`] elements per
//!   iteration, so criterion reports host calls per second; time per host call is the
//!   iteration time divided by [`HOST_CALLS`] (it includes the loop's own step).
//!
//! A Cairn run needs a stack sized for its call-depth limit (64 MiB plus a budget per level:
//! over 100 MiB on either engine with default limits); on a thread with less left, a call
//! switches to the thread's run stack (mapped once, reused by every call). The
//! `big-stack thread` variants of the host -> script group make the same calls from a thread
//! with [`BIG_STACK_BYTES`] of stack, where no switch is needed, to show that cost apart.
//!
//! Every setup checks its result once before timing; compilation happens outside the timing.
//! Measurement times are short (the whole run takes about a minute); pass criterion's
//! `--measurement-time` for longer runs.

use std::hint::black_box;
use std::time::{Duration, Instant};

use cairn::{Engine, EngineKind, Limits, Module, Runtime};
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};

/// Host calls per script run in the script -> host scenario.
const HOST_CALLS: i64 = 10_000;

/// What `drive` returns: the sum of `0..HOST_CALLS`.
const DRIVE_RESULT: i64 = HOST_CALLS * (HOST_CALLS - 1) / 2;

/// Stack of the thread the `big-stack thread` variants call from: more than a run with
/// default limits asks for on either engine.
const BIG_STACK_BYTES: usize = 256 << 20;

const CAIRN_SOURCE: &str = "\
fn add(a, b) = a + b
// Calls the host function host_add n times: a self tail call, a loop in the IR.
fn drive(i, n, acc) = if i == n then acc else drive(i + 1, n, host_add(acc, i))
fn main() = 0
";

const LUA_SOURCE: &str = "\
function add(a, b) return a + b end
-- A proper tail call: constant stack, like Cairn's loop.
function drive(i, n, acc)
  if i == n then return acc end
  return drive(i + 1, n, host_add(acc, i))
end
";

/// Rhai has no tail-call elimination (and a default call-depth cap of 64), so its loop is a
/// `while` loop.
const RHAI_SOURCE: &str = "\
fn add(a, b) { a + b }
fn drive(n) {
  let acc = 0;
  let i = 0;
  while i < n { acc = host_add(acc, i); i += 1; }
  acc
}
";

fn configure(group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
}

/// A Cairn engine of `kind` with `host_add` registered, the module compiled for it, and a
/// runtime with default limits.
fn cairn_setup(kind: EngineKind) -> (Module, Runtime) {
    let mut engine = Engine::new(kind);
    engine
        .register_fn("host_add", |a: i64, b: i64| a + b)
        .unwrap();
    let module = engine
        .compile("embedding.cairn", CAIRN_SOURCE)
        .unwrap_or_else(|e| panic!("{e}"));
    let runtime = engine
        .runtime(Limits::default())
        .unwrap_or_else(|e| panic!("{e}"));
    (module, runtime)
}

const CAIRN_ENGINES: [(&str, EngineKind); 2] = [
    ("cairn interp", EngineKind::Interpreter),
    ("cairn jit", EngineKind::Jit),
];

/// Runs `call` `iters` times on a new thread with [`BIG_STACK_BYTES`] of stack and returns the
/// time the calls took (the thread's start is not timed).
fn time_on_big_stack(iters: u64, mut call: impl FnMut() + Send) -> Duration {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("big-stack host".into())
            .stack_size(BIG_STACK_BYTES)
            .spawn_scoped(scope, move || {
                let start = Instant::now();
                for _ in 0..iters {
                    call();
                }
                start.elapsed()
            })
            .expect("start the big-stack thread")
            .join()
            .expect("the big-stack thread panicked")
    })
}

fn lua_setup() -> mlua::Lua {
    let lua = mlua::Lua::new();
    let host_add = lua
        .create_function(|_, (a, b): (i64, i64)| Ok(a + b))
        .expect("create host_add");
    lua.globals()
        .set("host_add", host_add)
        .expect("set host_add");
    lua.load(LUA_SOURCE)
        .set_name("embedding.lua")
        .exec()
        .expect("load the Lua script");
    lua
}

fn rhai_setup() -> (rhai::Engine, rhai::AST) {
    let mut engine = rhai::Engine::new();
    engine.register_fn("host_add", |a: i64, b: i64| a + b);
    let ast = engine
        .compile(RHAI_SOURCE)
        .expect("compile the Rhai script");
    (engine, ast)
}

fn host_to_script(c: &mut Criterion) {
    let mut group = c.benchmark_group("host -> script call");
    configure(&mut group);
    group.throughput(Throughput::Elements(1));

    for (label, kind) in CAIRN_ENGINES {
        let (module, mut rt) = cairn_setup(kind);
        assert_eq!(rt.call::<i64>(&module, "add", (1, 2)).unwrap(), 3);
        group.bench_function(label, |b| {
            b.iter(|| {
                rt.call::<i64>(&module, black_box("add"), (black_box(1), black_box(2)))
                    .unwrap()
            })
        });
        let add = module.typed_func::<(i64, i64), i64>("add").unwrap();
        group.bench_function(format!("{label} (typed handle)"), |b| {
            b.iter(|| add.call(&mut rt, (black_box(1), black_box(2))).unwrap())
        });
        group.bench_function(format!("{label} (big-stack thread)"), |b| {
            b.iter_custom(|iters| {
                time_on_big_stack(iters, || {
                    black_box(
                        rt.call::<i64>(&module, black_box("add"), (black_box(1), black_box(2)))
                            .unwrap(),
                    );
                })
            })
        });
        assert_eq!(rt.blocks_in_use(), 0);
    }

    let lua = lua_setup();
    let add: mlua::Function = lua.globals().get("add").expect("add");
    assert_eq!(add.call::<i64>((1, 2)).unwrap(), 3);
    // The usual mlua way: look the function up once, keep the handle.
    group.bench_function("mlua", |b| {
        b.iter(|| add.call::<i64>((black_box(1), black_box(2))).unwrap())
    });
    // Like Cairn's `Runtime::call`, which finds the function by name on every call.
    group.bench_function("mlua (lookup by name)", |b| {
        b.iter(|| {
            let add: mlua::Function = lua.globals().get(black_box("add")).unwrap();
            add.call::<i64>((black_box(1), black_box(2))).unwrap()
        })
    });

    let (engine, ast) = rhai_setup();
    let mut scope = rhai::Scope::new();
    let sum: i64 = engine
        .call_fn(&mut scope, &ast, "add", (1_i64, 2_i64))
        .unwrap();
    assert_eq!(sum, 3);
    group.bench_function("rhai", |b| {
        b.iter(|| {
            engine
                .call_fn::<i64>(
                    &mut scope,
                    &ast,
                    black_box("add"),
                    (black_box(1_i64), black_box(2_i64)),
                )
                .unwrap()
        })
    });

    group.finish();
}

fn script_to_host(c: &mut Criterion) {
    let mut group = c.benchmark_group("script -> host call");
    configure(&mut group);
    group.throughput(Throughput::Elements(HOST_CALLS as u64));

    for (label, kind) in CAIRN_ENGINES {
        let (module, mut rt) = cairn_setup(kind);
        let args = (0, HOST_CALLS, 0);
        assert_eq!(
            rt.call::<i64>(&module, "drive", args).unwrap(),
            DRIVE_RESULT
        );
        group.bench_function(label, |b| {
            b.iter(|| rt.call::<i64>(&module, "drive", black_box(args)).unwrap())
        });
        assert_eq!(rt.blocks_in_use(), 0);
    }

    let lua = lua_setup();
    let drive: mlua::Function = lua.globals().get("drive").expect("drive");
    let args = (0_i64, HOST_CALLS, 0_i64);
    assert_eq!(drive.call::<i64>(args).unwrap(), DRIVE_RESULT);
    group.bench_function("mlua", |b| {
        b.iter(|| drive.call::<i64>(black_box(args)).unwrap())
    });

    let (engine, ast) = rhai_setup();
    let mut scope = rhai::Scope::new();
    let sum: i64 = engine
        .call_fn(&mut scope, &ast, "drive", (HOST_CALLS,))
        .unwrap();
    assert_eq!(sum, DRIVE_RESULT);
    group.bench_function("rhai", |b| {
        b.iter(|| {
            engine
                .call_fn::<i64>(&mut scope, &ast, "drive", (black_box(HOST_CALLS),))
                .unwrap()
        })
    });

    group.finish();
}

criterion_group!(benches, host_to_script, script_to_host);
criterion_main!(benches);
