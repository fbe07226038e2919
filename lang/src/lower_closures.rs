//! Lowering of closures: lambdas are lifted into closure-callable functions (param 0 is the
//! closure itself, then the lambda's params; the captured locals are loaded from the closure
//! with `closure_capture` at entry), named functions and builtins used as values become
//! closures of no captures (a builtin through a small wrapper function named after it).

use std::collections::BTreeSet;

use crate::ast::{Expr, ExprKind, Item, ItemKind, ListElement, Name, Program};
use crate::free_names::{LOOP_SELF, free_names_of_expr};
use crate::ir::{BinaryOp, Builtin, Constant, FuncId, OpKind, Span, TerminatorKind, Var};
use crate::lower::FunctionLowerer;
use crate::resolve::{Callee, FunctionTable, Resolution};

/// Named functions that some expression uses as a value (a name that is not the callee of a
/// call). Shadowing by locals is ignored: a function may be made closure-callable without
/// need, which costs only the extra Unit argument on its direct calls.
pub(crate) fn functions_used_as_values(
    program: &Program,
    table: &FunctionTable,
) -> BTreeSet<FuncId> {
    let mut found = BTreeSet::new();
    for (index, function) in program.functions.iter().enumerate() {
        let module = table.functions.get(index).map_or(0, |entry| entry.module);
        visit_expr(&function.body, table, module, &mut found);
    }
    // The entry keeps its signature (a host calls it with no arguments); used as a value it
    // goes through a wrapper instead.
    found.remove(&table.main);
    found
}

fn visit_expr(expr: &Expr, table: &FunctionTable, module: u32, found: &mut BTreeSet<FuncId>) {
    let mut visit = |e: &Expr| visit_expr(e, table, module, found);
    match &expr.kind {
        ExprKind::Name(name) => {
            if let Resolution::Found {
                callee: Callee::Function(id),
                ..
            } = table.resolve(module, name)
            {
                found.insert(id);
            }
        }
        ExprKind::Call { callee, args } => {
            if !matches!(callee.kind, ExprKind::Name(_)) {
                visit(callee);
            }
            args.iter().for_each(visit);
        }
        ExprKind::MethodCall { receiver, args, .. } => {
            visit(receiver);
            args.iter().for_each(visit);
        }
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Bool(_)
        | ExprKind::Unit
        | ExprKind::Text(_)
        | ExprKind::Unsupported => {}
        ExprKind::Negate(e) | ExprKind::Not(e) | ExprKind::Deref(e) => visit(e),
        ExprKind::Binary(_, a, b)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Assign(a, b)
        | ExprKind::Index { base: a, index: b } => {
            visit(a);
            visit(b);
        }
        ExprKind::If {
            condition,
            then_branch,
            else_branch,
        } => {
            visit(condition);
            visit(then_branch);
            visit(else_branch);
        }
        ExprKind::List(elements) => {
            for element in elements {
                match element {
                    ListElement::Single(e) | ListElement::Spread(e) => visit(e),
                }
            }
        }
        ExprKind::Tuple(elements) => elements.iter().for_each(visit),
        ExprKind::Map(entries) => {
            for (key, value) in entries {
                visit(key);
                visit(value);
            }
        }
        ExprKind::Block(items) | ExprKind::Generate(items) => {
            visit_items(items, table, module, found)
        }
        ExprKind::Lambda { body, .. } => visit(body),
        ExprKind::Loop { init, body, .. } => {
            visit(init);
            visit_items(body, table, module, found);
        }
    }
}

fn visit_items(items: &[Item], table: &FunctionTable, module: u32, found: &mut BTreeSet<FuncId>) {
    for item in items {
        match &item.kind {
            ItemKind::Bind(_, e)
            | ItemKind::BindFrom(_, e)
            | ItemKind::Destructure(_, e)
            | ItemKind::Expr(e)
            | ItemKind::Filter(e)
            | ItemKind::Yield(e)
            | ItemKind::Recurse(e) => visit_expr(e, table, module, found),
        }
    }
}

/// What a wrapper function calls.
#[derive(Clone, Copy)]
enum Wrapped {
    /// A named function that does not take the closure itself (the entry).
    Function(FuncId),
    Builtin(Builtin),
    Concat,
    Host(u32),
}

impl FunctionLowerer<'_, '_> {
    /// `\x, y -> body`: a closure of the lifted function `lambda@LINE:COL`.
    pub(crate) fn lambda(&mut self, params: &[Name], body: &Expr, span: Span) -> Var {
        let names: Vec<&str> = params.iter().map(|p| p.text.as_str()).collect();
        let bound: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let free = free_names_of_expr(body, &bound);
        let name = format!("lambda@{}", self.module.position(span));
        for param in crate::resolve::repeated_names(params) {
            self.module.errors.push(crate::diagnostic::Diagnostic::new(
                crate::diagnostic::DUPLICATE_DEFINITION,
                format!(
                    "duplicate definition: parameter `{}` of `{name}` is already defined",
                    param.text
                ),
                param.span,
            ));
        }
        self.lift(name, span, &names, &free, false, |child| child.tail(body))
    }

