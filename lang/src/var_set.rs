//! Sets of variables for the passes that walk huge blocks (liveness, the RC pass): a
//! [`VarSet`] answers membership and changes in O(1) and lists its members in ascending
//! order in time linear in what it holds; an [`AscendingVars`] is a frozen, sorted snapshot.
//!
//! A million-element literal is one block that defines a million vars and consumes them all
//! in one op; an ordered tree per set made the RC pass most of the compile time of such a
//! block. The sets are still deterministic: every listing is ascending.

use crate::ir::Var;

/// A mutable set of vars. Membership is a bitset over var numbers (vars are numbered densely
/// from 0 within a function, so it is as large as the function's highest var, once); the
/// members are also kept in a list, in insertion order, that may hold vars removed since
/// the last listing. [`VarSet::ascending`] drops those and sorts, so a listing costs time
/// linear in the members plus what was removed since the last one.
///
/// Reuse one set across the blocks of a function ([`VarSet::clear`] costs only what it
/// held): a new set per block would allocate the bitset once per block.
#[derive(Clone, Debug, Default)]
pub struct VarSet {
    bits: Vec<u64>,
    /// Every member, plus vars removed since the last compaction (possibly a var twice when
    /// it was removed and inserted again). `members.len() == len` exactly when there are none.
    members: Vec<Var>,
    len: usize,
    /// `members` is strictly ascending (appends kept it so).
    ascending: bool,
}

impl VarSet {
    pub fn new() -> VarSet {
        VarSet {
            ascending: true,
            ..VarSet::default()
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn contains(&self, var: Var) -> bool {
        let (word, bit) = Self::position(var);
        self.bits.get(word).is_some_and(|w| w & bit != 0)
    }

    /// Adds `var`; false when it was already a member.
    pub fn insert(&mut self, var: Var) -> bool {
        let (word, bit) = Self::position(var);
        if word >= self.bits.len() {
            self.bits.resize(word + 1, 0);
        }
        if self.bits[word] & bit != 0 {
            return false;
        }
        self.bits[word] |= bit;
        if self.members.last().is_some_and(|&last| last >= var) {
            self.ascending = false;
        }
        self.members.push(var);
        self.len += 1;
        true
    }

    /// Removes `var`; false when it was not a member.
    pub fn remove(&mut self, var: Var) -> bool {
        let (word, bit) = Self::position(var);
        match self.bits.get_mut(word) {
            Some(w) if *w & bit != 0 => {
                *w &= !bit;
                self.len -= 1;
                true
            }
            _ => false,
        }
    }

    pub fn extend(&mut self, vars: impl IntoIterator<Item = Var>) {
        for var in vars {
            self.insert(var);
        }
    }

    /// Empties the set in time linear in what it held (the bitset stays allocated).
    pub fn clear(&mut self) {
        for var in self.members.drain(..) {
            let (word, bit) = Self::position(var);
            self.bits[word] &= !bit;
        }
        self.len = 0;
        self.ascending = true;
    }

    /// The members, ascending.
    pub fn ascending(&mut self) -> &[Var] {
        if self.members.len() != self.len {
            let bits = &self.bits;
            self.members.retain(|&var| {
                let (word, bit) = Self::position(var);
                bits[word] & bit != 0
            });
        }
        if !self.ascending {
            // Usually a few runs (a var defined after the RC pass's fresh temps): the stable
            // sort merges runs in linear time.
            if !self.members.is_sorted_by(|a, b| a < b) {
                self.members.sort();
                self.members.dedup();
            }
            self.ascending = true;
        }
        &self.members
    }

    fn position(var: Var) -> (usize, u64) {
        ((var.0 / 64) as usize, 1u64 << (var.0 % 64))
    }
}

/// An immutable set of vars, ascending; membership by binary search.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AscendingVars(Vec<Var>);

impl AscendingVars {
    /// The set of `vars` (sorted and deduplicated here).
    pub fn new(mut vars: Vec<Var>) -> AscendingVars {
        if !vars.is_sorted_by(|a, b| a < b) {
            vars.sort_unstable();
            vars.dedup();
        }
        AscendingVars(vars)
    }

    pub fn contains(&self, var: Var) -> bool {
        self.0.binary_search(&var).is_ok()
    }

    pub fn as_slice(&self) -> &[Var] {
        &self.0
    }

    pub fn into_vec(self) -> Vec<Var> {
        self.0
    }

    /// `self ∪ other`.
    pub fn union(&self, other: &[Var]) -> AscendingVars {
        let mut merged = Vec::with_capacity(self.0.len() + other.len());
        merged.extend_from_slice(&self.0);
        merged.extend_from_slice(other);
        AscendingVars::new(merged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(numbers: &[u32]) -> Vec<Var> {
        numbers.iter().map(|&n| Var(n)).collect()
    }

    #[test]
    fn lists_members_ascending_after_any_sequence_of_changes() {
        let mut set = VarSet::new();
        set.extend(vars(&[5, 1, 200, 64, 63]));
        assert!(!set.insert(Var(5)));
        assert!(set.remove(Var(1)));
        assert!(!set.remove(Var(1)));
        assert!(!set.remove(Var(10_000)));
        set.insert(Var(1)); // removed, then inserted again: listed once
        set.insert(Var(0));
        assert_eq!(set.ascending(), vars(&[0, 1, 5, 63, 64, 200]).as_slice());
        assert_eq!(set.len(), 6);
        assert!(set.contains(Var(200)) && !set.contains(Var(199)) && !set.contains(Var(9999)));
        set.remove(Var(200));
        assert_eq!(set.ascending(), vars(&[0, 1, 5, 63, 64]).as_slice());
    }

    #[test]
    fn clear_forgets_everything_and_the_set_is_reusable() {
        let mut set = VarSet::new();
        set.extend(vars(&[3, 2, 1]));
        set.remove(Var(2));
        set.clear();
        assert!(set.is_empty());
        assert!(!set.contains(Var(1)) && !set.contains(Var(2)) && !set.contains(Var(3)));
        set.insert(Var(2));
        assert_eq!(set.ascending(), vars(&[2]).as_slice());
    }

    #[test]
    fn agrees_with_an_ordered_tree_on_a_pseudo_random_sequence() {
        let mut set = VarSet::new();
        let mut model = std::collections::BTreeSet::new();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for step in 0..20_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let var = Var(((state >> 33) % 500) as u32);
            if state & 1 == 0 {
                assert_eq!(set.insert(var), model.insert(var));
            } else {
                assert_eq!(set.remove(var), model.remove(&var));
            }
            if step % 97 == 0 {
                let expected: Vec<Var> = model.iter().copied().collect();
                assert_eq!(set.ascending(), expected.as_slice());
            }
            assert_eq!(set.len(), model.len());
        }
    }

    #[test]
    fn ascending_vars_sorts_dedups_and_merges() {
        let set = AscendingVars::new(vars(&[4, 2, 4, 9]));
        assert_eq!(set.as_slice(), vars(&[2, 4, 9]).as_slice());
        assert!(set.contains(Var(9)) && !set.contains(Var(3)));
        assert_eq!(
            set.union(&vars(&[3, 9])).as_slice(),
            vars(&[2, 3, 4, 9]).as_slice()
        );
    }
}
