//! Shared test harness: a context plus typed wrappers that call the `extern "C"` shims the
//! way an engine does (0 = error parked in the context).
#![allow(dead_code)]

use cairn_runtime::abi::shims;
use cairn_runtime::heap::{HeapSnapshot, RefOp, compare_snapshots};
use cairn_runtime::{Context, Limits, RuntimeError, Value, canonical_form};

pub type Shim1 = unsafe extern "C" fn(*mut Context, u64) -> u64;
pub type Shim2 = unsafe extern "C" fn(*mut Context, u64, u64) -> u64;
pub type Shim3 = unsafe extern "C" fn(*mut Context, u64, u64, u64) -> u64;

pub struct Harness {
    pub ctx: Box<Context>,
}

fn outcome(ctx: &mut Context, word: u64) -> Result<Value, RuntimeError> {
    if word == 0 {
        Err(ctx.take_failure().error)
    } else {
        assert!(
            ctx.pending_error().is_none(),
            "a non-zero result with an error parked"
        );
        Ok(Value(word))
    }
}

impl Harness {
    pub fn new(blocks: u32) -> Harness {
        Harness::with_limits(Limits {
            heap_blocks: blocks,
            ..Limits::default()
        })
    }

    pub fn with_limits(limits: Limits) -> Harness {
        Harness {
            ctx: Box::new(Context::new(limits).expect("context")),
        }
    }

    pub fn call0(
        &mut self,
        shim: unsafe extern "C" fn(*mut Context) -> u64,
    ) -> Result<Value, RuntimeError> {
        let ptr = self.ctx.as_ptr();
        // SAFETY: `ptr` comes from the live boxed context, unaliased during the call.
        let word = unsafe { shim(ptr) };
        outcome(&mut self.ctx, word)
    }

    pub fn call1(&mut self, shim: Shim1, a: Value) -> Result<Value, RuntimeError> {
        let ptr = self.ctx.as_ptr();
        // SAFETY: `ptr` comes from the live boxed context, unaliased during the call.
        let word = unsafe { shim(ptr, a.bits()) };
        outcome(&mut self.ctx, word)
    }

    pub fn call2(&mut self, shim: Shim2, a: Value, b: Value) -> Result<Value, RuntimeError> {
        let ptr = self.ctx.as_ptr();
        // SAFETY: `ptr` comes from the live boxed context, unaliased during the call.
        let word = unsafe { shim(ptr, a.bits(), b.bits()) };
        outcome(&mut self.ctx, word)
    }

    pub fn call3(
        &mut self,
        shim: Shim3,
        a: Value,
        b: Value,
        c: Value,
    ) -> Result<Value, RuntimeError> {
        let ptr = self.ctx.as_ptr();
        // SAFETY: `ptr` comes from the live boxed context, unaliased during the call.
        let word = unsafe { shim(ptr, a.bits(), b.bits(), c.bits()) };
        outcome(&mut self.ctx, word)
    }

    pub fn text(&mut self, text: &str) -> Value {
        let ptr = self.ctx.as_ptr();
        // SAFETY: live context; `text` is `len` readable bytes for the call.
        let word = unsafe { shims::rt_text_literal(ptr, text.as_ptr() as u64, text.len() as u64) };
        outcome(&mut self.ctx, word).expect("text literal")
    }

    fn literal_from_words(
        &mut self,
        shim: Shim2,
        words: &[Value],
        count: usize,
    ) -> Result<Value, RuntimeError> {
        let raw: Vec<u64> = words.iter().map(|v| v.bits()).collect();
        let ptr = self.ctx.as_ptr();
        // SAFETY: live context; `raw` holds the words the shim reads.
        let word = unsafe { shim(ptr, raw.as_ptr() as u64, count as u64) };
        outcome(&mut self.ctx, word)
    }

    /// `[items...]`: consumes the items.
    pub fn try_list(&mut self, items: &[Value]) -> Result<Value, RuntimeError> {
        self.literal_from_words(shims::rt_list_from, items, items.len())
    }
    pub fn list(&mut self, items: &[Value]) -> Value {
        self.try_list(items).expect("list literal")
    }
    pub fn tuple(&mut self, items: &[Value]) -> Value {
        self.literal_from_words(shims::rt_tuple_from, items, items.len())
            .expect("tuple literal")
    }
    /// `#{k: v, ...}` from alternating key/value words: consumes them.
    pub fn try_map(&mut self, words: &[Value]) -> Result<Value, RuntimeError> {
        self.literal_from_words(shims::rt_map_from, words, words.len() / 2)
    }
    pub fn map(&mut self, words: &[Value]) -> Value {
        self.try_map(words).expect("map literal")
    }

    pub fn show(&self, value: Value) -> String {
        canonical_form(&self.ctx.heap, value, false)
    }

    pub fn retain(&mut self, value: Value) -> Value {
        self.call1(shims::rt_retain, value).expect("retain")
    }

    pub fn release(&mut self, value: Value) {
        assert_eq!(self.call1(shims::rt_release, value).unwrap(), Value(1));
        assert!(
            self.ctx.heap.integrity_violations.is_empty(),
            "integrity violations: {:?}",
            self.ctx.heap.integrity_violations
        );
    }

    pub fn snapshot(&self) -> HeapSnapshot {
        self.ctx.heap.snapshot()
    }

    pub fn assert_heap_equals(&self, before: &HeapSnapshot) {
        let delta = compare_snapshots(before, &self.ctx.heap.snapshot());
        assert!(delta.is_clean(), "heap differs: {delta}");
        self.ctx.heap.validate_free_list().expect("free list valid");
    }

    pub fn start_trace(&mut self) {
        self.ctx.heap.start_trace();
    }

    /// The ops recorded since `start_trace`, e.g. `["cow", "malloc", "incRef"]`.
    pub fn trace_ops(&mut self) -> Vec<&'static str> {
        self.ctx
            .heap
            .take_trace()
            .iter()
            .map(|e| e.op.as_str())
            .collect()
    }

    pub fn count_of(ops: &[&str], op: RefOp) -> usize {
        ops.iter().filter(|o| **o == op.as_str()).count()
    }
}

pub fn int(n: i64) -> Value {
    Value::int(n).expect("int in range")
}
