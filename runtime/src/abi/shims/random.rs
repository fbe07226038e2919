//! Random-number Seqs of docs/LANGUAGE.md, "Standard library" / "Random numbers":
//! `random_ints(seed)`, `random_floats(seed)`, `random_below(seed, n)`, each a new infinite
//! Random cursor (`objects::random`) over the seeded generator. Arguments are borrowed Ints;
//! the only allocation is the cursor's one block.

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::objects::kind_name_of;
use crate::objects::random::{Mode, initial_state};
use crate::objects::seq::{Tag, new_cursor};
use crate::value::Value;

/// The seed of builtin `op`: an Int, else RT0303 `{op} expects an Int seed, got {kind}`.
fn seed(op: &str, word: u64) -> Result<i64, RuntimeError> {
    let value = Value(word);
    value.as_int().map_or_else(
        || {
            Err(RuntimeError::type_mismatch(
                op,
                "an Int seed",
                kind_name_of(value)?.as_str(),
            ))
        },
        Ok,
    )
}

fn cursor(heap: &mut Heap, seed: i64, mode: Mode) -> Result<u64, RuntimeError> {
    Ok(new_cursor(heap, Tag::Random, &initial_state(seed, mode))?.bits())
}

define_shim! {
    /// `random_ints(seed)`: Ints over the whole Int range.
    fn rt_random_ints(context, seed_word) {
        let seed = seed("random_ints", seed_word)?;
        cursor(&mut context.heap, seed, Mode::Ints)
    }
}

define_shim! {
    /// `random_floats(seed)`: Floats in `[0, 1)`.
    fn rt_random_floats(context, seed_word) {
        let seed = seed("random_floats", seed_word)?;
        cursor(&mut context.heap, seed, Mode::Floats)
    }
}

define_shim! {
    /// `random_below(seed, n)`: Ints in `[0, n)`; `n` an Int (RT0303) of at least 1 (RT0306).
    fn rt_random_below(context, seed_word, bound) {
        let seed = seed("random_below", seed_word)?;
        let bound = Value(bound);
        let Some(n) = bound.as_int() else {
            return Err(RuntimeError::type_mismatch(
                "random_below",
                "an Int bound",
                kind_name_of(bound)?.as_str(),
            ));
        };
        if n < 1 {
            return Err(RuntimeError::invalid_argument(
                "random_below",
                &format!("the bound {n} is not positive"),
            ));
        }
        cursor(&mut context.heap, seed, Mode::Below(n as u64))
    }
}
