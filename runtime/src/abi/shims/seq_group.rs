//! Shims of the grouping stages of docs/LANGUAGE.md, "Lists and sequences": `chunks(s, n)`,
//! `windows(s, n)` and `unique(s)`. The source is owned and consumed also on failure, `n` is
//! borrowed; the cursors are built here and pulled in `objects::seq_group`.

use crate::context::Context;
use crate::error::RuntimeError;
use crate::objects::kind_name_of;
use crate::objects::seq::{Tag, expect_iterable, iter_owned, new_cursor};
use crate::value::Value;

use super::release_recording;

/// `chunks`/`windows`: RT0303 unless `source` is iterable and `n` an Int, RT0306 for `n < 1`.
fn sized(
    context: &mut Context,
    op: &str,
    tag: Tag,
    source: Value,
    n: Value,
) -> Result<Value, RuntimeError> {
    let valid = expect_iterable(&context.heap, source, op).and_then(|()| match n.as_int() {
        Some(size) if size >= 1 => Ok(()),
        Some(size) => Err(RuntimeError::invalid_argument(
            op,
            &format!("size {size} is less than 1"),
        )),
        None => Err(RuntimeError::type_mismatch(
            op,
            "Int",
            kind_name_of(n)?.as_str(),
        )),
    });
    if let Err(error) = valid {
        release_recording(context, source);
        return Err(error);
    }
    let source = iter_owned(context, source, op)?;
    // `n` is an Int: the cursor holds a copy of the word, nothing to retain.
    new_cursor(&mut context.heap, tag, &[source, n])
}

define_shim! {
    /// `chunks(s owned, n borrowed)`: the lazy Seq of Lists of `n` items, the last shorter.
    fn rt_chunks(context, source, n) {
        Ok(sized(context, "chunks", Tag::Chunks, Value(source), Value(n))?.bits())
    }
}

define_shim! {
    /// `windows(s owned, n borrowed)`: the lazy Seq of Lists of `n` consecutive items.
    fn rt_windows(context, source, n) {
        Ok(sized(context, "windows", Tag::Windows, Value(source), Value(n))?.bits())
    }
}

define_shim! {
    /// `unique(s owned)`: the lazy Seq of the first occurrences (by `==`), in order.
    fn rt_unique(context, source) {
        let source = iter_owned(context, Value(source), "unique")?;
        Ok(new_cursor(&mut context.heap, Tag::Unique, &[source])?.bits())
    }
}
