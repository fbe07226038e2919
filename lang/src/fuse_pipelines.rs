//! Sequence pipeline fusion: a pass on the lowered IR (before borrow inference and the RC
//! pass, so both engines run the result) that turns a pipeline whose stages are known at
//! compile time into a loop with no cursor (docs/ARCHITECTURE.md, "Pipeline fusion").
//!
//! Fused shapes: a `sum`, `count` or `fold` sink over a chain of `map`, `filter` and `take`
//! stages over `range(a, b)`, where every callback (and `fold`'s function) is a closure made
//! right there (a literal lambda, a named function or builtin used as a value) whose arity
//! fits, and where every intermediate Seq and closure is used only by the next stage. The
//! IR ops are the real builtins (a local named `map` is a value call, never fused).
//!
//! What the loop keeps identical to the cursors it replaces (docs/LANGUAGE.md, *Sequences*
//! and *Runtime diagnostics*):
//! - construction: `range`'s and `take`'s argument checks stay where the builtins were
//!   (`fused_range_check`, `fused_take_check`, with the builtins' spans); nothing is pulled;
//! - the order of effects: each item is pulled from the source upwards, a `take` tests its
//!   count before pulling its source and never pulls one more item, a `filter` pulls again
//!   after a rejected item, exactly as the nested pulls do;
//! - call depth: a pull `k` cursors deep checks `depth + k` (RT0501) on the first pull only
//!   (the depth is the same on every later one), so the loop checks it once up front, as
//!   deep as the first pull reaches (not below a `take` whose count is 0); a stage `k`
//!   levels deep calls its callback `k` levels deeper than the sink (`fused_depth_add`
//!   before the call), so the callee's entry sees the depth the runtime's call would; the
//!   extra depth is changed only between callbacks and undone before every join, so a
//!   pipeline of `n` callbacks adds at most `n + 1` per item;
//! - fuel: the callbacks' entries charge as before; `sum` and `count` charge one unit after
//!   every 1,024th item (a `fuel` op), `fold` nothing more;
//! - diagnostics: every op of the loop carries the sink's span, so a failure inside a
//!   callback shows the callback's frame, then the sink's call, as a runtime call does;
//!   `sum`'s step is `fused_sum_add` (RT0301/RT0303 as `sum`), a non-Bool predicate result
//!   is a `branch filter` (RT0303 `filter expects Bool`).
//!
//! What changes: no cursor is allocated, so a trace has fewer blocks (docs/MEMORY.md,
//! "Fused pipelines").

use std::collections::HashMap;

use crate::ir::{
    BinaryOp, Block, BlockId, Builtin, ConditionContext, Constant, FuncId, Function, Module, Op,
    OpKind, Param, ParamMode, Span, Terminator, TerminatorKind, Var,
};
use crate::operands::{op_operands, terminator_operands};

/// Items a runtime loop takes per fuel unit: `cairn_runtime`'s `RUNTIME_LOOP_ITEMS_PER_FUEL`
/// (`engine_support/tests/builtin_table.rs` checks they agree).
pub const ITEMS_PER_FUEL: i64 = 1024;

/// Fuses every pipeline of the module it can (see the module docs).
pub fn fuse_pipelines(module: &mut Module) {
    // (params, takes_closure) of each function: what a closure of it may be called with.
    let shapes: Vec<(usize, bool)> = (module.functions.iter())
        .map(|function| (function.params.len(), function.takes_closure))
        .collect();
    for index in 0..module.functions.len() {
        let uses = use_counts(&module.functions[index], &module.functions);
        let function = &mut module.functions[index];
        let mut block = 0;
        while block < function.blocks.len() {
            if let Some(plan) = find_pipeline(function, block, &uses, &shapes) {
                fuse(function, block, plan);
            }
            block += 1;
        }
    }
}

/// How often each var is used (as any operand) in `function`.
fn use_counts(function: &Function, functions: &[Function]) -> HashMap<Var, usize> {
    let mut uses = HashMap::new();
    for block in &function.blocks {
        for op in &block.ops {
            for (var, _) in op_operands(&op.kind, functions) {
                *uses.entry(var).or_insert(0) += 1;
            }
            if let OpKind::Release { var } = op.kind {
                *uses.entry(var).or_insert(0) += 1;
            }
        }
        for (var, _) in terminator_operands(&block.terminator.kind, &function.blocks) {
            *uses.entry(var).or_insert(0) += 1;
        }
    }
    uses
}

