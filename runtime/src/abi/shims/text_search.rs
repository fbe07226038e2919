//! Text builtins that search or cut: `contains` (also on Lists), `starts_with`,
//! `ends_with`, `find`, `split`, `replace`, `join` and `chars` (docs/LANGUAGE.md, "Text").
//! Every argument is borrowed but `chars`'s; each result is a new value.

use crate::error::RuntimeError;
use crate::objects::equality::values_equal;
use crate::objects::list::{elements, list_from_values};
use crate::objects::seq::iter_owned;
use crate::objects::seq_consume::{Source, charge_runtime_loop};
use crate::objects::seq_pull::Reentrant;
use crate::objects::text::text_from_str;
use crate::objects::text_scalars::ensure_text_room;
use crate::objects::{kind_name_of, release};
use crate::value::{Kind, Value};

use super::release_recording;
use super::text::{new_text, text_argument};

/// The most UTF-8 bytes one Text can hold (a chain of one whole segment, less the header).
const MAX_TEXT_BYTES: usize =
    crate::heap::SEGMENT_BLOCKS as usize * crate::heap::USABLE_BLOCK_SIZE - 12;

define_shim! {
    /// `contains(x, v)`, both borrowed: for a Text `x`, whether the Text `v` occurs in it
    /// (`""` always does); for a List, whether an element `== v` (structural equality, one
    /// fuel unit per 1,024 elements as a runtime loop). Anything else is RT0303 `type
    /// mismatch: contains expects a Text or List, got {kind}`; a Text `x` with a non-Text
    /// `v` is RT0303 `contains expects a Text, got {kind}`.
    fn rt_contains(context, container, value) {
        let (container, value) = (Value(container), Value(value));
        match container.heap_kind() {
            Some(Kind::Text) => {
                let haystack = text_argument(&context.heap, container, "contains")?;
                let needle = text_argument(&context.heap, value, "contains")?;
                Ok(Value::bool(haystack.contains(needle.as_str())).bits())
            }
            Some(Kind::List) => {
                let items = elements(&context.heap, container)?;
                for (position, &item) in items.iter().enumerate() {
                    if values_equal(context, item, value)? {
                        return Ok(Value::TRUE.bits());
                    }
                    charge_runtime_loop(context, position + 1)?;
                }
                Ok(Value::FALSE.bits())
            }
            _ => Err(RuntimeError::type_mismatch(
                "contains",
                "a Text or List",
                kind_name_of(container)?.as_str(),
            )),
        }
    }
}

define_shim! {
    /// `starts_with(t, prefix)`: both Texts (RT0303 otherwise, in argument order).
    fn rt_text_starts_with(context, text, prefix) {
        let text = text_argument(&context.heap, Value(text), "starts_with")?;
        let prefix = text_argument(&context.heap, Value(prefix), "starts_with")?;
        Ok(Value::bool(text.starts_with(prefix.as_str())).bits())
    }
}

define_shim! {
    /// `ends_with(t, suffix)`: both Texts (RT0303 otherwise, in argument order).
    fn rt_text_ends_with(context, text, suffix) {
        let text = text_argument(&context.heap, Value(text), "ends_with")?;
        let suffix = text_argument(&context.heap, Value(suffix), "ends_with")?;
        Ok(Value::bool(text.ends_with(suffix.as_str())).bits())
    }
}

define_shim! {
    /// `find(t, sub)`: the scalar index of the first occurrence of `sub` in `t`, `-1` when
    /// there is none; `find(t, "")` is 0.
    fn rt_text_find(context, text, needle) {
        let text = text_argument(&context.heap, Value(text), "find")?;
        let needle = text_argument(&context.heap, Value(needle), "find")?;
        let found = match text.find(needle.as_str()) {
            Some(byte) => text[..byte].chars().count() as i64,
            None => -1,
        };
        Ok(Value::int(found).ok_or_else(RuntimeError::integer_overflow)?.bits())
    }
}

