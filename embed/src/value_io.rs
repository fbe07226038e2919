//! Copying values between a runtime's heap and the host: [`read_value`] (a script value out
//! as a [`Value`] tree) and [`write_value`] (a [`Value`] into the heap). Both loop over an
//! explicit stack, so a value of any depth converts without recursion on the host's stack.
//!
//! A script value can share one object many times (`[x, x]` nested 30 deep is 30 objects
//! and 2^30 leaves), and a `Value` is a tree: reading expands every share. So the size of
//! the tree is measured first over the heap (memoised per shared object, in time linear in
//! the objects) and a tree past `Limits::max_output_bytes` is RT0405 before any of it is
//! built (docs/EMBEDDING.md, "Values of any depth, and values that share").

use std::sync::Arc;

use cairn_runtime::heap::Heap;
use cairn_runtime::objects::measure::{Cost, expanded_size};
use cairn_runtime::objects::walk_meter::Unmetered;
use cairn_runtime::objects::{list, map, text, tuple};
use cairn_runtime::value::Value as Word;
use cairn_runtime::{Context, KindName, RuntimeError};

use crate::error::RunError;
use crate::value::{Opaque, ReleaseQueue, Value};
use crate::value_tree::{child_at, child_count, rebuild};

/// The bytes of a host copy: one `Value` per node, plus each Text's bytes (and each opaque
/// handle's printed name).
struct HostCopyBytes;

impl Cost for HostCopyBytes {
    fn leaf(
        &self,
        heap: &Heap,
        value: Word,
        kind: KindName,
        _top_level: bool,
    ) -> Result<usize, RuntimeError> {
        let node = std::mem::size_of::<Value>();
        Ok(match kind {
            KindName::Text => node + text::text_to_string(heap, value)?.len(),
            KindName::Seq | KindName::Closure | KindName::Ref | KindName::HostObject => {
                node + cairn_runtime::canonical_form(heap, value, false).len()
            }
            _ => node,
        })
    }
    fn container(&self, _kind: KindName, _entries: usize) -> usize {
        std::mem::size_of::<Value>()
    }
}

fn internal(error: RuntimeError) -> RunError {
    RunError::api(error.code.as_str(), error.message)
}

/// Copies the script value `word` (borrowed) out of `ctx`'s heap; Seq, Closure and Ref
/// values are retained into an [`Opaque`] released through `queue`. RT0405 when the copy
/// would pass `ctx.limits.max_output_bytes` (then nothing is built or retained).
pub(crate) fn read_value(
    ctx: &mut Context,
    word: Word,
    queue: &Arc<ReleaseQueue>,
) -> Result<Value, RunError> {
    if !word.is_heap() {
        // An immediate (Int, Float, Bool, Unit): nothing to measure or retain.
        return read_leaf(ctx, word, queue);
    }
    let limit = ctx.limits.max_output_bytes;
    expanded_size(
        &mut Unmetered(&ctx.heap),
        word,
        false,
        &HostCopyBytes,
        limit,
        RuntimeError::host_copy_too_large,
    )
    .map_err(internal)?;
    struct Frame {
        kind: KindName,
        children: std::vec::IntoIter<Word>,
        copies: Vec<Value>,
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut next = Some(word);
    loop {
        if let Some(word) = next.take() {
            match container_children(&ctx.heap, word)? {
                Some((kind, children)) => stack.push(Frame {
                    kind,
                    copies: Vec::with_capacity(children.len()),
                    children: children.into_iter(),
                }),
                None => {
                    let leaf = read_leaf(ctx, word, queue)?;
                    match stack.last_mut() {
                        Some(parent) => parent.copies.push(leaf),
                        None => return Ok(leaf),
                    }
                }
            }
        }
        let top = stack.last_mut().expect("a frame");
        if let Some(child) = top.children.next() {
            next = Some(child);
            continue;
        }
        let done = stack.pop().expect("a frame");
        let shape = match done.kind {
            KindName::List => Value::List(Vec::new()),
            KindName::Tuple => Value::Tuple(Vec::new()),
            _ => Value::Map(Vec::new()),
        };
        let copy = rebuild(&shape, done.copies);
        match stack.last_mut() {
            Some(parent) => parent.copies.push(copy),
            None => return Ok(copy),
        }
    }
}

/// The kind and child words of a List, Tuple or Map (a Map's as key, value, ...); `None`
/// for any other value.
fn container_children(heap: &Heap, word: Word) -> Result<Option<(KindName, Vec<Word>)>, RunError> {
    Ok(match word.kind_name() {
        Some(KindName::List) => Some((
            KindName::List,
            list::elements(heap, word).map_err(internal)?,
        )),
        Some(KindName::Tuple) => Some((
            KindName::Tuple,
            tuple::elements(heap, word).map_err(internal)?,
        )),
        Some(KindName::Map) => Some((
            KindName::Map,
            map::entries(heap, word)
                .map_err(internal)?
                .into_iter()
                .flat_map(|(key, item)| [key, item])
                .collect(),
        )),
        _ => None,
    })
}

fn read_leaf(ctx: &mut Context, word: Word, queue: &Arc<ReleaseQueue>) -> Result<Value, RunError> {
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
        KindName::Seq | KindName::Closure | KindName::Ref | KindName::HostObject => {
            let printed = cairn_runtime::canonical_form(&ctx.heap, word, false);
            let retained = cairn_runtime::objects::retain(&mut ctx.heap, word).map_err(internal)?;
            Value::Opaque(Opaque::hold(retained.bits(), kind, printed, queue))
        }
        KindName::List | KindName::Tuple | KindName::Map => {
            return Err(internal(RuntimeError::internal("read_leaf of a container")));
        }
    })
}

