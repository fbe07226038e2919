//! The command line of `cairn heap` (clap derive): `check`, `leaks`, `graph`, `stats` and
//! `watch`, each running one program in audit mode with the flags of [`HeapRunArgs`].

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use crate::engine_choice::EngineChoice;

#[derive(Debug, Args)]
pub struct HeapArgs {
    #[command(subcommand)]
    pub command: HeapCommand,
}

#[derive(Debug, Subcommand)]
pub enum HeapCommand {
    /// Run main in full audit mode, release its result, and check the heap is as it was:
    /// prints `Heap clean ✓`, `Leaks: 0 ✓`, `Graph valid ✓` or the violations.
    Check(HeapRunArgs),
    /// Leaked objects grouped by allocation site (`--live`: what is live at each
    /// `checkpoint()` instead).
    Leaks(LeaksArgs),
    /// The ownership graph (DOT or JSON) when main returns, its result still held, or at
    /// `checkpoint()` calls.
    Graph(GraphArgs),
    /// Heap statistics when main returns, its result still held (plus the peak).
    Stats(StatsArgs),
    /// A live terminal view of the heap while the program runs (q, Esc or Ctrl-C quits).
    Watch(WatchArgs),
}

/// The program and its limits: the flags `run` has (but `--trace`).
#[derive(Debug, Args)]
pub struct HeapRunArgs {
    /// The `.cairn` source file.
    pub file: PathBuf,
    /// Which engine runs the program.
    #[arg(long, value_enum, default_value = "jit")]
    pub engine: EngineChoice,
    #[command(flatten)]
    pub limits: crate::limit_args::LimitArgs,
}

#[derive(Debug, Args)]
pub struct LeaksArgs {
    #[command(flatten)]
    pub run: HeapRunArgs,
    /// Instead of leaks, list what is live at each `checkpoint()` by allocation site.
    #[arg(long)]
    pub live: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// JSON: the graph object, or an array of them for `--checkpoint all`.
    Json,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub run: HeapRunArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "dot")]
    pub format: GraphFormat,
    /// Write the graph to this file instead of stdout (its directory must exist).
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// The graph recorded by the Nth `checkpoint()` call (1-based), or `all` of them,
    /// instead of the graph when main returns.
    #[arg(long, value_name = "N|all", value_parser = parse_checkpoint)]
    pub checkpoint: Option<CheckpointChoice>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckpointChoice {
    Nth(usize),
    All,
}

fn parse_checkpoint(text: &str) -> Result<CheckpointChoice, String> {
    if text == "all" {
        return Ok(CheckpointChoice::All);
    }
    match text.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(CheckpointChoice::Nth(n)),
        _ => Err("expected a checkpoint number from 1, or `all`".to_string()),
    }
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub run: HeapRunArgs,
    /// Print the Prometheus text exposition format.
    #[arg(long, conflicts_with = "json")]
    pub prometheus: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub run: HeapRunArgs,
    /// Leave as soon as the program ends instead of waiting for a key.
    #[arg(long)]
    pub exit_on_finish: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoint_choice_parses_numbers_from_one_and_all() {
        assert_eq!(parse_checkpoint("all"), Ok(CheckpointChoice::All));
        assert_eq!(parse_checkpoint("3"), Ok(CheckpointChoice::Nth(3)));
        assert!(parse_checkpoint("0").is_err());
        assert!(parse_checkpoint("first").is_err());
    }
}