define_shim! {
    /// `split(t, sep)`: the List of the pieces of `t` between the occurrences of `sep`, left
    /// to right, empty pieces kept (`split("", ",")` is `[""]`). An empty `sep` is RT0306
    /// `invalid argument to split: empty separator`.
    fn rt_text_split(context, text, separator) {
        let text = text_argument(&context.heap, Value(text), "split")?;
        let separator = text_argument(&context.heap, Value(separator), "split")?;
        if separator.is_empty() {
            return Err(RuntimeError::invalid_argument("split", "empty separator"));
        }
        let mut pieces = Vec::new();
        for piece in text.split(separator.as_str()) {
            match text_from_str(&mut context.heap, piece) {
                Ok(word) => pieces.push(word),
                Err(error) => {
                    for &made in &pieces {
                        release_recording(context, made);
                    }
                    return Err(error);
                }
            }
        }
        Ok(list_from_values(&mut context.heap, pieces)?.bits())
    }
}

define_shim! {
    /// `replace(t, from, to)`: `t` with every non-overlapping occurrence of `from`, left to
    /// right, replaced by `to`. An empty `from` is RT0306 `invalid argument to replace:
    /// empty pattern`. The result's size is checked before it is built.
    fn rt_text_replace(context, text, from, to) {
        let text = text_argument(&context.heap, Value(text), "replace")?;
        let from = text_argument(&context.heap, Value(from), "replace")?;
        let to = text_argument(&context.heap, Value(to), "replace")?;
        if from.is_empty() {
            return Err(RuntimeError::invalid_argument("replace", "empty pattern"));
        }
        let matches = text.matches(from.as_str()).count();
        let bytes = (text.len() - matches * from.len()).saturating_add(matches.saturating_mul(to.len()));
        ensure_text_room(&mut context.heap, bytes)?;
        new_text(context, &text.replace(from.as_str(), to.as_str()))
    }
}

define_reentrant_shim! {
    /// `join(s, sep)`, both borrowed: the Text items of `s` (a Seq, pulled; a List, Map or
    /// Text, read) with `sep` between each two. Checks `s` (RT0303 `join expects a Seq,
    /// List, Map or Text`), then `sep` (RT0303 `join expects a Text`), then each item as it
    /// comes (RT0303 `join expects Text items, got {kind}`: items are never converted). One
    /// fuel unit per 1,024 items; a result past one object's size is RT0406 as soon as the
    /// items seen pass it.
    fn rt_text_join(context, source, separator) {
        // The shim's contract makes `context` the run's pointer with no live borrow.
        let rt = Reentrant::new(context);
        let (mut source, separator) = rt.with(|context| {
            let source = Source::open(context, Value(source), "join")?;
            let separator = text_argument(&context.heap, Value(separator), "join")?;
            Ok::<_, RuntimeError>((source, separator))
        })?;
        let mut joined = String::new();
        let mut count = 0usize;
        while let Some(item) = source.next(&rt)? {
            count += 1;
            rt.with(|context| {
                let piece = match item.heap_kind() {
                    Some(Kind::Text) => crate::objects::text::text_to_string(&context.heap, item),
                    _ => kind_name_of(item).and_then(|kind| {
                        Err(RuntimeError::type_mismatch("join", "Text items", kind.as_str()))
                    }),
                };
                release(&mut context.heap, item)?;
                let piece = piece?;
                if count > 1 {
                    joined.push_str(&separator);
                }
                if joined.len() + piece.len() > MAX_TEXT_BYTES {
                    ensure_text_room(&mut context.heap, joined.len() + piece.len())?;
                }
                joined.push_str(&piece);
                charge_runtime_loop(context, count)
            })?;
        }
        rt.with(|context| new_text(context, &joined))
    }
}

define_shim! {
    /// `chars(t owned)`: the Seq of the one-scalar Texts of `t`, in order (what `iter(t)`
    /// yields). A non-Text is RT0303 `type mismatch: chars expects a Text, got {kind}` (the
    /// argument released).
    fn rt_text_chars(context, text) {
        let text = Value(text);
        if text.heap_kind() != Some(Kind::Text) {
            let error = match kind_name_of(text) {
                Ok(kind) => RuntimeError::type_mismatch("chars", "a Text", kind.as_str()),
                Err(error) => error,
            };
            release_recording(context, text);
            return Err(error);
        }
        Ok(iter_owned(context, text, "chars")?.bits())
    }
}
