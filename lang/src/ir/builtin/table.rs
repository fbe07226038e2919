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
            /// Fused pipelines (`lang/src/fuse_pipelines.rs`): `range(a, b)`'s argument
            /// checks, without a cursor. Unit.
            FusedRangeCheck: internal "fused_range_check" (Borrowed, Borrowed) -> UNIT,
                shim FusedRangeCheck;
            /// Fused pipelines: `take(s, n)`'s count check. Unit.
            FusedTakeCheck: internal "fused_take_check" (Borrowed) -> UNIT, shim FusedTakeCheck;
            /// Fused pipelines: the call-depth check (RT0501) of a pull `levels` (an Int
            /// constant) cursors deep. Unit.
            FusedDepthCheck: internal "fused_depth_check" (Borrowed) -> UNIT,
                shim FusedDepthCheck;
            /// Fused pipelines: adds `delta` (an Int constant) to the call depth around a
            /// stage's callback. Unit.
            FusedDepthAdd: internal "fused_depth_add" (Borrowed) -> UNIT, shim FusedDepthAdd;
            /// Fused pipelines: one step of `sum`, `(total, item)`, with `sum`'s diagnostics.
            FusedSumAdd: internal "fused_sum_add" (Borrowed, Borrowed) -> NUMBERS,
                shim FusedSumAdd;
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
            /// `abs(x)`: the magnitude of `x`, of its kind (RT0301 for the minimum Int).
            Abs: public "abs" (Borrowed) -> NUMBERS, shim Abs;
            /// `min(a, b)`: the smaller number, unchanged (NaN wins; `-0.0` below `0.0`).
            Min: public "min" (Borrowed, Borrowed) -> NUMBERS, shim Min;
            /// `max(a, b)`: the larger number, unchanged (NaN wins; `0.0` above `-0.0`).
            Max: public "max" (Borrowed, Borrowed) -> NUMBERS, shim Max;
            /// `clamp(x, lo, hi)`: `x` limited to `lo ..= hi` (RT0306 for a NaN bound or `lo > hi`).
            Clamp: public "clamp" (Borrowed, Borrowed, Borrowed) -> NUMBERS, shim Clamp;
            /// `floor(x)`: an Int unchanged, a Float rounded down (a Float).
            Floor: public "floor" (Borrowed) -> NUMBERS, shim Floor;
            /// `ceil(x)`: an Int unchanged, a Float rounded up (a Float).
            Ceil: public "ceil" (Borrowed) -> NUMBERS, shim Ceil;
            /// `round(x)`: an Int unchanged, a Float rounded half away from zero (a Float).
            Round: public "round" (Borrowed) -> NUMBERS, shim Round;
            /// `trunc(x)`: an Int unchanged, a Float rounded toward zero (a Float).
            Trunc: public "trunc" (Borrowed) -> NUMBERS, shim Trunc;
            /// `sqrt(x)`: the square root, a Float (NaN below 0).
            Sqrt: public "sqrt" (Borrowed) -> FLOAT, shim Sqrt;
            /// `pow(x, y)`: `x` to the power `y`; a checked Int for two Ints, else a Float.
            Pow: public "pow" (Borrowed, Borrowed) -> NUMBERS, shim Pow;
            /// `exp(x)`: e to the power `x`, a Float.
            Exp: public "exp" (Borrowed) -> FLOAT, shim Exp;
            /// `ln(x)`: the natural logarithm, a Float.
            Ln: public "ln" (Borrowed) -> FLOAT, shim Ln;
            /// `log(x, base)`: the logarithm of `x` in `base`, a Float.
            Log: public "log" (Borrowed, Borrowed) -> FLOAT, shim Log;
            /// `sin(x)`: the sine (radians), a Float.
            Sin: public "sin" (Borrowed) -> FLOAT, shim Sin;
            /// `cos(x)`: the cosine (radians), a Float.
            Cos: public "cos" (Borrowed) -> FLOAT, shim Cos;
            /// `tan(x)`: the tangent (radians), a Float.
            Tan: public "tan" (Borrowed) -> FLOAT, shim Tan;
            /// `atan2(y, x)`: the angle of the point `(x, y)`, a Float.
            Atan2: public "atan2" (Borrowed, Borrowed) -> FLOAT, shim Atan2;
            /// `pi()`: the Float closest to pi.
            Pi: public "pi" () -> FLOAT, shim Pi;
            /// `is_nan(x)`: whether `x` is a NaN Float.
            IsNan: public "is_nan" (Borrowed) -> BOOL, shim IsNan;
            /// `int(x)`: an Int unchanged, a Float truncated (RT0306 when it has no Int).
            Int: public "int" (Borrowed) -> INT, shim Int;
            /// `float(x)`: the Float of a number.
            Float: public "float" (Borrowed) -> FLOAT, shim Float;
            /// `band(a, b)`: bitwise and of two Ints.
            Band: public "band" (Borrowed, Borrowed) -> INT, shim Band;
            /// `bor(a, b)`: bitwise or of two Ints.
            Bor: public "bor" (Borrowed, Borrowed) -> INT, shim Bor;
            /// `bxor(a, b)`: bitwise exclusive or of two Ints.
            Bxor: public "bxor" (Borrowed, Borrowed) -> INT, shim Bxor;
            /// `shl(x, n)`: `x * 2^n`, checked (RT0306 for `n` outside 0 ..= 47).
            Shl: public "shl" (Borrowed, Borrowed) -> INT, shim Shl;
            /// `shr(x, n)`: `x` shifted right arithmetically (RT0306 for `n` outside 0 ..= 47).
            Shr: public "shr" (Borrowed, Borrowed) -> INT, shim Shr;
            // Standard library: math (end) (docs/LANGUAGE.md, "Standard library")

            // Standard library: random (docs/LANGUAGE.md, "Standard library")
            /// `random_ints(seed)`: an infinite Seq of Ints over the whole Int range.
            RandomInts: public "random_ints" (Borrowed) -> HEAP, shim RandomInts;
            /// `random_floats(seed)`: an infinite Seq of Floats in `[0, 1)`.
            RandomFloats: public "random_floats" (Borrowed) -> HEAP, shim RandomFloats;
            /// `random_below(seed, n)`: an infinite Seq of Ints in `[0, n)` (RT0306 for `n < 1`).
            RandomBelow: public "random_below" (Borrowed, Borrowed) -> HEAP, shim RandomBelow;
            // Standard library: random (end) (docs/LANGUAGE.md, "Standard library")

            // Standard library: text (docs/LANGUAGE.md, "Standard library")
            /// `chars(t)`: the Seq of the one-scalar Texts of `t`.
            TextChars: public "chars" (Owned) -> HEAP, shim TextChars;
            /// `split(t, sep)`: the List of the pieces of `t` between occurrences of `sep`.
            TextSplit: public "split" (Borrowed, Borrowed) -> HEAP, shim TextSplit;
            /// `join(s, sep)`: the Text items of `s` joined with `sep` between them.
            TextJoin: public "join" (Borrowed, Borrowed) -> HEAP, shim TextJoin;
            /// `contains(x, v)`: whether Text `x` contains Text `v`, or List `x` an element
            /// equal (`==`) to `v`.
            Contains: public "contains" (Borrowed, Borrowed) -> BOOL, shim Contains;
            /// `starts_with(t, prefix)`.
            TextStartsWith: public "starts_with" (Borrowed, Borrowed) -> BOOL,
                shim TextStartsWith;
            /// `ends_with(t, suffix)`.
            TextEndsWith: public "ends_with" (Borrowed, Borrowed) -> BOOL, shim TextEndsWith;
            /// `find(t, sub)`: the scalar index of the first occurrence of `sub`, or -1.
            TextFind: public "find" (Borrowed, Borrowed) -> INT, shim TextFind;
            /// `replace(t, from, to)`: `t` with every occurrence of `from` replaced by `to`.
            TextReplace: public "replace" (Borrowed, Borrowed, Borrowed) -> HEAP,
                shim TextReplace;
            /// `trim(t)`: `t` without leading and trailing Unicode whitespace.
            TextTrim: public "trim" (Borrowed) -> HEAP, shim TextTrim;
            /// `trim_start(t)`: `t` without leading Unicode whitespace.
            TextTrimStart: public "trim_start" (Borrowed) -> HEAP, shim TextTrimStart;
            /// `trim_end(t)`: `t` without trailing Unicode whitespace.
            TextTrimEnd: public "trim_end" (Borrowed) -> HEAP, shim TextTrimEnd;
            /// `upper(t)`: `t` in upper case (Unicode, as Rust's `to_uppercase`).
            TextUpper: public "upper" (Borrowed) -> HEAP, shim TextUpper;
            /// `lower(t)`: `t` in lower case (Unicode, as Rust's `to_lowercase`).
            TextLower: public "lower" (Borrowed) -> HEAP, shim TextLower;
            /// `repeat(t, n)`: `t` repeated `n` times.
            TextRepeat: public "repeat" (Borrowed, Borrowed) -> HEAP, shim TextRepeat;
            /// `ord(t)`: the scalar value of the one-scalar Text `t`.
            TextOrd: public "ord" (Borrowed) -> INT, shim TextOrd;
            /// `chr(n)`: the one-scalar Text of scalar value `n`.
            TextChr: public "chr" (Borrowed) -> HEAP, shim TextChr;
            /// `pad_start(t, width, fill)`: `t` with `fill` prepended up to `width` scalars.
            TextPadStart: public "pad_start" (Borrowed, Borrowed, Borrowed) -> HEAP,
                shim TextPadStart;
            /// `pad_end(t, width, fill)`: `t` with `fill` appended up to `width` scalars.
            TextPadEnd: public "pad_end" (Borrowed, Borrowed, Borrowed) -> HEAP,
                shim TextPadEnd;
            /// `parse_int(t)`: `(true, n)` for a decimal Int, else `(false, ())`.
            TextParseInt: public "parse_int" (Borrowed) -> HEAP, shim TextParseInt;
            /// `parse_float(t)`: `(true, x)` for a finite Float, else `(false, ())`.
            TextParseFloat: public "parse_float" (Borrowed) -> HEAP, shim TextParseFloat;
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
            /// `chunks(s, n)`: the lazy Seq of Lists of `n` items, the last one shorter.
            Chunks: public "chunks" (Owned, Borrowed) -> HEAP, shim Chunks;
            /// `windows(s, n)`: the lazy Seq of Lists of `n` consecutive items.
            Windows: public "windows" (Owned, Borrowed) -> HEAP, shim Windows;
            /// `unique(s)`: the lazy Seq of the first occurrences (by `==`), in order.
            Unique: public "unique" (Owned) -> HEAP, shim Unique;
            // Standard library: lists and sequences (end) (docs/LANGUAGE.md, "Standard library")
        }
    };
}
