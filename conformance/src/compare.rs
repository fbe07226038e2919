//! The comparison of one program's observed behaviour against its expectations and between
//! the two engines: output, result or diagnostic (code, message, position), identical full
//! refcount traces (first divergence shown with context), trace assertions, and a heap left
//! exactly as it was found; then each engine once more with nothing observing the heap (the
//! unobserved fast paths), which must print, return or fail as its traced run did.

use crate::expectations::{Expectations, ExpectedError, LineColumn};
use crate::program::{FrontEnd, Program};
use crate::report::{CheckStatus, ProgramReport};
use crate::run::{Engine, EngineRun, ObservedError, Outcome, run_on_engine};
pub use crate::trace_diff::{
    TRACE_CONTEXT, attribute_divergence, check_trace_assertions, compare_traces, describe_site,
    first_divergence,
};

/// Runs `program` as its front-end verdict requires and checks everything.
pub fn check_program(program: &Program) -> ProgramReport {
    let mut report = check_on_engines(program);
    check_oracle(program, &mut report);
    report
}

/// The reference evaluator against the expectations (a third, independent implementation;
/// `crate::oracle`). Host-built IR has no source, and heap-limit outcomes are not modelled:
/// those are marked skipped with their reason.
fn check_oracle(program: &Program, report: &mut ProgramReport) {
    use crate::oracle::{SkipReason, Verdict, check_expectations};
    let verdict = if program.is_host_ir {
        Verdict::Skipped(SkipReason::HostIr)
    } else if program.is_directory {
        match &program.oracle_source {
            Some(merged) => check_expectations(merged, &program.expectations),
            None => Verdict::Skipped(SkipReason::MultiFile),
        }
    } else {
        check_expectations(&program.source.text, &program.expectations)
    };
    match verdict {
        Verdict::Agrees => report.oracle = CheckStatus::Pass,
        Verdict::Skipped(reason) => {
            report.oracle = CheckStatus::Skipped;
            report.oracle_skipped = Some(reason);
        }
        Verdict::Differs(problem) => {
            report.oracle = CheckStatus::Fail;
            report.problems.push(problem);
        }
    }
}