/// Builds `value` in `ctx`'s heap; returns the owned word. An [`Opaque`] of another runtime,
/// or an Int outside the script's 48-bit range, is an error (nothing is left allocated).
pub(crate) fn write_value(
    ctx: &mut Context,
    value: &Value,
    queue: &Arc<ReleaseQueue>,
) -> Result<Word, RunError> {
    struct Frame<'a> {
        source: &'a Value,
        next: usize,
        words: Vec<u64>,
    }
    if child_count(value).is_none() {
        return write_leaf(ctx, value, queue);
    }
    let mut stack = vec![Frame {
        source: value,
        next: 0,
        words: Vec::new(),
    }];
    loop {
        let top = stack.last_mut().expect("a frame");
        if top.next < child_count(top.source).unwrap_or(0) {
            let child = child_at(top.source, top.next);
            top.next += 1;
            if child_count(child).is_some() {
                stack.push(Frame {
                    source: child,
                    next: 0,
                    words: Vec::new(),
                });
                continue;
            }
            match write_leaf(ctx, child, queue) {
                Ok(word) => top.words.push(word.bits()),
                Err(error) => return Err(abandon(ctx, stack.iter().map(|f| &f.words), error)),
            }
            continue;
        }
        let done = stack.pop().expect("a frame");
        // The shim consumes the words, also when it fails.
        let built = aggregate(ctx, done.source, &done.words);
        match (built, stack.last_mut()) {
            (Ok(word), Some(parent)) => parent.words.push(word.bits()),
            (Ok(word), None) => return Ok(word),
            (Err(error), _) => return Err(abandon(ctx, stack.iter().map(|f| &f.words), error)),
        }
    }
}

/// Releases the words built so far by the frames of a failed [`write_value`], the innermost
/// frame's first (the order in which the recursive version unwound).
fn abandon<'a>(
    ctx: &mut Context,
    frames: impl DoubleEndedIterator<Item = &'a Vec<u64>>,
    error: RunError,
) -> RunError {
    let words: Vec<u64> = frames.rev().flatten().copied().collect();
    for word in words {
        cairn_runtime::abi::shims::release_recording(ctx, Word(word));
    }
    error
}

fn write_leaf(
    ctx: &mut Context,
    value: &Value,
    queue: &Arc<ReleaseQueue>,
) -> Result<Word, RunError> {
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
        Value::Opaque(opaque) => {
            let word = opaque.word_for(queue).ok_or_else(|| {
                RunError::api(
                    "RT0001",
                    format!("this {} belongs to another runtime", opaque.kind()),
                )
            })?;
            cairn_runtime::objects::retain(&mut ctx.heap, Word(word)).map_err(internal)?
        }
        Value::List(_) | Value::Tuple(_) | Value::Map(_) => {
            return Err(internal(RuntimeError::internal(
                "write_leaf of a container",
            )));
        }
    })
}

/// Calls the literal shim of `shape` (`rt_list_from`, ...) on owned `words`.
fn aggregate(ctx: &mut Context, shape: &Value, words: &[u64]) -> Result<Word, RunError> {
    let (shim, count): (unsafe extern "C" fn(*mut Context, u64, u64) -> u64, usize) = match shape {
        Value::List(_) => (cairn_runtime::abi::shims::rt_list_from, words.len()),
        Value::Tuple(_) => (cairn_runtime::abi::shims::rt_tuple_from, words.len()),
        _ => (cairn_runtime::abi::shims::rt_map_from, words.len() / 2),
    };
    // SAFETY: `ctx` is this runtime's live context, not borrowed elsewhere during the call;
    // `words` holds the owned words the shim consumes (also on failure).
    let word = unsafe { shim(ctx.as_ptr(), words.as_ptr() as u64, count as u64) };
    if word == 0 {
        let error = ctx
            .take_error()
            .map(|(error, _)| error)
            .unwrap_or_else(|| RuntimeError::internal("literal shim failed"));
        return Err(RunError::api(error.code.as_str(), error.message));
    }
    Ok(Word(word))
}
