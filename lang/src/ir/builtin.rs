//! The builtin functions the IR can call: the [`Builtin`] enum and its names, arities,
//! per-argument ownership and result kinds, all expanded from the one list in
//! `table.rs` ([`foreach_builtin!`](crate::foreach_builtin)). The runtime shims
//! implement exactly these modes; `cairn-engine-support` maps each builtin to its shim from
//! the same list.

mod table;

use serde::{Deserialize, Serialize};

use super::ParamMode;
use crate::analysis::KindSet;

/// `Some(name)` for a public row, `None` for an internal one; any other word is an error.
macro_rules! source_name {
    (public, $name:literal) => {
        Some($name)
    };
    (internal, $name:literal) => {
        None
    };
}

macro_rules! define_builtins {
    ($(
        $(#[doc = $doc:literal])+
        $variant:ident : $visibility:ident $name:literal ( $($mode:ident),* ) -> $kind:ident ,
            shim $shim:ident ;
    )*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Builtin {
            $( $(#[doc = $doc])+ $variant, )*
        }

        impl Builtin {
            /// Every builtin, in table order.
            pub const ALL: &'static [Builtin] = &[ $( Builtin::$variant ),* ];

            /// The source-level name (`None` for internal builtins).
            pub fn name(self) -> Option<&'static str> {
                match self {
                    $( Builtin::$variant => source_name!($visibility, $name), )*
                }
            }

            /// The name the IR printer shows: the source-level name, or a snake_case
            /// internal name.
            pub fn ir_name(self) -> &'static str {
                match self {
                    $( Builtin::$variant => $name, )*
                }
            }

            /// Ownership of each argument; its length is the arity.
            pub fn param_modes(self) -> &'static [ParamMode] {
                match self {
                    $( Builtin::$variant => &[ $( ParamMode::$mode ),* ], )*
                }
            }

            /// The kinds a successful call may return (the value-kind inference's transfer
            /// function for builtins; each mirrors what the builtin's runtime shim returns).
            pub fn result_kinds(self) -> KindSet {
                match self {
                    $( Builtin::$variant => KindSet::$kind, )*
                }
            }
        }
    };
}

crate::foreach_builtin!(define_builtins);

impl Builtin {
    /// The builtin a source name denotes (for `range`, the two-argument form; lowering picks
    /// [`Builtin::RangeStep`] for three arguments).
    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL
            .iter()
            .copied()
            .find(|b| b.name() == Some(name))
    }

    pub fn arity(self) -> usize {
        self.param_modes().len()
    }

    /// Whether a call of this builtin may run script code (call a closure, or pull a Seq
    /// whose stages call closures). `false` only for builtins known never to: they build,
    /// read or update values, or build a lazy Seq without pulling it (printing a Seq shows
    /// `<seq>`). Every other builtin, and any row added later, answers `true`, which is
    /// always sound; the JIT's stack budget (`jit/src/stack_budget.rs`) uses it to
    /// see that a function calling only these is on no call cycle.
    pub fn may_run_script_code(self) -> bool {
        use Builtin::*;
        !matches!(
            self,
            Print
                | Len
                | Push
                | Pop
                | Set
                | Get
                | Insert
                | Remove
                | Has
                | Str
                | ExpectTupleArity
                | TupleFromList
                | MapFromList
                | Keys
                | Values
                | Merge
                | Slice
                | Reverse
                | Fail
                | Range
                | RangeStep
                | Iter
                | Map
                | Filter
                | Take
                | Drop
                | Scan
                | Zip
                | MakeRef
                | Deref
                | Assign
                | Checkpoint
                | ClosureCapture
                | SeqEmpty
                | SeqCons
                | SeqFlatMap
                | SeqDefer
                | SeqAppend
                | FusedRangeCheck
                | FusedTakeCheck
                | FusedDepthCheck
                | FusedDepthAdd
                | FusedSumAdd
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lowering tells builtins apart by source name and arity, the printer by IR name and
    /// arity: no two rows may share both, and every public name resolves to a row of it.
    #[test]
    fn rows_differ_in_name_or_arity_and_public_names_resolve() {
        let mut seen = std::collections::HashSet::new();
        for &builtin in Builtin::ALL {
            assert!(
                seen.insert((builtin.ir_name(), builtin.arity())),
                "{builtin:?}: a second row named {} with arity {}",
                builtin.ir_name(),
                builtin.arity()
            );
            if let Some(name) = builtin.name() {
                let found = Builtin::from_name(name).expect("a public name resolves");
                assert_eq!(found.name(), Some(name));
            } else {
                assert_eq!(Builtin::from_name(builtin.ir_name()), None, "{builtin:?}");
            }
        }
        assert_eq!(Builtin::from_name("range"), Some(Builtin::Range));
    }
}
