//! The one list of builtins, public and internal: everything else about a builtin derives
//! from its row here (see docs/ARCHITECTURE.md, "The builtin table").
//!
//! [`foreach_builtin!`](crate::foreach_builtin) calls the macro it is given with every row,
//! the way Wasmtime's `foreach_builtin_function!` feeds both its compiler and its runtime.
//! A row reads
//!
//! ```text
//! /// one-line doc (more lines allowed)
//! Variant: public "name" (Mode, ...) -> KIND, shim ShimVariant;
//! ```
//!
//! - `Variant` is the [`Builtin`](crate::ir::Builtin) variant (also its IR JSON spelling);
//! - `public` builtins are callable by `"name"`; `internal` ones are not, and `"name"` is only
//!   what the IR printer shows;
//! - the modes ([`ParamMode`](crate::ir::ParamMode) variants, `Owned` or `Borrowed`) give the
//!   arity and the ownership of each argument;
//! - `KIND` is the [`KindSet`](crate::analysis::KindSet) constant of the kinds a successful
//!   call may return (the value-kind inference's transfer function);
//! - `ShimVariant` names the `cairn_runtime::Shim` the builtin lowers to. `lang` does not
//!   depend on the runtime and ignores it; `cairn-engine-support` expands this list into
//!   `Builtin::X => Shim::Y`, so a misspelt shim is a compile error there, and asserts at
//!   compile time that the shim takes the builtin's arity.
//!
//! Order matters in one place: `from_name` picks the first public row of a name (`range`).

