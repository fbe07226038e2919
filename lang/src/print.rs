//! The readable IR printer (`cairn check --ir FILE`). One line per op, padded so spans line
//! up: `v3 = lt v1, v2` then `@line:col` (or `@start..end` without a source file), and
//! the cleanup on fallible ops and branches: the block's first such op lists it in full
//! (`[cleanup: v0, v1]`), each later one only what changed since the one before
//! (`[cleanup: +v4 -v0]`, `[cleanup: =]` when nothing did), so the output stays linear in
//! the block's cleanup table (`ir::Block::cleanup`). The output is deterministic.

use std::fmt::Write;

use crate::cleanup_table::consulted_positions;
use crate::ir::{
    BinaryOp, Block, ConditionContext, Constant, Function, Module, Op, OpKind, ParamMode, Span,
    TerminatorKind, UnaryOp, Var,
};
use crate::source::{SourceFile, SourceMap};

const OP_TEXT_WIDTH: usize = 35;

pub fn print_module(module: &Module, file: Option<&SourceFile>) -> String {
    let mut out = String::new();
    for (index, function) in module.functions.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.push_str(&print_function(function, module, file));
    }
    out
}

fn var_list(vars: &[Var]) -> String {
    vars.iter()
        .map(|v| format!("v{}", v.0))
        .collect::<Vec<_>>()
        .join(", ")
}

fn location(span: Span, file: Option<(&SourceFile, u32)>) -> String {
    match file {
        Some((file, base)) => {
            let at = file.line_column(span.start.saturating_sub(base));
            format!("@{}:{}", at.line, at.column)
        }
        None => format!("@{}..{}", span.start, span.end),
    }
}

fn line(
    out: &mut String,
    text: &str,
    span: Span,
    cleanup: Option<&str>,
    file: Option<(&SourceFile, u32)>,
) {
    let mut row = format!("  {text:<OP_TEXT_WIDTH$} {}", location(span, file));
    if let Some(cleanup) = cleanup {
        let _ = write!(row, " [cleanup: {cleanup}]");
    }
    out.push_str(row.trim_end());
    out.push('\n');
}

/// Per position of `block` (`0..=ops.len()`): `None` where no engine consults the cleanup,
/// else its text (in full at the first such position, then what changed).
fn cleanup_texts(block: &Block) -> Vec<Option<String>> {
    let consulted: Vec<bool> = consulted_positions(block).collect();
    let positions = consulted.len();
    // The first consulted position at or after each position (`positions` = none).
    let mut next = vec![positions; positions + 1];
    for p in (0..positions).rev() {
        next[p] = if consulted[p] { p } else { next[p + 1] };
    }
    let mut added: Vec<Vec<Var>> = vec![Vec::new(); positions + 1];
    let mut removed: Vec<Vec<Var>> = vec![Vec::new(); positions + 1];
    for range in &block.cleanup {
        let from = next[(range.from as usize).min(positions)];
        let to = (range.to as usize).min(positions);
        if from < to {
            added[from].push(range.var);
            removed[next[to]].push(range.var);
        }
    }
    let mut first = true;
    (0..positions)
        .map(|p| {
            if !consulted[p] {
                return None;
            }
            let text = if first {
                var_list(&added[p])
            } else if added[p].is_empty() && removed[p].is_empty() {
                "=".to_string()
            } else {
                let plus = added[p].iter().map(|v| format!("+v{}", v.0));
                let minus = removed[p].iter().map(|v| format!("-v{}", v.0));
                plus.chain(minus).collect::<Vec<_>>().join(" ")
            };
            first = false;
            Some(text)
        })
        .collect()
}

pub fn print_function(function: &Function, module: &Module, file: Option<&SourceFile>) -> String {
    print_function_at(function, module, file.map(|file| (file, 0)))
}

/// [`print_module`] of a program of modules: each function's positions in its own file.
pub fn print_module_in(module: &Module, sources: &SourceMap) -> String {
    let mut out = String::new();
    for (index, function) in module.functions.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let (base, file) = sources.file_at(function.span.start);
        out.push_str(&print_function_at(function, module, Some((file, base))));
    }
    out
}

