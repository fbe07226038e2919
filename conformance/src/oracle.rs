//! The third oracle: `cairn-reference`, an evaluator written from docs/LANGUAGE.md that
//! shares no code with the engines (no front end, no IR, no RC pass, no runtime). Both
//! engines run the same lowering, so a bug there is identical on both and invisible to
//! their comparison; the oracle sees it. It is compared on what a user observes — output,
//! `main`'s result in canonical form, the diagnostic's code and message — never on traces
//! or positions.
//!
//! What it cannot judge is skipped and counted, never silently: host-built IR (no source),
//! runs that ended in a heap limit (RT0401, RT0402, RT0406: the oracle has no block heap), and
//! programs refused for a limit of the lowered IR (E0401, E0404: it lowers nothing), and runs
//! that ended past the output budget (RT0405: not modelled yet; FIXME, docs/FUZZING.md).

use std::fmt;

use cairn_reference::{End, Outcome as OracleOutcome};

use crate::expectations::{Expectations, LimitsSpec};
use crate::run::{EngineRun, Outcome};

/// Why the oracle did not judge a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipReason {
    /// A host-built `.ir.json` program: there is no source to evaluate.
    HostIr,
    /// The run ended in RT0401/RT0402/RT0406: heap blocks, quotas and the one-segment
    /// object size are not modelled.
    HeapLimit,
    /// The program is refused with E0401/E0404: limits counted on the lowered IR (variables
    /// per function, words per call), which the oracle does not build.
    EngineLimit,
    /// The run ended in RT0405: the output budget (the printed form's size, measured over
    /// shared objects) is not modelled yet.
    OutputBudget,
    /// A multi-file program (docs/LANGUAGE.md, "Modules") refused at compile time: the
    /// reference evaluator has no modules; it runs the merged program of one that compiles
    /// (`program::merged_source`), but the module diagnostics (E0106–E0110) are not modelled.
    MultiFile,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SkipReason::HostIr => "host-built IR (no source)",
            SkipReason::HeapLimit => "heap limit (RT0401/RT0402/RT0406 not modelled)",
            SkipReason::EngineLimit => "limit of the lowered IR (E0401/E0404 not modelled)",
            SkipReason::OutputBudget => "output budget (RT0405 not modelled)",
            SkipReason::MultiFile => {
                "multi-file program refused at compile time (modules not modelled)"
            }
        })
    }
}

/// The oracle's verdict on one program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Agrees,
    Skipped(SkipReason),
    /// What differs, for the report.
    Differs(String),
}

/// The codes of limits the oracle does not model.
pub fn is_heap_limit_code(code: &str) -> bool {
    matches!(code, "RT0401" | "RT0402" | "RT0406")
}

/// Why an outcome with diagnostic `code` is not judged, if it is not.
pub fn unmodelled(code: &str) -> Option<SkipReason> {
    if is_heap_limit_code(code) {
        Some(SkipReason::HeapLimit)
    } else if matches!(code, "E0401" | "E0404") {
        Some(SkipReason::EngineLimit)
    } else if code == "RT0405" {
        Some(SkipReason::OutputBudget)
    } else {
        None
    }
}

/// The oracle's limits for a `//# limits:` header (heap and quota do not apply to it).
pub fn reference_limits(spec: &LimitsSpec) -> cairn_reference::Limits {
    let mut limits = cairn_reference::Limits::default();
    if let Some(depth) = spec.depth {
        limits.max_call_depth = depth;
    }
    limits.fuel = spec.fuel;
    limits
}

/// Runs the oracle on `source` under the program's limits.
pub fn run_oracle(source: &str, spec: &LimitsSpec) -> OracleOutcome {
    cairn_reference::run_source(source, reference_limits(spec))
}

fn describe(end: &End) -> String {
    match end {
        End::Returned(text) => format!("result {text}"),
        End::Failed { code, message } => format!("error {code} {message}"),
    }
}

/// Compares two observations (output, then result or diagnostic); `None` when equal.
pub fn compare_observations(
    expected_output: &str,
    expected_end: &End,
    oracle: &OracleOutcome,
) -> Option<String> {
    if &oracle.end != expected_end {
        return Some(format!(
            "oracle: outcome differs\n  expected: {}\n  oracle:   {}",
            describe(expected_end),
            describe(&oracle.end)
        ));
    }
    if oracle.output != expected_output {
        return Some(format!(
            "oracle: output differs\n  expected: {expected_output:?}\n  oracle:   {:?}",
            oracle.output
        ));
    }
    None
}