fn check_on_engines(program: &Program) -> ProgramReport {
    let mut report = ProgramReport::new(&program.name);
    let expected = &program.expectations;
    let expects_compile_error = expected
        .error
        .as_ref()
        .is_some_and(ExpectedError::is_compile_time);
    match &program.front_end {
        FrontEnd::CompileError(diagnostic) => {
            let observed = ObservedError {
                code: diagnostic.code.clone(),
                message: diagnostic.message.clone(),
                frames: Vec::new(),
                at: Some(program.position(diagnostic.span)),
                file: program.file_of(diagnostic.span),
            };
            report.front_end = status(check_error(
                "front end",
                expected.error.as_ref(),
                expected.at,
                expected.file.as_deref(),
                &observed,
                &mut report.problems,
            ));
            return report;
        }
        FrontEnd::Accepted(_) if expects_compile_error => {
            report.front_end = CheckStatus::Fail;
            report.problems.push(format!(
                "front end: expected {} but the program compiled",
                describe_expected_error(expected)
            ));
            return report;
        }
        FrontEnd::Accepted(_) if program.is_host_ir && expects_unsupported_block_item(expected) => {
            // RT0201 must be caught by the verifier too, not only by the engines.
            report.front_end = CheckStatus::Fail;
            report.problems.push(format!(
                "verifier: expected {} but the verifier accepted the IR",
                describe_expected_error(expected)
            ));
        }
        FrontEnd::Accepted(_) => report.front_end = CheckStatus::Pass,
        FrontEnd::VerifierRejected { diagnostic, .. } => {
            let observed = ObservedError {
                code: diagnostic.code.clone(),
                message: diagnostic.message.clone(),
                frames: Vec::new(),
                at: Some(program.position(diagnostic.span)),
                file: program.file_of(diagnostic.span),
            };
            report.front_end = status(check_error(
                "verifier",
                expected.error.as_ref(),
                expected.at,
                expected.file.as_deref(),
                &observed,
                &mut report.problems,
            ));
        }
    }

    let limits = expected.limits.to_limits();
    let mut runs = Vec::new();
    for engine in Engine::BOTH {
        match run_on_engine(program, engine, &limits) {
            Ok(run) => {
                let passed = check_engine(program, &run, &mut report.problems);
                set_engine_status(&mut report, engine, status(passed));
                runs.push(run);
            }
            Err(problem) => {
                report.problems.push(format!("{engine}: {problem}"));
                set_engine_status(&mut report, engine, CheckStatus::Fail);
            }
        }
    }
    report.trace_events = runs.first().map_or(0, |run| run.trace.len());
    report.heap = status(runs.iter().all(|run| check_heap(run, &mut report.problems)));
    if let [interp, jit] = runs.as_slice() {
        let traces_equal = compare_traces(interp, jit, &mut report.problems);
        if !traces_equal
            && let (Some(module), Some(index)) = (
                program.module(),
                first_divergence(&interp.trace, &jit.trace),
            )
            && let Some(problem) = report.problems.last_mut()
        {
            problem.push_str(&attribute_divergence(
                program,
                module,
                &limits,
                &interp.trace,
                index,
            ));
        }
        let assertions_hold = check_trace_assertions(expected, interp, &mut report.problems);
        report.trace = status(traces_equal && assertions_hold);
        compare_engines(interp, jit, &mut report.problems);
    } else {
        report.trace = CheckStatus::Fail;
    }
    report.audit = check_audit_pass(program, &limits, &runs, &mut report.problems);
    report.heap = match (
        report.heap,
        check_unobserved_runs(program, &limits, &runs, &mut report.problems),
    ) {
        (CheckStatus::Pass, false) => CheckStatus::Fail,
        (heap, _) => heap,
    };
    report
}

/// Runs both engines again with nothing observing the heap (no trace, no hook: how
/// embedders run, and the only state in which the unobserved fast paths run): each must
/// print and return or fail exactly as its traced run did, and leave the heap as it was.
fn check_unobserved_runs(
    program: &Program,
    limits: &cairn_runtime::Limits,
    traced_runs: &[EngineRun],
    problems: &mut Vec<String>,
) -> bool {
    let mut passed = true;
    for traced in traced_runs {
        let engine = traced.engine;
        match crate::run::run_unobserved(program, engine, limits) {
            Ok(plain) => {
                if plain.output != traced.output {
                    passed = false;
                    problems.push(format!(
                        "{engine} unobserved: output differs from the traced run\n  traced:\n{}\n  unobserved:\n{}",
                        indent_block(&traced.output),
                        indent_block(&plain.output)
                    ));
                }
                if plain.outcome != traced.outcome {
                    passed = false;
                    problems.push(format!(
                        "{engine} unobserved: outcome differs from the traced run\n  traced: {}\n  unobserved: {}",
                        traced.outcome, plain.outcome
                    ));
                }
                let mut heap_problems = Vec::new();
                if !check_heap(&plain, &mut heap_problems) {
                    passed = false;
                    problems.extend(
                        heap_problems
                            .into_iter()
                            .map(|p| format!("unobserved: {p}")),
                    );
                }
            }
            Err(problem) => {
                passed = false;
                problems.push(format!("{engine} unobserved: {problem}"));
            }
        }
    }
    passed
}

/// Runs both engines again in audit mode (see `audit_pass`).
fn check_audit_pass(
    program: &Program,
    limits: &cairn_runtime::Limits,
    plain_runs: &[EngineRun],
    problems: &mut Vec<String>,
) -> CheckStatus {
    let [interp, jit] = plain_runs else {
        return CheckStatus::Skipped;
    };
    let audit_limits = crate::audit_pass::audit_pass_limits(limits);
    let mut passed = true;
    let mut audited_runs = Vec::new();
    for plain in [interp, jit] {
        match run_on_engine(program, plain.engine, &audit_limits) {
            Ok(audited) => {
                passed &= crate::audit_pass::check_audit_run(plain, &audited, problems);
                audited_runs.push(audited);
            }
            Err(problem) => {
                problems.push(format!("{} in audit mode: {problem}", plain.engine));
                passed = false;
            }
        }
    }
    if let [a, b] = audited_runs.as_slice() {
        passed &= crate::audit_pass::compare_audit_records(a, b, problems);
    }
    status(passed)
}

