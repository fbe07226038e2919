//! The abstract syntax tree produced by the parser. Pipelines are already desugared into
//! calls; unary minus on an integer literal is folded into the literal.

use crate::ir::{BinaryOp, Span};

#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    /// The file's `import` lines, in order (docs/LANGUAGE.md, "Modules").
    pub imports: Vec<Import>,
    pub functions: Vec<FunctionDef>,
}

/// `import path` at the top of a file: `path` is one name or a qualified one (`shapes::circle`).
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub path: String,
    /// The path's span (where E0106 and E0107 point).
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FunctionDef {
    /// Declared `pub fn`: exported from its module (docs/LANGUAGE.md, "Modules").
    pub public: bool,
    pub name: Name,
    pub params: Vec<Name>,
    pub body: Expr,
    /// From `fn` to the end of the body.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// Already range-checked to the 48-bit signed range.
    Int(i64),
    Float(f64),
    Bool(bool),
    Unit,
    Text(String),
    Name(String),
    Negate(Box<Expr>),
    Not(Box<Expr>),
    /// Arithmetic, `++` and comparisons (not `and`/`or`).
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    If {
        condition: Box<Expr>,
        then_branch: Box<Expr>,
        else_branch: Box<Expr>,
    },
    /// `callee(args)`; the callee is any expression (a name of a function or builtin is a
    /// direct call; anything else is a value call).
    Call {
        callee: Box<Expr>,
        args: Vec<Expr>,
    },
    Index {
        base: Box<Expr>,
        index: Box<Expr>,
    },
    /// `receiver.method(args)`: a method call, resolved at run time on the receiver's host
    /// type (docs/LANGUAGE.md, "Method calls").
    MethodCall {
        receiver: Box<Expr>,
        method: Name,
        args: Vec<Expr>,
    },
    List(Vec<ListElement>),
    Tuple(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    Block(Vec<Item>),
    /// `\x, y -> body`
    Lambda {
        params: Vec<Name>,
        body: Box<Expr>,
    },
    /// `!r`
    Deref(Box<Expr>),
    /// `r := v` (a block item; its value is Unit)
    Assign(Box<Expr>, Box<Expr>),
    /// `generate { items }`
    Generate(Vec<Item>),
    /// `loop pattern = init { items }` (a generator: `recurse e` restarts it with `e`)
    Loop {
        /// Boxed: an `ExprKind` is as small as its other variants (every AST node is one).
        pattern: Box<LoopPattern>,
        init: Box<Expr>,
        body: Vec<Item>,
    },
    /// An expression that already produced a diagnostic (an out-of-range literal); lowering
    /// treats it as Unit, and compilation fails anyway.
    Unsupported,
}

/// The pattern of a `loop`: one name or a tuple of names.
#[derive(Clone, Debug, PartialEq)]
pub enum LoopPattern {
    Name(Name),
    Tuple(TuplePattern),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ListElement {
    Single(Expr),
    /// `...xs`
    Spread(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub kind: ItemKind,
    pub span: Span,
}

/// The left side of a destructuring bind: the names and the span of the whole `(a, b)`.
#[derive(Clone, Debug, PartialEq)]
pub struct TuplePattern {
    pub names: Vec<Name>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    Bind(Name, Expr),
    /// `(a, b) = e`
    Destructure(TuplePattern, Expr),
    Expr(Expr),
    /// `x <- e` (generator blocks only)
    BindFrom(Name, Expr),
    /// `when c` (generator blocks only)
    Filter(Expr),
    /// `yield e` (generator blocks only)
    Yield(Expr),
    /// `recurse e` (only inside `loop` in a generator)
    Recurse(Expr),
}

impl ItemKind {
    /// The AIVI block-item kind name used in diagnostics.
    pub fn kind_name(&self) -> &'static str {
        match self {
            ItemKind::Bind(..) | ItemKind::Destructure(..) => "Bind",
            ItemKind::Expr(..) => "Expr",
            ItemKind::BindFrom(..) => "BindFrom",
            ItemKind::Filter(..) => "Filter",
            ItemKind::Yield(..) => "Yield",
            ItemKind::Recurse(..) => "Recurse",
        }
    }
}
