//! The runner's reports: one [`ProgramReport`] per program (a status per column plus the
//! full text of every problem found) and the [`CorpusReport`] summary the CLI prints as a
//! table.

use std::fmt;
use std::fmt::Write as _;
use std::time::Duration;

/// The status of one column of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckStatus {
    Pass,
    Fail,
    /// Not applicable (e.g. the engines of a program the front end must reject).
    Skipped,
}

impl CheckStatus {
    pub fn label(self) -> &'static str {
        match self {
            CheckStatus::Pass => "ok",
            CheckStatus::Fail => "FAIL",
            CheckStatus::Skipped => "-",
        }
    }
}

impl fmt::Display for CheckStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Clone, Debug)]
pub struct ProgramReport {
    /// The program's file name.
    pub name: String,
    /// Front end: compile (or verify) result against the expectations.
    pub front_end: CheckStatus,
    /// The interpreter's output and result/diagnostic against the expectations.
    pub interp: CheckStatus,
    /// The JIT's output and result/diagnostic against the expectations.
    pub jit: CheckStatus,
    /// Full refcount traces identical between the engines (and trace assertions hold).
    pub trace: CheckStatus,
    /// The heap after each run equals the heap before it, with no integrity violation.
    pub heap: CheckStatus,
    /// Audit mode changes nothing, finds nothing wrong, and records the same on both engines.
    pub audit: CheckStatus,
    /// The reference evaluator (`cairn-reference`) meets the expectations too.
    pub oracle: CheckStatus,
    /// Why the reference evaluator did not judge the program (`oracle` is `Skipped`).
    pub oracle_skipped: Option<crate::oracle::SkipReason>,
    /// Length of the interpreter's trace (0 when it did not run).
    pub trace_events: usize,
    pub elapsed: Duration,
    /// Every problem found, each a self-contained multi-line text. Empty = conforming.
    pub problems: Vec<String>,
}

impl ProgramReport {
    pub fn new(name: &str) -> ProgramReport {
        ProgramReport {
            name: name.to_string(),
            front_end: CheckStatus::Skipped,
            interp: CheckStatus::Skipped,
            jit: CheckStatus::Skipped,
            trace: CheckStatus::Skipped,
            heap: CheckStatus::Skipped,
            audit: CheckStatus::Skipped,
            oracle: CheckStatus::Skipped,
            oracle_skipped: None,
            trace_events: 0,
            elapsed: Duration::ZERO,
            problems: Vec::new(),
        }
    }

    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }

    /// The full divergence report: every problem, separated by blank lines.
    pub fn failure_text(&self) -> String {
        let mut text = format!("{}: {} problem(s)\n", self.name, self.problems.len());
        for problem in &self.problems {
            text.push_str("\n- ");
            text.push_str(&problem.replace('\n', "\n  "));
            text.push('\n');
        }
        text
    }
}

#[derive(Clone, Debug, Default)]
pub struct CorpusReport {
    pub programs: Vec<ProgramReport>,
    pub elapsed: Duration,
}

impl CorpusReport {
    pub fn passed_count(&self) -> usize {
        self.programs.iter().filter(|p| p.passed()).count()
    }
    pub fn failed_count(&self) -> usize {
        self.programs.len() - self.passed_count()
    }
    pub fn all_passed(&self) -> bool {
        self.failed_count() == 0
    }

    /// Programs the reference evaluator did not judge, by reason.
    pub fn oracle_skips(&self) -> std::collections::BTreeMap<crate::oracle::SkipReason, usize> {
        let mut skips = std::collections::BTreeMap::new();
        for reason in self.programs.iter().filter_map(|p| p.oracle_skipped) {
            *skips.entry(reason).or_default() += 1;
        }
        skips
    }

    /// A fixed-width table (program, front end, interp, jit, trace, heap, audit, oracle,
    /// events) and a totals line with the oracle's skips; the full problem texts of failing
    /// programs follow it.
    pub fn render_table(&self) -> String {
        let width = self
            .programs
            .iter()
            .map(|p| p.name.len())
            .max()
            .unwrap_or(7)
            .max(7);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<width$}  {:<5} {:<6} {:<5} {:<5} {:<5} {:<5} {:<6} {:>7}",
            "program", "front", "interp", "jit", "trace", "heap", "audit", "oracle", "events"
        );
        for p in &self.programs {
            let _ = writeln!(
                out,
                "{:<width$}  {:<5} {:<6} {:<5} {:<5} {:<5} {:<5} {:<6} {:>7}",
                p.name,
                p.front_end.label(),
                p.interp.label(),
                p.jit.label(),
                p.trace.label(),
                p.heap.label(),
                p.audit.label(),
                p.oracle.label(),
                p.trace_events
            );
        }
        let _ = writeln!(
            out,
            "\n{} programs: {} conforming, {} failing ({:.1}s)",
            self.programs.len(),
            self.passed_count(),
            self.failed_count(),
            self.elapsed.as_secs_f64()
        );
        let skips: Vec<String> = self
            .oracle_skips()
            .iter()
            .map(|(reason, n)| format!("{n} {reason}"))
            .collect();
        let _ = writeln!(
            out,
            "reference evaluator: {} judged, skipped: {}",
            self.programs
                .iter()
                .filter(|p| p.oracle != CheckStatus::Skipped)
                .count(),
            if skips.is_empty() {
                "none".to_string()
            } else {
                skips.join(", ")
            }
        );
        for p in self.programs.iter().filter(|p| !p.passed()) {
            out.push('\n');
            out.push_str(&p.failure_text());
        }
        out
    }
}
