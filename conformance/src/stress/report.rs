//! What a stress run reports: per engine the heap operations (trace events) and what they
//! were, block usage, timings and every checkpoint's verdict; per run whether the engines
//! agree. Serialisable (`cairn stress --json`) and printable as a short table.

use std::fmt::Write as _;

use cairn_runtime::heap::HeapEvent;
use cairn_runtime::heap::audit::AuditWarning;
use serde::Serialize;

use super::params::StressParams;
use super::trace_summary::TraceSummary;

/// One engine's run of one stress program.
#[derive(Clone, Debug, Serialize)]
pub struct EngineStressReport {
    pub engine: String,
    /// `result 123`, `error RT0900 ...`, or `rejected at load: ...`.
    pub outcome: String,
    /// Everything the program printed.
    pub output: String,
    /// Trace events: mallocs + incRefs + decRefs + frees + cows.
    pub heap_operations: u64,
    pub mallocs: u64,
    pub frees: u64,
    pub inc_refs: u64,
    pub dec_refs: u64,
    pub cows: u64,
    /// Blocks handed out / returned during the run (heap counters, heads and tails).
    pub blocks_allocated: u64,
    pub blocks_freed: u64,
    /// Most blocks in use at once.
    pub peak_blocks: u32,
    /// Mallocs that handed out a head address already used earlier in the run.
    pub reused_mallocs: u64,
    pub trace_hash: String,
    pub checkpoints: usize,
    /// Entries left in the sampled event log.
    pub event_log_entries: usize,
    /// Heads live after the run that were not before, and the change in blocks in use.
    pub leaked_heads: usize,
    pub leaked_blocks: i64,
    /// Audit violations + integrity violations + shadow-count mismatches + hook failures.
    pub violations: usize,
    pub ownership_valid: bool,
    pub ownership_problems: usize,
    /// Time inside the engine (load + run + releasing the result).
    pub run_ms: f64,
    /// Time of the checks after the run (summary, ownership check, validations).
    pub check_ms: f64,
    pub passed: bool,
    pub problems: Vec<String>,
    #[serde(skip)]
    pub summary: TraceSummary,
    #[serde(skip)]
    pub event_log: Vec<HeapEvent>,
    #[serde(skip)]
    pub warnings: Vec<AuditWarning>,
}

/// One stress program on one or both engines.
#[derive(Clone, Debug, Serialize)]
pub struct StressReport {
    pub scenario: String,
    /// The scenario's group (docs/MEMORY.md, "Scenarios": vectors, sequences, maps,
    /// mixed), or empty for a program that is not a scenario.
    pub group: String,
    pub params: Option<StressParams>,
    pub engines: Vec<EngineStressReport>,
    /// `None` with a single engine.
    pub engines_agree: Option<bool>,
    pub passed: bool,
    /// Every problem: each engine's (prefixed with its name) and the comparison's.
    pub problems: Vec<String>,
}

impl StressReport {
    /// A table row per engine, then the problems.
    pub fn render(&self) -> String {
        let mut text = String::new();
        let verdict = if self.passed { "PASS" } else { "FAIL" };
        let _ = write!(text, "{verdict} {}", self.scenario);
        if !self.group.is_empty() {
            let _ = write!(text, " ({})", self.group);
        }
        if let Some(params) = &self.params {
            let _ = write!(text, ": {params}");
        }
        text.push('\n');
        let _ = writeln!(
            text,
            "  {:<7} {:>11} {:>9} {:>9} {:>7} {:>6} {:>9} {:>11} {:>5} {:>5} {:>10}",
            "engine",
            "heap ops",
            "mallocs",
            "frees",
            "cows",
            "peak",
            "reused",
            "ownership",
            "leaks",
            "viol",
            "time"
        );
        for engine in &self.engines {
            let _ = writeln!(
                text,
                "  {:<7} {:>11} {:>9} {:>9} {:>7} {:>6} {:>9} {:>11} {:>5} {:>5} {:>8.0}ms",
                engine.engine,
                engine.heap_operations,
                engine.mallocs,
                engine.frees,
                engine.cows,
                engine.peak_blocks,
                engine.reused_mallocs,
                if engine.ownership_valid {
                    "valid"
                } else {
                    "INVALID"
                },
                engine.leaked_heads,
                engine.violations,
                engine.run_ms
            );
        }
        if let Some(agree) = self.engines_agree {
            let _ = writeln!(
                text,
                "  engines {} (output, outcome, trace hash {}, event log, checkpoints)",
                if agree { "agree" } else { "DISAGREE" },
                self.engines
                    .first()
                    .map_or("-", |engine| engine.trace_hash.as_str())
            );
        }
        for problem in &self.problems {
            let _ = writeln!(text, "  problem: {problem}");
        }
        text
    }
}
