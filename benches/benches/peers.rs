//! Peers in one run: the programs of `cairn_benches::peer_programs::all_peer_programs` (fib(27),
//! a 5M-iteration loop, vector, map, sequence pipeline, text building, and the Benchmarks
//! Game's binary-trees, fannkuch-redux, spectral-norm and n-body, which have no Rhai version) on Cairn's interpreter
//! and JIT (through the `cairn` facade), on Lua 5.4 (mlua, vendored) and on Rhai, all in this
//! process, plus LuaJIT as a whole process; one criterion group per program, then one ratio
//! table on stdout.
//!
//! - Every engine's result is checked against the program's expected result before timing.
//!   Compilation (Cairn compile, Lua `load`, Rhai `compile`) happens outside the timing; one
//!   timed run is one call of main / the chunk / the script.
//! - LuaJIT: mlua's `luajit` and `lua54` features cannot be built into one binary (cargo
//!   unifies the features of one mlua version, and mlua-sys's build script refuses two Lua
//!   features with `compile_error!("You can enable only one of the features: ...")`; a second,
//!   renamed mlua version would link two vendored copies of the same `lua_*` C symbols). So
//!   LuaJIT runs the same Lua source as a child process (`luajit`, or the `LUAJIT` variable):
//!   the member `luajit (process)` times whole processes, and the table shows its median minus
//!   the median of an empty program's process (startup, print, exit: the group
//!   `luajit-startup`, timed first, the same way). A difference smaller than the spread (max -
//!   min) of the empty program's samples is marked `*`: process noise, not resolvable. LuaJIT's
//!   JIT warm-up is inside every run; Lua 5.4 and Rhai start warm.
//! - Medians: each member is timed with `iter_custom` under flat sampling; the bench records
//!   every sample's time per iteration and the table uses the median of the last
//!   [`SAMPLE_SIZE`] samples (criterion's measurement samples; earlier ones are its warm-up),
//!   which is the sample median criterion reports as `median` (not read from
//!   `target/criterion`).
//!
//! Warm-up and measurement times are short and samples few, so the whole run takes about three
//! to four minutes; pass criterion's `--measurement-time` for steadier numbers.

use std::collections::HashMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use cairn::{Engine, EngineKind, Limits};
use cairn_benches::peer_programs::{PeerProgram, all_peer_programs};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode};

/// Samples per member (criterion's minimum).
const SAMPLE_SIZE: usize = 10;

const INTERP: &str = "cairn-interp";
const JIT: &str = "cairn-jit";
const LUA54: &str = "lua5.4";
const LUAJIT: &str = "luajit (process)";
const RHAI: &str = "rhai";

/// The table's engine columns, in order.
const ENGINES: [&str; 5] = [INTERP, JIT, LUA54, LUAJIT, RHAI];

/// The row of the LuaJIT empty-program group (subtracted from LuaJIT's medians).
const STARTUP: &str = "luajit-startup";

/// The measurement samples (time per run, sorted) of each member, by (program, engine).
type Medians = HashMap<(&'static str, &'static str), Vec<Duration>>;

fn configure(group: &mut BenchmarkGroup<'_, WallTime>) {
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(SAMPLE_SIZE);
    group.warm_up_time(Duration::from_millis(300));
    group.measurement_time(Duration::from_secs(1));
}

/// Times `run` as member `engine` of `group` and records its last [`SAMPLE_SIZE`] samples in
/// `medians` (if the member ran: a criterion filter may skip it).
fn member(
    group: &mut BenchmarkGroup<'_, WallTime>,
    program: &'static str,
    engine: &'static str,
    medians: &mut Medians,
    mut run: impl FnMut() -> i64,
) {
    let mut samples: Vec<Duration> = Vec::new();
    group.bench_function(engine, |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                black_box(run());
            }
            let elapsed = start.elapsed();
            samples.push(elapsed.div_f64(iters as f64));
            elapsed
        })
    });
    if !samples.is_empty() {
        let tail = samples.len().saturating_sub(SAMPLE_SIZE);
        let mut kept = samples[tail..].to_vec();
        kept.sort_unstable();
        medians.insert((program, engine), kept);
    }
}

/// The median of sorted, non-empty samples.
fn median(samples: &[Duration]) -> Duration {
    let middle = samples.len() / 2;
    if samples.len() % 2 == 1 {
        samples[middle]
    } else {
        (samples[middle - 1] + samples[middle]) / 2
    }
}

fn check(program: &PeerProgram, engine: &str, result: i64) {
    assert_eq!(
        result,
        program.expected(),
        "{} on {engine} returned {result}, expected {}",
        program.short,
        program.expected()
    );
}

/// LuaJIT as a child process: the interpreter's path and a scratch directory for the scripts.
struct LuaJitProcess {
    binary: PathBuf,
    dir: PathBuf,
}