#[derive(Clone, Copy, Debug)]
enum Stage {
    Map {
        closure: Var,
        function: FuncId,
    },
    Filter {
        closure: Var,
        function: FuncId,
    },
    /// `count` is the Int (checked) the stage starts with; `slot` its place in the state.
    Take {
        count: Var,
        slot: usize,
    },
}

#[derive(Clone, Copy, Debug)]
enum Sink {
    Sum,
    Count,
    Fold {
        init: Var,
        closure: Var,
        function: FuncId,
    },
}

/// A pipeline found in one block: the sink op at `sink`, its result var `result`, the
/// stages from the top (the sink's source) down, the range `start..end`, and the op indices
/// to rewrite (stage ops removed; range and take ops become their checks).
struct Plan {
    sink: usize,
    sink_kind: Sink,
    result: Var,
    stages: Vec<Stage>,
    start: Var,
    end: Var,
    range_op: usize,
    removed: Vec<usize>,
    take_ops: Vec<(usize, Var)>,
}

fn find_pipeline(
    function: &Function,
    block: usize,
    uses: &HashMap<Var, usize>,
    shapes: &[(usize, bool)],
) -> Option<Plan> {
    let ops = &function.blocks[block].ops;
    let mut defined_at = HashMap::new();
    for (index, op) in ops.iter().enumerate() {
        if let Some(dst) = op.kind.dst() {
            defined_at.insert(dst, index);
        }
    }
    let single_use = |var: Var| uses.get(&var).copied() == Some(1);
    // A closure made in this block, used only here, of a function taking `arity` args.
    let closure_of = |var: Var, arity: usize| -> Option<FuncId> {
        let index = *defined_at.get(&var)?;
        match &ops[index].kind {
            OpKind::MakeClosure { function, .. }
                if single_use(var)
                    && shapes.get(function.0 as usize) == Some(&(arity + 1, true)) =>
            {
                Some(*function)
            }
            _ => None,
        }
    };
    'sinks: for (sink, op) in ops.iter().enumerate() {
        let OpKind::Builtin { dst, builtin, args } = &op.kind else {
            continue;
        };
        let (sink_kind, mut current) = match (builtin, args.as_slice()) {
            (Builtin::Sum, &[source]) => (Sink::Sum, source),
            (Builtin::Count, &[source]) => (Sink::Count, source),
            (Builtin::Fold, &[source, init, f]) => match closure_of(f, 2) {
                Some(function) => (
                    Sink::Fold {
                        init,
                        closure: f,
                        function,
                    },
                    source,
                ),
                None => continue,
            },
            _ => continue,
        };
        let mut stages = Vec::new();
        let mut removed = Vec::new();
        let mut take_ops = Vec::new();
        let mut slots = 1;
        loop {
            if !single_use(current) {
                continue 'sinks;
            }
            let Some(&index) = defined_at.get(&current) else {
                continue 'sinks;
            };
            let OpKind::Builtin { builtin, args, .. } = &ops[index].kind else {
                continue 'sinks;
            };
            match (builtin, args.as_slice()) {
                (Builtin::Map, &[source, f]) => {
                    let Some(function) = closure_of(f, 1) else {
                        continue 'sinks;
                    };
                    stages.push(Stage::Map {
                        closure: f,
                        function,
                    });
                    removed.push(index);
                    current = source;
                }
                (Builtin::Filter, &[source, f]) => {
                    let Some(function) = closure_of(f, 1) else {
                        continue 'sinks;
                    };
                    stages.push(Stage::Filter {
                        closure: f,
                        function,
                    });
                    removed.push(index);
                    current = source;
                }
                (Builtin::Take, &[source, count]) => {
                    stages.push(Stage::Take { count, slot: slots });
                    slots += 1;
                    take_ops.push((index, count));
                    current = source;
                }
                (Builtin::Range, &[start, end]) => {
                    return Some(Plan {
                        sink,
                        sink_kind,
                        result: *dst,
                        stages,
                        start,
                        end,
                        range_op: index,
                        removed,
                        take_ops,
                    });
                }
                _ => continue 'sinks,
            }
        }
    }
    None
}

