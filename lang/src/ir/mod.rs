//! The shared post-RC IR: one CFG of basic blocks per function, SSA variables, and every
//! retain/release made explicit. Both engines consume exactly this and lower each op
//! one-to-one to a runtime shim (see docs/ARCHITECTURE.md). It is serde-serialisable so a
//! host can build IR itself (the verifier checks whatever it is given).
//!
//! Conventions every producer and consumer relies on:
//! - Variables are function-local SSA names `Var(n)`, `n < Function::var_count`.
//! - Block 0 is the entry; its params are the function's params. Block 0 starts with
//!   [`OpKind::Enter`].
//! - Every value-producing op yields an *owned* value. A [`Param`] is owned or borrowed.
//! - An op's operand in an *owned position* is consumed by the op, whether it succeeds or
//!   fails. Owned positions: `Call` args whose callee param is owned, builtin args whose
//!   mode is owned (see [`Builtin::param_modes`]), `Make*` elements, `Jump` args, `Return`.
//!   Everything else is borrowed. (A `Jump` arg is owned when the target block's param is
//!   Owned; a loop header's Borrowed params take borrowed args: see `lang/src/operands.rs`.)
//! - A *fallible* op (see [`OpKind::is_fallible`]) that fails: the engine records the frame
//!   (`rt_unwind_frame(function, op_index)`), releases the op's *cleanup* in order, calls
//!   `rt_leave`, and returns failure to its caller. The cleanup is decided by the RC pass and
//!   written once per block, not per op: [`Block::cleanup`] lists, ascending by var, each
//!   owned var some fallible op of the block releases on failure with the range of op
//!   *positions* it is held across (position `p` is the block's `p`-th op, `ops.len()` its
//!   terminator). The cleanup of the op at position `p` is every entry with
//!   `from <= p < to`, in the table's (ascending) order. So a var held across N fallible ops
//!   costs one entry, not N, and both engines build one failure path per block from the
//!   table (the interpreter walks it; the JIT emits one landing pad per entry, each falling
//!   through to the next). Only the verifier, not the table, says which positions matter: it
//!   compares the table with the held sets at fallible positions only.
//! - Op indices number ops then the terminator, block by block in order ([`Function::op_at`]).

pub mod builder;
pub mod builtin;
pub mod load_check;
#[cfg(test)]
mod load_check_tests;

pub use builtin::Builtin;

use serde::{Deserialize, Serialize};

