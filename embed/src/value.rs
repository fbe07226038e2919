//! [`Value`]: an owned, host-side copy of a script value. Immediates, Texts and containers are
//! copied out of the heap (so they outlive the call and the runtime); Seq, Closure and Ref
//! values have identity, so they come back as an [`Opaque`] handle that keeps the script
//! object alive in its runtime and releases it when the last clone is dropped.

use std::sync::{Arc, Mutex};

use cairn_runtime::KindName;

/// An owned host-side value: what [`crate::Runtime::call`] returns and what host functions
/// receive, independent of any heap except for [`Value::Opaque`].
///
/// Most hosts never build a `Value` by hand: [`crate::IntoValue`] and [`crate::FromValue`]
/// convert Rust types (`i64`, `String`, `Vec<T>`, tuples, `BTreeMap`, ...). A `Value` is the
/// way to handle a result whose shape you do not know in advance.
///
/// `PartialEq` is structural, except that two [`Opaque`] values are equal only when they are the
/// same script object (as `==` compares them in scripts); `Float`s compare as `f64`. `Display`
/// prints the canonical form (docs/LANGUAGE.md, "Values and operators"), as the script's `print`
/// does.
///
/// ```
/// use cairn::{Engine, EngineKind, Limits, Value};
///
/// let engine = Engine::new(EngineKind::Interpreter);
/// let module = engine
///     .compile("shapes.cairn", "fn main() = #{\"b\": [1, 2.5], \"a\": (true, ())}")
///     .unwrap();
/// let mut rt = engine.runtime(Limits::default()).unwrap();
/// let value: Value = rt.call(&module, "main", ()).unwrap();
/// assert_eq!(value.to_string(), "#{\"a\": (true, ()), \"b\": [1, 2.5]}");
/// let Value::Map(entries) = &value else { panic!("a Map") };
/// assert_eq!(entries[0].0, Value::Text("a".into())); // ascending key order
/// assert_eq!(entries[1].1, Value::List(vec![Value::Int(1), Value::Float(2.5)]));
/// ```
/// `Clone`, `PartialEq`, `Debug`, `Display` and `Drop` loop over an explicit stack (no
/// recursion), so a `Value` nested 100,000 deep is as safe to use as a flat one.
pub enum Value {
    /// `()`.
    Unit,
    /// `true` or `false`.
    Bool(bool),
    /// A script Int: 48-bit signed, [`crate::INT_MIN`]`..=`[`crate::INT_MAX`]. Passing a
    /// larger `i64` to a script is an RT0301 error, never a truncation.
    Int(i64),
    /// A script Float (an `f64`).
    Float(f64),
    /// A Text (UTF-8).
    Text(String),
    /// A List, its elements in order.
    List(Vec<Value>),
    /// A Tuple (`(a,)` has one element; Unit is [`Value::Unit`], not an empty Tuple).
    Tuple(Vec<Value>),
    /// A Map, its `(key, value)` entries in ascending key order (the script's order). When
    /// the host builds one, the order and duplicate keys are settled by the script's map
    /// insertion: later entries win.
    Map(Vec<(Value, Value)>),
    /// A Seq, Closure, Ref or host object of one runtime (see [`Opaque`]; host objects:
    /// [`crate::Engine::register_type`]).
    Opaque(Opaque),
}

impl Value {
    /// The kind name (docs/LANGUAGE.md, "Values and operators") (`Int`, `List`, `Closure`, ...), as
    /// diagnostics name kinds.
    ///
    /// ```
    /// use cairn::Value;
    /// assert_eq!(Value::Int(1).kind_name(), "Int");
    /// assert_eq!(Value::Tuple(vec![]).kind_name(), "Tuple");
    /// ```
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Unit => "Unit",
            Value::Bool(_) => "Bool",
            Value::Int(_) => "Int",
            Value::Float(_) => "Float",
            Value::Text(_) => "Text",
            Value::List(_) => "List",
            Value::Tuple(_) => "Tuple",
            Value::Map(_) => "Map",
            Value::Opaque(opaque) => opaque.kind.as_str(),
        }
    }
}

/// Words released by dropped [`Opaque`] handles, applied by their runtime at its next
/// call (or `blocks_in_use`); dropping a handle never touches the heap directly, so it is
/// safe from any thread and at any time.
///
/// It also knows which words live handles hold: those are the host's roots for the
/// ownership check (`Runtime::run_ownership_check`).
#[derive(Debug, Default)]
pub(crate) struct ReleaseQueue {
    pending: Mutex<Vec<u64>>,
    /// Words of live handles, one entry per retained reference.
    held: Mutex<Vec<u64>>,
    /// The host types of the engine that made the runtime (`HostContext::new_object`).
    type_names: Mutex<Arc<crate::host_object::TypeNames>>,
}

