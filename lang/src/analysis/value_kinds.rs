//! Value-kind inference: a sound whole-module over-approximation of the runtime kinds
//! ([`KindSet`]) every SSA variable, function parameter and function result may have.
//!
//! Facts flow forward: constants are exact, each op's result follows its shim's rules
//! (`value_kinds_transfer.rs`), a call's result is the callee's return set, a block param is
//! the union of its incoming jump args, and a function param is the union of the args of
//! every call site (the entry function's params, which a host would supply, are unknown).
//! The fixed point over the whole module is reached by iterating to stability: every
//! transfer function is monotone over a finite lattice, so it terminates.
//!
//! A set describes *successful* results only: a failing op yields no value, so code after
//! it never sees one. The empty set therefore means "never produced" (unreachable).
//! Malformed input never makes the result unsound: out-of-range variables read as every
//! kind, calls to missing functions or with the wrong arity produce every kind and feed
//! every kind to the callee's params, and a variable written by several ops (not SSA) gets
//! the union of all of them.

use std::collections::VecDeque;

use crate::ir::{self, FuncId, OpKind, TerminatorKind, Var};

use super::KindSet;
use super::value_kinds_transfer::{binary_kinds, constant_kinds, unary_kinds};

/// The inferred kinds of one function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionKinds {
    vars: Vec<KindSet>,
    params: Vec<KindSet>,
    returns: KindSet,
}

impl FunctionKinds {
    /// The kinds `var` may hold; every kind for a variable outside the function's range.
    pub fn var(&self, var: Var) -> KindSet {
        self.vars
            .get(var.0 as usize)
            .copied()
            .unwrap_or(KindSet::ALL)
    }

    /// The kinds the function's param at `position` may receive.
    pub fn param(&self, position: usize) -> KindSet {
        self.params.get(position).copied().unwrap_or(KindSet::ALL)
    }

    /// The kinds a successful call of the function may return.
    pub fn returns(&self) -> KindSet {
        self.returns
    }
}

/// The inferred kinds of every function of a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleKinds {
    functions: Vec<FunctionKinds>,
}

impl ModuleKinds {
    pub fn function(&self, function: FuncId) -> Option<&FunctionKinds> {
        self.functions.get(function.0 as usize)
    }
}

/// Runs the inference on `module` (any module: it need not have been verified), assuming a
/// host calls only the entry function (with anything).
pub fn infer_value_kinds(module: &ir::Module) -> ModuleKinds {
    infer(module, false)
}

/// [`infer_value_kinds`] assuming a host may call *every* function with anything (what an
/// embedder calling functions by name needs).
pub fn infer_value_kinds_for_any_entry(module: &ir::Module) -> ModuleKinds {
    infer(module, true)
}

fn infer(module: &ir::Module, every_function_is_an_entry: bool) -> ModuleKinds {
    let functions = module
        .functions
        .iter()
        .map(|function| FunctionKinds {
            vars: vec![KindSet::EMPTY; function.var_count as usize],
            params: vec![KindSet::EMPTY; function.params.len()],
            returns: KindSet::EMPTY,
        })
        .collect();
    let mut solver = Solver {
        module,
        kinds: ModuleKinds { functions },
        callers: callers_of(module),
        queued: vec![true; module.functions.len()],
        queue: (0..module.functions.len()).collect(),
    };
    // The host calls the entry function (or every function); whatever it could pass is
    // unknown.
    for (index, function) in solver.kinds.functions.iter_mut().enumerate() {
        if every_function_is_an_entry || index == module.entry.0 as usize {
            function.params.fill(KindSet::ALL);
        }
    }
    // A worklist: a function is visited again only when something it reads changed (its own
    // variables, its params, a callee's returns). The fixpoint is the same least fixpoint a
    // round-robin over all functions reaches, but a call chain as long as the module no
    // longer costs one round per link (quadratic in the module's size).
    while let Some(index) = solver.queue.pop_front() {
        solver.queued[index] = false;
        solver.visit_function(index);
    }
    solver.kinds
}

/// For each function, the functions that call it directly (`call` or `tail_call`): they read
/// its returns, so they are visited again when its returns grow.
fn callers_of(module: &ir::Module) -> Vec<Vec<usize>> {
    let count = module.functions.len();
    let mut callers = vec![Vec::new(); count];
    for (caller, function) in module.functions.iter().enumerate() {
        let mut note = |callee: FuncId| {
            let callee = callee.0 as usize;
            if callee < count && callers[callee].last() != Some(&caller) {
                callers[callee].push(caller);
            }
        };
        for block in &function.blocks {
            for op in &block.ops {
                if let OpKind::Call { function, .. } = op.kind {
                    note(function);
                }
            }
            if let TerminatorKind::TailCall { function, .. } = block.terminator.kind {
                note(function);
            }
        }
    }
    callers
}

struct Solver<'m> {
    module: &'m ir::Module,
    kinds: ModuleKinds,
    callers: Vec<Vec<usize>>,
    queued: Vec<bool>,
    queue: VecDeque<usize>,
}

fn join(slot: &mut KindSet, set: KindSet) -> bool {
    let joined = slot.union(set);
    let changed = joined != *slot;
    *slot = joined;
    changed
}

