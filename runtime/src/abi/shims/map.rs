//! Map shims: literals and the `insert` / `remove` / `has` builtins.

use crate::context::Context;
use crate::objects::keys::normalize_key;
use crate::objects::{map, map_update};
use crate::value::Value;

/// A Map from `2 * count` owned words at `ptr` (`k0 v0 k1 v1 ...`; a later duplicate key
/// wins). All words are consumed, also on failure (RT0104 for an invalid key).
///
/// # Safety
/// `ctx` must satisfy the contract of [`guard`](super::guard); when `count > 0`, `ptr` must
/// point to `2 * count` initialised `u64` words.
#[unsafe(no_mangle)] // C hosts link shims by name (include/aivi_value_abi.h)
pub unsafe extern "C" fn rt_map_from(ctx: *mut Context, ptr: u64, count: u64) -> u64 {
    // SAFETY: `ctx` and the word array per this function's `# Safety`.
    unsafe {
        super::guard(ctx, |context| {
            let words = super::read_words(ptr, count.saturating_mul(2))?;
            Ok(map::map_from_words(&mut context.heap, words)?.bits())
        })
    }
}

define_shim! {
    /// `insert(map, key, value)`: all owned. RT0303 `insert expects a Map, got X`; RT0104.
    fn rt_insert(context, map, key, value) {
        Ok(map_update::insert(&mut context.heap, Value(map), Value(key), Value(value))?.bits())
    }
}

define_shim! {
    /// `remove(map, key)`: map owned, key borrowed. An absent key leaves the map unchanged.
    fn rt_remove(context, map, key) {
        Ok(map_update::remove(&mut context.heap, Value(map), Value(key))?.bits())
    }
}

define_shim! {
    /// `has(map, key)`: both borrowed; a Bool.
    fn rt_has(context, map, key) {
        let heap = &context.heap;
        map::expect_map(heap, Value(map), "has")?;
        let key = normalize_key(heap, Value(key))?;
        Ok(Value::bool(map::lookup(heap, Value(map), key)?.is_some()).bits())
    }
}