/// Calls `$mac! { rows }` with every builtin row (the grammar is in this module's docs).
#[macro_export]
macro_rules! foreach_builtin {
    ($mac:ident) => {
        $mac! {
            /// `print(v)`: writes the canonical form of `v` and a newline.
            Print: public "print" (Borrowed) -> UNIT, shim Print;
            /// `len(x)`: the length of `x`, an Int.
            Len: public "len" (Borrowed) -> INT, shim Len;
            /// `push(xs, v)`: `xs` with `v` appended.
            Push: public "push" (Owned, Owned) -> HEAP, shim Push;
            /// `pop(xs)`: `xs` without its last element (RT0107 when empty).
            Pop: public "pop" (Owned) -> HEAP, shim Pop;
            /// `set(xs, i, v)`: `xs` with element `i` replaced by `v`.
            Set: public "set" (Owned, Borrowed, Owned) -> HEAP, shim Set;
            /// `get(c, k, default)`: the element at `k`, or `default`; so anything.
            Get: public "get" (Borrowed, Borrowed, Owned) -> ALL, shim Get;
            /// `insert(m, k, v)`: `m` with `k` bound to `v`.
            Insert: public "insert" (Owned, Owned, Owned) -> HEAP, shim Insert;
            /// `remove(m, k)`: `m` without `k`.
            Remove: public "remove" (Owned, Borrowed) -> HEAP, shim Remove;
            /// `has(m, k)`: whether `m` binds `k`.
            Has: public "has" (Borrowed, Borrowed) -> BOOL, shim Has;
            /// `str(v)`: the canonical form of `v` as a Text.
            Str: public "str" (Borrowed) -> HEAP, shim Str;
            /// List spread inside a list literal: `(list owned, other borrowed)`.
            ListExtend: internal "list_extend" (Owned, Borrowed) -> HEAP, shim ListExtend;
            /// `left ++ right` at the last use of an owned `left`: `(left owned, right
            /// borrowed)`. Chosen by the RC pass (`lang/src/concat_ownership.rs`) instead of
            /// `BinaryOp::Concat`; the runtime appends in place when `left` is unique and
            /// copies otherwise. Same results and diagnostics as `++`.
            ConcatOwnedLeft: internal "concat_owned_left" (Owned, Borrowed) -> HEAP,
                shim ConcatOwnedLeft;
            /// Tuple destructuring `(a, b) = e`: `(tuple borrowed, arity borrowed)`, where
            /// `arity` is an Int constant. Returns Unit when `tuple` is a Tuple of exactly
            /// `arity` elements, else RT0303.
            ExpectTupleArity: internal "expect_tuple_arity" (Borrowed, Borrowed) -> UNIT,
                shim ExpectTupleArity;
            /// A big tuple literal (`lang/src/lower_literals.rs`): `(list owned)`, the Tuple
            /// of the List's elements in order.
            TupleFromList: internal "tuple_from_list" (Owned) -> HEAP, shim TupleFromList;
            /// A big map literal (`lang/src/lower_literals.rs`): `(list owned)` holding
            /// `k0 v0 k1 v1 ...`, the Map of those entries inserted in order exactly as
            /// `MakeMap` does (RT0104 for an invalid key, a later duplicate wins).
            MapFromList: internal "map_from_list" (Owned) -> HEAP, shim MapFromList;
            /// `keys(m)`: a Seq of the keys of `m`.
            Keys: public "keys" (Owned) -> HEAP, shim Keys;
            /// `values(m)`: a Seq of the values of `m`.
            Values: public "values" (Owned) -> HEAP, shim Values;
            /// `merge(a, b)`: the Map `b` over `a`.
            Merge: public "merge" (Owned, Borrowed) -> HEAP, shim Merge;
            /// `slice(xs, a, b)`: the List `a..b` of `xs`, sharing its structure.
            Slice: public "slice" (Borrowed, Borrowed, Borrowed) -> HEAP, shim Slice;
            /// `reverse(xs)`: `xs` in reverse order.
            Reverse: public "reverse" (Owned) -> HEAP, shim Reverse;
            /// `fail(msg)`: raises RT0900; never returns.
            Fail: public "fail" (Borrowed) -> EMPTY, shim Fail;
            /// `range(a, b)`.
            Range: public "range" (Borrowed, Borrowed) -> HEAP, shim Range;
            /// `range(a, b, step)`: same source name as [`Builtin::Range`], chosen by arity.
            RangeStep: public "range" (Borrowed, Borrowed, Borrowed) -> HEAP, shim RangeStep;
            /// `iter(x)`: a Seq over the elements of `x`.
            Iter: public "iter" (Owned) -> HEAP, shim Iter;
            /// `map(s, f)`: the Seq of `f(x)` for each `x` of `s`.
            Map: public "map" (Owned, Owned) -> HEAP, shim SeqMap;
            /// `filter(s, f)`: the Seq of the `x` of `s` with `f(x)` true.
            Filter: public "filter" (Owned, Owned) -> HEAP, shim SeqFilter;
            /// `take(s, n)`: the first `n` items of `s`.
            Take: public "take" (Owned, Borrowed) -> HEAP, shim SeqTake;
            /// `drop(s, n)`: `s` without its first `n` items.
            Drop: public "drop" (Owned, Borrowed) -> HEAP, shim SeqDrop;
            /// `scan(s, init, f)`: the Seq of running folds of `s`.
            Scan: public "scan" (Owned, Owned, Owned) -> HEAP, shim SeqScan;
            /// `zip(s, t)`: the Seq of pairs of `s` and `t`.
            Zip: public "zip" (Owned, Owned) -> HEAP, shim SeqZip;
            /// `collect(s)`: the List of the items of `s`.
            Collect: public "collect" (Borrowed) -> HEAP, shim Collect;
            /// `fold(s, init, f)`: `s` folded from `init` with `f`; so anything.
            Fold: public "fold" (Borrowed, Owned, Borrowed) -> ALL, shim Fold;
            /// `sum(s)`: the sum of the numbers of `s`, an Int or a Float.
            Sum: public "sum" (Borrowed) -> NUMBERS, shim Sum;
            /// `count(s)`: the number of items of `s`.
            Count: public "count" (Borrowed) -> INT, shim Count;
            /// `next(s)`: `(true, v)` for the next item `v`, or `(false, ())`.
            Next: public "next" (Borrowed) -> HEAP, shim Next;
            /// `clone(s)`: an independent cursor over `s`.
            Clone: public "clone" (Borrowed) -> HEAP, shim SeqClone;
            /// `ref(v)`: a new Ref holding `v`.
            MakeRef: public "ref" (Owned) -> HEAP, shim RefNew;
            /// `!r`: the value in Ref `r`; so anything.
            Deref: internal "deref" (Borrowed) -> ALL, shim RefGet;
            /// `r := v`.
            Assign: internal "assign" (Borrowed, Owned) -> UNIT, shim RefSet;
            /// `checkpoint()`: records the heap's ownership graph when audit mode (with
            /// checkpoints) is on; a no-op otherwise. Returns Unit.
            Checkpoint: public "checkpoint" () -> UNIT, shim Checkpoint;
            /// `(closure borrowed, index borrowed)`: capture `index` (an Int constant) of the
            /// closure, retained. The first op of a lambda's body loads its captures with it.
            ClosureCapture: internal "closure_capture" (Borrowed, Borrowed) -> ALL,
                shim ClosureCapture;
            /// Generator desugaring: the empty Seq.
            SeqEmpty: internal "seq_empty" () -> HEAP, shim SeqEmpty;
            /// Generator desugaring: `(value owned, rest owned)`: yields `value`, then
            /// everything `rest()` returns (`rest` is a closure of no params, or Unit for
            /// nothing more).
            SeqCons: internal "seq_cons" (Owned, Owned) -> HEAP, shim SeqCons;
            /// Generator desugaring: `(iterable owned, f owned)`: for each `x`, everything
            /// `f(x)` returns.
            SeqFlatMap: internal "seq_flat_map" (Owned, Owned) -> HEAP, shim SeqFlatMap;
            /// Generator desugaring: `(thunk owned)`: everything `thunk()` returns, called on
            /// the first pull.
            SeqDefer: internal "seq_defer" (Owned) -> HEAP, shim SeqDefer;
            /// Generator desugaring: `(iterable owned, rest owned)`: everything in
            /// `iterable`, then everything `rest()` returns.
            SeqAppend: internal "seq_append" (Owned, Owned) -> HEAP, shim SeqAppend;

            // Standard library: math (docs/LANGUAGE.md, "Standard library")
            // Standard library: math (end) (docs/LANGUAGE.md, "Standard library")

            // Standard library: random (docs/LANGUAGE.md, "Standard library")
            // Standard library: random (end) (docs/LANGUAGE.md, "Standard library")

            // Standard library: text (docs/LANGUAGE.md, "Standard library")
            // Standard library: text (end) (docs/LANGUAGE.md, "Standard library")

            // Standard library: lists and sequences (docs/LANGUAGE.md, "Standard library")
            /// `sort(xs)`: `xs` sorted, stable (numbers or Texts, as `<` orders them).
            Sort: public "sort" (Owned) -> HEAP, shim Sort;
            /// `sort_by(xs, key)`: `xs` sorted stably by `key(x)`, called once per element.
            SortBy: public "sort_by" (Owned, Borrowed) -> HEAP, shim SortBy;
            /// `sort_with(xs, before)`: `xs` sorted stably, `before(a, b)` true when `a` comes
            /// first.
            SortWith: public "sort_with" (Owned, Borrowed) -> HEAP, shim SortWith;
            /// `index_of(s, v)`: the position of the first item `== v`, or -1.
            IndexOf: public "index_of" (Borrowed, Borrowed) -> INT, shim IndexOf;
            /// `any(s, p)`: whether `p(x)` is true for some item; stops at the first.
            Any: public "any" (Borrowed, Borrowed) -> BOOL, shim Any;
            /// `all(s, p)`: whether `p(x)` is true for every item; stops at the first false.
            All: public "all" (Borrowed, Borrowed) -> BOOL, shim All;
            /// `find_first(s, p)`: `(true, x)` for the first `x` with `p(x)`, or `(false, ())`.
            FindFirst: public "find_first" (Borrowed, Borrowed) -> HEAP, shim FindFirst;
            /// `min_of(s)`: the first least item in `sort`'s order; so anything.
            MinOf: public "min_of" (Borrowed) -> ALL, shim MinOf;
            /// `max_of(s)`: the last greatest item in `sort`'s order; so anything.
            MaxOf: public "max_of" (Borrowed) -> ALL, shim MaxOf;
            /// `enumerate(s)`: the lazy Seq of `(index, x)`.
            Enumerate: public "enumerate" (Owned) -> HEAP, shim Enumerate;
            /// `flat_map(s, f)`: the lazy Seq of everything each `f(x)` returns.
            FlatMap: public "flat_map" (Owned, Owned) -> HEAP, shim FlatMap;
            // Standard library: lists and sequences (end) (docs/LANGUAGE.md, "Standard library")
        }
    };
}
