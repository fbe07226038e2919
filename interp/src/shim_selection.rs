//! Which runtime shim each IR builtin, comparison and literal op lowers to. These are the
//! same `cairn_runtime::abi::shims::rt_*` functions the JIT calls (one per IR op).

use cairn_lang::ir::{Builtin, OpKind};
use cairn_runtime::abi::shims;

use crate::code::{Instr, IntComparison, Register, ShimFn2, SiteId};

/// The shim a comparison falls back to when its operands are not both Ints.
pub(crate) fn comparison_shim(comparison: IntComparison) -> ShimFn2 {
    match comparison {
        IntComparison::Eq => shims::rt_eq,
        IntComparison::Ne => shims::rt_ne,
        IntComparison::Lt => shims::rt_lt,
        IntComparison::Le => shims::rt_le,
        IntComparison::Gt => shims::rt_gt,
        IntComparison::Ge => shims::rt_ge,
    }
}

/// `rt_list_from` / `rt_tuple_from` / `rt_map_from` for `MakeList` / `MakeTuple` / `MakeMap`.
pub(crate) fn aggregate_shim(kind: &OpKind) -> ShimFn2 {
    match kind {
        OpKind::MakeTuple { .. } => shims::rt_tuple_from,
        OpKind::MakeMap { .. } => shims::rt_map_from,
        _ => shims::rt_list_from,
    }
}

/// The instruction for a builtin call. `args.len()` has been checked against the
/// builtin's arity by the caller.
pub(crate) fn builtin_instr(
    builtin: Builtin,
    dst: Register,
    args: &[Register],
    site: SiteId,
) -> Instr {
    let one = |shim| Instr::Shim1 {
        shim,
        dst,
        operand: args[0],
        site,
    };
    let two = |shim| Instr::Shim2 {
        shim,
        dst,
        lhs: args[0],
        rhs: args[1],
        site,
    };
    let three = |shim| Instr::Shim3 {
        shim,
        dst,
        first: args[0],
        second: args[1],
        third: args[2],
        site,
    };
    match builtin {
        Builtin::Print => one(shims::rt_print),
        Builtin::Len => one(shims::rt_len),
        Builtin::Pop => one(shims::rt_pop),
        Builtin::Str => one(shims::rt_str),
        Builtin::Push => two(shims::rt_push),
        Builtin::Remove => two(shims::rt_remove),
        Builtin::Has => two(shims::rt_has),
        Builtin::ListExtend => two(shims::rt_list_extend),
        Builtin::ExpectTupleArity => two(shims::rt_expect_tuple_arity),
        Builtin::Set => three(shims::rt_set),
        Builtin::Get => three(shims::rt_get),
        Builtin::Insert => three(shims::rt_insert),
    }
}
