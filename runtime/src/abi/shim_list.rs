//! The single list of runtime calls ("shims"). The JIT declares and registers every shim from
//! [`Shim::ALL`]; the interpreter calls the same functions directly. Adding a shim here and
//! defining it in `abi::shims` is the only way to add one, so the two cannot drift.
//!
//! Every shim is `unsafe extern "C" fn(ctx: *mut Context, a0: u64, ...) -> u64`. A return of
//! 0 from a fallible shim means "error parked in the context". Arguments marked *owned* are
//! consumed by the shim whether it succeeds or fails; *borrowed* ones are not.

use crate::context::Context;

macro_rules! u64_param {
    ($param:ident) => {
        u64
    };
}

/// Shim function-pointer types by the number of words after the context pointer.
pub type ShimFn0 = unsafe extern "C" fn(*mut Context) -> u64;
pub type ShimFn1 = unsafe extern "C" fn(*mut Context, u64) -> u64;
pub type ShimFn2 = unsafe extern "C" fn(*mut Context, u64, u64) -> u64;
pub type ShimFn3 = unsafe extern "C" fn(*mut Context, u64, u64, u64) -> u64;

/// Defines `Shim::$method`: the definition as a `$ty` when it takes `$n` words.
macro_rules! typed_shim_accessor {
    ($method:ident, $ty:ty, $n:expr) => {
        /// The definition as a typed function pointer when the shim takes exactly this many
        /// words after the context, else `None`.
        pub fn $method(self) -> Option<$ty> {
            if self.param_count() != $n {
                return None;
            }
            // SAFETY: `address` is the definition cast from `unsafe extern "C" fn(*mut
            // Context, u64 x param_count) -> u64`, which is `$ty` when the counts match
            // (checked above); function pointers and `*const u8` have the same size.
            Some(unsafe { std::mem::transmute::<*const u8, $ty>(self.address()) })
        }
    };
}