impl Solver<'_> {
    fn enqueue(&mut self, function: usize) {
        if !self.queued[function] {
            self.queued[function] = true;
            self.queue.push_back(function);
        }
    }

    fn join_returns(&mut self, function: usize, set: KindSet) {
        if join(&mut self.kinds.functions[function].returns, set) {
            for position in 0..self.callers[function].len() {
                let caller = self.callers[function][position];
                self.enqueue(caller);
            }
        }
    }

    fn var(&self, function: usize, var: Var) -> KindSet {
        self.kinds.functions[function].var(var)
    }

    fn join_var(&mut self, function: usize, var: Var, set: KindSet) {
        // An out-of-range variable always reads as every kind; nothing to record.
        if let Some(slot) = self.kinds.functions[function].vars.get_mut(var.0 as usize)
            && join(slot, set)
        {
            self.enqueue(function);
        }
    }

    fn join_block_params(&mut self, function: usize, block: usize, sets: &[KindSet]) {
        let Some(target) = self.module.functions[function].blocks.get(block) else {
            return;
        };
        for (position, param) in target.params.iter().enumerate() {
            // A missing arg (arity mismatch) could be anything.
            let set = sets.get(position).copied().unwrap_or(KindSet::ALL);
            self.join_var(function, param.var, set);
        }
    }

    fn visit_function(&mut self, index: usize) {
        let function = &self.module.functions[index];
        // Entry edge: the function's params flow into its own param vars and block 0's.
        let params = self.kinds.functions[index].params.clone();
        for (position, param) in function.params.iter().enumerate() {
            self.join_var(index, param.var, params[position]);
        }
        self.join_block_params(index, 0, &params);
        for block in &function.blocks {
            for op in &block.ops {
                self.visit_op(index, &op.kind);
            }
            self.visit_terminator(index, &block.terminator.kind);
        }
    }

    fn visit_op(&mut self, function: usize, kind: &OpKind) {
        let result = match kind {
            OpKind::Enter
            | OpKind::Fuel
            | OpKind::Release { .. }
            | OpKind::GeneratorItem { .. } => return,
            OpKind::Const { value, .. } => constant_kinds(*value),
            OpKind::Text { .. }
            | OpKind::MakeList { .. }
            | OpKind::MakeTuple { .. }
            | OpKind::MakeMap { .. } => KindSet::HEAP,
            OpKind::MakeClosure {
                function: target, ..
            } => {
                // A closure's function is called from anywhere (values calls, sequence
                // pulls) with anything: its params may hold every kind.
                let target = target.0 as usize;
                if let Some(kinds) = self.kinds.functions.get_mut(target) {
                    let mut changed = false;
                    for slot in kinds.params.iter_mut() {
                        changed |= join(slot, KindSet::ALL);
                    }
                    if changed {
                        self.enqueue(target);
                    }
                }
                KindSet::HEAP
            }
            OpKind::CallValue { .. } | OpKind::CallHost { .. } => KindSet::ALL,
            OpKind::Unary { op, operand, .. } => unary_kinds(*op, self.var(function, *operand)),
            OpKind::Binary { op, lhs, rhs, .. } => {
                binary_kinds(*op, self.var(function, *lhs), self.var(function, *rhs))
            }
            OpKind::Builtin { builtin, .. } => builtin.result_kinds(),
            OpKind::Index { .. } => KindSet::ALL,
            OpKind::Retain { src, .. } => self.var(function, *src),
            OpKind::Call {
                function: callee,
                args,
                ..
            } => self.visit_call(function, *callee, args),
        };
        if let Some(dst) = kind.dst() {
            self.join_var(function, dst, result);
        }
    }

    /// Feeds the args to the callee's params; returns the callee's return set.
    fn visit_call(&mut self, caller: usize, callee: FuncId, args: &[Var]) -> KindSet {
        let arg_sets: Vec<KindSet> = args.iter().map(|arg| self.var(caller, *arg)).collect();
        let Some(callee_kinds) = self.kinds.functions.get_mut(callee.0 as usize) else {
            return KindSet::ALL;
        };
        let mut changed = false;
        let arity_matches = callee_kinds.params.len() == arg_sets.len();
        for (position, slot) in callee_kinds.params.iter_mut().enumerate() {
            let set = if arity_matches {
                arg_sets[position]
            } else {
                KindSet::ALL
            };
            changed |= join(slot, set);
        }
        let returns = if arity_matches {
            callee_kinds.returns
        } else {
            KindSet::ALL
        };
        if changed {
            self.enqueue(callee.0 as usize);
        }
        returns
    }

    fn visit_terminator(&mut self, function: usize, kind: &TerminatorKind) {
        match kind {
            TerminatorKind::Return { value } => {
                let set = self.var(function, *value);
                self.join_returns(function, set);
            }
            TerminatorKind::Jump { target, args } => {
                let sets: Vec<KindSet> = args.iter().map(|arg| self.var(function, *arg)).collect();
                self.join_block_params(function, target.0 as usize, &sets);
            }
            TerminatorKind::TailCall {
                function: callee,
                args,
            } => {
                let set = self.visit_call(function, *callee, args);
                self.join_returns(function, set);
            }
            TerminatorKind::TailCallValue { .. } => self.join_returns(function, KindSet::ALL),
            // Branch targets take no params; if malformed IR gives them some, they are unknown.
            TerminatorKind::Branch {
                then_block,
                else_block,
                ..
            } => {
                self.join_block_params(function, then_block.0 as usize, &[]);
                self.join_block_params(function, else_block.0 as usize, &[]);
            }
        }
    }
}

#[cfg(test)]
#[path = "value_kinds_tests.rs"]
mod tests;
