//! Shims of the sorting builtins of docs/LANGUAGE.md, "Lists and sequences": `sort(xs)`,
//! `sort_by(xs, key)`, `sort_with(xs, before)`. The List is owned (consumed, also on
//! failure: sorted in place when unique), the callback borrowed; the work is in
//! `objects::list_sort`.

use crate::objects::list_sort::{SortOrder, sort};
use crate::objects::seq_pull::Reentrant;
use crate::value::Value;

define_reentrant_shim! {
    /// `sort(xs owned)`: stable, numbers or Texts.
    fn rt_sort(context, list) {
        // The shim's contract makes `context` the run's pointer with no live borrow.
        let rt = Reentrant::new(context);
        Ok(sort(&rt, "sort", Value(list), SortOrder::Natural)?.bits())
    }
}

define_reentrant_shim! {
    /// `sort_by(xs owned, key borrowed)`: stable by `key(x)`, called once per element.
    fn rt_sort_by(context, list, key) {
        // The shim's contract makes `context` the run's pointer with no live borrow.
        let rt = Reentrant::new(context);
        Ok(sort(&rt, "sort_by", Value(list), SortOrder::Key(Value(key)))?.bits())
    }
}

define_reentrant_shim! {
    /// `sort_with(xs owned, before borrowed)`: stable by the comparator `before(a, b)`.
    fn rt_sort_with(context, list, before) {
        // The shim's contract makes `context` the run's pointer with no live borrow.
        let rt = Reentrant::new(context);
        Ok(sort(&rt, "sort_with", Value(list), SortOrder::Before(Value(before)))?.bits())
    }
}