macro_rules! define_shim_table {
    ($( $(#[$doc:meta])* $variant:ident => $func:ident ( $($param:ident),* ) ; )*) => {
        /// One runtime call. The discriminant is stable within a build.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Shim { $( $(#[$doc])* $variant ),* }

        impl Shim {
            typed_shim_accessor!(function0, ShimFn0, 0);
            typed_shim_accessor!(function1, ShimFn1, 1);
            typed_shim_accessor!(function2, ShimFn2, 2);
            typed_shim_accessor!(function3, ShimFn3, 3);

            pub const ALL: &'static [Shim] = &[ $( Shim::$variant ),* ];

            /// The exported symbol name.
            pub fn symbol(self) -> &'static str {
                match self { $( Shim::$variant => stringify!($func) ),* }
            }

            /// The shim with exported symbol `symbol`, if any.
            pub fn from_symbol(symbol: &str) -> Option<Shim> {
                Shim::ALL.iter().copied().find(|shim| shim.symbol() == symbol)
            }

            /// Parameters after the context pointer (all 64-bit). `const` so that
            /// `cairn-engine-support` can check each builtin's arity at compile time.
            pub const fn param_count(self) -> usize {
                match self { $( Shim::$variant => <[&str]>::len(&[$(stringify!($param)),*]) ),* }
            }

            /// The address of the definition; the cast checks the arity at compile time.
            pub fn address(self) -> *const u8 {
                match self {
                    $( Shim::$variant => crate::abi::shims::$func
                        as unsafe extern "C" fn(*mut Context $(, u64_param!($param))*) -> u64
                        as *const u8 ),*
                }
            }
        }
    };
}

define_shim_table! {
    /// `retain(v)` -> `v` or, when `REF_COUNT` would saturate, an owned copy. 0 on error.
    Retain => rt_retain(value);
    /// `release(v)`: never fails; integrity violations are parked in the context. Returns 1.
    Release => rt_release(value);
    /// A Text from UTF-8 bytes at `ptr` (`len` bytes) owned by the caller's code.
    TextLiteral => rt_text_literal(ptr, len);
    /// A script's Text literal `id` (bytes at `ptr`, `len` bytes): built once per run and
    /// retained for each evaluation.
    TextConstant => rt_text_constant(id, ptr, len);
    /// Arithmetic and comparison: both operands borrowed, result owned.
    Add => rt_add(lhs, rhs);
    Sub => rt_sub(lhs, rhs);
    Mul => rt_mul(lhs, rhs);
    Div => rt_div(lhs, rhs);
    Rem => rt_rem(lhs, rhs);
    /// `++` and `concat(a, b)`: Text ++ Text or List ++ List.
    Concat => rt_concat(lhs, rhs);
    /// `++` at the last use of an owned left operand: `lhs` owned, `rhs` borrowed; a unique
    /// `lhs` is appended to in place.
    ConcatOwnedLeft => rt_concat_owned_left(lhs, rhs);
    Neg => rt_neg(operand);
    Not => rt_not(operand);
    Eq => rt_eq(lhs, rhs);
    Ne => rt_ne(lhs, rhs);
    Lt => rt_lt(lhs, rhs);
    Le => rt_le(lhs, rhs);
    Gt => rt_gt(lhs, rhs);
    Ge => rt_ge(lhs, rhs);
    /// Checks a condition is a Bool (borrowed); returns it. `context`: 0 `if`, 1 `and`, 2 `or`,
    /// 3 `when`, 4 `filter`.
    ExpectBool => rt_expect_bool(value, context);
    /// Literals: consume `count` owned words at `ptr` (`2 * count` key/value words for maps).
    ListFrom => rt_list_from(ptr, count);
    TupleFrom => rt_tuple_from(ptr, count);
    MapFrom => rt_map_from(ptr, count);
    /// Big literals (lang's `lower_literals.rs`): `list` owned. The Tuple of its elements; the
    /// Map of its words `k0 v0 k1 v1 ...` inserted in order as `rt_map_from` does.
    TupleFromList => rt_tuple_from_list(list);
    MapFromList => rt_map_from_list(list);
    /// List spread `[...xs]`: `list` owned, `other` borrowed (must be a List).
    ListExtend => rt_list_extend(list, other);
    /// `base[index]`: both borrowed; the element comes back retained.
    Index => rt_index(base, index);
    /// Tuple destructuring `(a, b) = v`: `v` and `arity` (an Int) borrowed; Unit when `v` is
    /// a Tuple of exactly `arity` elements, else RT0303.
    ExpectTupleArity => rt_expect_tuple_arity(value, arity);
    /// Builtins: the builtin each lowers to, and its ownership per argument, is its row in
    /// lang's builtin table (`lang/src/ir/builtin/table.rs`; docs/LANGUAGE.md, "Builtins").
    Print => rt_print(value);
    Len => rt_len(value);
    Push => rt_push(list, value);
    Pop => rt_pop(list);
    Set => rt_set(list, index, value);
    Get => rt_get(container, key, default);
    Insert => rt_insert(map, key, value);
    Remove => rt_remove(map, key);
    Has => rt_has(map, key);
    Str => rt_str(value);
    /// Closures: `MakeClosure` consumes `[Int(function), captures...]` at `ptr`.
    ClosureFrom => rt_closure_from(ptr, count);
    /// `CallValue`'s check: the callee's engine entry, or 0 (RT0304/RT0305, words released).
    CallTarget => rt_call_target(callee, ptr, count);
    ClosureCapture => rt_closure_capture(closure, index);
    /// `CallHost`: a registered host function with `count` borrowed words at `ptr`.
    CallHost => rt_call_host(index, ptr, count);
    /// Containers and failure.
    Keys => rt_keys(map);
    Values => rt_values(map);
    Merge => rt_merge(a, b);
    Slice => rt_slice(list, start, end);
    Reverse => rt_reverse(list);
    Fail => rt_fail(message);
    /// Sequences (producers own their source; consumers borrow it).
    Range => rt_range(start, end);
    RangeStep => rt_range_step(start, end, step);
    Iter => rt_iter(source);
    SeqMap => rt_seq_map(source, f);
    SeqFilter => rt_seq_filter(source, f);
    SeqTake => rt_seq_take(source, n);
    SeqDrop => rt_seq_drop(source, n);
    SeqScan => rt_seq_scan(source, init, f);
    SeqZip => rt_seq_zip(left, right);
    Collect => rt_collect(source);
    Fold => rt_fold(source, init, f);
    Sum => rt_sum(source);
    Count => rt_count(source);
    /// Fused pipelines (lang's `fuse_pipelines.rs`): `range`'s argument checks, `take`'s
    /// count check, a pull's call-depth check `levels` deep, a callback's extra depth, one
    /// step of `sum`. All operands borrowed; the first four return Unit.
    FusedRangeCheck => rt_fused_range_check(start, end);
    FusedTakeCheck => rt_fused_take_check(n);
    FusedDepthCheck => rt_fused_depth_check(levels);
    FusedDepthAdd => rt_fused_depth_add(delta);
    FusedSumAdd => rt_fused_sum_add(total, item);
    Next => rt_next(source);
    SeqClone => rt_seq_clone(source);
    SeqEmpty => rt_seq_empty();
    /// `checkpoint()`: records the ownership graph in audit mode; Unit.
    Checkpoint => rt_checkpoint();
    SeqCons => rt_seq_cons(value, rest);
    SeqFlatMap => rt_seq_flat_map(source, f);
    SeqDefer => rt_seq_defer(thunk);
    SeqAppend => rt_seq_append(source, rest);
    /// Refs.
    RefNew => rt_ref_new(value);
    RefGet => rt_ref_get(reference);
    RefSet => rt_ref_set(reference, value);

    // Standard library: math
    /// Math (docs/LANGUAGE.md, "Standard library"): number arguments borrowed.
    Abs => rt_abs(x);
    Min => rt_min(a, b);
    Max => rt_max(a, b);
    Clamp => rt_clamp(x, lo, hi);
    Floor => rt_floor(x);
    Ceil => rt_ceil(x);
    Round => rt_round(x);
    Trunc => rt_trunc(x);
    Sqrt => rt_sqrt(x);
    Pow => rt_pow(x, y);
    Exp => rt_exp(x);
    Ln => rt_ln(x);
    Log => rt_log(x, base);
    Sin => rt_sin(x);
    Cos => rt_cos(x);
    Tan => rt_tan(x);
    Atan2 => rt_atan2(y, x);
    Pi => rt_pi();
    IsNan => rt_is_nan(x);
    Int => rt_int(x);
    Float => rt_float(x);
    Band => rt_band(a, b);
    Bor => rt_bor(a, b);
    Bxor => rt_bxor(a, b);
    Shl => rt_shl(x, n);
    Shr => rt_shr(x, n);
    // Standard library: math (end)

    // Standard library: random
    /// Random numbers (docs/LANGUAGE.md, "Standard library"): a new Random cursor.
    RandomInts => rt_random_ints(seed);
    RandomFloats => rt_random_floats(seed);
    RandomBelow => rt_random_below(seed, n);
    // Standard library: random (end)

    // Standard library: text
    TextChars => rt_text_chars(text);
    TextSplit => rt_text_split(text, separator);
    TextJoin => rt_text_join(source, separator);
    /// `contains(x, v)`: Text in Text, or an element `==` `v` in a List.
    Contains => rt_contains(container, value);
    TextStartsWith => rt_text_starts_with(text, prefix);
    TextEndsWith => rt_text_ends_with(text, suffix);
    TextFind => rt_text_find(text, needle);
    TextReplace => rt_text_replace(text, from, to);
    TextTrim => rt_text_trim(text);
    TextTrimStart => rt_text_trim_start(text);
    TextTrimEnd => rt_text_trim_end(text);
    TextUpper => rt_text_upper(text);
    TextLower => rt_text_lower(text);
    TextRepeat => rt_text_repeat(text, count);
    TextOrd => rt_text_ord(text);
    TextChr => rt_text_chr(code);
    TextPadStart => rt_text_pad_start(text, width, fill);
    TextPadEnd => rt_text_pad_end(text, width, fill);
    TextParseInt => rt_text_parse_int(text);
    TextParseFloat => rt_text_parse_float(text);
    // Standard library: text (end)

    // Standard library: lists and sequences
    /// `sort(xs)`: xs owned; stable, in place when unique.
    Sort => rt_sort(list);
    /// `sort_by(xs, key)`: xs owned, key borrowed.
    SortBy => rt_sort_by(list, key);
    /// `sort_with(xs, before)`: xs owned, before borrowed.
    SortWith => rt_sort_with(list, before);
    /// Searching consumers (source and callback borrowed).
    IndexOf => rt_index_of(source, target);
    Any => rt_any(source, predicate);
    All => rt_all(source, predicate);
    FindFirst => rt_find_first(source, predicate);
    MinOf => rt_min_of(source);
    MaxOf => rt_max_of(source);
    /// Lazy stages (source and callback owned).
    Enumerate => rt_enumerate(source);
    FlatMap => rt_flat_map(source, f);
    /// Grouping stages (source owned, n borrowed).
    Chunks => rt_chunks(source, n);
    Windows => rt_windows(source, n);
    Unique => rt_unique(source);
    // Standard library: lists and sequences (end)
    /// Function entry: depth +1 (RT0501 past the limit), one fuel unit, cancellation check.
    Enter => rt_enter();
    /// Function exit: depth -1. Returns 1.
    Leave => rt_leave();
    /// Loop back-edge: one fuel unit and the cancellation check.
    Fuel => rt_fuel();
    /// Records a frame (function index, op index) for the parked error. Returns 0.
    UnwindFrame => rt_unwind_frame(function, op);
}
