//! The interpreter's compact code: what `translate` produces from the shared IR and what
//! `execute` runs. Per function a flat `Vec<Instr>` over frame-relative registers (IR
//! `Var(n)` is register `n`; registers past `var_count` are scratch for parallel moves),
//! resolved jump targets, and a side table of failure sites (IR op index + cleanup list).
//! Per program, outside the functions the executor reads on every call, the IR op index of
//! every instruction (read only by execution observers).

use cairn_lang::analysis::KindSet;
use cairn_runtime::abi::invoke::FunctionTable;

/// A frame-relative register index.
pub type Register = u32;
/// An index into [`CompiledFunction::sites`].
pub type SiteId = u32;
/// An index into [`CompiledFunction::code`].
pub type ProgramCounter = u32;

pub use cairn_runtime::abi::shim_list::{ShimFn0, ShimFn1, ShimFn2, ShimFn3};

/// The Int comparisons that have an inline fast path (see `fast_paths`). Each
/// discriminant is the set of orderings it accepts: 4 = less, 2 = equal, 1 = greater.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum IntComparison {
    Eq = 2,
    Ne = 5,
    Lt = 4,
    Le = 6,
    Gt = 1,
    Ge = 3,
}

/// One instruction. Every variant that can fail carries the [`SiteId`] of its IR op.
#[derive(Clone, Copy, Debug)]
pub enum Instr {
    /// `Enter`: `rt_enter`'s common case inline, the shim otherwise (`inline_control.rs`).
    Enter {
        site: SiteId,
    },
    /// `Fuel`: `rt_fuel`'s common case inline, the shim otherwise (`inline_control.rs`).
    Fuel {
        site: SiteId,
    },
    /// A zero-argument builtin with a result (`seq_empty`).
    Shim0Value {
        shim: ShimFn0,
        dst: Register,
        site: SiteId,
    },
    /// `MakeClosure`: `rt_closure_from` of `[Int(function), operands[start..start + count]]`.
    Closure {
        function: u32,
        dst: Register,
        start: u32,
        count: u32,
        site: SiteId,
    },
    /// `CallValue`: `operands[start]` is the callee, the next `len` operands the args;
    /// `rt_call_target` names the function, then it is called like `Call` with
    /// `(callee, args...)`.
    CallValue {
        dst: Register,
        start: u32,
        len: u32,
        site: SiteId,
    },
    /// `CallHost`: `rt_call_host(host, words of operands[start..start + len], len)`.
    CallHost {
        host: u32,
        dst: Register,
        start: u32,
        len: u32,
        site: SiteId,
    },
    /// An immediate word (`Const`); infallible.
    Const {
        dst: Register,
        word: u64,
    },
    /// A block-parameter move produced from a `Jump`'s arguments; infallible.
    Move {
        dst: Register,
        src: Register,
    },
    /// `rt_text_constant(literal, ptr, len)` of literal `literal` of the program.
    Text {
        dst: Register,
        literal: u32,
        site: SiteId,
    },
    /// A one-operand shim (Unary ops, one-argument builtins).
    Shim1 {
        shim: ShimFn1,
        dst: Register,
        operand: Register,
        site: SiteId,
    },
    /// A two-operand shim (Binary ops without a fast path, two-argument builtins).
    Shim2 {
        shim: ShimFn2,
        dst: Register,
        lhs: Register,
        rhs: Register,
        site: SiteId,
    },
    /// A three-operand shim (three-argument builtins).
    Shim3 {
        shim: ShimFn3,
        dst: Register,
        first: Register,
        second: Register,
        third: Register,
        site: SiteId,
    },
    /// `Binary Add`: inline Int+Int, otherwise `rt_add`.
    Add {
        dst: Register,
        lhs: Register,
        rhs: Register,
        site: SiteId,
    },
    /// `Binary Sub`: inline Int-Int, otherwise `rt_sub`.
    Sub {
        dst: Register,
        lhs: Register,
        rhs: Register,
        site: SiteId,
    },
    /// `Binary Mul`: inline Int*Int, otherwise `rt_mul`.
    Mul {
        dst: Register,
        lhs: Register,
        rhs: Register,
        site: SiteId,
    },
    /// `Binary Div`: inline Int/Int (non-zero divisor, result in i48), otherwise `rt_div`.
    Div {
        dst: Register,
        lhs: Register,
        rhs: Register,
        site: SiteId,
    },
    /// `Binary Rem`: inline Int%Int (non-zero divisor), otherwise `rt_rem`.
    Rem {
        dst: Register,
        lhs: Register,
        rhs: Register,
        site: SiteId,
    },
    /// `Binary Eq..Ge`: inline for two Ints, otherwise `shim` (rt_eq..rt_ge).
    Compare {
        comparison: IntComparison,
        shim: ShimFn2,
        dst: Register,
        lhs: Register,
        rhs: Register,
        site: SiteId,
    },
    /// `rt_retain` (skipped for non-heap words).
    Retain {
        dst: Register,
        src: Register,
        site: SiteId,
    },
    /// `rt_release` (skipped for non-heap words); infallible.
    Release {
        var: Register,
    },
    /// `rt_list_from` / `rt_tuple_from` / `rt_map_from`: the words of registers
    /// `operands[start..start + words]` are spilled to a buffer, `count` is passed.
    Aggregate {
        shim: ShimFn2,
        dst: Register,
        start: u32,
        words: u32,
        count: u32,
        site: SiteId,
    },
    /// A language call: args are `operands[start..start + len]`, moved into the callee's
    /// parameter registers of a fresh register window.
    Call {
        callee: u32,
        dst: Register,
        start: u32,
        len: u32,
        site: SiteId,
    },
    Jump {
        target: ProgramCounter,
    },
    /// `rt_expect_bool(condition, context)` (inline when already a Bool), then branch on
    /// `== TRUE_WORD`.
    Branch {
        condition: Register,
        context: u32,
        then_pc: ProgramCounter,
        else_pc: ProgramCounter,
        site: SiteId,
    },
    /// `TailCall`: the words of `operands[start..start + len]` become the params of `callee`,
    /// which replaces the current frame (after `rt_leave`) in the same register window.
    TailCall {
        callee: u32,
        start: u32,
        len: u32,
        site: SiteId,
    },
    /// `TailCallValue`: `operands[start]` is the callee, the next `len` operands the args;
    /// `rt_call_target` names the function (failing at `site`), then as `TailCall`.
    TailCallValue {
        start: u32,
        len: u32,
        site: SiteId,
    },
    /// Returns the owned word in `value`, then `rt_leave` (inline: `inline_control.rs`).
    Return {
        value: Register,
    },
    // The superinstructions below appear only in a function's `fast_code`
    // (`superinstructions.rs`); each does exactly what the plain instructions it replaces
    // do, in their order, with the same shims on the same words when a fast path does not
    // apply.
    /// `Const constant_register = Int(constant)` then `Add dst = lhs + constant_register`.
    AddConstant {
        dst: Register,
        lhs: Register,
        constant_register: Register,
        constant: i32,
        site: SiteId,
    },
    /// As [`Instr::AddConstant`] for `Sub`.
    SubConstant {
        dst: Register,
        lhs: Register,
        constant_register: Register,
        constant: i32,
        site: SiteId,
    },
    /// As [`Instr::AddConstant`] for `Mul`.
    MulConstant {
        dst: Register,
        lhs: Register,
        constant_register: Register,
        constant: i32,
        site: SiteId,
    },
    /// As [`Instr::AddConstant`] for `Div`.
    DivConstant {
        dst: Register,
        lhs: Register,
        constant_register: Register,
        constant: i32,
        site: SiteId,
    },
    /// As [`Instr::AddConstant`] for `Rem`.
    RemConstant {
        dst: Register,
        lhs: Register,
        constant_register: Register,
        constant: i32,
        site: SiteId,
    },
    /// `Compare dst = lhs <comparison> rhs` then `Branch` on `dst`, which the value-kind
    /// analysis proves a Bool (so the Branch's `rt_expect_bool` could never fail).
    CompareBranch {
        comparison: IntComparison,
        dst: Register,
        lhs: Register,
        rhs: Register,
        then_pc: ProgramCounter,
        else_pc: ProgramCounter,
        site: SiteId,
    },
    /// `Const constant_register = Int(constant)` then [`Instr::CompareBranch`] with it as
    /// the right operand.
    CompareConstantBranch {
        comparison: IntComparison,
        dst: Register,
        lhs: Register,
        constant_register: Register,
        constant: i32,
        then_pc: ProgramCounter,
        else_pc: ProgramCounter,
        site: SiteId,
    },
    /// A loop's back-edge: `Fuel` (failing at `site`), then the register moves
    /// `operands[start + 2k] <- operands[start + 2k + 1]` for `k < moves` in order (the
    /// jump's block arguments, already sequenced), then a jump to `target`; when `target` is
    /// a [`Instr::CompareBranch`] (a loop header's test), the executor runs it right away.
    FuelMovesJump {
        start: u32,
        moves: u32,
        target: ProgramCounter,
        site: SiteId,
    },
    /// A function's start: `Enter` (failing at `site`), then the register moves of the jump
    /// into its first block, as in [`Instr::FuelMovesJump`] (the block follows).
    EnterMoves {
        start: u32,
        moves: u32,
        site: SiteId,
    },
    /// `Release first` then `Release second`.
    Release2 {
        first: Register,
        second: Register,
    },
}

