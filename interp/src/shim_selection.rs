//! Which runtime shim each IR builtin, comparison and literal op lowers to. These are the
//! same `cairn_runtime::abi::shims::rt_*` functions the JIT calls (one per IR op).

use cairn_engine_support::builtin_shim;
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

/// The instruction for a builtin call: the builtin's shim from the one shared table
/// (`cairn_engine_support::builtin_shim`). `args.len()` has been checked against the
/// builtin's arity by the load check, and each builtin's shim takes exactly that many words
/// (tested in `cairn-engine-support`).
pub(crate) fn builtin_instr(
    builtin: Builtin,
    dst: Register,
    args: &[Register],
    site: SiteId,
) -> Instr {
    let shim = builtin_shim(builtin);
    let typed = "a builtin's shim takes the builtin's arity (tested in cairn-engine-support)";
    match args.len() {
        0 => Instr::Shim0Value {
            shim: shim.function0().expect(typed),
            dst,
            site,
        },
        1 => Instr::Shim1 {
            shim: shim.function1().expect(typed),
            dst,
            operand: args[0],
            site,
        },
        2 => Instr::Shim2 {
            shim: shim.function2().expect(typed),
            dst,
            lhs: args[0],
            rhs: args[1],
            site,
        },
        _ => Instr::Shim3 {
            shim: shim.function3().expect(typed),
            dst,
            first: args[0],
            second: args[1],
            third: args[2],
            site,
        },
    }
}
