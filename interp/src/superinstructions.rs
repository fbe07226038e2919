//! The superinstruction pass: a function's plain code (one instruction per IR op, what an
//! observed run executes) becomes its `fast_code` (what every unobserved run executes).
//!
//! Two rewrites, each exactly equivalent to the instructions it replaces:
//! - a `Release` (or `Retain`) of a variable the value-kind analysis
//!   (`cairn_lang::analysis`, the JIT's too) proves never a heap reference would not call
//!   the shim anyway (its fast path skips immediates): it is dropped (a `Retain` becomes a
//!   `Move`), as the JIT drops it (`jit/src/kind_specialized.rs`). Every shim call and so
//!   every refcount event stays where it was;
//! - the common op pairs of loops and calls become one instruction (`code.rs`, after
//!   `Return`): an Int constant and the arithmetic or comparison that uses it as its right
//!   operand, a comparison and the `Branch` on it, a back-edge's `Fuel` + moves + `Jump`,
//!   a function's `Enter` + the moves into its first block, two `Release`s. A fused constant is still written to its register (a failure's cleanup
//!   may release it) and every fused op keeps its own site.
//!
//! No superinstruction spans a jump target except at its start, so the code's control flow
//! is the plain code's; targets are renumbered at the end.

use cairn_lang::analysis::FunctionKinds;
use cairn_lang::ir::Var;
use cairn_runtime::value::{PAYLOAD_MASK, TAG_INT, TAG_SHIFT};

use crate::code::{Instr, ProgramCounter, Register};

/// The fast code of one function: `code` is its plain code, `kinds` its inferred value
/// kinds (`None`: nothing is known), `var_count` its IR variable count (registers past it
/// are scratch registers of parallel moves). Move pairs of back-edges go to `operands`.
pub(crate) fn fuse_function(
    code: &[Instr],
    kinds: Option<&FunctionKinds>,
    var_count: u32,
    operands: &mut Vec<Register>,
) -> Box<[Instr]> {
    let never_heap = |register: Register| {
        register < var_count && kinds.is_some_and(|k| !k.var(Var(register)).may_be_heap())
    };
    let never_heap_or_bool = |register: Register| {
        register < var_count && kinds.is_some_and(|k| k.var(Var(register)).is_only_bool())
    };
    let mut targets = vec![false; code.len() + 1];
    targets[0] = true;
    for instr in code {
        match *instr {
            Instr::Jump { target } => targets[target as usize] = true,
            Instr::Branch {
                then_pc, else_pc, ..
            } => {
                targets[then_pc as usize] = true;
                targets[else_pc as usize] = true;
            }
            _ => {}
        }
    }
    // The plain instructions that remain, each with whether a jump lands on it.
    let mut kept: Vec<(Instr, bool, usize)> = Vec::with_capacity(code.len());
    let mut pending_target = false;
    for (pc, &instr) in code.iter().enumerate() {
        let is_target = targets[pc] || pending_target;
        let instr = match instr {
            Instr::Release { var } if never_heap(var) => None,
            Instr::Retain { dst, src, .. } if never_heap(src) => Some(Instr::Move { dst, src }),
            other => Some(other),
        };
        match instr {
            Some(instr) => {
                kept.push((instr, is_target, pc));
                pending_target = false;
            }
            None => pending_target = is_target,
        }
    }

    // `new_pc[old]`: where plain instruction `old` (or, when dropped, the next kept one)
    // starts in the fast code.
    let mut new_pc = vec![0 as ProgramCounter; code.len() + 1];
    let mut mapped = 0;
    let mut fast = Vec::with_capacity(kept.len());
    let mut at = 0;
    while at < kept.len() {
        // A group never contains a jump target past its first instruction.
        let following = |offset: usize| {
            kept.get(at + offset)
                .filter(|&&(_, is_target, _)| !is_target)
                .map(|&(instr, _, _)| instr)
        };
        let (fused, used) = fuse_at(kept[at].0, &following, &never_heap_or_bool, operands);
        let last_covered = kept[at + used - 1].2;
        for slot in &mut new_pc[mapped..=last_covered] {
            *slot = fast.len() as ProgramCounter;
        }
        mapped = last_covered + 1;
        fast.push(fused);
        at += used;
    }
    for slot in &mut new_pc[mapped..] {
        *slot = fast.len() as ProgramCounter;
    }
    for instr in &mut fast {
        renumber_targets(instr, &new_pc);
    }
    fast.into_boxed_slice()
}

/// The Int a `Const` word holds when it fits an `i32` immediate.
fn small_int_constant(word: u64) -> Option<i32> {
    if word >> TAG_SHIFT != TAG_INT {
        return None;
    }
    let value = ((word & PAYLOAD_MASK) << 16) as i64 >> 16;
    i32::try_from(value).ok()
}