impl LuaJitProcess {
    /// `None` (after a note on stderr) when `luajit` cannot be run.
    fn find() -> Option<LuaJitProcess> {
        let binary = PathBuf::from(std::env::var_os("LUAJIT").unwrap_or_else(|| "luajit".into()));
        match Command::new(&binary).arg("-v").output() {
            Ok(out) if out.status.success() => {}
            _ => {
                eprintln!("peers: cannot run {}; no LuaJIT column", binary.display());
                return None;
            }
        }
        let dir = std::env::temp_dir().join(format!("cairn-peers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the LuaJIT script directory");
        Some(LuaJitProcess { binary, dir })
    }

    /// Writes `chunk` (a Lua chunk returning an integer) as a script that prints the result.
    fn script(&self, name: &str, chunk: &str) -> PathBuf {
        let path = self.dir.join(format!("{name}.lua"));
        let text = format!("print(string.format(\"%d\", (function()\n{chunk}\nend)()))\n");
        std::fs::write(&path, text).expect("write a LuaJIT script");
        path
    }

    /// Runs a script in a new `luajit` process and returns what it printed.
    fn run(&self, script: &Path) -> i64 {
        let out = Command::new(&self.binary)
            .arg(script)
            .output()
            .expect("run luajit");
        assert!(
            out.status.success(),
            "luajit {} failed: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        text.trim()
            .parse()
            .unwrap_or_else(|_| panic!("luajit {} printed {text:?}", script.display()))
    }
}

impl Drop for LuaJitProcess {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn cairn_members(
    group: &mut BenchmarkGroup<'_, WallTime>,
    program: &PeerProgram,
    medians: &mut Medians,
) {
    for (label, kind) in [(INTERP, EngineKind::Interpreter), (JIT, EngineKind::Jit)] {
        let engine = Engine::new(kind);
        let module = engine
            .compile(program.cairn.name, program.cairn.source)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut rt = engine
            .runtime(Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut run = || -> i64 {
            rt.call(&module, "main", ())
                .unwrap_or_else(|e| panic!("{e}"))
        };
        check(program, label, run());
        member(group, program.short, label, medians, run);
        assert_eq!(rt.blocks_in_use(), 0, "{} on {label} leaked", program.short);
    }
}

fn peers(c: &mut Criterion) -> Medians {
    let mut medians = Medians::new();
    let luajit = LuaJitProcess::find();
    if let Some(luajit) = &luajit {
        let mut group = c.benchmark_group(STARTUP);
        configure(&mut group);
        let empty = luajit.script("empty", "return 0");
        let run = || luajit.run(&empty);
        assert_eq!(run(), 0);
        member(&mut group, STARTUP, LUAJIT, &mut medians, run);
        group.finish();
    }
    let lua = mlua::Lua::new();
    let rhai = rhai::Engine::new();

    for program in all_peer_programs() {
        let mut group = c.benchmark_group(program.short);
        configure(&mut group);

        cairn_members(&mut group, program, &mut medians);

        let chunk = lua
            .load(program.lua)
            .set_name(program.short)
            .into_function()
            .expect("load the Lua program");
        let run = || -> i64 { chunk.call(()).expect("run the Lua program") };
        check(program, LUA54, run());
        member(&mut group, program.short, LUA54, &mut medians, run);

        if let Some(luajit) = &luajit {
            let script = luajit.script(program.short, program.lua);
            let run = || luajit.run(&script);
            check(program, LUAJIT, run());
            member(&mut group, program.short, LUAJIT, &mut medians, run);
        }

        if let Some(source) = program.rhai {
            let ast = rhai.compile(source).expect("compile the Rhai program");
            let run = || -> i64 { rhai.eval_ast(&ast).expect("run the Rhai program") };
            check(program, RHAI, run());
            member(&mut group, program.short, RHAI, &mut medians, run);
        }

        group.finish();
    }
    medians
}

/// `812.3 ms`, `45.10 µs`, `1.204 s`.
fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds >= 1.0 {
        format!("{seconds:.3} s")
    } else if seconds >= 1e-3 {
        format!("{:.2} ms", seconds * 1e3)
    } else {
        format!("{:.2} µs", seconds * 1e6)
    }
}

fn print_table(samples: &Medians) {
    let medians: HashMap<_, Duration> = samples.iter().map(|(k, v)| (*k, median(v))).collect();
    let startup = samples.get(&(STARTUP, LUAJIT));
    let startup_spread = startup.map(|s| s[s.len() - 1] - s[0]);
    println!();
    println!(
        "peers: median time per run (last {SAMPLE_SIZE} criterion samples), and its ratio to \
         Lua 5.4's median (below 1 is faster than Lua 5.4)"
    );
    if let (Some(empty), Some(spread)) = (medians.get(&(STARTUP, LUAJIT)), startup_spread) {
        println!(
            "luajit (process): whole-process median minus an empty program's process median \
             ({}, samples spread over {}; * = difference below that spread)",
            format_duration(*empty),
            format_duration(spread)
        );
    }
    print!("{:<10}", "program");
    for engine in ENGINES {
        print!(" {engine:>22}");
    }
    println!(" {:>14}", "jit vs interp");
    for program in all_peer_programs() {
        let name = program.short;
        let lua = medians.get(&(name, LUA54)).copied();
        print!("{name:<10}");
        for engine in ENGINES {
            let mut time = medians.get(&(name, engine)).copied();
            let mut mark = "";
            if engine == LUAJIT {
                let empty = medians.get(&(STARTUP, LUAJIT)).copied();
                time = time.zip(empty).map(|(t, e)| t.saturating_sub(e));
                if time
                    .zip(startup_spread)
                    .is_some_and(|(t, spread)| t < spread)
                {
                    mark = "*";
                }
            }
            let cell = match (time, lua) {
                (Some(t), Some(l)) => format!(
                    "{}{mark} ({:.2}x)",
                    format_duration(t),
                    t.as_secs_f64() / l.as_secs_f64().max(1e-12)
                ),
                (Some(t), None) => format_duration(t),
                (None, _) => "-".to_string(),
            };
            print!(" {cell:>22}");
        }
        let speed_up = match (medians.get(&(name, INTERP)), medians.get(&(name, JIT))) {
            (Some(i), Some(j)) => format!("{:.2}x", i.as_secs_f64() / j.as_secs_f64().max(1e-12)),
            _ => "-".to_string(),
        };
        println!(" {speed_up:>14}");
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let samples = peers(&mut criterion);
    criterion.final_summary();
    print_table(&samples);
}
