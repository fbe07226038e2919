//! The builtin functions the IR can call, with their arity and per-argument ownership.
//! The runtime shims implement exactly these modes (see `cairn_runtime::abi::shim_list`).

use serde::{Deserialize, Serialize};

use super::ParamMode::{self, Borrowed, Owned};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Builtin {
    Print,
    Len,
    Push,
    Pop,
    Set,
    Get,
    Insert,
    Remove,
    Has,
    Str,
    /// List spread inside a list literal: `(list owned, other borrowed)`. Not callable by name.
    ListExtend,
    /// `left ++ right` at the last use of an owned `left`: `(left owned, right borrowed)`.
    /// Chosen by the RC pass (`lang/src/concat_ownership.rs`) instead of `BinaryOp::Concat`;
    /// the runtime appends in place when `left` is unique and copies otherwise. Same results
    /// and diagnostics as `++`. Not callable by name.
    ConcatOwnedLeft,
    /// Tuple destructuring `(a, b) = e`: `(tuple borrowed, arity borrowed)`, where `arity` is
    /// an Int constant. Returns Unit when `tuple` is a Tuple of exactly `arity` elements,
    /// else RT0303 (`rt_expect_tuple_arity`). Not callable by name.
    ExpectTupleArity,
    /// A big tuple literal (`lang/src/lower_literals.rs`): `(list owned)`, the Tuple of the
    /// List's elements in order (`rt_tuple_from_list`). Not callable by name.
    TupleFromList,
    /// A big map literal (`lang/src/lower_literals.rs`): `(list owned)` holding
    /// `k0 v0 k1 v1 ...`, the Map of those entries inserted in order exactly as `MakeMap`
    /// does (RT0104 for an invalid key, a later duplicate wins; `rt_map_from_list`). Not
    /// callable by name.
    MapFromList,
    // --- maps, lists and failure (SPEC §2) ---
    Keys,
    Values,
    Merge,
    Slice,
    Reverse,
    Fail,
    // --- sequences (SPEC §2): producers take their source owned, consumers borrow ---
    /// `range(a, b)`.
    Range,
    /// `range(a, b, step)`: same source name as [`Builtin::Range`], chosen by arity.
    RangeStep,
    Iter,
    Map,
    Filter,
    Take,
    Drop,
    Scan,
    Zip,
    Collect,
    Fold,
    Sum,
    Count,
    Next,
    Clone,
    // --- refs ---
    /// `ref(v)`.
    MakeRef,
    /// `!r`.
    Deref,
    /// `r := v`.
    Assign,
    // --- audit ---
    /// `checkpoint()`: records the heap's ownership graph when audit mode (with
    /// checkpoints) is on; a no-op otherwise. Returns Unit.
    Checkpoint,
    // --- internal (not callable by name) ---
    /// `(closure borrowed, index borrowed)`: capture `index` (an Int constant) of the
    /// closure, retained. The first op of a lambda's body loads its captures with it.
    ClosureCapture,
    /// Generator desugaring: the empty Seq.
    SeqEmpty,
    /// Generator desugaring: `(value owned, rest owned)`: yields `value`, then everything
    /// `rest()` returns (`rest` is a closure of no params, or Unit for nothing more).
    SeqCons,
    /// Generator desugaring: `(iterable owned, f owned)`: for each `x`, everything `f(x)`
    /// returns.
    SeqFlatMap,
    /// Generator desugaring: `(thunk owned)`: everything `thunk()` returns, called on the
    /// first pull.
    SeqDefer,
    /// Generator desugaring: `(iterable owned, rest owned)`: everything in `iterable`, then
    /// everything `rest()` returns.
    SeqAppend,
}

