//! Shims finishing a big tuple or map literal whose elements lowering gathered into a List
//! (lang's `lower_literals.rs`): `rt_tuple_from_list` and `rt_map_from_list`. The List is
//! owned and consumed, also on failure.

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::objects::list::{elements, release_all};
use crate::objects::list_update::expect_list;
use crate::objects::map::map_from_words;
use crate::objects::release::{release_on_cleanup, retain};
use crate::objects::tuple::tuple_from_values;
use crate::value::Value;

/// The elements of the owned `list`, in order, each retained for the caller; then `list` is
/// released, so the caller owns exactly the elements. `list` is consumed also on failure
/// (RT0303 `OP expects a List, got X` when it is not a List).
fn take_elements(heap: &mut Heap, list: Value, op: &str) -> Result<Vec<Value>, RuntimeError> {
    let borrowed = match expect_list(heap, list, op).and_then(|_| elements(heap, list)) {
        Ok(borrowed) => borrowed,
        Err(error) => {
            release_on_cleanup(heap, list);
            return Err(error);
        }
    };
    let mut owned = Vec::with_capacity(borrowed.len());
    for word in borrowed {
        match retain(heap, word) {
            Ok(word) => owned.push(word),
            Err(error) => {
                release_all(heap, &owned);
                release_on_cleanup(heap, list);
                return Err(error);
            }
        }
    }
    release_on_cleanup(heap, list);
    Ok(owned)
}

define_shim! {
    /// A big tuple literal: the Tuple of the owned `list`'s elements (at least one: lowering
    /// only gathers literals past `GATHERED_LITERAL_CHUNK`, 64 words).
    fn rt_tuple_from_list(context, list) {
        let heap = &mut context.heap;
        let items = take_elements(heap, Value(list), "tuple literal")?;
        if items.is_empty() {
            return Ok(Value::UNIT.bits());
        }
        Ok(tuple_from_values(heap, items)?.bits())
    }
}

define_shim! {
    /// A big map literal: the Map of the owned `list`'s words `k0 v0 k1 v1 ...`, inserted in
    /// order exactly as `rt_map_from` does (RT0104 for an invalid key, a later duplicate key
    /// wins; every word is consumed, also on failure).
    fn rt_map_from_list(context, list) {
        let heap = &mut context.heap;
        let words = take_elements(heap, Value(list), "map literal")?;
        Ok(map_from_words(heap, words)?.bits())
    }
}
