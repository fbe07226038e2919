//! The syntax tree the reference evaluator walks directly (no lowering). Spans are byte
//! offsets into the source.

use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Concat,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    Text(Rc<str>),
    Bool(bool),
    Unit,
    Name(String),
    /// An Int literal out of range (E0003 already reported).
    Invalid,
    Binary(BinOp, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Negate(Box<Expr>),
    Deref(Box<Expr>),
    Assign(Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Call(Box<Expr>, Vec<Expr>),
    Index(Box<Expr>, Box<Expr>),
    /// `receiver.method(args)` (docs/LANGUAGE.md, "Method calls").
    MethodCall(Box<Expr>, String, Vec<Expr>),
    Lambda {
        /// `lambda@LINE:COL` of the `\`.
        name: Rc<str>,
        params: Rc<Vec<Name>>,
        body: Rc<Expr>,
        /// The names the body uses and does not bind: what the lambda captures.
        free: Rc<Vec<String>>,
    },
    List(Vec<(bool, Expr)>),
    Tuple(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    Block(Vec<Item>),
    Generate(Rc<Vec<Item>>),
    Loop {
        /// `loop@LINE:COL` of the `loop` keyword.
        name: Rc<str>,
        pattern: Rc<Pattern>,
        init: Box<Expr>,
        body: Rc<Vec<Item>>,
    },
}

#[derive(Clone, Debug)]
pub struct Name {
    pub text: String,
    pub start: usize,
}

#[derive(Debug)]
pub enum Pattern {
    Name(String),
    Tuple(Vec<Name>),
}

#[derive(Debug)]
pub struct Item {
    pub kind: ItemKind,
    pub start: usize,
}

#[derive(Debug)]
pub enum ItemKind {
    Bind(Pattern, Expr),
    Expr(Expr),
    BindFrom(String, Expr),
    Filter(Expr),
    Yield(Expr),
    Recurse(Expr),
}

impl ItemKind {
    /// The generator-only item's name in E0201 messages.
    pub fn generator_only(&self) -> Option<&'static str> {
        match self {
            ItemKind::BindFrom(..) => Some("BindFrom"),
            ItemKind::Filter(_) => Some("Filter"),
            ItemKind::Yield(_) => Some("Yield"),
            ItemKind::Recurse(_) => Some("Recurse"),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct Function {
    pub name: Name,
    pub params: Vec<Name>,
    pub body: Rc<Expr>,
}
