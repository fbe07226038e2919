//! Which runtime shim each IR builtin and operator lowers to (the same ones the interpreter
//! calls). Pure mapping onto `Shim`; no runtime function is named here by symbol.

use cairn_lang::ir::{BinaryOp, Builtin, UnaryOp};
use cairn_runtime::Shim;

pub fn builtin_shim(builtin: Builtin) -> Shim {
    match builtin {
        Builtin::Print => Shim::Print,
        Builtin::Len => Shim::Len,
        Builtin::Push => Shim::Push,
        Builtin::Pop => Shim::Pop,
        Builtin::Set => Shim::Set,
        Builtin::Get => Shim::Get,
        Builtin::Insert => Shim::Insert,
        Builtin::Remove => Shim::Remove,
        Builtin::Has => Shim::Has,
        Builtin::Str => Shim::Str,
        Builtin::ListExtend => Shim::ListExtend,
        Builtin::ExpectTupleArity => Shim::ExpectTupleArity,
    }
}

pub fn unary_shim(op: UnaryOp) -> Shim {
    match op {
        UnaryOp::Neg => Shim::Neg,
        UnaryOp::Not => Shim::Not,
    }
}

pub fn binary_shim(op: BinaryOp) -> Shim {
    match op {
        BinaryOp::Add => Shim::Add,
        BinaryOp::Sub => Shim::Sub,
        BinaryOp::Mul => Shim::Mul,
        BinaryOp::Div => Shim::Div,
        BinaryOp::Rem => Shim::Rem,
        BinaryOp::Concat => Shim::Concat,
        BinaryOp::Eq => Shim::Eq,
        BinaryOp::Ne => Shim::Ne,
        BinaryOp::Lt => Shim::Lt,
        BinaryOp::Le => Shim::Le,
        BinaryOp::Gt => Shim::Gt,
        BinaryOp::Ge => Shim::Ge,
    }
}

#[cfg(test)]
mod tests {
    use super::builtin_shim;
    use cairn_lang::ir::Builtin;

    /// The load check only checks a builtin's args against `Builtin::arity`; the shim each
    /// builtin lowers to must take exactly that many words.
    #[test]
    fn every_builtin_shim_takes_the_builtins_arity() {
        for &builtin in Builtin::ALL {
            let shim = builtin_shim(builtin);
            assert_eq!(
                shim.param_count(),
                builtin.arity(),
                "{builtin:?} -> {}",
                shim.symbol()
            );
        }
    }
}
