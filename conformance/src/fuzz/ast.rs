//! The syntax tree of a generated program: uniform nodes (a kind, the type the generator
//! meant, children) so that the printer writes them and the shrinker can replace any node
//! by a child or a literal of the same type without knowing every construct.

use super::ty::Ty;

/// What a node is; its operands are the node's `kids`, in source order.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(String),
    Unit,
    Var(String),
    /// `(a OP b)`: kids `[a, b]`.
    Binary(&'static str),
    /// `(-a)`, `(not a)`, `(!a)`: kids `[a]`.
    Neg,
    Not,
    Deref,
    /// `(r := v)`: kids `[r, v]`.
    Assign,
    /// `(if c then a else b)`: kids `[c, a, b]`.
    If,
    /// A direct call of a named function or builtin: kids are the arguments.
    Call(String),
    /// `kids[0] |> name(kids[1..])`.
    Pipe(String),
    /// A value call: kids `[callee, args...]`.
    CallValue,
    /// `(\params -> body)`: kids `[body]`.
    Lambda(Vec<String>),
    /// A named function or builtin used as a value.
    FnValue(String),
    /// `e[i]`: kids `[e, i]`.
    Index,
    /// `[a, ...xs]`: kids are the elements; `true` marks a spread.
    List(Vec<bool>),
    /// `(a, b)`; `(a,)` for one element.
    Tuple,
    /// `#{k: v}`: kids alternate keys and values.
    Map,
    /// `{ items }`: kids are items.
    Block,
    /// `generate { items }`: kids are items.
    Generate,
    /// `loop p = init { items }`: kids `[init, items...]`; one name or a tuple of names.
    Loop(Vec<String>, bool),
    /// Block items.
    Bind(String),
    BindTuple(Vec<String>),
    ExprItem,
    BindFrom(String),
    When,
    Yield,
    Recurse,
}

impl Kind {
    /// Items are not expressions: the shrinker never replaces one by a literal.
    pub fn is_item(&self) -> bool {
        matches!(
            self,
            Kind::Bind(_)
                | Kind::BindTuple(_)
                | Kind::ExprItem
                | Kind::BindFrom(_)
                | Kind::When
                | Kind::Yield
                | Kind::Recurse
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: Kind,
    /// The type the generator meant this node to have (items: Unit).
    pub ty: Ty,
    pub kids: Vec<Expr>,
}

impl Expr {
    pub fn new(kind: Kind, ty: Ty, kids: Vec<Expr>) -> Expr {
        Expr { kind, ty, kids }
    }

    pub fn leaf(kind: Kind, ty: Ty) -> Expr {
        Expr::new(kind, ty, Vec::new())
    }

    pub fn item(kind: Kind, kids: Vec<Expr>) -> Expr {
        Expr::new(kind, Ty::Unit, kids)
    }

    /// Nodes in this subtree.
    pub fn size(&self) -> usize {
        1 + self.kids.iter().map(Expr::size).sum::<usize>()
    }
}

/// `fn name(params) = body`.
#[derive(Clone, Debug, PartialEq)]
pub struct FnDef {
    pub name: String,
    pub params: Vec<String>,
    pub body: Expr,
}

/// Per-program limits written as the `//# limits:` header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProgramLimits {
    pub fuel: u64,
    pub depth: Option<u64>,
    pub heap: Option<u32>,
    pub quota: Option<u32>,
}

/// A whole generated program; `functions` ends with `main`.
#[derive(Clone, Debug, PartialEq)]
pub struct FuzzProgram {
    pub seed: u64,
    pub index: u64,
    pub limits: ProgramLimits,
    pub functions: Vec<FnDef>,
}

impl FuzzProgram {
    pub fn size(&self) -> usize {
        self.functions.iter().map(|f| 1 + f.body.size()).sum()
    }
}

/// A call of the builtin or function `name` giving `ty`.
pub fn call(name: &str, ty: Ty, kids: Vec<Expr>) -> Expr {
    Expr::new(Kind::Call(name.to_string()), ty, kids)
}

/// An Int literal.
pub fn int(v: i64) -> Expr {
    Expr::leaf(Kind::Int(v), Ty::Int)
}

/// A variable of type `ty`.
pub fn var(name: &str, ty: Ty) -> Expr {
    Expr::leaf(Kind::Var(name.to_string()), ty)
}