/// A corpus program's expectations as the oracle's observation.
fn expected_observation(expectations: &Expectations) -> (String, End) {
    let output = expectations
        .output
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
    let end = match &expectations.error {
        Some(error) => End::Failed {
            code: error.code.clone(),
            message: error.message.clone(),
        },
        None => End::Returned(expectations.result.clone().unwrap_or_else(|| "()".into())),
    };
    (output, end)
}

/// The oracle against a corpus program's `//#` expectations.
pub fn check_expectations(source: &str, expectations: &Expectations) -> Verdict {
    if let Some(reason) = (expectations.error.as_ref()).and_then(|e| unmodelled(&e.code)) {
        return Verdict::Skipped(reason);
    }
    let (output, end) = expected_observation(expectations);
    let oracle = run_oracle(source, &expectations.limits);
    match compare_observations(&output, &end, &oracle) {
        None => Verdict::Agrees,
        Some(problem) => Verdict::Differs(problem),
    }
}

/// An engine's run as the oracle's observation (`None` for a load refusal, which a source
/// program never gets).
pub fn engine_observation(run: &EngineRun) -> Option<End> {
    match &run.outcome {
        Outcome::Returned(text) => Some(End::Returned(text.clone())),
        Outcome::Failed(error) => Some(End::Failed {
            code: error.code.clone(),
            message: error.message.clone(),
        }),
        Outcome::RejectedAtLoad(_) => None,
    }
}

/// The oracle against an engine's run of the same source (the fuzzer's third check).
pub fn check_run(source: &str, spec: &LimitsSpec, run: &EngineRun) -> Verdict {
    let Some(end) = engine_observation(run) else {
        return Verdict::Differs(format!("{}: refused the module at load", run.engine));
    };
    if let End::Failed { code, .. } = &end
        && let Some(reason) = unmodelled(code)
    {
        return Verdict::Skipped(reason);
    }
    let oracle = run_oracle(source, spec);
    match compare_observations(&run.output, &end, &oracle) {
        None => Verdict::Agrees,
        Some(problem) => Verdict::Differs(problem.replacen("expected", run.engine.name(), 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observed(output: &str, end: End) -> OracleOutcome {
        OracleOutcome {
            output: output.to_string(),
            end,
        }
    }

    #[test]
    fn a_wrong_oracle_answer_is_caught() {
        let expected = End::Returned("6".into());
        assert_eq!(
            compare_observations("", &expected, &observed("", expected.clone())),
            None
        );
        let wrong_result = observed("", End::Returned("7".into()));
        let problem = compare_observations("", &expected, &wrong_result).expect("a mismatch");
        assert!(problem.contains("outcome differs"), "{problem}");
        let wrong_output = observed("1\n", expected.clone());
        let problem = compare_observations("", &expected, &wrong_output).expect("a mismatch");
        assert!(problem.contains("output differs"), "{problem}");
        let wrong_message = observed(
            "",
            End::Failed {
                code: "RT0302".into(),
                message: "division by zero!".into(),
            },
        );
        let failed = End::Failed {
            code: "RT0302".into(),
            message: "division by zero".into(),
        };
        assert!(compare_observations("", &failed, &wrong_message).is_some());
    }

    #[test]
    fn expectations_the_oracle_does_not_meet_are_reported() {
        let text = "//# result: 7\nfn main() = 6\n";
        let expectations = crate::expectations::parse_source_expectations(text).unwrap();
        assert!(matches!(
            check_expectations(text, &expectations),
            Verdict::Differs(_)
        ));
        let text = "//# result: 6\nfn main() = 6\n";
        let expectations = crate::expectations::parse_source_expectations(text).unwrap();
        assert_eq!(check_expectations(text, &expectations), Verdict::Agrees);
    }

    #[test]
    fn heap_limit_outcomes_are_skipped_with_their_reason() {
        let text = "//# limits: heap=4\n//# error: RT0401 heap exhausted: 2 blocks requested, 1 free\nfn main() = [1, 2, 3]\n";
        let expectations = crate::expectations::parse_source_expectations(text).unwrap();
        assert_eq!(
            check_expectations(text, &expectations),
            Verdict::Skipped(SkipReason::HeapLimit)
        );
    }
}
