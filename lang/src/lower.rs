//! Lowering: AST -> IR without RC ops. Per function: block 0 = entry (params = function
//! params, `Enter`, jump to block 1); block 1 = loop header whose params stand for the
//! function params; a self tail call (a call to the current function in tail position,
//! through `if` branches and block tails) becomes `Fuel` + `Jump` to block 1. `if` becomes a
//! `Branch` (context If) to fresh then/else blocks joining at a block with one owned param;
//! `and`/`or` short-circuit through `Branch` with context And/Or (both operands must be
//! Bool). `(a, b) = e` checks `e` with the internal builtin `ExpectTupleArity` (a Tuple of
//! exactly that many elements) before its `Index` ops. Param modes are left Borrowed here;
//! `borrow::infer_param_modes` decides them.

use std::collections::{BTreeMap, BTreeSet};

use crate::ast::{Expr, ExprKind, FunctionDef, Item, ItemKind, Program};
use crate::cfg_builder::CfgBuilder;
use crate::diagnostic::{self, Diagnostic, DiagnosticList};
use crate::ir::HostSignature;
use crate::ir::{
    BinaryOp, BlockId, Builtin, ConditionContext, Constant, FuncId, Function, Module, OpKind,
    ParamMode, Span, TerminatorKind, UnaryOp, Var,
};
use crate::lower_closures::functions_used_as_values;
use crate::resolve::{Callee, FunctionTable, LocalScope, Resolution};
use crate::source::{SourceFile, SourceMap};

pub use crate::lower_literals::{GATHERED_LITERAL_CHUNK, LIST_LITERAL_CHUNK};

/// The loop header every function's self tail calls jump to.
pub const LOOP_HEADER: BlockId = BlockId(1);

/// Where the spans being lowered point: one file, or the files of a program of modules.
#[derive(Clone, Copy)]
pub(crate) enum Sources<'a> {
    File(&'a SourceFile),
    Map(&'a SourceMap),
}

/// Module-wide lowering state shared by every function lowerer (lambdas and generator
/// pieces are lowered while their enclosing function is, into lifted functions).
pub(crate) struct ModuleLowering<'a> {
    pub(crate) table: &'a FunctionTable,
    pub(crate) source: Sources<'a>,
    /// The module of the named function being lowered (and of the functions lifted from it):
    /// what its names resolve against.
    pub(crate) current_module: u32,
    pub(crate) errors: DiagnosticList,
    /// Named functions used as values: closure-callable, so they take the closure as param 0
    /// (direct calls pass Unit there).
    pub(crate) value_functions: BTreeSet<FuncId>,
    /// Lifted functions (lambdas, generator pieces, builtin wrappers), numbered after the
    /// named functions; `None` while being lowered.
    pub(crate) lifted: Vec<Option<Function>>,
    /// The closure-callable wrapper of each builtin used as a value.
    pub(crate) builtin_wrappers: BTreeMap<String, FuncId>,
    /// The method-call signatures (`.name` with the receiver and arguments), listed after
    /// the embedder's host functions in `Module::host_functions`, in order of first use.
    pub(crate) methods: Vec<HostSignature>,
}

impl ModuleLowering<'_> {
    /// The host index of the method-call signature `.method` with `arity` words (receiver
    /// included), added on first use.
    pub(crate) fn method_signature(&mut self, method: &str, arity: usize) -> u32 {
        let name = format!(".{method}");
        let position = match self
            .methods
            .iter()
            .position(|m| m.name == name && m.arity == arity)
        {
            Some(position) => position,
            None => {
                self.methods.push(HostSignature { name, arity });
                self.methods.len() - 1
            }
        };
        (self.table.hosts.len() + position) as u32
    }
}

impl ModuleLowering<'_> {
    /// Reserves the id of a lifted function.
    pub(crate) fn reserve_function(&mut self) -> FuncId {
        self.lifted.push(None);
        FuncId((self.table.functions.len() + self.lifted.len() - 1) as u32)
    }

    pub(crate) fn define_function(&mut self, id: FuncId, function: Function) {
        let index = id.0 as usize - self.table.functions.len();
        self.lifted[index] = Some(function);
    }

    /// `LINE:COL` of a span's start (names of lambdas and generator pieces).
    pub(crate) fn position(&self, span: Span) -> String {
        let at = match self.source {
            Sources::File(file) => file.line_column(span.start),
            Sources::Map(map) => map.line_column(span.start).1,
        };
        format!("{}:{}", at.line, at.column)
    }
}

