//! The unobserved fast path of a reference-count change: one state lookup and one block
//! access instead of validating the head twice (once in the object layer, once in the heap).
//!
//! It applies only when nothing observes the heap (no trace, audit off), the block is a
//! live head of the expected kind and the new count stays in `1..=MAX_REF_COUNT`. Every
//! other case returns `false` with the heap untouched, and the caller takes the full path,
//! which repeats every check and produces the same error, event or copy as it always has.
//! With nothing observing, the full path records nothing either, so taking this path
//! changes no trace, counter or snapshot.

use super::heap_memory::split_address;
use super::{BlockState, Heap, MAX_REF_COUNT};

impl Heap {
    /// Adds one to the count of `block` when it is a live head whose payload byte
    /// `kind_offset` is `kind` and its count is in `1..MAX_REF_COUNT`, and nothing observes
    /// the heap. Returns whether it did.
    #[inline]
    pub fn try_inc_ref_unobserved(&mut self, block: u32, kind_offset: usize, kind: u8) -> bool {
        if self.observing || !self.is_head_state(block) {
            return false;
        }
        let (segment, index) = split_address(block);
        self.memory
            .try_step_count_of_kind(segment, index, kind_offset, kind, CountStep::Increment)
    }

    /// Takes one from the count of `block` when it is a live head whose payload byte
    /// `kind_offset` is `kind` and its count is above 1 (so nothing is freed), and nothing
    /// observes the heap. Returns whether it did.
    #[inline]
    pub fn try_dec_ref_unobserved(&mut self, block: u32, kind_offset: usize, kind: u8) -> bool {
        if self.observing || !self.is_head_state(block) {
            return false;
        }
        let (segment, index) = split_address(block);
        self.memory
            .try_step_count_of_kind(segment, index, kind_offset, kind, CountStep::Decrement)
    }

    /// Whether `block` is an allocated head with a count above zero whose payload byte
    /// `kind_offset` is `kind`: what `Heap::check_head` and a kind-byte check accept
    /// together, with one state lookup and one block access. Observing does not matter.
    #[inline]
    pub fn is_live_head_of_kind(&self, block: u32, kind_offset: usize, kind: u8) -> bool {
        if !self.is_head_state(block) {
            return false;
        }
        let (segment, index) = split_address(block);
        self.memory
            .has_live_count_and_kind(segment, index, kind_offset, kind)
    }

    #[inline]
    pub(super) fn is_head_state(&self, block: u32) -> bool {
        let (segment, index) = split_address(block);
        self.segments
            .get(segment)
            .and_then(|segment| segment.states.get(index as usize))
            == Some(&BlockState::Head)
    }
}

/// Which way a fast-path count change goes, and the counts it accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountStep {
    /// From `1..MAX_REF_COUNT` to one more.
    Increment,
    /// From `2..=MAX_REF_COUNT` to one less.
    Decrement,
}

impl CountStep {
    /// The new count, or `None` when `count` is outside the accepted range.
    #[inline]
    pub fn apply(self, count: u16) -> Option<u16> {
        match self {
            CountStep::Increment if (1..MAX_REF_COUNT).contains(&count) => Some(count + 1),
            CountStep::Decrement if (2..=MAX_REF_COUNT).contains(&count) => Some(count - 1),
            _ => None,
        }
    }
}