/// The superinstruction starting with `first` (followed by `following(1)`, ... — `None` past
/// the block or at a jump target) and how many plain instructions it covers; `first` itself
/// and 1 when no pattern applies.
fn fuse_at(
    first: Instr,
    following: &dyn Fn(usize) -> Option<Instr>,
    is_bool: &dyn Fn(Register) -> bool,
    operands: &mut Vec<Register>,
) -> (Instr, usize) {
    match (first, following(1)) {
        (
            Instr::Const {
                dst: constant_register,
                word,
            },
            Some(second),
        ) => {
            let Some(constant) = small_int_constant(word) else {
                return (first, 1);
            };
            if let Some(fused) = arithmetic_with_constant(second, constant_register, constant) {
                return (fused, 2);
            }
            if let (
                Instr::Compare {
                    comparison,
                    dst,
                    lhs,
                    rhs,
                    site,
                    ..
                },
                Some(Instr::Branch {
                    condition,
                    then_pc,
                    else_pc,
                    ..
                }),
            ) = (second, following(2))
                && rhs == constant_register
                && lhs != constant_register
                && condition == dst
                && is_bool(dst)
            {
                let fused = Instr::CompareConstantBranch {
                    comparison,
                    dst,
                    lhs,
                    constant_register,
                    constant,
                    then_pc,
                    else_pc,
                    site,
                };
                return (fused, 3);
            }
            (first, 1)
        }
        (
            Instr::Compare {
                comparison,
                dst,
                lhs,
                rhs,
                site,
                ..
            },
            Some(Instr::Branch {
                condition,
                then_pc,
                else_pc,
                ..
            }),
        ) if condition == dst && is_bool(dst) => (
            Instr::CompareBranch {
                comparison,
                dst,
                lhs,
                rhs,
                then_pc,
                else_pc,
                site,
            },
            2,
        ),
        (Instr::Fuel { site }, _) => {
            let start = operands.len() as u32;
            let mut offset = 1;
            while let Some(Instr::Move { dst, src }) = following(offset) {
                operands.extend([dst, src]);
                offset += 1;
            }
            if let Some(Instr::Jump { target }) = following(offset) {
                let fused = Instr::FuelMovesJump {
                    start,
                    moves: (offset - 1) as u32,
                    target,
                    site,
                };
                return (fused, offset + 1);
            }
            operands.truncate(start as usize);
            (first, 1)
        }
        (Instr::Enter { site }, Some(Instr::Move { .. })) => {
            let start = operands.len() as u32;
            let mut offset = 1;
            while let Some(Instr::Move { dst, src }) = following(offset) {
                operands.extend([dst, src]);
                offset += 1;
            }
            let fused = Instr::EnterMoves {
                start,
                moves: (offset - 1) as u32,
                site,
            };
            (fused, offset)
        }
        (Instr::Release { var: first }, Some(Instr::Release { var: second })) => {
            (Instr::Release2 { first, second }, 2)
        }
        _ => (first, 1),
    }
}

/// `second` (an Int op whose right operand is `constant_register`, which holds `constant`)
/// as one superinstruction, when it is one.
fn arithmetic_with_constant(
    second: Instr,
    constant_register: Register,
    constant: i32,
) -> Option<Instr> {
    let (dst, lhs, rhs, site) = match second {
        Instr::Add {
            dst,
            lhs,
            rhs,
            site,
        }
        | Instr::Sub {
            dst,
            lhs,
            rhs,
            site,
        }
        | Instr::Mul {
            dst,
            lhs,
            rhs,
            site,
        }
        | Instr::Div {
            dst,
            lhs,
            rhs,
            site,
        }
        | Instr::Rem {
            dst,
            lhs,
            rhs,
            site,
        } => (dst, lhs, rhs, site),
        _ => return None,
    };
    if rhs != constant_register || lhs == constant_register {
        return None;
    }
    // A zero divisor stays two plain instructions (the shim raises RT0302 there anyway).
    if constant == 0 && matches!(second, Instr::Div { .. } | Instr::Rem { .. }) {
        return None;
    }
    Some(match second {
        Instr::Add { .. } => Instr::AddConstant {
            dst,
            lhs,
            constant_register,
            constant,
            site,
        },
        Instr::Sub { .. } => Instr::SubConstant {
            dst,
            lhs,
            constant_register,
            constant,
            site,
        },
        Instr::Mul { .. } => Instr::MulConstant {
            dst,
            lhs,
            constant_register,
            constant,
            site,
        },
        Instr::Div { .. } => Instr::DivConstant {
            dst,
            lhs,
            constant_register,
            constant,
            site,
        },
        _ => Instr::RemConstant {
            dst,
            lhs,
            constant_register,
            constant,
            site,
        },
    })
}

/// Replaces the plain program counters in `instr`'s targets by fast ones.
fn renumber_targets(instr: &mut Instr, new_pc: &[ProgramCounter]) {
    let renumber = |pc: &mut ProgramCounter| *pc = new_pc[*pc as usize];
    match instr {
        Instr::Jump { target } | Instr::FuelMovesJump { target, .. } => renumber(target),
        Instr::Branch {
            then_pc, else_pc, ..
        }
        | Instr::CompareBranch {
            then_pc, else_pc, ..
        }
        | Instr::CompareConstantBranch {
            then_pc, else_pc, ..
        } => {
            renumber(then_pc);
            renumber(else_pc);
        }
        _ => {}
    }
}
