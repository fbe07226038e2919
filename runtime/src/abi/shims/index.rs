//! Indexed access: `base[index]` (`rt_index`) and `get(container, key, default)`.
//!
//! Diagnostics (docs/LANGUAGE.md, "Runtime diagnostics"): RT0101 list index not an Int, RT0102
//! tuple index not an Int, RT0103 index negative or `>= len` (the index as given: `index -1, length
//! 3`), RT0104 invalid map key kind, RT0105 `missing map key: {key}` (key in canonical quoted
//! form), RT0106 base not a List/Tuple/Map/Text. A Text's element `t[i]` is a new one-scalar Text
//! (`objects::text_scalars`), with the List rules for the index. `get` returns `default` where `[]` would raise
//! RT0103/RT0105, and raises the type errors like `[]`.

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::objects::header::live_head_of;
use crate::objects::keys::normalize_key;
use crate::objects::print::canonical_form_for_run;
use crate::objects::{kind_name_of, list, map, retain, text_scalars, tuple};
use crate::value::{Kind, Value};

/// The outcome of a well-typed lookup.
enum Lookup {
    /// The element (borrowed).
    Found(Value),
    /// A new value (owned): the one-scalar Text `t[i]` of a Text.
    Made(Value),
    OutOfBounds {
        index: i64,
        length: usize,
    },
    MissingKey,
}

fn lookup(heap: &mut Heap, base: Value, index: Value) -> Result<Lookup, RuntimeError> {
    let found = |element: Option<Value>, index: i64, length: usize| match element {
        Some(element) => Lookup::Found(element),
        None => Lookup::OutOfBounds { index, length },
    };
    match base.heap_kind() {
        Some(Kind::List) => {
            let Some(position) = index.as_int() else {
                list::length_of(heap, base)?; // a bad list is reported before a bad index
                return Err(
                    kind_name_of(index).map_or_else(|bad| bad, RuntimeError::list_index_type)
                );
            };
            let (element, length) = match usize::try_from(position) {
                Ok(at) => list::element_and_length(heap, base, at)?,
                Err(_) => (None, list::length_of(heap, base)?),
            };
            Ok(found(element, position, length))
        }
        Some(Kind::Tuple) => {
            let Some(position) = index.as_int() else {
                tuple::length_of(heap, base)?; // a bad tuple is reported before a bad index
                return Err(
                    kind_name_of(index).map_or_else(|bad| bad, RuntimeError::tuple_index_type)
                );
            };
            // One validation of the Tuple for the element and the length.
            let (element, length) = match usize::try_from(position) {
                Ok(at) => tuple::element_and_length(heap, base, at)?,
                Err(_) => (None, tuple::length_of(heap, base)?),
            };
            Ok(found(element, position, length))
        }
        Some(Kind::Text) => {
            let length = text_scalars::text_shape(heap, base)?.chars;
            match index.as_int() {
                Some(position) if usize::try_from(position).is_ok_and(|at| at < length) => {
                    Ok(Lookup::Made(text_scalars::text_index(heap, base, index)?))
                }
                Some(position) => Ok(Lookup::OutOfBounds {
                    index: position,
                    length,
                }),
                None => {
                    Err(kind_name_of(index).map_or_else(|bad| bad, RuntimeError::list_index_type))
                }
            }
        }
        Some(Kind::Map) => {
            let key = normalize_key(heap, index)?;
            Ok(match map::lookup(heap, base, key)? {
                Some(value) => Lookup::Found(value),
                None => Lookup::MissingKey,
            })
        }
        _ => Err(RuntimeError::not_indexable(kind_name_of(base)?)),
    }
}

/// `base[index]` (borrowed) when `base` is a live List, or a live Tuple whose element lies in
/// its head block, and `index` an in-range Int: what `lookup` finds in that case, decided
/// without a `Result` (the shim's fast path; anything else takes `lookup`, which reports).
#[inline]
fn element_in_range(heap: &Heap, base: Value, index: Value) -> Option<Value> {
    let position = usize::try_from(index.as_int()?).ok()?;
    if let Some(head) = live_head_of(heap, base, Kind::List) {
        return (position < list::list_length(heap, head))
            .then(|| list::element_of_head(heap, head, position));
    }
    tuple::head_block_element(heap, live_head_of(heap, base, Kind::Tuple)?, position)
}

define_shim! {
    /// `base[index]`: both borrowed; the element comes back retained.
    fn rt_index(context, base, index) {
        let heap = &mut context.heap;
        if let Some(element) = element_in_range(heap, Value(base), Value(index)) {
            return Ok(retain(heap, element)?.bits());
        }
        match lookup(heap, Value(base), Value(index))? {
            Lookup::Found(element) => Ok(retain(heap, element)?.bits()),
            Lookup::Made(value) => Ok(value.bits()),
            Lookup::OutOfBounds { index, length } => Err(RuntimeError::index_out_of_bounds(index, length)),
            Lookup::MissingKey => Err(RuntimeError::missing_map_key(&canonical_form_for_run(context, Value(index), false)?)),
        }
    }
}

define_shim! {
    /// `get(container, key, default)`: container and key borrowed, default owned (consumed:
    /// returned when absent, released when the element is found or on error).
    fn rt_get(context, container, key, default) {
        let heap = &mut context.heap;
        let outcome = lookup(heap, Value(container), Value(key))
            .and_then(|found| match found {
                Lookup::Found(element) => retain(heap, element).map(Some),
                Lookup::Made(value) => Ok(Some(value)),
                Lookup::OutOfBounds { .. } | Lookup::MissingKey => Ok(None),
            });
        match outcome {
            Ok(None) => Ok(default),
            Ok(Some(element)) => {
                super::release_recording(context, Value(default));
                Ok(element.bits())
            }
            Err(error) => {
                super::release_recording(context, Value(default));
                Err(error)
            }
        }
    }
}
