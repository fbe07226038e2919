//! `KindSet`: the set of runtime kinds a value may have, as a 5-bit set over
//! {Int, Float, Bool, Unit, Heap}. The empty set means "no value is ever produced here"
//! (the definition never succeeds, or its code is unreachable).

use std::fmt;

/// A set of runtime value kinds. `Heap` stands for every heap reference (Text, List,
/// Tuple, Map, Seq, Closure, Ref).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct KindSet(u8);

/// What a value word is, as far as kinds go (lang knows nothing of the word encoding; an
/// engine classifies words and asks [`KindSet::of_word_class`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WordClass {
    Int,
    Float,
    Bool,
    Unit,
    Heap,
}

impl KindSet {
    pub const EMPTY: KindSet = KindSet(0);
    pub const INT: KindSet = KindSet(1);
    pub const FLOAT: KindSet = KindSet(2);
    pub const BOOL: KindSet = KindSet(4);
    pub const UNIT: KindSet = KindSet(8);
    pub const HEAP: KindSet = KindSet(16);
    /// Int or Float.
    pub const NUMBERS: KindSet = KindSet(1 | 2);
    /// Every kind: nothing is known.
    pub const ALL: KindSet = KindSet(31);

    /// The single-kind sets, in bit order (for pairwise transfer functions).
    pub const SINGLES: [KindSet; 5] = [
        KindSet::INT,
        KindSet::FLOAT,
        KindSet::BOOL,
        KindSet::UNIT,
        KindSet::HEAP,
    ];

    /// The single kind of a value word's tag class (`Int`, `Float`, `Bool`, `Unit`, `Heap`).
    pub fn of_word_class(class: WordClass) -> KindSet {
        match class {
            WordClass::Int => KindSet::INT,
            WordClass::Float => KindSet::FLOAT,
            WordClass::Bool => KindSet::BOOL,
            WordClass::Unit => KindSet::UNIT,
            WordClass::Heap => KindSet::HEAP,
        }
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn union(self, other: KindSet) -> KindSet {
        KindSet(self.0 | other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// True when every kind in `other` is in `self`.
    pub fn contains(self, other: KindSet) -> bool {
        self.0 & other.0 == other.0
    }

    /// True when some value of this set may be a heap reference (so retain/release of it
    /// may touch the heap).
    pub fn may_be_heap(self) -> bool {
        self.0 & KindSet::HEAP.0 != 0
    }

    /// True when the set is exactly `{Int}`: every value produced here is an Int.
    pub fn is_only_int(self) -> bool {
        self == KindSet::INT
    }

    /// True when the set is exactly `{Bool}`.
    pub fn is_only_bool(self) -> bool {
        self == KindSet::BOOL
    }

    /// The single kinds in this set.
    pub fn singles(self) -> impl Iterator<Item = KindSet> {
        KindSet::SINGLES
            .into_iter()
            .filter(move |single| self.contains(*single))
    }
}

impl fmt::Debug for KindSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: [&str; 5] = ["Int", "Float", "Bool", "Unit", "Heap"];
        let names: Vec<&str> = NAMES
            .iter()
            .enumerate()
            .filter(|(bit, _)| self.0 & (1 << bit) != 0)
            .map(|(_, name)| *name)
            .collect();
        write!(f, "{{{}}}", names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_and_queries() {
        let set = KindSet::INT.union(KindSet::FLOAT);
        assert_eq!(set, KindSet::NUMBERS);
        assert!(set.contains(KindSet::INT));
        assert!(!set.contains(KindSet::BOOL));
        assert!(!set.may_be_heap());
        assert!(!set.is_only_int());
        assert!(KindSet::INT.is_only_int());
        assert!(KindSet::ALL.may_be_heap());
        assert!(KindSet::EMPTY.is_empty());
        assert_eq!(KindSet::ALL.singles().count(), 5);
        assert_eq!(format!("{set:?}"), "{Int, Float}");
    }
}