/// Where a fallible instruction came from and what to release if it fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailSite {
    /// The IR op index (function-wide numbering of `ir::Function::op_at`).
    pub op: u32,
    /// The IR block of the op: its cleanup table is `CompiledFunction::cleanup_tables[block]`.
    pub block: u32,
    /// The op's position in its block (what the table's ranges count).
    pub position: u32,
}

/// One entry of a block's cleanup table (`ir::Block::cleanup`): `register` is released when
/// an op at a position in `from..to` fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CleanupEntry {
    pub register: Register,
    pub from: u32,
    pub to: u32,
}

#[derive(Clone, Debug)]
pub struct CompiledFunction {
    pub name: String,
    /// One instruction (or a few moves) per IR op: what an observed run executes, so that
    /// every op is reported as it starts.
    pub code: Box<[Instr]>,
    /// `code` after the superinstruction pass (`superinstructions.rs`) with the value kinds
    /// inferred assuming the host enters only at the module's entry: what an unobserved
    /// `run_main`, and a host call whose arguments fit `specialized_param_kinds`, execute.
    pub fast_code: Box<[Instr]>,
    /// `code` after the superinstruction pass with the kinds inferred assuming the host may
    /// call any function with anything: what every other unobserved host call executes.
    pub generic_fast_code: Box<[Instr]>,
    /// The kinds `fast_code` was specialized for each parameter to receive.
    pub specialized_param_kinds: Box<[KindSet]>,
    pub sites: Box<[FailSite]>,
    /// Per IR block, its cleanup table: what a failing site of the block releases is the
    /// entries covering its position, in table order (one table per block, so a register
    /// held across N fallible ops is one entry, not N).
    pub cleanup_tables: Box<[Box<[CleanupEntry]>]>,
    /// Operand lists of `Call` and `Aggregate` instructions (and the move pairs of
    /// `FuelMovesJump`).
    pub operands: Box<[Register]>,
    /// The registers the parameters live in, in parameter order.
    pub param_registers: Box<[Register]>,
    /// Registers in one window: `var_count` plus scratch registers for parallel moves.
    pub frame_size: u32,
}

