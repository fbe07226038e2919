//! A small builder for one IR function's CFG: fresh variables, blocks with params, emitting
//! ops (with empty cleanup lists; the RC pass fills them) and terminators.

use crate::ir::{Block, Op, OpKind, Param, ParamMode, Span, Terminator, TerminatorKind, Var};

struct PendingBlock {
    params: Vec<Param>,
    ops: Vec<Op>,
    terminator: Option<Terminator>,
}

pub struct CfgBuilder {
    blocks: Vec<PendingBlock>,
    current: usize,
    var_count: u32,
}

impl Default for CfgBuilder {
    fn default() -> CfgBuilder {
        CfgBuilder::new()
    }
}

impl CfgBuilder {
    /// A builder with an empty block 0 as the current block.
    pub fn new() -> CfgBuilder {
        CfgBuilder {
            blocks: vec![PendingBlock {
                params: Vec::new(),
                ops: Vec::new(),
                terminator: None,
            }],
            current: 0,
            var_count: 0,
        }
    }

    pub fn fresh_var(&mut self) -> Var {
        let var = Var(self.var_count);
        self.var_count += 1;
        var
    }

    /// A new block with `count` fresh params of `mode`; returns its index and params.
    pub fn new_block(&mut self, count: usize, mode: ParamMode) -> (usize, Vec<Var>) {
        let vars: Vec<Var> = (0..count).map(|_| self.fresh_var()).collect();
        self.blocks.push(PendingBlock {
            params: vars.iter().map(|&var| Param { var, mode }).collect(),
            ops: Vec::new(),
            terminator: None,
        });
        (self.blocks.len() - 1, vars)
    }

    /// Adds fresh params of `mode` to the (still empty) block 0.
    pub fn add_entry_params(&mut self, count: usize, mode: ParamMode) -> Vec<Var> {
        let vars: Vec<Var> = (0..count).map(|_| self.fresh_var()).collect();
        self.blocks[0]
            .params
            .extend(vars.iter().map(|&var| Param { var, mode }));
        vars
    }

    /// The number of params of block 0.
    pub fn entry_param_count(&self) -> usize {
        self.blocks[0].params.len()
    }

    pub fn switch_to(&mut self, block: usize) {
        self.current = block;
    }

    pub fn emit(&mut self, kind: OpKind, span: Span) {
        let block = &mut self.blocks[self.current];
        debug_assert!(block.terminator.is_none(), "emit into a terminated block");
        block.ops.push(Op { kind, span });
    }

    /// Emits an op defining a fresh variable built by `make`, and returns that variable.
    pub fn emit_value(&mut self, span: Span, make: impl FnOnce(Var) -> OpKind) -> Var {
        let dst = self.fresh_var();
        self.emit(make(dst), span);
        dst
    }

    pub fn terminate(&mut self, kind: TerminatorKind, span: Span) {
        let block = &mut self.blocks[self.current];
        debug_assert!(block.terminator.is_none(), "block terminated twice");
        block.terminator = Some(Terminator { kind, span });
    }

    /// The finished blocks and the variable count. Every block must be terminated.
    pub fn finish(self) -> (Vec<Block>, u32) {
        let blocks = self
            .blocks
            .into_iter()
            .map(|pending| {
                let mut block = Block {
                    params: pending.params,
                    ops: pending.ops,
                    terminator: pending.terminator.expect("lowering terminates every block"),
                    cleanup: Vec::new(),
                };
                block.shrink_to_fit();
                block
            })
            .collect::<Vec<_>>()
            .into_boxed_slice()
            .into_vec();
        (blocks, self.var_count)
    }
}
