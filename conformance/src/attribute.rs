//! Debug-mode attribution of refcount trace events to IR ops. When the engines' traces
//! diverge, the runner re-runs the module on the interpreter with an execution observer
//! (`cairn_interp::InterpProgram::run_main_observed`) that records the trace length as each
//! instruction starts and as each frame unwinds, so the diverging event can be named as
//! "produced by op N of fn f at line:col". No second executor: the interpreter's own loop
//! is observed. It is a diagnostic aid only: conformance is judged on the engines' plain runs.

use std::panic::{AssertUnwindSafe, catch_unwind};

use cairn_interp::ExecutionObserver;
use cairn_lang::ir;
use cairn_runtime::abi::shims;
use cairn_runtime::heap::TraceEvent;
use cairn_runtime::{Context, Limits};

/// Where an event came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventSite {
    /// Op (or terminator) `op` of function `function`, numbered as `Function::op_at`.
    Op { function: u32, op: u32 },
    /// The runner's release of `main`'s result after the run.
    ResultRelease,
}

/// For each trace length reached, the op that was executing from then on.
#[derive(Clone, Debug, Default)]
pub struct Attribution {
    /// `(trace length when the op started, op)`, lengths strictly increasing: of several
    /// ops that started at the same length only the last is kept (the earlier ones recorded
    /// no event), so this holds at most one entry per event plus one.
    starts: Vec<(usize, EventSite)>,
    /// The observed run's trace (equal to the engines' when they conform).
    pub trace: Vec<TraceEvent>,
}

impl Attribution {
    /// The op that was executing when event `index` was recorded: the last one that started
    /// at or before it.
    pub fn site_of(&self, index: usize) -> Option<EventSite> {
        let after = self.starts.partition_point(|(start, _)| *start <= index);
        let (_, site) = *self.starts.get(after.checked_sub(1)?)?;
        Some(site)
    }

    fn record(&mut self, trace_length: usize, site: EventSite) {
        match self.starts.last_mut() {
            Some(last) if last.0 == trace_length => last.1 = site,
            _ => self.starts.push((trace_length, site)),
        }
    }
}

impl ExecutionObserver for Attribution {
    fn before_instruction(&mut self, ctx: &Context, function: u32, op: u32) {
        self.record(
            ctx.heap.trace_events().len(),
            EventSite::Op { function, op },
        );
    }

    /// The cleanup releases of an unwinding frame belong to its failing op (a caller's
    /// failing op is its `Call`).
    fn before_unwind_frame(&mut self, ctx: &Context, function: u32, op: u32) {
        self.record(
            ctx.heap.trace_events().len(),
            EventSite::Op { function, op },
        );
    }
}

/// Runs `main` of `module` under `limits` on the observed interpreter, releases its result
/// as the runner does, and returns which op produced each trace event.
pub fn attribute_events(module: &ir::Module, limits: &Limits) -> Result<Attribution, String> {
    let program = cairn_interp::load(module)
        .map_err(|failure| format!("the interpreter refused the module: {}", failure.error))?;
    let mut context =
        Context::new(limits.clone()).map_err(|e| format!("cannot create a context: {e}"))?;
    crate::run::install_host_methods(&mut context, module);
    context.heap.start_trace();
    let mut attribution = Attribution::default();
    let observed = catch_unwind(AssertUnwindSafe(|| {
        program.run_main_observed(&mut context, &mut attribution)
    }))
    .map_err(|_| "the observed interpreter run panicked".to_string())?;
    if let Ok(result) = observed {
        attribution.record(context.heap.trace_events().len(), EventSite::ResultRelease);
        // SAFETY: `context` is live and exclusively ours, its pointer comes from
        // `Context::as_ptr` as the shim contract requires; `result` is the owned result word
        // `run_main_observed` handed us and is not used again.
        unsafe { shims::rt_release(context.as_ptr(), result.0) };
    }
    attribution.trace = context.heap.take_trace();
    Ok(attribution)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(op: u32) -> EventSite {
        EventSite::Op { function: 0, op }
    }

    #[test]
    fn ops_without_events_are_replaced_by_the_next_op() {
        let mut attribution = Attribution::default();
        attribution.record(0, op(0));
        attribution.record(0, op(1));
        attribution.record(2, op(2));
        attribution.record(2, op(3));
        attribution.record(3, EventSite::ResultRelease);
        assert_eq!(attribution.starts.len(), 3);
        assert_eq!(attribution.site_of(0), Some(op(1)));
        assert_eq!(attribution.site_of(1), Some(op(1)));
        assert_eq!(attribution.site_of(2), Some(op(3)));
        assert_eq!(attribution.site_of(3), Some(EventSite::ResultRelease));
        assert_eq!(attribution.site_of(9), Some(EventSite::ResultRelease));
    }

    #[test]
    fn nothing_is_attributed_before_the_first_op() {
        let mut attribution = Attribution::default();
        assert_eq!(attribution.site_of(0), None);
        attribution.record(1, op(4));
        assert_eq!(attribution.site_of(0), None);
        assert_eq!(attribution.site_of(1), Some(op(4)));
    }
}
