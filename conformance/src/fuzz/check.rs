//! The differential check of one generated program: compile once, run on the interpreter
//! and the JIT with tracing, and compare output, result or diagnostic (code, message, every
//! frame's position), the full refcount trace, and the heap afterwards (restored exactly, no
//! integrity violation); then, three-way, run the reference evaluator (`crate::oracle`) on
//! the source and compare its output, result or diagnostic code and message with the
//! interpreter's. A compile error is a generator bug; a panic is a divergence.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::compare::{check_heap, first_divergence};
use crate::oracle::{Verdict, check_run};
use crate::program::{FrontEnd, program_from_source};
use crate::run::{Engine, EngineRun, panic_text, run_on_engine};

/// What went wrong; the shrinker keeps a divergence of the same kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DivergenceKind {
    /// The generator wrote a program the front end refused.
    GeneratorBug,
    /// Something panicked (front end, an engine, or the harness).
    Panic,
    /// The engines printed different output.
    Output,
    /// Different results, diagnostics or call stacks.
    Outcome,
    /// Different refcount traces.
    Trace,
    /// A heap not restored after the run, or an integrity violation.
    Heap,
    /// The engines agree with each other but not with the reference evaluator.
    Oracle,
}

impl fmt::Display for DivergenceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DivergenceKind::GeneratorBug => "generator bug (compile error)",
            DivergenceKind::Panic => "panic",
            DivergenceKind::Output => "output differs",
            DivergenceKind::Outcome => "outcome differs",
            DivergenceKind::Trace => "trace differs",
            DivergenceKind::Heap => "heap not restored",
            DivergenceKind::Oracle => "the reference evaluator disagrees",
        })
    }
}

#[derive(Clone, Debug)]
pub struct Divergence {
    pub kind: DivergenceKind,
    pub detail: String,
}

/// The verdict on one program, with the interpreter's run (when there was one) for the
/// reproducer's expectations.
pub struct Checked {
    pub divergence: Option<Divergence>,
    pub interp: Option<EngineRun>,
    /// The reference evaluator's verdict; `None` when it did not run (turned off, or the
    /// engines already diverged).
    pub oracle: Option<Verdict>,
}

/// Checks the program `text` (its `//# limits:` header sets the limits) three-way: both
/// engines and the reference evaluator.
pub fn check_source(name: &str, text: &str) -> Checked {
    check_source_with(name, text, true)
}

/// [`check_source`], with the reference evaluator only when `oracle` is set.
pub fn check_source_with(name: &str, text: &str, oracle: bool) -> Checked {
    match catch_unwind(AssertUnwindSafe(|| check_unguarded(name, text, oracle))) {
        Ok(checked) => checked,
        Err(panic) => Checked {
            divergence: Some(Divergence {
                kind: DivergenceKind::Panic,
                detail: format!("panic while checking: {}", panic_text(&*panic)),
            }),
            interp: None,
            oracle: None,
        },
    }
}

fn diverged(kind: DivergenceKind, detail: String, interp: Option<EngineRun>) -> Checked {
    Checked {
        divergence: Some(Divergence { kind, detail }),
        interp,
        oracle: None,
    }
}

fn check_unguarded(name: &str, text: &str, oracle: bool) -> Checked {
    let program = match program_from_source(name, text) {
        Ok(program) => program,
        Err(problem) => return diverged(DivergenceKind::GeneratorBug, problem, None),
    };
    if let FrontEnd::CompileError(diagnostic) = &program.front_end {
        let at = program.position(diagnostic.span);
        return diverged(
            DivergenceKind::GeneratorBug,
            format!("{} {} at {at}", diagnostic.code, diagnostic.message),
            None,
        );
    }
    let limits = program.expectations.limits.to_limits();
    let interp = match run_on_engine(&program, Engine::Interpreter, &limits) {
        Ok(run) => run,
        Err(problem) => return diverged(DivergenceKind::Panic, format!("interp: {problem}"), None),
    };
    let jit = match run_on_engine(&program, Engine::Jit, &limits) {
        Ok(run) => run,
        Err(problem) => {
            return diverged(
                DivergenceKind::Panic,
                format!("jit: {problem}"),
                Some(interp),
            );
        }
    };
    if let Some(divergence) = compare_runs(&interp, &jit) {
        return Checked {
            divergence: Some(divergence),
            interp: Some(interp),
            oracle: None,
        };
    }
    let verdict = oracle.then(|| check_run(text, &program.expectations.limits, &interp));
    let divergence = match &verdict {
        Some(Verdict::Differs(detail)) => Some(Divergence {
            kind: DivergenceKind::Oracle,
            detail: detail.clone(),
        }),
        _ => None,
    };
    Checked {
        divergence,
        interp: Some(interp),
        oracle: verdict,
    }
}

/// The first difference between the two runs, by kind in order of precedence.
pub fn compare_runs(interp: &EngineRun, jit: &EngineRun) -> Option<Divergence> {
    if interp.outcome != jit.outcome {
        return Some(Divergence {
            kind: DivergenceKind::Outcome,
            detail: format!(
                "interp: {}{}\n  jit: {}{}",
                interp.outcome,
                interp
                    .outcome
                    .error()
                    .map(crate::compare::render_frames)
                    .unwrap_or_default(),
                jit.outcome,
                jit.outcome
                    .error()
                    .map(crate::compare::render_frames)
                    .unwrap_or_default()
            ),
        });
    }
    if interp.output != jit.output {
        return Some(Divergence {
            kind: DivergenceKind::Output,
            detail: format!(
                "interp printed {:?}\n  jit printed {:?}",
                interp.output, jit.output
            ),
        });
    }
    if first_divergence(&interp.trace, &jit.trace).is_some() {
        let mut problems = Vec::new();
        crate::compare::compare_traces(interp, jit, &mut problems);
        return Some(Divergence {
            kind: DivergenceKind::Trace,
            detail: problems.join("\n"),
        });
    }
    let mut problems = Vec::new();
    let interp_clean = check_heap(interp, &mut problems);
    let jit_clean = check_heap(jit, &mut problems);
    if !(interp_clean && jit_clean) {
        return Some(Divergence {
            kind: DivergenceKind::Heap,
            detail: problems.join("\n"),
        });
    }
    None
}