impl Builtin {
    pub const ALL: &'static [Builtin] = &[
        Builtin::Print,
        Builtin::Len,
        Builtin::Push,
        Builtin::Pop,
        Builtin::Set,
        Builtin::Get,
        Builtin::Insert,
        Builtin::Remove,
        Builtin::Has,
        Builtin::Str,
        Builtin::ListExtend,
        Builtin::ConcatOwnedLeft,
        Builtin::ExpectTupleArity,
        Builtin::TupleFromList,
        Builtin::MapFromList,
        Builtin::Keys,
        Builtin::Values,
        Builtin::Merge,
        Builtin::Slice,
        Builtin::Reverse,
        Builtin::Fail,
        Builtin::Range,
        Builtin::RangeStep,
        Builtin::Iter,
        Builtin::Map,
        Builtin::Filter,
        Builtin::Take,
        Builtin::Drop,
        Builtin::Scan,
        Builtin::Zip,
        Builtin::Collect,
        Builtin::Fold,
        Builtin::Sum,
        Builtin::Count,
        Builtin::Next,
        Builtin::Clone,
        Builtin::MakeRef,
        Builtin::Deref,
        Builtin::Assign,
        Builtin::Checkpoint,
        Builtin::ClosureCapture,
        Builtin::SeqEmpty,
        Builtin::SeqCons,
        Builtin::SeqFlatMap,
        Builtin::SeqDefer,
        Builtin::SeqAppend,
    ];

    /// The source-level name (`None` for internal builtins).
    pub fn name(self) -> Option<&'static str> {
        match self {
            Builtin::ListExtend
            | Builtin::ConcatOwnedLeft
            | Builtin::ExpectTupleArity
            | Builtin::TupleFromList
            | Builtin::MapFromList
            | Builtin::Deref
            | Builtin::Assign
            | Builtin::ClosureCapture
            | Builtin::SeqEmpty
            | Builtin::SeqCons
            | Builtin::SeqFlatMap
            | Builtin::SeqDefer
            | Builtin::SeqAppend => None,
            named => Some(named.ir_name()),
        }
    }

    /// The name the IR printer shows: the source-level name, or a snake_case internal name.
    pub fn ir_name(self) -> &'static str {
        match self {
            Builtin::Print => "print",
            Builtin::Len => "len",
            Builtin::Push => "push",
            Builtin::Pop => "pop",
            Builtin::Set => "set",
            Builtin::Get => "get",
            Builtin::Insert => "insert",
            Builtin::Remove => "remove",
            Builtin::Has => "has",
            Builtin::Str => "str",
            Builtin::ListExtend => "list_extend",
            Builtin::ConcatOwnedLeft => "concat_owned_left",
            Builtin::ExpectTupleArity => "expect_tuple_arity",
            Builtin::TupleFromList => "tuple_from_list",
            Builtin::MapFromList => "map_from_list",
            Builtin::Keys => "keys",
            Builtin::Values => "values",
            Builtin::Merge => "merge",
            Builtin::Slice => "slice",
            Builtin::Reverse => "reverse",
            Builtin::Fail => "fail",
            Builtin::Checkpoint => "checkpoint",
            Builtin::Range | Builtin::RangeStep => "range",
            Builtin::Iter => "iter",
            Builtin::Map => "map",
            Builtin::Filter => "filter",
            Builtin::Take => "take",
            Builtin::Drop => "drop",
            Builtin::Scan => "scan",
            Builtin::Zip => "zip",
            Builtin::Collect => "collect",
            Builtin::Fold => "fold",
            Builtin::Sum => "sum",
            Builtin::Count => "count",
            Builtin::Next => "next",
            Builtin::Clone => "clone",
            Builtin::MakeRef => "ref",
            Builtin::Deref => "deref",
            Builtin::Assign => "assign",
            Builtin::ClosureCapture => "closure_capture",
            Builtin::SeqEmpty => "seq_empty",
            Builtin::SeqCons => "seq_cons",
            Builtin::SeqFlatMap => "seq_flat_map",
            Builtin::SeqDefer => "seq_defer",
            Builtin::SeqAppend => "seq_append",
        }
    }

    /// The builtin a source name denotes (for `range`, the two-argument form; lowering picks
    /// [`Builtin::RangeStep`] for three arguments).
    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL
            .iter()
            .copied()
            .find(|b| b.name() == Some(name))
    }

    /// The runtime shim this builtin lowers to (its `extern "C"` symbol in
    /// `cairn_runtime::abi::shim_list`). Both engines map builtins to shims through this one
    /// table; a test in each engine checks every symbol exists with the builtin's arity.
    pub fn shim_symbol(self) -> &'static str {
        match self {
            Builtin::Print => "rt_print",
            Builtin::Len => "rt_len",
            Builtin::Push => "rt_push",
            Builtin::Pop => "rt_pop",
            Builtin::Set => "rt_set",
            Builtin::Get => "rt_get",
            Builtin::Insert => "rt_insert",
            Builtin::Remove => "rt_remove",
            Builtin::Has => "rt_has",
            Builtin::Str => "rt_str",
            Builtin::ListExtend => "rt_list_extend",
            Builtin::ConcatOwnedLeft => "rt_concat_owned_left",
            Builtin::ExpectTupleArity => "rt_expect_tuple_arity",
            Builtin::TupleFromList => "rt_tuple_from_list",
            Builtin::MapFromList => "rt_map_from_list",
            Builtin::Keys => "rt_keys",
            Builtin::Values => "rt_values",
            Builtin::Merge => "rt_merge",
            Builtin::Slice => "rt_slice",
            Builtin::Reverse => "rt_reverse",
            Builtin::Fail => "rt_fail",
            Builtin::Checkpoint => "rt_checkpoint",
            Builtin::Range => "rt_range",
            Builtin::RangeStep => "rt_range_step",
            Builtin::Iter => "rt_iter",
            Builtin::Map => "rt_seq_map",
            Builtin::Filter => "rt_seq_filter",
            Builtin::Take => "rt_seq_take",
            Builtin::Drop => "rt_seq_drop",
            Builtin::Scan => "rt_seq_scan",
            Builtin::Zip => "rt_seq_zip",
            Builtin::Collect => "rt_collect",
            Builtin::Fold => "rt_fold",
            Builtin::Sum => "rt_sum",
            Builtin::Count => "rt_count",
            Builtin::Next => "rt_next",
            Builtin::Clone => "rt_seq_clone",
            Builtin::MakeRef => "rt_ref_new",
            Builtin::Deref => "rt_ref_get",
            Builtin::Assign => "rt_ref_set",
            Builtin::ClosureCapture => "rt_closure_capture",
            Builtin::SeqEmpty => "rt_seq_empty",
            Builtin::SeqCons => "rt_seq_cons",
            Builtin::SeqFlatMap => "rt_seq_flat_map",
            Builtin::SeqDefer => "rt_seq_defer",
            Builtin::SeqAppend => "rt_seq_append",
        }
    }

    /// Ownership of each argument; its length is the arity.
    pub fn param_modes(self) -> &'static [ParamMode] {
        match self {
            Builtin::Print | Builtin::Len | Builtin::Str => &[Borrowed],
            Builtin::Push => &[Owned, Owned],
            Builtin::Pop => &[Owned],
            Builtin::Set => &[Owned, Borrowed, Owned],
            Builtin::Get => &[Borrowed, Borrowed, Owned],
            Builtin::Insert => &[Owned, Owned, Owned],
            Builtin::Remove => &[Owned, Borrowed],
            Builtin::Has | Builtin::ExpectTupleArity => &[Borrowed, Borrowed],
            Builtin::ListExtend | Builtin::ConcatOwnedLeft => &[Owned, Borrowed],
            Builtin::Keys | Builtin::Values | Builtin::Reverse | Builtin::Iter => &[Owned],
            Builtin::Merge => &[Owned, Borrowed],
            Builtin::Slice | Builtin::RangeStep => &[Borrowed, Borrowed, Borrowed],
            Builtin::Fail
            | Builtin::Collect
            | Builtin::Sum
            | Builtin::Count
            | Builtin::Next
            | Builtin::Clone
            | Builtin::Deref => &[Borrowed],
            Builtin::Range | Builtin::ClosureCapture => &[Borrowed, Borrowed],
            Builtin::Map
            | Builtin::Filter
            | Builtin::Zip
            | Builtin::SeqCons
            | Builtin::SeqFlatMap
            | Builtin::SeqAppend => &[Owned, Owned],
            Builtin::Take | Builtin::Drop => &[Owned, Borrowed],
            Builtin::Scan => &[Owned, Owned, Owned],
            Builtin::Fold => &[Borrowed, Owned, Borrowed],
            Builtin::MakeRef
            | Builtin::SeqDefer
            | Builtin::TupleFromList
            | Builtin::MapFromList => &[Owned],
            Builtin::Assign => &[Borrowed, Owned],
            Builtin::SeqEmpty | Builtin::Checkpoint => &[],
        }
    }

    pub fn arity(self) -> usize {
        self.param_modes().len()
    }
}
