//! The random-number Seqs of docs/LANGUAGE.md, "Standard library" / "Random numbers", as
//! that section describes them: SplitMix64 turns the seed into xoshiro128**'s four 32-bit
//! state words; each item is one 64-bit draw of two outputs (high half first), from which
//! an Int (top 48 bits), a Float (top 53 bits times 2^-53) or an Int below `n` (Lemire's
//! multiply and reject) is made.

use crate::eval::{R, fail, mismatch};
use crate::seq::{State, new_seq};
use crate::value::Value;

/// What a Random cursor yields.
#[derive(Clone, Copy)]
pub enum Kind {
    Ints,
    Floats,
    Below(u64),
}

/// xoshiro128**'s state and the kind of items.
#[derive(Clone)]
pub struct Generator {
    pub s: [u32; 4],
    pub kind: Kind,
}

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

fn splitmix64_output(state: u64) -> u64 {
    let mut z = state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Generator {
    fn new(seed: i64, kind: Kind) -> Generator {
        let state = seed as u64;
        let first = splitmix64_output(state.wrapping_add(GOLDEN_GAMMA));
        let second = splitmix64_output(state.wrapping_add(GOLDEN_GAMMA.wrapping_mul(2)));
        let halves = |x: u64| [(x & 0xFFFF_FFFF) as u32, (x >> 32) as u32];
        let ([s0, s1], [s2, s3]) = (halves(first), halves(second));
        Generator {
            s: [s0, s1, s2, s3],
            kind,
        }
    }

    fn output(&mut self) -> u32 {
        let s = &mut self.s;
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

    fn draw(&mut self) -> u64 {
        let high = self.output() as u64;
        let low = self.output() as u64;
        high << 32 | low
    }

    /// The next item; the generator advanced.
    pub fn next_value(&mut self) -> Value {
        match self.kind {
            Kind::Ints => {
                let top = self.draw() >> 16;
                let n = if top >= 1 << 47 {
                    top as i64 - (1 << 48)
                } else {
                    top as i64
                };
                Value::Int(n)
            }
            Kind::Floats => Value::Float((self.draw() >> 11) as f64 / 9_007_199_254_740_992.0),
            Kind::Below(n) => loop {
                // Lemire: reject the low products below 2^64 mod n (only when below n).
                let product = self.draw() as u128 * n as u128;
                let low = product as u64;
                if low >= n || low >= (u64::MAX - n + 1) % n {
                    break Value::Int((product >> 64) as i64);
                }
            },
        }
    }
}

fn seed(op: &str, v: &Value) -> R<i64> {
    match v {
        Value::Int(n) => Ok(*n),
        other => mismatch(op, "an Int seed", other.kind()),
    }
}

/// The random builtin `name` applied to `a`, or `None` when `name` is not one.
pub fn random_builtin(name: &str, a: &[Value]) -> Option<R<Value>> {
    let kind = match name {
        "random_ints" => seed(name, &a[0]).map(|s| (s, Kind::Ints)),
        "random_floats" => seed(name, &a[0]).map(|s| (s, Kind::Floats)),
        "random_below" => seed(name, &a[0]).and_then(|s| match a[1] {
            Value::Int(n) if n >= 1 => Ok((s, Kind::Below(n as u64))),
            Value::Int(n) => fail(
                "RT0306",
                format!("invalid argument to random_below: the bound {n} is not positive"),
            ),
            ref other => mismatch(name, "an Int bound", other.kind()),
        }),
        _ => return None,
    };
    Some(kind.map(|(s, kind)| new_seq(State::Random(Generator::new(s, kind)), false)))
}