pub fn lower_program(
    program: &Program,
    table: &FunctionTable,
    source: &SourceFile,
) -> Result<Module, Vec<Diagnostic>> {
    lower_collecting(program, table, Sources::File(source)).map_err(DiagnosticList::into_sorted)
}

/// [`lower_program`], its diagnostics still open for merging.
pub(crate) fn lower_collecting(
    program: &Program,
    table: &FunctionTable,
    source: Sources<'_>,
) -> Result<Module, DiagnosticList> {
    let mut module = ModuleLowering {
        table,
        source,
        current_module: 0,
        errors: DiagnosticList::default(),
        value_functions: functions_used_as_values(program, table),
        lifted: Vec::new(),
        builtin_wrappers: BTreeMap::new(),
        methods: Vec::new(),
    };
    let mut functions: Vec<Function> = program
        .functions
        .iter()
        .enumerate()
        .map(|(index, definition)| lower_function(definition, FuncId(index as u32), &mut module))
        .collect();
    functions.extend(
        module
            .lifted
            .into_iter()
            .map(|f| f.expect("every lifted function is defined once lowered")),
    );
    if module.errors.is_empty() {
        Ok(Module {
            functions,
            entry: table.main,
            host_functions: table.hosts.iter().cloned().chain(module.methods).collect(),
        })
    } else {
        Err(module.errors)
    }
}

fn lower_function(
    definition: &FunctionDef,
    id: FuncId,
    module: &mut ModuleLowering<'_>,
) -> Function {
    module.current_module = module.table.entry(id).module;
    let takes_closure = module.value_functions.contains(&id);
    let names: Vec<&str> = definition.params.iter().map(|p| p.text.as_str()).collect();
    let mut lowerer =
        FunctionLowerer::start(module, Some(id), takes_closure, &names, definition.span);
    lowerer.tail(&definition.body);
    lowerer.finish(definition.name.text.clone(), definition.span)
}

pub(crate) struct FunctionLowerer<'m, 'a> {
    pub(crate) module: &'m mut ModuleLowering<'a>,
    /// The named function being lowered (`None` for lifted functions: they have no name a
    /// self tail call could use).
    id: Option<FuncId>,
    /// Param 0 is the closure itself (closure-callable functions).
    pub(crate) takes_closure: bool,
    /// Block 1's param standing for the closure, when `takes_closure`.
    closure: Option<Var>,
    pub(crate) builder: CfgBuilder,
    pub(crate) scope: LocalScope,
}

impl<'m, 'a> FunctionLowerer<'m, 'a> {
    /// Starts a function: block 0 (`enter`, params = the closure when `takes_closure`, then
    /// `params`) jumping to the loop header block 1, whose params are bound to the names.
    /// Returns the lowerer positioned in block 1.
    pub(crate) fn start(
        module: &'m mut ModuleLowering<'a>,
        id: Option<FuncId>,
        takes_closure: bool,
        params: &[&str],
        span: Span,
    ) -> Self {
        let mut builder = CfgBuilder::new();
        let arity = params.len() + usize::from(takes_closure);
        let entry_params = builder.add_entry_params(arity, ParamMode::Borrowed);
        builder.emit(OpKind::Enter, span);
        let (header, loop_params) = builder.new_block(arity, ParamMode::Borrowed);
        builder.terminate(
            TerminatorKind::Jump {
                target: BlockId(header as u32),
                args: entry_params,
            },
            span,
        );
        builder.switch_to(header);
        let mut scope = LocalScope::default();
        let user_params = &loop_params[usize::from(takes_closure)..];
        for (name, &var) in params.iter().zip(user_params) {
            scope.bind(name, var);
        }
        FunctionLowerer {
            module,
            id,
            takes_closure,
            closure: takes_closure.then(|| loop_params[0]),
            builder,
            scope,
        }
    }

