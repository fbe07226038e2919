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
    ];

    /// The source-level name (`None` for internal builtins).
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
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
            Builtin::ListExtend => return None,
        })
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
            Builtin::Has => &[Borrowed, Borrowed],
            Builtin::ListExtend => &[Owned, Borrowed],
        }
    }

    pub fn arity(self) -> usize {
        self.param_modes().len()
    }
}
