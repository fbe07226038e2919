//! The static types the fuzzer's generator tracks so that every program it writes is
//! well-formed: each expression is generated for a wanted type from the variables in scope.

/// A Cairn value's shape as far as the generator knows it.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Int,
    Float,
    Bool,
    Text,
    Unit,
    List(Box<Ty>),
    Tuple(Vec<Ty>),
    Map(Box<Ty>, Box<Ty>),
    Seq(Box<Ty>),
    Ref(Box<Ty>),
    Fn(Vec<Ty>, Box<Ty>),
}

impl Ty {
    pub fn list(of: Ty) -> Ty {
        Ty::List(Box::new(of))
    }

    pub fn seq(of: Ty) -> Ty {
        Ty::Seq(Box::new(of))
    }

    pub fn map(key: Ty, value: Ty) -> Ty {
        Ty::Map(Box::new(key), Box::new(value))
    }

    pub fn func(params: Vec<Ty>, ret: Ty) -> Ty {
        Ty::Fn(params, Box::new(ret))
    }

    /// Int and Float: the operands of arithmetic and ordering.
    pub fn is_number(&self) -> bool {
        matches!(self, Ty::Int | Ty::Float)
    }

    /// Values that may sit in a Ref: nothing that holds a Ref, a Seq or a Closure (a closure
    /// may have captured a Ref, and a generator Seq counts as holding one: RT0403).
    pub fn may_sit_in_ref(&self) -> bool {
        match self {
            Ty::Int | Ty::Float | Ty::Bool | Ty::Text | Ty::Unit => true,
            Ty::List(of) => of.may_sit_in_ref(),
            Ty::Tuple(items) => items.iter().all(Ty::may_sit_in_ref),
            Ty::Map(key, value) => key.may_sit_in_ref() && value.may_sit_in_ref(),
            Ty::Seq(_) | Ty::Ref(_) | Ty::Fn(..) => false,
        }
    }

    /// Types whose values can be map keys (docs/LANGUAGE.md, "Values and operators": Unit, Bool,
    /// numbers, Text, Tuples of keys).
    pub fn is_key(&self) -> bool {
        match self {
            Ty::Int | Ty::Float | Ty::Bool | Ty::Text | Ty::Unit => true,
            Ty::Tuple(items) => items.iter().all(Ty::is_key),
            _ => false,
        }
    }
}