    /// The closure param (block 1's param 0) of a closure-callable function.
    pub(crate) fn closure_param(&self) -> Var {
        self.closure
            .expect("only closure-callable functions have a closure param")
    }

    /// Finishes the function (every block must be terminated).
    pub(crate) fn finish(self, name: String, span: Span) -> Function {
        let (blocks, var_count) = self.builder.finish();
        let params = blocks[0].params.clone();
        Function {
            name,
            takes_closure: self.takes_closure,
            params,
            blocks,
            var_count,
            span,
        }
    }

    pub(crate) fn error(&mut self, code: &str, message: String, span: Span) -> Var {
        self.module
            .errors
            .push(Diagnostic::new(code, message, span));
        self.constant(Constant::Unit, span)
    }

    /// What a (non-local) name refers to in the module being lowered.
    pub(crate) fn resolve(&self, name: &str) -> Resolution {
        self.module.table.resolve(self.module.current_module, name)
    }

    pub(crate) fn constant(&mut self, value: Constant, span: Span) -> Var {
        self.builder
            .emit_value(span, |dst| OpKind::Const { dst, value })
    }

    /// Lowers `expr` in tail position: the current block is terminated.
    pub(crate) fn tail(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::If {
                condition,
                then_branch,
                else_branch,
            } => {
                let condition = self.value(condition);
                let (then_block, else_block) =
                    self.branch(condition, ConditionContext::If, expr.span);
                self.builder.switch_to(then_block);
                self.tail(then_branch);
                self.builder.switch_to(else_block);
                self.tail(else_branch);
            }
            ExprKind::Block(items) => {
                if let Some(value) = self.block(items, true) {
                    self.builder
                        .terminate(TerminatorKind::Return { value }, expr.span);
                }
            }
            ExprKind::Call { callee, args } if self.is_self_call(callee, args.len()) => {
                let mut args: Vec<Var> = args.iter().map(|arg| self.value(arg)).collect();
                if self.takes_closure {
                    args.insert(0, self.closure_param());
                }
                self.builder.emit(OpKind::Fuel, expr.span);
                self.builder.terminate(
                    TerminatorKind::Jump {
                        target: LOOP_HEADER,
                        args,
                    },
                    expr.span,
                );
            }
            ExprKind::Call { callee, args } if self.tail_call(callee, args, expr.span) => {}
            _ => {
                let value = self.value(expr);
                self.builder
                    .terminate(TerminatorKind::Return { value }, expr.span);
            }
        }
    }

    /// A call in tail position that is not a self call: a direct call of a named function
    /// (with the right arity) becomes `TailCall`, a value call `TailCallValue`. Returns false
    /// (emitting nothing) for builtins and for calls that lowering reports as errors.
    fn tail_call(&mut self, callee: &Expr, args: &[Expr], span: Span) -> bool {
        if let ExprKind::Name(name) = &callee.kind
            && self.scope.lookup(name).is_none()
        {
            let Resolution::Found {
                callee: Callee::Function(function),
                ..
            } = self.resolve(name)
            else {
                return false;
            };
            if self.module.table.entry(function).arity != args.len() {
                return false;
            }
            let mut args: Vec<Var> = args.iter().map(|arg| self.value(arg)).collect();
            if self.module.value_functions.contains(&function) {
                let closure = self.constant(Constant::Unit, span);
                args.insert(0, closure);
            }
            self.builder
                .terminate(TerminatorKind::TailCall { function, args }, span);
            return true;
        }
        let callee = self.value(callee);
        let args: Vec<Var> = args.iter().map(|arg| self.value(arg)).collect();
        self.builder
            .terminate(TerminatorKind::TailCallValue { callee, args }, span);
        true
    }

    fn is_self_call(&self, callee: &Expr, arg_count: usize) -> bool {
        let Some(id) = self.id else {
            return false;
        };
        match &callee.kind {
            ExprKind::Name(name) => {
                self.scope.lookup(name).is_none()
                    && matches!(
                        self.resolve(name),
                        Resolution::Found { callee: Callee::Function(f), .. } if f == id
                    )
                    && self.module.table.entry(id).arity == arg_count
            }
            _ => false,
        }
    }

    /// Ends the current block with a Branch to two fresh blocks; returns them.
    pub(crate) fn branch(
        &mut self,
        condition: Var,
        context: ConditionContext,
        span: Span,
    ) -> (usize, usize) {
        let (then_block, _) = self.builder.new_block(0, ParamMode::Owned);
        let (else_block, _) = self.builder.new_block(0, ParamMode::Owned);
        self.builder.terminate(
            TerminatorKind::Branch {
                condition,
                context,
                then_block: BlockId(then_block as u32),
                else_block: BlockId(else_block as u32),
            },
            span,
        );
        (then_block, else_block)
    }

    /// Jumps from the current block to `join` passing `value`.
    pub(crate) fn jump_to_join(&mut self, join: usize, value: Var, span: Span) {
        self.builder.terminate(
            TerminatorKind::Jump {
                target: BlockId(join as u32),
                args: vec![value],
            },
            span,
        );
    }

    /// Lowers `expr` to a variable holding its (owned or borrowed-param) value.
    pub(crate) fn value(&mut self, expr: &Expr) -> Var {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Int(value) => self.constant(Constant::Int(*value), span),
            ExprKind::Float(value) => self.constant(Constant::Float(*value), span),
            ExprKind::Bool(value) => self.constant(Constant::Bool(*value), span),
            ExprKind::Unit | ExprKind::Unsupported => self.constant(Constant::Unit, span),
            ExprKind::Text(text) => self.builder.emit_value(span, |dst| OpKind::Text {
                dst,
                text: text.clone(),
            }),
            ExprKind::Name(name) => self.name_value(name, span),
            ExprKind::Negate(operand) => self.unary(UnaryOp::Neg, operand, span),
            ExprKind::Not(operand) => self.unary(UnaryOp::Not, operand, span),
            ExprKind::Binary(op, lhs, rhs) => {
                let lhs = self.value(lhs);
                let rhs = self.value(rhs);
                self.binary(*op, lhs, rhs, span)
            }
            ExprKind::And(lhs, rhs) => self.short_circuit(lhs, rhs, ConditionContext::And, span),
            ExprKind::Or(lhs, rhs) => self.short_circuit(lhs, rhs, ConditionContext::Or, span),
            ExprKind::If {
                condition,
                then_branch,
                else_branch,
            } => {
                let condition = self.value(condition);
                let (then_block, else_block) = self.branch(condition, ConditionContext::If, span);
                let (join, join_params) = self.builder.new_block(1, ParamMode::Owned);
                for (block, branch) in [(then_block, then_branch), (else_block, else_branch)] {
                    self.builder.switch_to(block);
                    let value = self.value(branch);
                    self.jump_to_join(join, value, branch.span);
                }
                self.builder.switch_to(join);
                join_params[0]
            }
            ExprKind::Call { callee, args } => self.call(callee, args, span),
            ExprKind::MethodCall {
                receiver,
                method,
                args,
            } => {
                let mut words = vec![self.value(receiver)];
                words.extend(args.iter().map(|arg| self.value(arg)));
                let host = self.module.method_signature(&method.text, words.len());
                self.builder.emit_value(span, |dst| OpKind::CallHost {
                    dst,
                    host,
                    args: words,
                })
            }
            ExprKind::Index { base, index } => {
                let base = self.value(base);
                let index = self.value(index);
                self.builder
                    .emit_value(span, |dst| OpKind::Index { dst, base, index })
            }
            ExprKind::List(elements) => self.list(elements, span),
            ExprKind::Tuple(elements) => self.tuple(elements, span),
            ExprKind::Map(entries) => self.map(entries, span),
            ExprKind::Block(items) => self
                .block(items, false)
                .expect("non-tail block has a value"),
            ExprKind::Lambda { params, body } => self.lambda(params, body, span),
            ExprKind::Deref(operand) => {
                let operand = self.value(operand);
                self.builtin(Builtin::Deref, vec![operand], span)
            }
            ExprKind::Assign(target, value) => {
                let target = self.value(target);
                let value = self.value(value);
                self.builtin(Builtin::Assign, vec![target, value], span)
            }
            ExprKind::Generate(items) => self.generate(items, span),
            ExprKind::Loop {
                pattern,
                init,
                body,
            } => self.loop_expr(pattern, init, body, span),
        }
    }

    pub(crate) fn builtin(&mut self, builtin: Builtin, args: Vec<Var>, span: Span) -> Var {
        self.builder
            .emit_value(span, |dst| OpKind::Builtin { dst, builtin, args })
    }

    fn unary(&mut self, op: UnaryOp, operand: &Expr, span: Span) -> Var {
        let operand = self.value(operand);
        self.builder
            .emit_value(span, |dst| OpKind::Unary { dst, op, operand })
    }

    fn binary(&mut self, op: BinaryOp, lhs: Var, rhs: Var, span: Span) -> Var {
        self.builder
            .emit_value(span, |dst| OpKind::Binary { dst, op, lhs, rhs })
    }

    fn name_value(&mut self, name: &str, span: Span) -> Var {
        if let Some(var) = self.scope.lookup(name) {
            return var;
        }
        match self.resolve(name) {
            Resolution::Found { key, callee } => self.function_value(&key, callee, span),
            Resolution::Missing { code, message } => self.error(code, message, span),
            Resolution::AlreadyReported => self.constant(Constant::Unit, span),
        }
    }

    /// `lhs and rhs` / `lhs or rhs`: evaluates `rhs` only when needed; both must be Bool.
    fn short_circuit(
        &mut self,
        lhs: &Expr,
        rhs: &Expr,
        context: ConditionContext,
        span: Span,
    ) -> Var {
        let lhs_value = self.value(lhs);
        let (then_block, else_block) = self.branch(lhs_value, context, lhs.span);
        let (join, join_params) = self.builder.new_block(1, ParamMode::Owned);
        let (evaluate_rhs, decided) = match context {
            ConditionContext::Or => (else_block, then_block),
            _ => (then_block, else_block),
        };
        self.builder.switch_to(decided);
        let decided_value = self.constant(Constant::Bool(context == ConditionContext::Or), span);
        self.jump_to_join(join, decided_value, span);
        self.builder.switch_to(evaluate_rhs);
        let rhs_value = self.value(rhs);
        let (rhs_true, rhs_false) = self.branch(rhs_value, context, rhs.span);
        for (block, result) in [(rhs_true, true), (rhs_false, false)] {
            self.builder.switch_to(block);
            let value = self.constant(Constant::Bool(result), rhs.span);
            self.jump_to_join(join, value, span);
        }
        self.builder.switch_to(join);
        join_params[0]
    }

    /// A call: a name of a function or builtin (not shadowed by a local) is a direct call
    /// (arity checked here, E0105); any other callee is a value call (`CallValue`).
    fn call(&mut self, callee: &Expr, args: &[Expr], span: Span) -> Var {
        let direct = match &callee.kind {
            ExprKind::Name(name) if self.scope.lookup(name).is_none() => {
                match self.resolve(name) {
                    Resolution::Found { key, callee } => Some((name, key, callee)),
                    Resolution::Missing { code, message } => {
                        // The arguments are still lowered: their own errors are reported too.
                        self.discard_args(args);
                        return self.error(code, message, callee.span);
                    }
                    Resolution::AlreadyReported => {
                        self.discard_args(args);
                        return self.constant(Constant::Unit, span);
                    }
                }
            }
            _ => None,
        };
        let Some((name, key, target)) = direct else {
            let callee = self.value(callee);
            let args: Vec<Var> = args.iter().map(|arg| self.value(arg)).collect();
            return self
                .builder
                .emit_value(span, |dst| OpKind::CallValue { dst, callee, args });
        };
        let target = match target {
            Callee::Builtin(Builtin::Range) if args.len() == 3 => {
                Callee::Builtin(Builtin::RangeStep)
            }
            other => other,
        };
        let expected = match target {
            Callee::Function(id) => self.module.table.entry(id).arity,
            Callee::Builtin(builtin) => builtin.arity(),
            Callee::Concat => 2,
            Callee::Host(host) => self.module.table.hosts[host as usize].arity,
        };
        if expected != args.len() {
            self.discard_args(args);
            if self.module.table.is_contested(&key) {
                // Its definition is already E0102: an arity error here would repeat it.
                return self.constant(Constant::Unit, span);
            }
            let expected = match target {
                Callee::Builtin(Builtin::Range) => "2 or 3 arguments".to_string(),
                _ => crate::diagnostic::arguments(expected),
            };
            return self.error(
                diagnostic::ARITY_MISMATCH,
                format!(
                    "arity mismatch: {name} expects {expected}, got {}",
                    args.len()
                ),
                span,
            );
        }
        let mut args: Vec<Var> = args.iter().map(|arg| self.value(arg)).collect();
        match target {
            Callee::Function(function) => {
                if self.module.value_functions.contains(&function) {
                    let closure = self.constant(Constant::Unit, span);
                    args.insert(0, closure);
                }
                self.builder.emit_value(span, |dst| OpKind::Call {
                    dst,
                    function,
                    args,
                })
            }
            Callee::Builtin(builtin) => self.builtin(builtin, args, span),
            Callee::Concat => self.binary(BinaryOp::Concat, args[0], args[1], span),
            Callee::Host(host) => {
                self.builder
                    .emit_value(span, |dst| OpKind::CallHost { dst, host, args })
            }
        }
    }

    /// Lowers the arguments of a call that is an error, only for their own diagnostics (the
    /// function is discarded).
    fn discard_args(&mut self, args: &[Expr]) {
        for arg in args {
            self.value(arg);
        }
    }

    /// Lowers a block's items. In tail position the block is terminated and `None` returned
    /// (the caller returns the value); otherwise the block's value is returned.
    pub(crate) fn block(&mut self, items: &[Item], tail: bool) -> Option<Var> {
        let mark = self.scope.mark();
        let result = match items.split_last() {
            Some((last, rest)) => {
                for item in rest {
                    self.item(item);
                }
                match &last.kind {
                    ItemKind::Expr(expr) if tail => {
                        self.tail(expr);
                        None
                    }
                    ItemKind::Expr(expr) => Some(self.value(expr)),
                    _ => {
                        self.item(last);
                        Some(self.constant(Constant::Unit, last.span))
                    }
                }
            }
            None => Some(self.constant(Constant::Unit, Span::default())),
        };
        self.scope.restore(mark);
        result
    }

    /// Binds the names of `pattern` to the elements of `tuple` (checked first).
    pub(crate) fn destructure(&mut self, pattern: &crate::ast::TuplePattern, tuple: Var) {
        self.expect_tuple_arity(tuple, pattern.names.len(), pattern.span);
        for (position, name) in pattern.names.iter().enumerate() {
            let index = self.constant(Constant::Int(position as i64), name.span);
            let element = self.builder.emit_value(name.span, |dst| OpKind::Index {
                dst,
                base: tuple,
                index,
            });
            self.scope.bind(&name.text, element);
        }
    }

    /// The check of `(a, b) = e` before its `Index` ops: `tuple` must be a Tuple of exactly
    /// `arity` elements (RT0303 otherwise, at the pattern). The Unit result is unused.
    pub(crate) fn expect_tuple_arity(&mut self, tuple: Var, arity: usize, span: Span) {
        let arity = self.constant(Constant::Int(arity as i64), span);
        self.builder.emit_value(span, |dst| OpKind::Builtin {
            dst,
            builtin: Builtin::ExpectTupleArity,
            args: vec![tuple, arity],
        });
    }

    pub(crate) fn item(&mut self, item: &Item) {
        match &item.kind {
            ItemKind::Bind(name, expr) => {
                let value = self.value(expr);
                self.scope.bind(&name.text, value);
            }
            ItemKind::Destructure(pattern, expr) => {
                let tuple = self.value(expr);
                self.destructure(pattern, tuple);
            }
            ItemKind::Expr(expr) => {
                self.value(expr);
            }
            ItemKind::BindFrom(..)
            | ItemKind::Filter(_)
            | ItemKind::Yield(_)
            | ItemKind::Recurse(_) => {
                self.module.errors.push(Diagnostic::new(
                    diagnostic::BLOCK_ITEM_OUTSIDE_ITS_BLOCK,
                    format!(
                        "unsupported block item in plain block: {}",
                        item.kind.kind_name()
                    ),
                    item.span,
                ));
            }
        }
    }
}
