//! Sequencing a `Jump`'s block-argument moves, which happen "all at once" in the IR, into
//! ordinary register moves: in order when no destination is also a source of another move,
//! otherwise through scratch registers (all sources first, then all destinations).

use crate::code::{Instr, Register};

/// Appends moves performing `dst_i <- src_i` for all `i` simultaneously to `code`. Scratch
/// registers are numbered from `scratch_base`; returns how many were used.
pub(crate) fn sequence_parallel_moves(
    moves: &[(Register, Register)],
    scratch_base: Register,
    code: &mut Vec<Instr>,
) -> u32 {
    let moves: Vec<(Register, Register)> = moves
        .iter()
        .copied()
        .filter(|(dst, src)| dst != src)
        .collect();
    let conflicting = moves.iter().enumerate().any(|(i, (dst, _))| {
        moves
            .iter()
            .enumerate()
            .any(|(j, (_, src))| i != j && src == dst)
    });
    if !conflicting {
        code.extend(moves.iter().map(|&(dst, src)| Instr::Move { dst, src }));
        return 0;
    }
    for (k, &(_, src)) in moves.iter().enumerate() {
        code.push(Instr::Move {
            dst: scratch_base + k as u32,
            src,
        });
    }
    for (k, &(dst, _)) in moves.iter().enumerate() {
        code.push(Instr::Move {
            dst,
            src: scratch_base + k as u32,
        });
    }
    moves.len() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the emitted moves over registers initialised to their own index.
    fn apply(moves: &[(Register, Register)], scratch_base: Register) -> (Vec<u64>, u32) {
        let mut code = Vec::new();
        let used = sequence_parallel_moves(moves, scratch_base, &mut code);
        let mut registers: Vec<u64> = (0..(scratch_base + used) as u64).collect();
        for instr in code {
            let Instr::Move { dst, src } = instr else {
                panic!("only moves are emitted, got {instr:?}");
            };
            registers[dst as usize] = registers[src as usize];
        }
        registers.truncate(scratch_base as usize);
        (registers, used)
    }

    #[test]
    fn independent_moves_need_no_scratch() {
        let (registers, used) = apply(&[(0, 3), (1, 4), (2, 2)], 5);
        assert_eq!(used, 0);
        assert_eq!(registers, vec![3, 4, 2, 3, 4]);
    }

    #[test]
    fn a_swap_and_a_rotation_behave_as_simultaneous_moves() {
        let (registers, used) = apply(&[(0, 1), (1, 0)], 3);
        assert_eq!(used, 2);
        assert_eq!(registers, vec![1, 0, 2]);
        let (registers, _) = apply(&[(0, 1), (1, 2), (2, 0), (3, 1)], 4);
        assert_eq!(registers, vec![1, 2, 0, 1]);
    }
}
