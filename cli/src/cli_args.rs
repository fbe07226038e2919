//! The command line of `cairn` (clap derive): `run`, `check`, `conform`, `bench`, `stress`,
//! `fuzz`, `soak` and the `heap` group (whose arguments live in `commands/heap/args.rs`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::heap::args::HeapArgs;
use crate::engine_choice::EngineChoice;

/// Cairn: an embeddable language runtime with an interpreter and a Cranelift JIT that agree
/// on every output, result, diagnostic and refcount event.
#[derive(Debug, Parser)]
#[command(name = "cairn", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile and run a program; prints its output, then main's result unless it is ().
    Run(RunArgs),
    /// Compile a program without running it; prints `ok` or the IR (`--ir`).
    Check(CheckArgs),
    /// Run the conformance corpus on both engines and compare everything.
    Conform(ConformArgs),
    /// Time programs on the interpreter and the JIT and print the speed-up.
    Bench(BenchArgs),
    /// Run the stress scenarios (docs/MEMORY.md, "Stress scenarios") on both engines in audit mode
    /// and check the checkpoints of every run (leaks, shadow counts, ownership graph, block reuse,
    /// same traces).
    Stress(StressArgs),
    /// Heap tools: run a program in audit mode and check, list, export or watch its heap.
    Heap(HeapArgs),
    /// Differential fuzzing: generate random programs, run each on both engines, compare
    /// everything, and shrink and save every divergence.
    Fuzz(FuzzArgs),
    /// Soak test of the embedding: millions of checked calls on several threads (modules,
    /// runtimes, host functions, failures, cancellations, allocation failures), reporting
    /// RSS at intervals; fails on any leak, unexpected outcome or memory growth.
    Soak(SoakArgs),
}

#[derive(Debug, Args)]
pub struct SoakArgs {
    /// Calls in all (shared between the threads).
    #[arg(long, default_value_t = 10_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub calls: u64,
    /// Worker threads, each with its own runtimes.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: u16,
    /// The seed of the workload (worker I draws from (SEED, I)).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Sample the RSS every this many calls.
    #[arg(long, value_name = "N", default_value_t = 500_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub report_every: u64,
    /// Print the report as JSON (samples, outcomes, verdict) instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct FuzzArgs {
    /// The run's seed; program I of a run is generated from (SEED, I) alone.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// How many programs to generate and check (at least 1).
    #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub count: u64,
    /// Worker threads (each with its own runtimes and JIT modules).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Where shrunk reproducers (`fuzz_SEED_INDEX.cairn`) are written.
    #[arg(long, value_name = "DIR", default_value = "fuzz-out")]
    pub out: PathBuf,
    /// Report divergences as generated, without shrinking them.
    #[arg(long)]
    pub no_shrink: bool,
    /// Compare the two engines only, without the reference evaluator (the third oracle,
    /// `cairn-reference`; docs/FUZZING.md).
    #[arg(long)]
    pub no_oracle: bool,
    /// Print the source of program I of the seed and exit (nothing runs).
    #[arg(long, value_name = "I")]
    pub show: Option<u64>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The `.cairn` source file.
    pub file: PathBuf,
    /// Which engine runs the program.
    #[arg(long, value_enum, default_value = "jit")]
    pub engine: EngineChoice,
    /// Write the refcount trace (docs/MEMORY.md, "Traces and snapshots") to this path as JSON
    /// Lines.
    #[arg(long, value_name = "PATH")]
    pub trace: Option<PathBuf>,
    #[command(flatten)]
    pub limits: crate::limit_args::LimitArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The `.cairn` source file.
    pub file: PathBuf,
    /// Print the post-RC IR instead of `ok`.
    #[arg(long)]
    pub ir: bool,
}

#[derive(Debug, Args)]
pub struct ConformArgs {
    /// The corpus directory.
    #[arg(default_value = "conformance/corpus")]
    pub dir: PathBuf,
    /// Instead of the conformance checks: fail every allocation of every program in turn on
    /// both engines and check that each run ends in RT0401 with identical traces and no leak
    /// (by forking the normal run at every allocation, on Unix).
    #[arg(long)]
    pub fail_alloc_all: bool,
    /// With `--fail-alloc-all`: replay each run from the start instead of forking (which also
    /// proves each re-run reaches the failure the same way; quadratic in the run's length).
    #[arg(long, requires = "fail_alloc_all")]
    pub replay: bool,
    /// With `--fail-alloc-all --replay`: fail only as many allocations per program as replay
    /// at most this many trace events per engine (what `cargo test` does, with 20000).
    #[arg(long, value_name = "EVENTS", requires = "replay")]
    pub fail_alloc_budget: Option<u64>,
    /// With `--fail-alloc-all` (forking): children running at once.
    #[arg(long, default_value_t = 2, requires = "fail_alloc_all")]
    pub jobs: usize,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Timed runs per program and engine (after one warm-up run); the median is reported.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub iterations: u32,
    /// Print the results as a JSON array (one object per program: name, result, interp and
    /// jit medians in nanoseconds, speed-up) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// `.cairn` files to time instead of the built-in programs (fib(30), an integer loop, the
    /// sequence pipeline and closures).
    pub programs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StressArgs {
    /// A scenario name (see `--list`), or `all` for every scenario.
    #[arg(required_unless_present = "list")]
    pub scenario: Option<String>,
    /// List the scenarios and exit.
    #[arg(long)]
    pub list: bool,
    /// Rounds of the scenario (at least 1).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub iterations: Option<u64>,
    /// The longest list, window or pipeline a scenario builds.
    #[arg(long, value_name = "N")]
    pub max_vector_size: Option<u64>,
    /// Nesting depth of vectors and maps.
    #[arg(long, value_name = "N")]
    pub chain_depth: Option<u64>,
    /// Structures (or operations) per iteration.
    #[arg(long, value_name = "N")]
    pub allocation_rate: Option<u64>,
    /// How built structures are dropped.
    #[arg(long, value_enum, default_value = "immediate")]
    pub disposal: DisposalChoice,
    /// Which engines run the scenario.
    #[arg(long, value_enum, default_value = "both")]
    pub engine: StressEngineChoice,
    /// Heap size in 64-byte blocks (1..=67107840; default 16777216 = 1 GiB, mapped as needed).
    #[arg(long, value_name = "N", conflicts_with = "heap_mib",
          value_parser = clap::value_parser!(u32).range(1..=67_107_840))]
    pub heap_blocks: Option<u32>,
    /// Heap size in MiB (1..=4095; default 1024).
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u32).range(1..=4_095))]
    pub heap_mib: Option<u32>,
    /// Print the reports as JSON instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// `--disposal` (docs/MEMORY.md, "Load parameters and disposal policies").
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DisposalChoice {
    Immediate,
    Delayed,
    Batched,
}

/// `--engine` of `stress`: both engines (compared) or one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StressEngineChoice {
    Both,
    Interp,
    Jit,
}
