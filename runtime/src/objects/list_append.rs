//! `left ++ right` for two Lists when the op owns `left` (`Builtin::ConcatOwnedLeft`, chosen
//! by lang's RC pass at `left`'s last use): `right`'s elements are pushed onto `left`
//! (`list_update::extend`), in place when `left` is unique, path-copied when it is shared.
//! `left` is consumed on success and on failure; `right` is borrowed. Same result as
//! `list::concat_lists`, and the same RT0404 for a bad reference (left checked first).

use crate::error::RuntimeError;
use crate::heap::Heap;
use crate::value::{Kind, Value};

use super::header::checked_head;
use super::list_update::extend;
use super::release::release_on_cleanup;

/// `left ++ right` for two Lists, `left` owned (see the module docs).
pub fn concat_lists_owned_left(
    heap: &mut Heap,
    left: Value,
    right: Value,
) -> Result<Value, RuntimeError> {
    let checked = checked_head(heap, left, Some(Kind::List))
        .and_then(|_| checked_head(heap, right, Some(Kind::List)));
    if let Err(error) = checked {
        release_on_cleanup(heap, left);
        return Err(error);
    }
    extend(heap, left, right)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::list::{elements, list_from_values};
    use crate::objects::release::{release, retain};

    fn ints(heap: &mut Heap, values: std::ops::Range<i64>) -> Value {
        let words = values.map(|n| Value::int(n).unwrap()).collect();
        list_from_values(heap, words).unwrap()
    }

    #[test]
    fn a_unique_left_list_is_extended_and_a_shared_one_kept() {
        let mut heap = Heap::new(256).unwrap();
        let left = ints(&mut heap, 0..20);
        let kept = retain(&mut heap, left).unwrap();
        let right = ints(&mut heap, 20..45);
        let joined = concat_lists_owned_left(&mut heap, left, right).unwrap();
        let expected: Vec<Value> = (0..45).map(|n| Value::int(n).unwrap()).collect();
        assert_eq!(elements(&heap, joined).unwrap(), expected);
        assert_eq!(elements(&heap, kept).unwrap(), expected[..20].to_vec());
        let again = concat_lists_owned_left(&mut heap, joined, right).unwrap();
        assert_eq!(again, joined, "a unique left keeps its head");
        assert_eq!(elements(&heap, again).unwrap().len(), 70);
        for value in [kept, right, again] {
            release(&mut heap, value).unwrap();
        }
        assert_eq!(heap.blocks_in_use(), 0);
    }
}