fn expects_unsupported_block_item(expected: &Expectations) -> bool {
    expected.error.as_ref().is_some_and(|e| e.code == "RT0201")
}

fn status(passed: bool) -> CheckStatus {
    if passed {
        CheckStatus::Pass
    } else {
        CheckStatus::Fail
    }
}

fn set_engine_status(report: &mut ProgramReport, engine: Engine, value: CheckStatus) {
    match engine {
        Engine::Interpreter => report.interp = value,
        Engine::Jit => report.jit = value,
    }
}

fn describe_expected_error(expected: &Expectations) -> String {
    match (&expected.error, expected.at) {
        (Some(error), Some(at)) => format!("`{error}` at {at}"),
        (Some(error), None) => format!("`{error}`"),
        (None, _) => "no error".to_string(),
    }
}

/// Checks one engine's output and outcome against the expectations.
pub fn check_engine(program: &Program, run: &EngineRun, problems: &mut Vec<String>) -> bool {
    let expected = &program.expectations;
    let engine = run.engine;
    let mut passed = true;
    let expected_output: String = expected.output.iter().map(|l| format!("{l}\n")).collect();
    if run.output != expected_output {
        passed = false;
        problems.push(format!(
            "{engine}: output differs\n  expected:\n{}\n  observed:\n{}",
            indent_block(&expected_output),
            indent_block(&run.output)
        ));
    }
    let host_ir_rejected = matches!(program.front_end, FrontEnd::VerifierRejected { .. });
    match (&run.outcome, &expected.error) {
        (Outcome::Returned(text), None) => {
            let want = expected.result.as_deref().unwrap_or("()");
            if text != want {
                passed = false;
                problems.push(format!(
                    "{engine}: result differs\n  expected: {want}\n  observed: {text}"
                ));
            }
        }
        (Outcome::Returned(text), Some(_)) => {
            passed = false;
            problems.push(format!(
                "{engine}: expected {} but main returned {text}",
                describe_expected_error(expected)
            ));
        }
        (Outcome::Failed(error), _) if host_ir_rejected => {
            passed = false;
            problems.push(format!(
                "{engine}: the verifier rejected this IR, so the engine must refuse it at \
                 load; instead it ran and failed with {error}"
            ));
        }
        (Outcome::RejectedAtLoad(error) | Outcome::Failed(error), want) => {
            let label = format!("{engine}");
            passed &= check_error(
                &label,
                want.as_ref(),
                expected.at,
                expected.file.as_deref(),
                error,
                problems,
            );
        }
    }
    passed
}

/// Compares an observed diagnostic with the expected one; pushes a problem on mismatch.
fn check_error(
    who: &str,
    expected: Option<&ExpectedError>,
    expected_at: Option<LineColumn>,
    expected_file: Option<&str>,
    observed: &ObservedError,
    problems: &mut Vec<String>,
) -> bool {
    let Some(want) = expected else {
        problems.push(format!(
            "{who}: unexpected diagnostic {observed}{}",
            render_frames(observed)
        ));
        return false;
    };
    let mut passed = true;
    if want.code != observed.code || want.message != observed.message {
        passed = false;
        problems.push(format!(
            "{who}: diagnostic differs\n  expected: {want}\n  observed: {} {}{}",
            observed.code,
            observed.message,
            render_frames(observed)
        ));
    }
    if let Some(at) = expected_at
        && observed.at != Some(at)
    {
        passed = false;
        let seen = observed
            .at
            .map_or_else(|| "no position".to_string(), |p| p.to_string());
        problems.push(format!(
            "{who}: diagnostic position differs: expected {at}, observed {seen}{}",
            render_frames(observed)
        ));
    }
    // The file is checked whenever a diagnostic is expected: the main file unless `file:`.
    if observed.file.as_deref() != expected_file {
        passed = false;
        let name = |file: Option<&str>| file.unwrap_or("the main file").to_string();
        problems.push(format!(
            "{who}: diagnostic file differs: expected {}, observed {}",
            name(expected_file),
            name(observed.file.as_deref())
        ));
    }
    passed
}