impl ReleaseQueue {
    pub(crate) fn type_names(&self) -> Arc<crate::host_object::TypeNames> {
        self.type_names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn set_type_names(&self, names: Arc<crate::host_object::TypeNames>) {
        *self.type_names.lock().unwrap_or_else(|e| e.into_inner()) = names;
    }

    pub(crate) fn drain(&self) -> Vec<u64> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The words live handles hold (one per reference they own).
    pub(crate) fn held_words(&self) -> Vec<u64> {
        self.held.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn hold(&self, word: u64) {
        self.held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(word);
    }

    /// Forgets one reference `word` held (the inverse of [`ReleaseQueue::hold`]).
    pub(crate) fn unhold(&self, word: u64) {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(position) = held.iter().position(|&held| held == word) {
            held.swap_remove(position);
        }
    }
}

#[derive(Debug)]
struct OpaqueInner {
    word: u64,
    queue: Arc<ReleaseQueue>,
}

impl Drop for OpaqueInner {
    fn drop(&mut self) {
        self.queue.unhold(self.word);
        self.queue
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(self.word);
    }
}

/// A retained Seq, Closure or Ref of one runtime: a handle on a script object that has
/// identity, so it cannot be copied out of the heap as other values are.
///
/// - **Lifetime.** The handle keeps the object alive in its runtime's heap (it counts in
///   [`crate::Runtime::blocks_in_use`]). Clones share one reference; when the last clone is
///   dropped, the release is queued and applied by the runtime at its next call or
///   [`crate::Runtime::blocks_in_use`]. Dropping is safe on any thread, and after the
///   runtime itself is gone.
/// - **Use.** Pass it back as an argument (a Closure to call, a Ref to read or update, a Seq
///   to pull from: a Seq is a cursor, so what one call consumes is gone for the next), or
///   call a Closure from a host function with [`crate::HostContext::call`].
/// - **One runtime.** Passing it to another runtime is a [`RunError`] (RT0001 `this Ref
///   belongs to another runtime`), never undefined behaviour.
///
/// ```
/// use cairn::{Engine, EngineKind, Limits, Value};
///
/// let engine = Engine::new(EngineKind::Jit);
/// let module = engine
///     .compile("counter.cairn", "fn main() = 0
/// fn counter() = ref(0)
/// fn bump(r) = { r := !r + 1; !r }")
///     .unwrap();
/// let mut rt = engine.runtime(Limits::default()).unwrap();
/// let counter: Value = rt.call(&module, "counter", ()).unwrap();
/// let Value::Opaque(handle) = &counter else { panic!("a Ref") };
/// assert_eq!(handle.kind(), "Ref");
/// assert_eq!(rt.call::<i64>(&module, "bump", (counter.clone(),)).unwrap(), 1);
/// assert_eq!(rt.call::<i64>(&module, "bump", (counter.clone(),)).unwrap(), 2);
/// assert!(rt.blocks_in_use() > 0); // the host still holds the Ref
///
/// let mut other = engine.runtime(Limits::default()).unwrap();
/// let error = other.call::<i64>(&module, "bump", (counter.clone(),)).unwrap_err();
/// assert_eq!(error.message(), "this Ref belongs to another runtime");
///
/// drop(counter);
/// assert_eq!(rt.blocks_in_use(), 0);
/// ```
///
/// `Debug` shows its kind and how it prints (`Opaque(Ref <ref>)`), never the handle's
/// internals (heap words, queues).
#[derive(Clone)]
pub struct Opaque {
    inner: Arc<OpaqueInner>,
    kind: KindName,
    printed: String,
}

impl Opaque {
    /// `Seq`, `Closure`, `Ref` or `HostObject`.
    pub fn kind(&self) -> &'static str {
        self.kind.as_str()
    }
    /// A handle on `word` (already retained for it), released through `queue`.
    pub(crate) fn hold(
        word: u64,
        kind: KindName,
        printed: String,
        queue: &Arc<ReleaseQueue>,
    ) -> Opaque {
        queue.hold(word);
        Opaque {
            inner: Arc::new(OpaqueInner {
                word,
                queue: queue.clone(),
            }),
            kind,
            printed,
        }
    }
    /// How it prints (`<fn name>`, `<seq>`, `<ref>`, `<Player#1>`).
    pub(crate) fn printed(&self) -> &str {
        &self.printed
    }
    pub(crate) fn word_for(&self, queue: &Arc<ReleaseQueue>) -> Option<u64> {
        Arc::ptr_eq(&self.inner.queue, queue).then_some(self.inner.word)
    }
}

impl std::fmt::Debug for Opaque {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Opaque({} {})", self.kind(), self.printed)
    }
}

impl PartialEq for Opaque {
    /// The same script object (identity, as `==` compares them in scripts).
    fn eq(&self, other: &Opaque) -> bool {
        Arc::ptr_eq(&self.inner.queue, &other.inner.queue) && self.inner.word == other.inner.word
    }
}