fn print_function_at(
    function: &Function,
    module: &Module,
    file: Option<(&SourceFile, u32)>,
) -> String {
    let mut out = String::new();
    let params: Vec<String> = function
        .params
        .iter()
        .map(|p| format!("v{}: {}", p.var.0, mode_name(p.mode)))
        .collect();
    let _ = writeln!(out, "fn {}({}) {{", function.name, params.join(", "));
    for (index, block) in function.blocks.iter().enumerate() {
        let params: Vec<Var> = block.params.iter().map(|p| p.var).collect();
        let _ = writeln!(out, "b{index}({}):", var_list(&params));
        let cleanups = cleanup_texts(block);
        for (op, cleanup) in block.ops.iter().zip(&cleanups) {
            line(
                &mut out,
                &op_text(op, module),
                op.span,
                cleanup.as_deref(),
                file,
            );
        }
        let terminator = &block.terminator;
        let text = match &terminator.kind {
            TerminatorKind::Return { value } => format!("return v{}", value.0),
            TerminatorKind::TailCall { function, args } => {
                let name = module
                    .functions
                    .get(function.0 as usize)
                    .map_or_else(|| format!("#{}", function.0), |f| f.name.clone());
                format!("tail_call {name}({})", var_list(args))
            }
            TerminatorKind::TailCallValue { callee, args } => {
                format!("tail_call_value v{}({})", callee.0, var_list(args))
            }
            TerminatorKind::Jump { target, args } => {
                format!("jump b{}({})", target.0, var_list(args))
            }
            TerminatorKind::Branch {
                condition,
                context,
                then_block,
                else_block,
            } => format!(
                "branch {} v{} -> b{}, b{}",
                context_name(*context),
                condition.0,
                then_block.0,
                else_block.0
            ),
        };
        let cleanup = cleanups.last().and_then(Option::as_deref);
        line(&mut out, &text, terminator.span, cleanup, file);
    }
    out.push_str("}\n");
    out
}

fn mode_name(mode: ParamMode) -> &'static str {
    match mode {
        ParamMode::Owned => "owned",
        ParamMode::Borrowed => "borrowed",
    }
}

fn context_name(context: ConditionContext) -> &'static str {
    match context {
        ConditionContext::If => "if",
        ConditionContext::And => "and",
        ConditionContext::Or => "or",
        ConditionContext::When => "when",
        ConditionContext::Filter => "filter",
    }
}

pub fn binary_name(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Add => "add",
        BinaryOp::Sub => "sub",
        BinaryOp::Mul => "mul",
        BinaryOp::Div => "div",
        BinaryOp::Rem => "rem",
        BinaryOp::Concat => "concat",
        BinaryOp::Eq => "eq",
        BinaryOp::Ne => "ne",
        BinaryOp::Lt => "lt",
        BinaryOp::Le => "le",
        BinaryOp::Gt => "gt",
        BinaryOp::Ge => "ge",
    }
}

fn op_text(op: &Op, module: &Module) -> String {
    let body = match &op.kind {
        OpKind::Enter => return "enter".into(),
        OpKind::Fuel => return "fuel".into(),
        OpKind::Release { var } => return format!("release v{}", var.0),
        OpKind::GeneratorItem { item } => return format!("generator_item {}", item.name()),
        OpKind::Const { value, .. } => match value {
            Constant::Int(i) => format!("const {i}"),
            Constant::Float(f) => format!("const {f:?}"),
            Constant::Bool(b) => format!("const {b}"),
            Constant::Unit => "const ()".into(),
        },
        OpKind::Text { text, .. } => format!("text {text:?}"),
        OpKind::Unary { op, operand, .. } => {
            let name = match op {
                UnaryOp::Neg => "neg",
                UnaryOp::Not => "not",
            };
            format!("{name} v{}", operand.0)
        }
        OpKind::Binary { op, lhs, rhs, .. } => {
            format!("{} v{}, v{}", binary_name(*op), lhs.0, rhs.0)
        }
        OpKind::Call { function, args, .. } => {
            let name = module
                .functions
                .get(function.0 as usize)
                .map_or_else(|| format!("#{}", function.0), |f| f.name.clone());
            format!("call {name}({})", var_list(args))
        }
        OpKind::Builtin { builtin, args, .. } => {
            format!("builtin {}({})", builtin.ir_name(), var_list(args))
        }
        OpKind::MakeList { elements, .. } => format!("list [{}]", var_list(elements)),
        OpKind::MakeTuple { elements, .. } => format!("tuple ({})", var_list(elements)),
        OpKind::MakeMap { entries, .. } => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("v{}: v{}", k.0, v.0))
                .collect();
            format!("map #{{{}}}", entries.join(", "))
        }
        OpKind::MakeClosure {
            function, captures, ..
        } => {
            let name = module
                .functions
                .get(function.0 as usize)
                .map_or_else(|| format!("#{}", function.0), |f| f.name.clone());
            format!("closure {name}[{}]", var_list(captures))
        }
        OpKind::CallHost { host, args, .. } => {
            let name = module
                .host_functions
                .get(*host as usize)
                .map_or_else(|| format!("#{host}"), |h| h.name.clone());
            format!("call_host {name}({})", var_list(args))
        }
        OpKind::CallValue { callee, args, .. } => {
            format!("call_value v{}({})", callee.0, var_list(args))
        }
        OpKind::Index { base, index, .. } => format!("index v{}[v{}]", base.0, index.0),
        OpKind::Retain { src, .. } => format!("retain v{}", src.0),
    };
    match op.kind.dst() {
        Some(dst) => format!("v{} = {body}", dst.0),
        None => body,
    }
}
