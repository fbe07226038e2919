//! [`Value`]: an owned, host-side copy of a script value. Immediates, Texts and containers are
//! copied out of the heap (so they outlive the call and the runtime); Seq, Closure and Ref
//! values have identity, so they come back as an [`Opaque`] handle that keeps the script
//! object alive in its runtime and releases it when the last clone is dropped.

use std::fmt;
use std::sync::{Arc, Mutex};

use cairn_runtime::objects::print::push_quoted;
use cairn_runtime::objects::{list, map, text, tuple};
use cairn_runtime::value::Value as Word;
use cairn_runtime::{Context, KindName};

use crate::error::RunError;

/// An owned host-side value: what [`crate::Runtime::call`] returns and what host functions
/// receive, independent of any heap except for [`Value::Opaque`].
///
/// Most hosts never build a `Value` by hand: [`crate::IntoValue`] and [`crate::FromValue`]
/// convert Rust types (`i64`, `String`, `Vec<T>`, tuples, `BTreeMap`, ...). A `Value` is the
/// way to handle a result whose shape you do not know in advance.
///
/// `PartialEq` is structural, except that two [`Opaque`] values are equal only when they are
/// the same script object (as `==` compares them in scripts); `Float`s compare as `f64`.
/// `Display` prints the canonical form of SPEC §2, as the script's `print` does.
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
#[derive(Clone, Debug, PartialEq)]
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
    /// A Seq, Closure or Ref of one runtime (see [`Opaque`]).
    Opaque(Opaque),
}

impl Value {
    /// The SPEC §7 kind name (`Int`, `List`, `Closure`, ...), as diagnostics name kinds.
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

impl fmt::Display for Value {
    /// The canonical form of SPEC §2, as `print` writes it at top level (a Text raw).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        write_canonical(self, true, &mut out);
        f.write_str(&out)
    }
}

