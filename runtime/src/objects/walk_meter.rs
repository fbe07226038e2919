//! What a walk over a value (equality, printing, measuring) needs from its caller: the heap
//! to read, and a meter that charges fuel and checks cancellation as the walk goes, as the
//! runtime loops of `count` and `sum` do (docs/LANGUAGE.md, "Sequences",
//! "Decision — limits of pulls").
//! A shim walks with its [`Context`] (fuel and cancellation of the run); a host reading a
//! value between runs walks [`Unmetered`].

use crate::context::Context;
use crate::error::RuntimeError;
use crate::heap::Heap;

use super::seq_consume::charge_runtime_loop;

/// The heap a walk reads and the meter it charges.
pub trait WalkMeter {
    /// The heap the walked value lives in.
    fn heap(&self) -> &Heap;
    /// Called with step 1, 2, 3, ... of a walk: one fuel unit (RT0502 when none is left)
    /// and the cancellation check (RT0503) every 1,024 steps, none before the 1,024th.
    fn charge(&mut self, step: usize) -> Result<(), RuntimeError>;
}

impl WalkMeter for Context {
    fn heap(&self) -> &Heap {
        &self.heap
    }
    fn charge(&mut self, step: usize) -> Result<(), RuntimeError> {
        charge_runtime_loop(self, step)
    }
}

/// A walk outside a run (a host converting a result, the C API printing a handle): no fuel
/// to charge, nothing to cancel; the walk is bounded by the output budget alone.
pub struct Unmetered<'a>(pub &'a Heap);

impl WalkMeter for Unmetered<'_> {
    fn heap(&self) -> &Heap {
        self.0
    }
    fn charge(&mut self, _step: usize) -> Result<(), RuntimeError> {
        Ok(())
    }
}

/// Whether the container headed by `value` may be reached more than once in one walk: its
/// reference count is above 1. Only head blocks are shared (docs/MEMORY.md), so a container
/// with a count of 1 has one holder, and a walk reaches it once per visit of that holder.
/// Walks memoise only shared containers, so walking a tree costs no memo at all.
pub fn is_shared(heap: &Heap, value: crate::value::Value) -> bool {
    value
        .heap_block()
        .is_some_and(|block| heap.ref_count(block) > 1)
}