/// A module translated for the interpreter. Text literal bytes live here, so the pointers
/// passed to `rt_text_constant` stay valid as long as the program does.
#[derive(Clone, Debug)]
pub struct InterpProgram {
    pub(crate) functions: Box<[CompiledFunction]>,
    pub(crate) entry: u32,
    pub(crate) literals: Box<[Box<[u8]>]>,
    /// Per function, the IR op index of each instruction of its `code` (same length).
    pub(crate) op_indices: Box<[Box<[u32]>]>,
    /// The function table a run installs in the context (entry = function index + 1).
    pub(crate) function_table: FunctionTable,
}

impl InterpProgram {
    /// The translated functions, indexed by IR `FuncId`.
    pub fn functions(&self) -> &[CompiledFunction] {
        &self.functions
    }
    /// The entry function's index.
    pub fn entry(&self) -> u32 {
        self.entry
    }
    /// The IR op index (function-wide numbering of `ir::Function::op_at`) of each
    /// instruction of function `function`'s code; moves generated for a `Jump`'s arguments
    /// carry the `Jump` terminator's index. `None` for a function that does not exist.
    pub fn op_indices(&self, function: u32) -> Option<&[u32]> {
        self.op_indices.get(function as usize).map(|ops| &ops[..])
    }
}

impl CompiledFunction {
    /// The registers to `rt_release`, in this order, when `site` fails.
    pub fn cleanup_registers<'f>(&'f self, site: &FailSite) -> impl Iterator<Item = Register> + 'f {
        let position = site.position;
        let table = self.cleanup_tables.get(site.block as usize);
        (table.into_iter().flat_map(|table| table.iter()))
            .filter(move |entry| entry.from <= position && position < entry.to)
            .map(|entry| entry.register)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The executor's dispatch loop copies one `Instr` per step: keep it at 32 bytes.
    #[test]
    fn instructions_stay_compact() {
        assert!(
            std::mem::size_of::<Instr>() <= 32,
            "Instr grew to {} bytes",
            std::mem::size_of::<Instr>()
        );
    }
}