fn write_canonical(value: &Value, top_level: bool, out: &mut String) {
    let separated = |items: &[Value], out: &mut String| {
        for (position, item) in items.iter().enumerate() {
            if position > 0 {
                out.push_str(", ");
            }
            write_canonical(item, false, out);
        }
    };
    match value {
        Value::Unit => out.push_str("()"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => out.push_str(&n.to_string()),
        Value::Float(x) => out.push_str(&format!("{x:?}")),
        Value::Text(text) if top_level => out.push_str(text),
        Value::Text(text) => push_quoted(out, text),
        Value::List(items) => {
            out.push('[');
            separated(items, out);
            out.push(']');
        }
        Value::Tuple(items) => {
            out.push('(');
            separated(items, out);
            out.push_str(if items.len() == 1 { ",)" } else { ")" });
        }
        Value::Map(entries) => {
            out.push_str("#{");
            for (position, (key, item)) in entries.iter().enumerate() {
                if position > 0 {
                    out.push_str(", ");
                }
                write_canonical(key, false, out);
                out.push_str(": ");
                write_canonical(item, false, out);
            }
            out.push('}');
        }
        Value::Opaque(opaque) => out.push_str(&opaque.printed),
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
}

impl ReleaseQueue {
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
#[derive(Clone, Debug)]
pub struct Opaque {
    inner: Arc<OpaqueInner>,
    kind: KindName,
    printed: String,
}

impl Opaque {
    /// `Seq`, `Closure` or `Ref`.
    pub fn kind(&self) -> &'static str {
        self.kind.as_str()
    }
    pub(crate) fn word_for(&self, queue: &Arc<ReleaseQueue>) -> Option<u64> {
        Arc::ptr_eq(&self.inner.queue, queue).then_some(self.inner.word)
    }
}

impl PartialEq for Opaque {
    /// The same script object (identity, as `==` compares them in scripts).
    fn eq(&self, other: &Opaque) -> bool {
        Arc::ptr_eq(&self.inner.queue, &other.inner.queue) && self.inner.word == other.inner.word
    }
}

/// Copies the script value `word` (borrowed) out of `ctx`'s heap; Seq, Closure and Ref
/// values are retained into an [`Opaque`] released through `queue`.
pub(crate) fn read_value(
    ctx: &mut Context,
    word: Word,
    queue: &Arc<ReleaseQueue>,
) -> Result<Value, RunError> {
    let internal = |e: cairn_runtime::RuntimeError| RunError::api(e.code.as_str(), e.message);
    let kind = word.kind_name().ok_or_else(|| {
        RunError::api(
            "RT0404",
            format!("not a script value: {:#018x}", word.bits()),
        )
    })?;
    Ok(match kind {
        KindName::Unit => Value::Unit,
        KindName::Bool => Value::Bool(word == Word::TRUE),
        KindName::Int => Value::Int(word.as_int().unwrap_or_default()),
        KindName::Float => Value::Float(word.as_float().unwrap_or_default()),
        KindName::Text => Value::Text(text::text_to_string(&ctx.heap, word).map_err(internal)?),
        KindName::List => {
            let items = list::elements(&ctx.heap, word).map_err(internal)?;
            Value::List(read_all(ctx, &items, queue)?)
        }
        KindName::Tuple => {
            let items = tuple::elements(&ctx.heap, word).map_err(internal)?;
            Value::Tuple(read_all(ctx, &items, queue)?)
        }
        KindName::Map => {
            let entries = map::entries(&ctx.heap, word).map_err(internal)?;
            let mut out = Vec::with_capacity(entries.len());
            for (key, item) in entries {
                out.push((read_value(ctx, key, queue)?, read_value(ctx, item, queue)?));
            }
            Value::Map(out)
        }
        KindName::Seq | KindName::Closure | KindName::Ref => {
            let printed = cairn_runtime::canonical_form(&ctx.heap, word, false);
            let retained = cairn_runtime::objects::retain(&mut ctx.heap, word).map_err(internal)?;
            queue.hold(retained.bits());
            Value::Opaque(Opaque {
                inner: Arc::new(OpaqueInner {
                    word: retained.bits(),
                    queue: queue.clone(),
                }),
                kind,
                printed,
            })
        }
    })
}

fn read_all(
    ctx: &mut Context,
    words: &[Word],
    queue: &Arc<ReleaseQueue>,
) -> Result<Vec<Value>, RunError> {
    words.iter().map(|&w| read_value(ctx, w, queue)).collect()
}

/// Builds `value` in `ctx`'s heap; returns the owned word. An [`Opaque`] of another runtime,
/// or an Int outside the script's 48-bit range, is an error (nothing is left allocated).
pub(crate) fn write_value(
    ctx: &mut Context,
    value: &Value,
    queue: &Arc<ReleaseQueue>,
) -> Result<Word, RunError> {
    let internal = |e: cairn_runtime::RuntimeError| RunError::api(e.code.as_str(), e.message);
    Ok(match value {
        Value::Unit => Word::UNIT,
        Value::Bool(b) => Word::bool(*b),
        Value::Int(n) => Word::int(*n).ok_or_else(|| {
            RunError::api(
                "RT0301",
                format!("integer overflow: {n} does not fit in a script Int (48 bits)"),
            )
        })?,
        Value::Float(x) => Word::float(*x),
        Value::Text(s) => text::text_from_str(&mut ctx.heap, s).map_err(internal)?,
        Value::List(items) | Value::Tuple(items) => {
            let words = write_all(ctx, items, queue)?;
            let shim = if matches!(value, Value::List(_)) {
                cairn_runtime::abi::shims::rt_list_from
            } else {
                cairn_runtime::abi::shims::rt_tuple_from
            };
            aggregate(ctx, shim, &words, words.len())?
        }
        Value::Map(entries) => {
            let mut words = Vec::with_capacity(entries.len() * 2);
            for (key, item) in entries {
                match write_value(ctx, key, queue).and_then(|k| {
                    write_value(ctx, item, queue)
                        .map(|v| (k, v))
                        .inspect_err(|_| {
                            cairn_runtime::abi::shims::release_recording(ctx, k);
                        })
                }) {
                    Ok((k, v)) => {
                        words.push(k.bits());
                        words.push(v.bits());
                    }
                    Err(error) => {
                        release_words(ctx, &words);
                        return Err(error);
                    }
                }
            }
            aggregate(
                ctx,
                cairn_runtime::abi::shims::rt_map_from,
                &words,
                entries.len(),
            )?
        }
        Value::Opaque(opaque) => {
            let word = opaque.word_for(queue).ok_or_else(|| {
                RunError::api(
                    "RT0001",
                    format!("this {} belongs to another runtime", opaque.kind()),
                )
            })?;
            cairn_runtime::objects::retain(&mut ctx.heap, Word(word)).map_err(internal)?
        }
    })
}

fn write_all(
    ctx: &mut Context,
    items: &[Value],
    queue: &Arc<ReleaseQueue>,
) -> Result<Vec<u64>, RunError> {
    let mut words = Vec::with_capacity(items.len());
    for item in items {
        match write_value(ctx, item, queue) {
            Ok(word) => words.push(word.bits()),
            Err(error) => {
                release_words(ctx, &words);
                return Err(error);
            }
        }
    }
    Ok(words)
}

fn release_words(ctx: &mut Context, words: &[u64]) {
    for &word in words {
        cairn_runtime::abi::shims::release_recording(ctx, Word(word));
    }
}

/// Calls a literal shim (`rt_list_from`, ...) on owned `words`.
fn aggregate(
    ctx: &mut Context,
    shim: unsafe extern "C" fn(*mut Context, u64, u64) -> u64,
    words: &[u64],
    count: usize,
) -> Result<Word, RunError> {
    // SAFETY: `ctx` is this runtime's live context, not borrowed elsewhere during the call;
    // `words` holds the owned words the shim consumes (also on failure).
    let word = unsafe { shim(ctx.as_ptr(), words.as_ptr() as u64, count as u64) };
    if word == 0 {
        let error = ctx
            .take_error()
            .map(|(error, _)| error)
            .unwrap_or_else(|| cairn_runtime::RuntimeError::internal("literal shim failed"));
        return Err(RunError::api(error.code.as_str(), error.message));
    }
    Ok(Word(word))
}
