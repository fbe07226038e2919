//! The random-number generator behind `random_ints`, `random_floats` and `random_below`
//! (docs/LANGUAGE.md, "Random numbers"): xoshiro128** (Blackman and Vigna) seeded by
//! SplitMix64, its state in a Random cursor's slots (`objects::seq`, tag 15: four Ints
//! `s0..s3`, each a 32-bit word, and the mode). Every item is one 64-bit draw, two outputs
//! `(hi << 32) | lo`; the derivations of an Int, a Float and a bounded Int from a draw are
//! the documented ones, so a seed gives the same numbers everywhere and in every release.

use crate::error::RuntimeError;
use crate::value::Value;

use super::seq::{State, state_int};

/// What a Random cursor yields (its state slot 4): an Int of the mode word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Ints over the whole range: the top 48 bits of a draw, two's complement.
    Ints,
    /// Floats in `[0, 1)`: the top 53 bits of a draw times 2^-53.
    Floats,
    /// Ints in `[0, n)`, `n >= 1`: Lemire's multiply-and-reject on whole draws.
    Below(u64),
}

impl Mode {
    /// The mode's word: -1 Ints, -2 Floats, `n` for `Below(n)`.
    pub fn word(self) -> Value {
        let n = match self {
            Mode::Ints => -1,
            Mode::Floats => -2,
            Mode::Below(n) => n as i64,
        };
        Value::int(n).unwrap_or(Value::UNIT)
    }

    fn of(word: i64) -> Option<Mode> {
        match word {
            -1 => Some(Mode::Ints),
            -2 => Some(Mode::Floats),
            n if n >= 1 => Some(Mode::Below(n as u64)),
            _ => None,
        }
    }
}

/// The four 32-bit words of xoshiro128**'s state.
pub type Words = [u32; 4];

/// SplitMix64's output for state `x` after its increment (Vigna, splitmix64.c).
fn split_mix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The state of seed `seed` (the Int as a 64-bit two's-complement word is SplitMix64's
/// state): its first output gives `s0` (low half) and `s1` (high half), its second `s2` and
/// `s3`. Two successive SplitMix64 outputs are never both 0, so the state is never all zero.
pub fn seeded(seed: i64) -> Words {
    let mut state = seed as u64;
    let (a, b) = (split_mix(&mut state), split_mix(&mut state));
    [a as u32, (a >> 32) as u32, b as u32, (b >> 32) as u32]
}

/// One xoshiro128** output (Blackman and Vigna, xoshiro128starstar.c).
fn next_u32(s: &mut Words) -> u32 {
    let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
    let t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s[3].rotate_left(11);
    result
}

/// One 64-bit draw: the next two outputs, the first the high half.
fn draw(s: &mut Words) -> u64 {
    let high = u64::from(next_u32(s));
    (high << 32) | u64::from(next_u32(s))
}

/// The next item of mode `mode`.
pub fn next_item(s: &mut Words, mode: Mode) -> Value {
    match mode {
        Mode::Ints => {
            // The top 48 bits, sign-extended from bit 47.
            let n = (draw(s) as i64) >> 16;
            Value::int(n).unwrap_or(Value::UNIT)
        }
        Mode::Floats => Value::float((draw(s) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)),
        Mode::Below(n) => {
            let mut m = u128::from(draw(s)) * u128::from(n);
            if (m as u64) < n {
                let threshold = n.wrapping_neg() % n;
                while (m as u64) < threshold {
                    m = u128::from(draw(s)) * u128::from(n);
                }
            }
            Value::int((m >> 64) as i64).unwrap_or(Value::UNIT)
        }
    }
}

/// The state words of a Random cursor `state` and its mode (RT0404 when malformed).
fn read(head: u32, state: &State) -> Result<(Words, Mode), RuntimeError> {
    let mut words = [0u32; 4];
    for (index, word) in words.iter_mut().enumerate() {
        *word = u32::try_from(state_int(head, state[index])?).map_err(|_| corrupt(head))?;
    }
    let mode = Mode::of(state_int(head, state[4])?).ok_or_else(|| corrupt(head))?;
    Ok((words, mode))
}

fn corrupt(head: u32) -> RuntimeError {
    RuntimeError::invalid_reference(&format!("block {head}: a malformed Random cursor"))
}

/// The state slots of a new Random cursor.
pub fn initial_state(seed: i64, mode: Mode) -> [Value; 5] {
    let words = seeded(seed);
    let int = |w: u32| Value::int(i64::from(w)).unwrap_or(Value::UNIT);
    [
        int(words[0]),
        int(words[1]),
        int(words[2]),
        int(words[3]),
        mode.word(),
    ]
}

/// Pulls a Random cursor: the next item, `state` advanced (Ints only: no refcount event).
pub fn step(head: u32, state: &mut State) -> Result<Value, RuntimeError> {
    let (mut words, mode) = read(head, state)?;
    let item = next_item(&mut words, mode);
    for (index, word) in words.into_iter().enumerate() {
        state[index] = Value::int(i64::from(word)).ok_or_else(|| corrupt(head))?;
    }
    Ok(item)
}

#[cfg(test)]
mod tests {
    //! Known outputs computed independently (a Python transcription of Vigna's
    //! splitmix64.c and xoshiro128starstar.c and of the derivations docs/LANGUAGE.md gives).
    use super::{Mode, next_item, seeded};

    fn items(seed: i64, mode: Mode, n: usize) -> Vec<u64> {
        let mut words = seeded(seed);
        (0..n).map(|_| next_item(&mut words, mode).bits()).collect()
    }

    fn ints(seed: i64, mode: Mode, n: usize) -> Vec<i64> {
        let mut words = seeded(seed);
        (0..n)
            .map(|_| next_item(&mut words, mode).as_int().expect("an Int"))
            .collect()
    }

    #[test]
    fn seeding_is_splitmix64() {
        // SplitMix64 from state 0 starts 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4.
        assert_eq!(seeded(0), [0x7b1dcdaf, 0xe220a839, 0xa1b965f4, 0x6e789e6a]);
    }

    #[test]
    fn ints_floats_and_bounded_ints_are_pinned() {
        assert_eq!(
            ints(0, Mode::Ints, 4),
            [
                -36520033674744,
                -92943840787487,
                101797852766430,
                -67781810674647
            ]
        );
        assert_eq!(
            ints(-(1 << 47), Mode::Ints, 3),
            [-7452503848316, -21678520686505, -16127052420308]
        );
        let floats: Vec<f64> = items(0, Mode::Floats, 4)
            .into_iter()
            .map(|bits| crate::value::Value(bits).as_float().expect("a Float"))
            .collect();
        assert_eq!(
            floats,
            [
                0.8702547768134842,
                0.6697971454740403,
                0.3616586239958175,
                0.7591906340423158
            ]
        );
        assert_eq!(
            ints(42, Mode::Below(6), 12),
            [2, 0, 3, 4, 4, 4, 4, 0, 3, 3, 1, 2]
        );
        assert_eq!(
            ints(3, Mode::Below((1 << 47) - 1), 3),
            [66705242217975, 95960437762101, 96878689573074]
        );
        assert_eq!(ints(1, Mode::Below(1), 3), [0, 0, 0]);
        // Seed 148607's first draw is rejected for the bound 2^46 + 1 (its product's low
        // half is below 2^64 mod n; taken, it would give 31357534165005).
        assert_eq!(
            ints(148607, Mode::Below((1 << 46) + 1), 2),
            [50913836370416, 23826631510263]
        );
    }
}
