//! The builtin functions the IR can call, with their arity and per-argument ownership.
//! The runtime shims implement exactly these modes (see `cairn_runtime::abi::shim_list`).

use serde::{Deserialize, Serialize};

use super::ParamMode::{self, Borrowed, Owned};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Builtin {
    Print,
    Len,
    Push,
    Pop,
    Set,
    Get,
    Insert,
    Remove,
    Has,
    Str,
    /// List spread inside a list literal: `(list owned, other borrowed)`. Not callable by name.
    ListExtend,
    /// Tuple destructuring `(a, b) = e`: `(tuple borrowed, arity borrowed)`, where `arity` is
    /// an Int constant. Returns Unit when `tuple` is a Tuple of exactly `arity` elements,
    /// else RT0303 (`rt_expect_tuple_arity`). Not callable by name.
    ExpectTupleArity,
}

impl Builtin {
    pub const ALL: &'static [Builtin] = &[
        Builtin::Print,
        Builtin::Len,
        Builtin::Push,
        Builtin::Pop,
        Builtin::Set,
        Builtin::Get,
        Builtin::Insert,
        Builtin::Remove,
        Builtin::Has,
        Builtin::Str,
        Builtin::ListExtend,
        Builtin::ExpectTupleArity,
    ];

    /// The source-level name (`None` for internal builtins).
    pub fn name(self) -> Option<&'static str> {
        match self {
            Builtin::ListExtend | Builtin::ExpectTupleArity => None,
            named => Some(named.ir_name()),
        }
    }

    /// The name the IR printer shows: the source-level name, or a snake_case internal name.
    pub fn ir_name(self) -> &'static str {
        match self {
            Builtin::Print => "print",
            Builtin::Len => "len",
            Builtin::Push => "push",
            Builtin::Pop => "pop",
            Builtin::Set => "set",
            Builtin::Get => "get",
            Builtin::Insert => "insert",
            Builtin::Remove => "remove",
            Builtin::Has => "has",
            Builtin::Str => "str",
            Builtin::ListExtend => "list_extend",
            Builtin::ExpectTupleArity => "expect_tuple_arity",
        }
    }

    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL
            .iter()
            .copied()
            .find(|b| b.name() == Some(name))
    }

    /// Ownership of each argument; its length is the arity.
    pub fn param_modes(self) -> &'static [ParamMode] {
        match self {
            Builtin::Print | Builtin::Len | Builtin::Str => &[Borrowed],
            Builtin::Push => &[Owned, Owned],
            Builtin::Pop => &[Owned],
            Builtin::Set => &[Owned, Borrowed, Owned],
            Builtin::Get => &[Borrowed, Borrowed, Owned],
            Builtin::Insert => &[Owned, Owned, Owned],
            Builtin::Remove => &[Owned, Borrowed],
            Builtin::Has | Builtin::ExpectTupleArity => &[Borrowed, Borrowed],
            Builtin::ListExtend => &[Owned, Borrowed],
        }
    }

    pub fn arity(self) -> usize {
        self.param_modes().len()
    }
}
