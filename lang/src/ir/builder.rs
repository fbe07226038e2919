//! A builder for hand-written (host-built) IR: functions, blocks with params, ops with
//! cleanup lists and terminators, all with default spans. Each op's cleanup list is given
//! with the op; [`FunctionBuilder::finish`] turns a block's lists into its cleanup table
//! (`ir::Block::cleanup`): per var, one range from the first position listing it to the
//! last, ascending by var (so a list out of order, or a var missing from a list between two
//! that name it, comes out as the table says, which the verifier then judges). It does no checking at all, so a
//! host can build any IR, well-formed or not; run [`crate::verify`] on the result, and the
//! engines refuse malformed IR on their own. The engines' tests build their IR with it.

use std::collections::BTreeMap;

use crate::ir::{
    BinaryOp, Block, BlockId, Builtin, CleanupRange, ConditionContext, Constant, FuncId, Function,
    Module, Op, OpKind, Param, ParamMode, Span, Terminator, TerminatorKind, UnaryOp, Var,
};

/// A block being built: params, ops, terminator, and each position's cleanup list.
type PendingBlock = (
    Vec<Param>,
    Vec<Op>,
    Option<Terminator>,
    Vec<(u32, Vec<Var>)>,
);

pub struct FunctionBuilder {
    name: String,
    params: Vec<Param>,
    blocks: Vec<PendingBlock>,
    var_count: u32,
    current: usize,
}

impl FunctionBuilder {
    /// A function whose block 0 has the given params; the builder is positioned in block 0.
    pub fn new(name: &str, modes: &[ParamMode]) -> (FunctionBuilder, Vec<Var>) {
        let mut builder = FunctionBuilder {
            name: name.to_string(),
            params: Vec::new(),
            blocks: Vec::new(),
            var_count: 0,
            current: 0,
        };
        let (_, vars) = builder.block(modes);
        builder.params = builder.blocks[0].0.clone();
        (builder, vars)
    }

    pub fn var(&mut self) -> Var {
        self.var_count += 1;
        Var(self.var_count - 1)
    }

    /// A new block with params of the given modes (not switched to).
    pub fn block(&mut self, modes: &[ParamMode]) -> (BlockId, Vec<Var>) {
        let params: Vec<Param> = modes
            .iter()
            .map(|&mode| Param {
                var: self.var(),
                mode,
            })
            .collect();
        let vars = params.iter().map(|p| p.var).collect();
        self.blocks.push((params, Vec::new(), None, Vec::new()));
        (BlockId(self.blocks.len() as u32 - 1), vars)
    }

    pub fn switch_to(&mut self, block: BlockId) {
        self.current = block.0 as usize;
    }

    pub fn op(&mut self, kind: OpKind, cleanup: &[Var]) {
        let block = &mut self.blocks[self.current];
        if !cleanup.is_empty() {
            block.3.push((block.1.len() as u32, cleanup.to_vec()));
        }
        block.1.push(Op::new(kind, Span::default()));
    }

    pub fn enter(&mut self, cleanup: &[Var]) {
        self.op(OpKind::Enter, cleanup);
    }

    pub fn constant(&mut self, value: Constant) -> Var {
        let dst = self.var();
        self.op(OpKind::Const { dst, value }, &[]);
        dst
    }

    pub fn int(&mut self, n: i64) -> Var {
        self.constant(Constant::Int(n))
    }

    pub fn text(&mut self, text: &str, cleanup: &[Var]) -> Var {
        let dst = self.var();
        let text = text.to_string();
        self.op(OpKind::Text { dst, text }, cleanup);
        dst
    }

    pub fn binary(&mut self, op: BinaryOp, lhs: Var, rhs: Var, cleanup: &[Var]) -> Var {
        let dst = self.var();
        self.op(OpKind::Binary { dst, op, lhs, rhs }, cleanup);
        dst
    }

    pub fn call(&mut self, function: u32, args: &[Var], cleanup: &[Var]) -> Var {
        let dst = self.var();
        let kind = OpKind::Call {
            dst,
            function: FuncId(function),
            args: args.to_vec(),
        };
        self.op(kind, cleanup);
        dst
    }

    pub fn builtin(&mut self, builtin: Builtin, args: &[Var], cleanup: &[Var]) -> Var {
        let dst = self.var();
        let kind = OpKind::Builtin {
            dst,
            builtin,
            args: args.to_vec(),
        };
        self.op(kind, cleanup);
        dst
    }

    pub fn make_list(&mut self, elements: &[Var], cleanup: &[Var]) -> Var {
        let dst = self.var();
        let elements = elements.to_vec();
        self.op(OpKind::MakeList { dst, elements }, cleanup);
        dst
    }

    pub fn make_tuple(&mut self, elements: &[Var], cleanup: &[Var]) -> Var {
        let dst = self.var();
        let elements = elements.to_vec();
        self.op(OpKind::MakeTuple { dst, elements }, cleanup);
        dst
    }