    /// Lifts a closure-callable function named `name` taking `params` (after the closure),
    /// whose body `body` lowers (terminating the current block). The free names of the body
    /// that are locals here are captured (in `free`'s order); with `loop_self`, the body sees
    /// its own closure as [`LOOP_SELF`]. Returns the closure value.
    pub(crate) fn lift(
        &mut self,
        name: String,
        span: Span,
        params: &[&str],
        free: &[String],
        loop_self: bool,
        body: impl FnOnce(&mut FunctionLowerer<'_, '_>),
    ) -> Var {
        let captured: Vec<(&String, Var)> = free
            .iter()
            .filter(|name| !(loop_self && name.as_str() == LOOP_SELF))
            .filter_map(|name| self.scope.lookup(name).map(|var| (name, var)))
            .collect();
        let id = self.module.reserve_function();
        let function = {
            let mut child = FunctionLowerer::start(&mut *self.module, None, true, params, span);
            let closure = child.closure_param();
            for (position, (name, _)) in captured.iter().enumerate() {
                let index = child.constant(Constant::Int(position as i64), span);
                let value = child.builtin(Builtin::ClosureCapture, vec![closure, index], span);
                child.scope.bind(name, value);
            }
            if loop_self {
                child.scope.bind(LOOP_SELF, closure);
            }
            body(&mut child);
            child.finish(name, span)
        };
        self.module.define_function(id, function);
        let captures = captured.into_iter().map(|(_, var)| var).collect();
        self.builder.emit_value(span, |dst| OpKind::MakeClosure {
            dst,
            function: id,
            captures,
        })
    }

    /// A function or builtin named as a value: a closure of no captures.
    pub(crate) fn function_value(&mut self, name: &str, callee: Callee, span: Span) -> Var {
        let function = match callee {
            Callee::Function(id) if self.module.value_functions.contains(&id) => id,
            Callee::Function(id) => self.builtin_wrapper(name, Wrapped::Function(id), span),
            Callee::Builtin(builtin) => self.builtin_wrapper(name, Wrapped::Builtin(builtin), span),
            Callee::Concat => self.builtin_wrapper(name, Wrapped::Concat, span),
            Callee::Host(host) => self.builtin_wrapper(name, Wrapped::Host(host), span),
        };
        self.builder.emit_value(span, |dst| OpKind::MakeClosure {
            dst,
            function,
            captures: Vec::new(),
        })
    }

    /// The closure-callable wrapper of builtin or host function `name`: one per module, named
    /// after it, calling it with its params.
    fn builtin_wrapper(&mut self, name: &str, wrapped: Wrapped, span: Span) -> FuncId {
        if let Some(&id) = self.module.builtin_wrappers.get(name) {
            return id;
        }
        let arity = match wrapped {
            Wrapped::Function(id) => self.module.table.entry(id).arity,
            Wrapped::Builtin(builtin) => builtin.arity(),
            Wrapped::Concat => 2,
            Wrapped::Host(host) => self.module.table.hosts[host as usize].arity,
        };
        let param_names: Vec<String> = (0..arity).map(|i| format!("<arg{i}>")).collect();
        let params: Vec<&str> = param_names.iter().map(String::as_str).collect();
        let id = self.module.reserve_function();
        self.module.builtin_wrappers.insert(name.to_string(), id);
        let mut child = FunctionLowerer::start(&mut *self.module, None, true, &params, span);
        let args: Vec<Var> = params
            .iter()
            .map(|p| child.scope.lookup(p).expect("params are bound"))
            .collect();
        let value = match wrapped {
            Wrapped::Function(function) => child.builder.emit_value(span, |dst| OpKind::Call {
                dst,
                function,
                args,
            }),
            Wrapped::Builtin(builtin) => child.builtin(builtin, args, span),
            Wrapped::Concat => child.builder.emit_value(span, |dst| OpKind::Binary {
                dst,
                op: BinaryOp::Concat,
                lhs: args[0],
                rhs: args[1],
            }),
            Wrapped::Host(host) => {
                child
                    .builder
                    .emit_value(span, |dst| OpKind::CallHost { dst, host, args })
            }
        };
        child
            .builder
            .terminate(TerminatorKind::Return { value }, span);
        let function = child.finish(name.to_string(), span);
        self.module.define_function(id, function);
        id
    }
}