/// Frames shown at each end of a long call stack in a report.
const SHOWN_FRAMES: usize = 8;

/// The call stack, innermost first; a deep stack shows its first and last frames only.
pub(crate) fn render_frames(error: &ObservedError) -> String {
    let frames = &error.frames;
    let mut text = String::new();
    let elided = frames.len().saturating_sub(2 * SHOWN_FRAMES);
    for (index, frame) in frames.iter().enumerate() {
        if elided > 0 && index == SHOWN_FRAMES {
            text.push_str(&format!("\n    ... {elided} more frames ..."));
        }
        if elided == 0 || index < SHOWN_FRAMES || index >= frames.len() - SHOWN_FRAMES {
            text.push_str(&format!("\n    {frame}"));
        }
    }
    text
}

fn indent_block(text: &str) -> String {
    if text.is_empty() {
        return "    <nothing>".to_string();
    }
    text.lines()
        .map(|l| format!("    |{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The heap after the run must equal the heap before it, with no integrity violation.
pub fn check_heap(run: &EngineRun, problems: &mut Vec<String>) -> bool {
    let mut passed = true;
    if !run.heap.is_clean() {
        passed = false;
        problems.push(format!("{}: heap not restored: {}", run.engine, run.heap));
    }
    if !run.integrity_violations.is_empty() {
        passed = false;
        problems.push(format!(
            "{}: integrity violations: {}",
            run.engine,
            run.integrity_violations.join("; ")
        ));
    }
    passed
}

/// Output and outcome must agree between the engines even when both miss the expectation.
fn compare_engines(a: &EngineRun, b: &EngineRun, problems: &mut Vec<String>) {
    if a.output != b.output {
        problems.push(format!(
            "engines disagree on output\n  {}:\n{}\n  {}:\n{}",
            a.engine,
            indent_block(&a.output),
            b.engine,
            indent_block(&b.output)
        ));
    }
    if a.outcome != b.outcome {
        problems.push(format!(
            "engines disagree on the outcome\n  {}: {}{}\n  {}: {}{}",
            a.engine,
            a.outcome,
            a.outcome.error().map(render_frames).unwrap_or_default(),
            b.engine,
            b.outcome,
            b.outcome.error().map(render_frames).unwrap_or_default()
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::ObservedFrame;

    fn error_with_frames(count: u32) -> ObservedError {
        ObservedError {
            code: "RT0501".into(),
            message: "stack overflow: call depth exceeds 10".into(),
            frames: (0..count)
                .map(|op| ObservedFrame {
                    function: format!("f{op}"),
                    op,
                    at: Some(LineColumn { line: 1, column: 1 }),
                })
                .collect(),
            file: None,
            at: None,
        }
    }

    #[test]
    fn short_stacks_are_shown_whole() {
        let text = render_frames(&error_with_frames(16));
        assert_eq!(text.matches("\n    in f").count(), 16);
        assert!(!text.contains("more frames"));
    }

    #[test]
    fn deep_stacks_show_both_ends() {
        let text = render_frames(&error_with_frames(20));
        assert_eq!(text.matches("\n    in f").count(), 16);
        assert!(text.contains("... 4 more frames ..."));
        assert!(text.contains("in f0 at 1:1 (op 0)"));
        assert!(text.contains("in f19 at 1:1 (op 19)"));
        assert!(!text.contains("in f8 "));
    }
}