/// A byte range in the source text (`start..end`). Host-built IR may use `Span::default()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: u32, end: u32) -> Span {
        Span { start, end }
    }
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Var(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FuncId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BlockId(pub u32);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Module {
    pub functions: Vec<Function>,
    /// The entry point (`main`).
    pub entry: FuncId,
    /// The host functions the module calls (`CallHost` names them by index); the embedder
    /// installs bodies for exactly these, in this order, before running it.
    #[serde(default)]
    pub host_functions: Vec<HostSignature>,
}

/// A host function as the compiler sees it: its name and argument count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostSignature {
    pub name: String,
    pub arity: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ParamMode {
    Owned,
    Borrowed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    pub var: Var,
    pub mode: ParamMode,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Function {
    pub name: String,
    /// Param 0 is the closure itself: a lifted lambda or generator piece, a builtin wrapper,
    /// or a named function used as a value (whose direct calls pass `()` there).
    #[serde(default)]
    pub takes_closure: bool,
    pub params: Vec<Param>,
    pub blocks: Vec<Block>,
    pub var_count: u32,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Block {
    /// Block parameters (SSA phis). Block 0's are the function's params. A loop header's
    /// params carry the modes of the function params they stand for; join blocks' are owned.
    pub params: Vec<Param>,
    pub ops: Vec<Op>,
    pub terminator: Terminator,
    /// The cleanup table of the block's fallible ops (see the module docs): strictly
    /// ascending by var, one entry per var. Empty before the RC pass.
    #[serde(default)]
    pub cleanup: Vec<CleanupRange>,
}

/// One entry of a block's cleanup table: `var` is released, if a fallible op at a position
/// `p` with `from <= p < to` fails (positions count the block's ops from 0; the terminator
/// is at `ops.len()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CleanupRange {
    pub var: Var,
    pub from: u32,
    pub to: u32,
}

impl CleanupRange {
    pub fn covers(self, position: u32) -> bool {
        self.from <= position && position < self.to
    }
}

impl Block {
    /// The cleanup of the op (or terminator, `position == ops.len()`) at `position`, in
    /// release order. Linear in the table; engines walk the table instead.
    pub fn cleanup_at(&self, position: usize) -> Vec<Var> {
        let position = u32::try_from(position).unwrap_or(u32::MAX);
        (self.cleanup.iter())
            .filter(|range| range.covers(position))
            .map(|range| range.var)
            .collect()
    }
}

/// One op. Its cleanup (what a failure releases) is in its block's [`Block::cleanup`].
/// Unknown fields are refused, so host JSON written for the former per-op `cleanup` lists
/// is a load diagnostic rather than silently dropped cleanup.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Op {
    pub kind: OpKind,
    pub span: Span,
}

impl Op {
    pub fn new(kind: OpKind, span: Span) -> Op {
        Op { kind, span }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Constant {
    Int(i64),
    Float(f64),
    Bool(bool),
    Unit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    /// `++` and `concat(a, b)`.
    Concat,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Block items that only a generator block may hold. In a plain block they are rejected
/// (E0201 at compile time; RT0201 by the verifier and by both engines at load).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GeneratorItem {
    Filter,
    Yield,
    Recurse,
}

impl GeneratorItem {
    pub fn name(self) -> &'static str {
        match self {
            GeneratorItem::Filter => "Filter",
            GeneratorItem::Yield => "Yield",
            GeneratorItem::Recurse => "Recurse",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum OpKind {
    /// Function entry: `rt_enter` (depth, fuel, cancellation). First op of block 0.
    Enter,
    /// Loop back-edge charge: `rt_fuel`. Immediately precedes a self-tail-call `Jump`.
    Fuel,
    /// An immediate; infallible.
    Const {
        dst: Var,
        value: Constant,
    },
    /// A Text literal: `rt_text_literal`.
    Text {
        dst: Var,
        text: String,
    },
    Unary {
        dst: Var,
        op: UnaryOp,
        operand: Var,
    },
    Binary {
        dst: Var,
        op: BinaryOp,
        lhs: Var,
        rhs: Var,
    },
    Call {
        dst: Var,
        function: FuncId,
        args: Vec<Var>,
    },
    Builtin {
        dst: Var,
        builtin: Builtin,
        args: Vec<Var>,
    },
    MakeList {
        dst: Var,
        elements: Vec<Var>,
    },
    MakeTuple {
        dst: Var,
        elements: Vec<Var>,
    },
    /// Key/value pairs in source order.
    MakeMap {
        dst: Var,
        entries: Vec<(Var, Var)>,
    },
    /// A closure of `function` (whose param 0 receives the closure itself and whose params
    /// are all owned) capturing `captures` (owned, consumed): `rt_closure_from` of the words
    /// `[Int(function), captures...]`.
    MakeClosure {
        dst: Var,
        function: FuncId,
        captures: Vec<Var>,
    },
    /// Calls the closure `callee` with `args`; `callee` and `args` are owned (consumed).
    /// `rt_call_target` checks the callee (RT0304 not callable, RT0305 arity) and names the
    /// function; the engine then calls it with `(callee, args...)`.
    CallValue {
        dst: Var,
        callee: Var,
        args: Vec<Var>,
    },
    /// Calls host function `host` (an index into `Module::host_functions`) with `args`
    /// (borrowed): `rt_call_host`. Its failures are RT0701/RT0702.
    CallHost {
        dst: Var,
        host: u32,
        args: Vec<Var>,
    },
    /// `base[index]`; both borrowed, result owned (the runtime retains the element).
    Index {
        dst: Var,
        base: Var,
        index: Var,
    },
    /// `rt_retain`: `dst` is an owned reference to the same value as `src`.
    Retain {
        dst: Var,
        src: Var,
    },
    /// `rt_release`; infallible.
    Release {
        var: Var,
    },
    /// A generator-only item in a plain block: always rejected (RT0201).
    GeneratorItem {
        item: GeneratorItem,
    },
}

impl OpKind {
    pub fn is_fallible(&self) -> bool {
        !matches!(
            self,
            OpKind::Const { .. } | OpKind::Release { .. } | OpKind::GeneratorItem { .. }
        )
    }

    /// The variable this op defines, if any.
    pub fn dst(&self) -> Option<Var> {
        match self {
            OpKind::Const { dst, .. }
            | OpKind::Text { dst, .. }
            | OpKind::Unary { dst, .. }
            | OpKind::Binary { dst, .. }
            | OpKind::Call { dst, .. }
            | OpKind::Builtin { dst, .. }
            | OpKind::MakeList { dst, .. }
            | OpKind::MakeTuple { dst, .. }
            | OpKind::MakeMap { dst, .. }
            | OpKind::MakeClosure { dst, .. }
            | OpKind::CallValue { dst, .. }
            | OpKind::CallHost { dst, .. }
            | OpKind::Index { dst, .. }
            | OpKind::Retain { dst, .. } => Some(*dst),
            OpKind::Enter
            | OpKind::Fuel
            | OpKind::Release { .. }
            | OpKind::GeneratorItem { .. } => None,
        }
    }
}

/// How a `Branch` condition is checked (`rt_expect_bool`'s `context` argument).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConditionContext {
    If = 0,
    And = 1,
    Or = 2,
    /// A generator's `when c`.
    When = 3,
    /// A fused `filter` stage's predicate result (`lang/src/fuse_pipelines.rs`).
    Filter = 4,
}

/// A block's terminator. Only a `Branch` (and a `TailCallValue`'s callee check) can fail;
/// its cleanup is the block table's entries covering position `ops.len()`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Terminator {
    pub kind: TerminatorKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TerminatorKind {
    /// Returns an owned value (consumed). The engine then calls `rt_leave`.
    Return { value: Var },
    /// Passes owned args to the target's params.
    Jump { target: BlockId, args: Vec<Var> },
    /// A call in tail position to another function (a self tail call is a `Jump` to the loop
    /// header): the frame is left (`rt_leave`) and replaced by the callee's, whose result is
    /// this function's result. Args follow the callee's param modes; a borrowed one must be a
    /// borrowed param of this function (its owner outlives the call). Nothing else may be
    /// held. Constant stack for mutual recursion.
    TailCall { function: FuncId, args: Vec<Var> },
    /// `CallValue` in tail position (callee and args owned): `rt_call_target` checks the
    /// callee (on failure this frame unwinds at the terminator), then as `TailCall`.
    TailCallValue { callee: Var, args: Vec<Var> },
    /// `condition` is borrowed and must be a Bool (`rt_expect_bool`, RT0303 otherwise).
    /// Both targets have this block as their only predecessor.
    Branch {
        condition: Var,
        context: ConditionContext,
        then_block: BlockId,
        else_block: BlockId,
    },
}

/// What an op index refers to.
#[derive(Clone, Copy, Debug)]
pub enum OpAt<'a> {
    Op(&'a Op),
    Terminator(&'a Terminator),
}

impl<'a> OpAt<'a> {
    pub fn span(self) -> Span {
        match self {
            OpAt::Op(op) => op.span,
            OpAt::Terminator(terminator) => terminator.span,
        }
    }
}

impl Block {
    /// Gives back the spare capacity of the block's vectors (a one-op block would otherwise
    /// hold room for four: most of a small function's memory).
    pub fn shrink_to_fit(&mut self) {
        self.params.shrink_to_fit();
        self.ops.shrink_to_fit();
        self.cleanup.shrink_to_fit();
    }
}

impl Function {
    /// [`Block::shrink_to_fit`] for every block, and the function's own vectors.
    pub fn shrink_to_fit(&mut self) {
        self.params.shrink_to_fit();
        self.blocks.shrink_to_fit();
        self.blocks.iter_mut().for_each(Block::shrink_to_fit);
    }

    /// The op (or terminator) with index `index` in the function-wide numbering.
    pub fn op_at(&self, index: u32) -> Option<OpAt<'_>> {
        let mut remaining = index as usize;
        for block in &self.blocks {
            if remaining < block.ops.len() {
                return Some(OpAt::Op(&block.ops[remaining]));
            }
            remaining -= block.ops.len();
            if remaining == 0 {
                return Some(OpAt::Terminator(&block.terminator));
            }
            remaining -= 1;
        }
        None
    }

    /// The index of the first op of each block in the function-wide numbering.
    pub fn block_op_bases(&self) -> Vec<u32> {
        let mut bases = Vec::with_capacity(self.blocks.len());
        let mut next = 0u32;
        for block in &self.blocks {
            bases.push(next);
            next += block.ops.len() as u32 + 1;
        }
        bases
    }
}
