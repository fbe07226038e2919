//! Trace comparison: the first divergence between two engines' full refcount traces,
//! rendered with context and attributed to the IR op that produced it, and the
//! `//# trace: cow` / `no-cow` assertions.

use cairn_lang::ir;
use cairn_runtime::Limits;
use cairn_runtime::heap::{RefOp, TraceEvent};

use crate::attribute::{EventSite, attribute_events};
use crate::expectations::{Expectations, TraceAssertion};
use crate::program::Program;
use crate::run::EngineRun;

/// Events of context shown on each side of a trace divergence.
pub const TRACE_CONTEXT: usize = 3;

/// Full traces must be identical; on a divergence, show the first differing index with
/// [`TRACE_CONTEXT`] events on each side from both engines.
pub fn compare_traces(a: &EngineRun, b: &EngineRun, problems: &mut Vec<String>) -> bool {
    match first_divergence(&a.trace, &b.trace) {
        None => true,
        Some(index) => {
            problems.push(format!(
                "trace: first divergence at event {index} ({} has {} events, {} has {}){}{}{}",
                a.engine,
                a.trace.len(),
                b.engine,
                b.trace.len(),
                render_window(a, index),
                render_window(b, index),
                failure_frames_note(a, b)
            ));
            false
        }
    }
}

/// Index of the first event that differs (or where one trace ends early).
pub fn first_divergence(a: &[TraceEvent], b: &[TraceEvent]) -> Option<usize> {
    let common = a.len().min(b.len());
    (0..common)
        .find(|&i| a[i] != b[i])
        .or((a.len() != b.len()).then_some(common))
}

fn render_window(run: &EngineRun, index: usize) -> String {
    let start = index.saturating_sub(TRACE_CONTEXT);
    let end = (index + TRACE_CONTEXT + 1).min(run.trace.len());
    let mut text = format!("\n  {}:", run.engine);
    for (i, event) in run.trace.iter().enumerate().take(end).skip(start) {
        let marker = if i == index { ">>" } else { "  " };
        text.push_str(&format!("\n   {marker} [{i}] {event}"));
    }
    if index >= run.trace.len() {
        text.push_str(&format!("\n   >> [{index}] <end of trace>"));
    }
    text
}

fn failure_frames_note(a: &EngineRun, b: &EngineRun) -> String {
    let mut text = String::new();
    for run in [a, b] {
        if let Some(error) = run.outcome.error() {
            text.push_str(&format!(
                "\n  {} ended with {error}{}",
                run.engine,
                crate::compare::render_frames(error)
            ));
        }
    }
    text
}

pub fn check_trace_assertions(
    expected: &Expectations,
    run: &EngineRun,
    problems: &mut Vec<String>,
) -> bool {
    let cows = run.trace.iter().filter(|e| e.op == RefOp::Cow).count();
    let mut passed = true;
    for assertion in &expected.trace {
        match assertion {
            TraceAssertion::Cow if cows == 0 => {
                passed = false;
                problems.push(format!(
                    "trace: expected at least one `cow` event, found none in {} events",
                    run.trace.len()
                ));
            }
            TraceAssertion::NoCow if cows > 0 => {
                passed = false;
                let first = run.trace.iter().find(|e| e.op == RefOp::Cow);
                problems.push(format!(
                    "trace: expected no `cow` event, found {cows} (first: {})",
                    first.map_or_else(String::new, |e| e.to_string())
                ));
            }
            _ => {}
        }
    }
    passed
}

/// Names the IR op that produced trace event `index`, by re-running the interpreter with
/// the observer of [`crate::attribute`]. `interp_trace` is the interpreter's plain run: if
/// the observed run's trace differs from it before `index`, the note says so.
pub fn attribute_divergence(
    program: &Program,
    module: &ir::Module,
    limits: &Limits,
    interp_trace: &[TraceEvent],
    index: usize,
) -> String {
    let attribution = match attribute_events(module, limits) {
        Ok(attribution) => attribution,
        Err(problem) => return format!("\n  (no attribution: {problem})"),
    };
    let caveat = match first_divergence(&attribution.trace, interp_trace) {
        Some(differs) if differs <= index => format!(
            " (but the observed interpreter run's trace differs from the plain run's at \
             event {differs})"
        ),
        _ => String::new(),
    };
    match attribution.site_of(index) {
        Some(site) => format!(
            "\n  event {index} was produced by {}{caveat}",
            describe_site(program, module, site)
        ),
        None => format!("\n  event {index} is not attributable{caveat}"),
    }
}

/// `fn level3 op 4 (Index { .. }) at 3:23`.
pub fn describe_site(program: &Program, module: &ir::Module, site: EventSite) -> String {
    let EventSite::Op { function, op } = site else {
        return "the runner releasing main's result".to_string();
    };
    let Some(f) = module.functions.get(function as usize) else {
        return format!("<function {function}> op {op}");
    };
    match f.op_at(op) {
        Some(ir::OpAt::Op(at)) => format!(
            "fn {} op {op} ({:?}) at {}",
            f.name,
            at.kind,
            program.position(at.span)
        ),
        Some(ir::OpAt::Terminator(at)) => format!(
            "fn {} op {op} ({:?}) at {}",
            f.name,
            at.kind,
            program.position(at.span)
        ),
        None => format!("fn {} op {op} (no such op)", f.name),
    }
}