    pub fn make_map(&mut self, entries: &[(Var, Var)], cleanup: &[Var]) -> Var {
        let dst = self.var();
        let entries = entries.to_vec();
        self.op(OpKind::MakeMap { dst, entries }, cleanup);
        dst
    }

    pub fn index(&mut self, base: Var, index: Var, cleanup: &[Var]) -> Var {
        let dst = self.var();
        self.op(OpKind::Index { dst, base, index }, cleanup);
        dst
    }

    pub fn unary(&mut self, op: UnaryOp, operand: Var, cleanup: &[Var]) -> Var {
        let dst = self.var();
        self.op(OpKind::Unary { dst, op, operand }, cleanup);
        dst
    }

    pub fn retain(&mut self, src: Var, cleanup: &[Var]) -> Var {
        let dst = self.var();
        self.op(OpKind::Retain { dst, src }, cleanup);
        dst
    }

    pub fn fuel(&mut self, cleanup: &[Var]) {
        self.op(OpKind::Fuel, cleanup);
    }

    pub fn release(&mut self, var: Var) {
        self.op(OpKind::Release { var }, &[]);
    }

    fn terminate(&mut self, kind: TerminatorKind, cleanup: &[Var]) {
        let block = &mut self.blocks[self.current];
        if !cleanup.is_empty() {
            block.3.push((block.1.len() as u32, cleanup.to_vec()));
        }
        block.2 = Some(Terminator {
            kind,
            span: Span::default(),
        });
    }

    pub fn ret(&mut self, value: Var) {
        self.terminate(TerminatorKind::Return { value }, &[]);
    }

    /// `MakeClosure` of function `function` capturing `captures` (owned).
    pub fn make_closure(&mut self, function: u32, captures: &[Var], cleanup: &[Var]) -> Var {
        let dst = self.var();
        let captures = captures.to_vec();
        let function = FuncId(function);
        self.op(
            OpKind::MakeClosure {
                dst,
                function,
                captures,
            },
            cleanup,
        );
        dst
    }

    /// `CallValue` of `callee` with `args` (all owned).
    pub fn call_value(&mut self, callee: Var, args: &[Var], cleanup: &[Var]) -> Var {
        let dst = self.var();
        let args = args.to_vec();
        self.op(OpKind::CallValue { dst, callee, args }, cleanup);
        dst
    }

    /// A `TailCall` terminator.
    pub fn tail_call(&mut self, function: u32, args: &[Var]) {
        let args = args.to_vec();
        let function = FuncId(function);
        self.terminate(TerminatorKind::TailCall { function, args }, &[]);
    }

    /// A `TailCallValue` terminator.
    pub fn tail_call_value(&mut self, callee: Var, args: &[Var]) {
        let args = args.to_vec();
        self.terminate(TerminatorKind::TailCallValue { callee, args }, &[]);
    }

    pub fn jump(&mut self, target: BlockId, args: &[Var]) {
        let args = args.to_vec();
        self.terminate(TerminatorKind::Jump { target, args }, &[]);
    }

    pub fn branch(&mut self, condition: Var, then_block: BlockId, else_block: BlockId) {
        self.branch_with_cleanup(condition, then_block, else_block, &[]);
    }

    pub fn branch_with_cleanup(
        &mut self,
        condition: Var,
        then_block: BlockId,
        else_block: BlockId,
        cleanup: &[Var],
    ) {
        let kind = TerminatorKind::Branch {
            condition,
            context: ConditionContext::If,
            then_block,
            else_block,
        };
        self.terminate(kind, cleanup);
    }

    /// The function built so far.
    ///
    /// # Panics
    /// If a block was left without a terminator (a misuse of the builder, not bad IR).
    pub fn finish(self) -> Function {
        Function {
            name: self.name,
            takes_closure: false,
            params: self.params,
            blocks: self
                .blocks
                .into_iter()
                .map(|(params, ops, terminator, lists)| Block {
                    params,
                    ops,
                    terminator: terminator
                        .expect("every block built with FunctionBuilder needs a terminator"),
                    cleanup: cleanup_table(&lists),
                })
                .collect(),
            var_count: self.var_count,
            span: Span::default(),
        }
    }
}

/// A module whose entry is function `entry`.
pub fn module(functions: Vec<Function>, entry: u32) -> Module {
    Module {
        functions,
        entry: FuncId(entry),
        host_functions: Vec::new(),
    }
}

/// Per var, the range from the first position whose list names it to one past the last,
/// ascending by var.
fn cleanup_table(lists: &[(u32, Vec<Var>)]) -> Vec<CleanupRange> {
    let mut ranges: BTreeMap<Var, (u32, u32)> = BTreeMap::new();
    for (position, list) in lists {
        for &var in list {
            let range = ranges.entry(var).or_insert((*position, *position));
            range.1 = *position;
        }
    }
    (ranges.into_iter())
        .map(|(var, (from, last))| CleanupRange {
            var,
            from,
            to: last + 1,
        })
        .collect()
}
