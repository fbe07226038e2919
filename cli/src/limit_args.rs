//! The runtime-limit flags `run` and the `heap` tools share (`--max-depth`, `--heap-mib` or
//! `--heap-blocks`, `--fuel`, `--time-limit`, `--fail-alloc-at`, `--max-output-bytes`), flattened
//! into each command's arguments.

use cairn::Limits;
use clap::Args;

#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Call-depth limit (1..=1000000, default 10000; RT0501 beyond it).
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=cairn::MAX_CALL_DEPTH))]
    pub max_depth: Option<u64>,
    /// Heap size in 64-byte blocks (1..=67107840; default 16777216 = 1 GiB, mapped as needed).
    #[arg(long, value_name = "N", conflicts_with = "heap_mib",
          value_parser = clap::value_parser!(u32).range(1..=67_107_840))]
    pub heap_blocks: Option<u32>,
    /// Heap size in MiB (1..=4095; default 1024).
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u32).range(1..=4_095))]
    pub heap_mib: Option<u32>,
    /// Fuel: units charged at every function entry and loop back-edge (RT0502 when out).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub fuel: Option<u64>,
    /// Wall-clock limit of the run in milliseconds (RT0503 `execution cancelled: time limit
    /// of ... exceeded` at the next fuel point; unlike fuel, where it stops is not
    /// deterministic).
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
    pub time_limit: Option<u64>,
    /// Fail the Nth block allocation of the run (1-based; RT0401 `heap exhausted`, as a full
    /// heap does): allocation-failure injection for testing error paths.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub fail_alloc_at: Option<u64>,
    /// Output budget in bytes (default 67108864 = 64 MiB): the longest printed form of one
    /// value (`print`, `str`, `fail`, main's result) and host copy of one value; RT0405
    /// `output too large` past it, before anything is built.
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_output_bytes: Option<u64>,
}

impl LimitArgs {
    /// `base` with the limits these flags set.
    pub fn applied_to(&self, base: Limits) -> Limits {
        let mut limits = base;
        if let Some(depth) = self.max_depth {
            limits.max_call_depth = depth;
        }
        if let Some(blocks) = self.heap_blocks {
            limits.heap_blocks = blocks;
        }
        if let Some(mib) = self.heap_mib {
            limits.heap_blocks = Limits::heap_blocks_for_mib(mib);
        }
        limits.fuel = self.fuel;
        limits.time_limit = self.time_limit.map(std::time::Duration::from_millis);
        limits.fail_alloc_at = self.fail_alloc_at;
        if let Some(bytes) = self.max_output_bytes {
            limits.max_output_bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
        }
        limits
    }
}