/// Builds the loop of `plan` in `function`, splitting block `block` at the sink.
fn fuse(function: &mut Function, block: usize, plan: Plan) {
    let span = function.blocks[block].ops[plan.sink].span;
    // Rewrite the construction ops in place, then cut the block at the sink.
    let mut ops = std::mem::take(&mut function.blocks[block].ops);
    let rest: Vec<Op> = ops.split_off(plan.sink + 1);
    ops.pop(); // the sink
    let range_dst = ops[plan.range_op].kind.dst().expect("range defines a var");
    ops[plan.range_op].kind = OpKind::Builtin {
        dst: range_dst,
        builtin: Builtin::FusedRangeCheck,
        args: vec![plan.start, plan.end],
    };
    for &(index, count) in &plan.take_ops {
        let dst = ops[index].kind.dst().expect("take defines a var");
        ops[index].kind = OpKind::Builtin {
            dst,
            builtin: Builtin::FusedTakeCheck,
            args: vec![count],
        };
    }
    let removed: std::collections::HashSet<usize> = plan.removed.iter().copied().collect();
    let ops: Vec<Op> = (ops.into_iter().enumerate())
        .filter(|(index, _)| !removed.contains(index))
        .map(|(_, op)| op)
        .collect();
    function.blocks[block].ops = ops;
    let terminator = std::mem::replace(
        &mut function.blocks[block].terminator,
        placeholder_terminator(span),
    );

    let mut emit = Emitter {
        function,
        span,
        stages: plan.stages,
        end: plan.end,
        sink: plan.sink_kind,
        exit: BlockId(0),
        result_slot: 0,
        offset: 0,
    };
    // The exit block: receives the sink's result and runs the rest of the original block.
    let exit = emit.function.blocks.len();
    emit.function.blocks.push(Block {
        params: vec![Param {
            var: plan.result,
            mode: ParamMode::Owned,
        }],
        ops: rest,
        terminator,
        cleanup: Vec::new(),
    });
    emit.exit = BlockId(exit as u32);

    // The loop state: the range's next Int, each take's count, the sink's accumulators.
    let mut initial = vec![plan.start];
    let takes: Vec<(usize, Var)> = (emit.stages.iter().enumerate())
        .filter_map(|(level, stage)| match *stage {
            Stage::Take { count, .. } => Some((level + 1, count)),
            _ => None,
        })
        .collect();
    initial.extend(takes.iter().map(|&(_, count)| count));
    let mut current = block;
    emit.result_slot = initial.len();
    match emit.sink {
        Sink::Sum => {
            let zero = emit.constant(current, 0);
            let steps = emit.constant(current, 0);
            initial.extend([zero, steps]);
        }
        Sink::Count => {
            let steps = emit.constant(current, 0);
            initial.push(steps);
        }
        Sink::Fold { init, .. } => initial.push(init),
    }
    let (header, header_params) = emit.new_block(initial.len());

    // The first pull's depth checks: as deep as it reaches (a take of 0 stops it).
    let deepest = emit.stages.len() + 1;
    let mut levels = takes.iter().map(|&(level, _)| level).chain([deepest]);
    let first = levels.next().unwrap_or(deepest);
    emit.depth_check(current, first);
    for (&(_, count), next) in takes.iter().zip(levels) {
        let zero = emit.constant(current, 0);
        let positive = emit.binary(current, BinaryOp::Gt, count, zero);
        let (go_on, _) = emit.new_block(0);
        let (stop, _) = emit.new_block(0);
        emit.branch(current, positive, ConditionContext::If, go_on, stop);
        emit.jump(stop, header, initial.clone());
        current = go_on;
        emit.depth_check(current, next);
    }
    emit.jump(current, header, initial);

    // The loop body: one item pulled from the top stage, then the sink's step.
    let mut state = header_params;
    let mut current = header;
    let item = emit.pull(0, &mut current, &mut state);
    let slot = emit.result_slot;
    match emit.sink {
        Sink::Sum => {
            state[slot] = emit.builtin(current, Builtin::FusedSumAdd, vec![state[slot], item]);
            emit.count_step(current, header, state, slot + 1);
        }
        Sink::Count => emit.count_step(current, header, state, slot),
        Sink::Fold {
            closure, function, ..
        } => {
            state[slot] = emit.callback(current, 0, function, vec![closure, state[slot], item]);
            emit.jump(current, header, state);
        }
    }
}

fn placeholder_terminator(span: Span) -> Terminator {
    Terminator {
        kind: TerminatorKind::Return { value: Var(0) },
        span,
    }
}

struct Emitter<'f> {
    function: &'f mut Function,
    span: Span,
    stages: Vec<Stage>,
    end: Var,
    sink: Sink,
    exit: BlockId,
    result_slot: usize,
    /// The extra call depth in effect at the point being emitted (what `fused_depth_add`s
    /// added so far on this path): 0 at every block with more than one predecessor, so
    /// consecutive callbacks change it once each, not twice.
    offset: i64,
}

impl Emitter<'_> {
    fn fresh(&mut self) -> Var {
        let var = Var(self.function.var_count);
        self.function.var_count += 1;
        var
    }

    fn new_block(&mut self, params: usize) -> (usize, Vec<Var>) {
        let vars: Vec<Var> = (0..params).map(|_| self.fresh()).collect();
        self.function.blocks.push(Block {
            params: (vars.iter())
                .map(|&var| Param {
                    var,
                    mode: ParamMode::Owned,
                })
                .collect(),
            ops: Vec::new(),
            terminator: placeholder_terminator(self.span),
            cleanup: Vec::new(),
        });
        (self.function.blocks.len() - 1, vars)
    }

    fn op(&mut self, block: usize, kind: OpKind) {
        let span = self.span;
        self.function.blocks[block].ops.push(Op::new(kind, span));
    }

    fn terminate(&mut self, block: usize, kind: TerminatorKind) {
        self.function.blocks[block].terminator = Terminator {
            kind,
            span: self.span,
        };
    }

    fn constant(&mut self, block: usize, value: i64) -> Var {
        let dst = self.fresh();
        self.op(
            block,
            OpKind::Const {
                dst,
                value: Constant::Int(value),
            },
        );
        dst
    }

    fn binary(&mut self, block: usize, op: BinaryOp, lhs: Var, rhs: Var) -> Var {
        let dst = self.fresh();
        self.op(block, OpKind::Binary { dst, op, lhs, rhs });
        dst
    }

    fn builtin(&mut self, block: usize, builtin: Builtin, args: Vec<Var>) -> Var {
        let dst = self.fresh();
        self.op(block, OpKind::Builtin { dst, builtin, args });
        dst
    }

    fn call(&mut self, block: usize, function: FuncId, args: Vec<Var>) -> Var {
        let dst = self.fresh();
        self.op(
            block,
            OpKind::Call {
                dst,
                function,
                args,
            },
        );
        dst
    }

    /// Ends `block` with a jump (to a block of many predecessors: the extra depth is undone
    /// first).
    fn jump(&mut self, block: usize, target: usize, args: Vec<Var>) {
        self.set_depth(block, 0);
        self.terminate(
            block,
            TerminatorKind::Jump {
                target: BlockId(target as u32),
                args,
            },
        );
    }

    fn branch(
        &mut self,
        block: usize,
        condition: Var,
        context: ConditionContext,
        then_block: usize,
        else_block: usize,
    ) {
        self.terminate(
            block,
            TerminatorKind::Branch {
                condition,
                context,
                then_block: BlockId(then_block as u32),
                else_block: BlockId(else_block as u32),
            },
        );
    }

    fn depth_check(&mut self, block: usize, levels: usize) {
        let levels = self.constant(block, levels as i64);
        self.builtin(block, Builtin::FusedDepthCheck, vec![levels]);
    }

    /// Makes the extra depth `level` from here on along this path.
    fn set_depth(&mut self, block: usize, level: i64) {
        if level != self.offset {
            let delta = self.constant(block, level - self.offset);
            self.builtin(block, Builtin::FusedDepthAdd, vec![delta]);
            self.offset = level;
        }
    }

    /// A side block (the only successor of a branch emitted next) that jumps to `target`:
    /// the path being emitted keeps its extra depth.
    fn side_jump(&mut self, target: usize, args: Vec<Var>) -> usize {
        let (block, _) = self.new_block(0);
        let offset = self.offset;
        self.jump(block, target, args);
        self.offset = offset;
        block
    }

    /// A new block that ends the pipeline with the sink's result in `state`.
    fn end_block(&mut self, state: &[Var]) -> usize {
        let exit = self.exit.0 as usize;
        self.side_jump(exit, vec![state[self.result_slot]])
    }

    /// Calls a stage's callback `level` levels below the sink (the depth its pull would call
    /// it at; 0 for `fold`'s function).
    fn callback(&mut self, block: usize, level: usize, function: FuncId, args: Vec<Var>) -> Var {
        self.set_depth(block, level as i64);
        self.call(block, function, args)
    }

    /// Emits one pull of stage `index` (0 = the sink's source; `stages.len()` = the range)
    /// starting in `*block`; on return `*block` holds the item (returned) and `state` the
    /// state after the pull. An end jumps to the exit.
    fn pull(&mut self, index: usize, block: &mut usize, state: &mut Vec<Var>) -> Var {
        if index == self.stages.len() {
            let more = self.binary(*block, BinaryOp::Lt, state[0], self.end);
            let (yields, _) = self.new_block(0);
            let ends = self.end_block(state);
            self.branch(*block, more, ConditionContext::If, yields, ends);
            *block = yields;
            let one = self.constant(yields, 1);
            let item = state[0];
            state[0] = self.binary(yields, BinaryOp::Add, item, one);
            return item;
        }
        let level = index + 1;
        match self.stages[index] {
            Stage::Map { closure, function } => {
                let item = self.pull(index + 1, block, state);
                self.callback(*block, level, function, vec![closure, item])
            }
            Stage::Filter { closure, function } => {
                let (again, params) = self.new_block(state.len());
                self.jump(*block, again, state.clone());
                *state = params;
                *block = again;
                let item = self.pull(index + 1, block, state);
                let verdict = self.callback(*block, level, function, vec![closure, item]);
                let (kept, _) = self.new_block(0);
                let skipped = self.side_jump(again, state.clone());
                self.branch(*block, verdict, ConditionContext::Filter, kept, skipped);
                *block = kept;
                item
            }
            Stage::Take { slot, .. } => {
                let zero = self.constant(*block, 0);
                let left = self.binary(*block, BinaryOp::Gt, state[slot], zero);
                let (pulls, _) = self.new_block(0);
                let ends = self.end_block(state);
                self.branch(*block, left, ConditionContext::If, pulls, ends);
                *block = pulls;
                let item = self.pull(index + 1, block, state);
                let one = self.constant(*block, 1);
                state[slot] = self.binary(*block, BinaryOp::Sub, state[slot], one);
                item
            }
        }
    }

    /// `sum`'s and `count`'s item count (`state[slot]`) and fuel unit after every 1,024th
    /// item, then the back edge.
    fn count_step(&mut self, block: usize, header: usize, mut state: Vec<Var>, slot: usize) {
        let one = self.constant(block, 1);
        state[slot] = self.binary(block, BinaryOp::Add, state[slot], one);
        let per_fuel = self.constant(block, ITEMS_PER_FUEL);
        let phase = self.binary(block, BinaryOp::Rem, state[slot], per_fuel);
        let zero = self.constant(block, 0);
        let charge = self.binary(block, BinaryOp::Eq, phase, zero);
        self.set_depth(block, 0);
        let (fuel, _) = self.new_block(0);
        let (free, _) = self.new_block(0);
        self.branch(block, charge, ConditionContext::If, fuel, free);
        self.op(fuel, OpKind::Fuel);
        self.jump(fuel, header, state.clone());
        self.jump(free, header, state);
    }
}
