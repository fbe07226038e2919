//! The soak test's calls: [`plan`] draws one call for a runtime of a given [`SlotKind`] from
//! the worker's random stream, with its arguments and the outcome the host model expects (a
//! value computed in Rust, a diagnostic code and message, or a new opaque handle). This file
//! has the plain successes and failures; `special_cases.rs` the handles, limits, cancels,
//! misuse and injected allocation failures. Everything is deterministic given the stream.

use cairn::Value;
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

use super::model::*;
use super::scripts::{DELIBERATE_PANIC, Program};
use super::special_cases::{cancel_case, fail_alloc_case, handle_case, limit_case, misuse_case};

/// Draws the next call for a runtime of `kind` holding `held`; `foreign` is a handle of
/// another runtime of the same worker, if it holds one.
pub fn plan(
    rng: &mut ChaCha8Rng,
    kind: SlotKind,
    held: &[Held],
    foreign: Option<&Held>,
) -> Planned {
    if let SlotKind::FailAlloc(k) = kind {
        return fail_alloc_case(rng, k, held);
    }
    let roll = rng.random_range(0..1_000);
    match roll {
        0..450 => success_case(rng),
        450..650 => failure_case(rng),
        650..880 => handle_case(rng, held),
        880..930 => limit_case(rng, kind),
        930..940 if kind == SlotKind::Plain => cancel_case(rng),
        _ => misuse_case(rng, foreign),
    }
}

/// A call that returns a value the model computes, on any runtime but a failing one.
pub(super) fn success_case(rng: &mut ChaCha8Rng) -> Planned {
    use Program::*;
    match rng.random_range(0..18) {
        0 => Planned::new(Arith, "generation", vec![], Expect::Generation),
        1 => {
            let (a, b) = (
                rng.random_range(-1_000_000..1_000_000),
                rng.random_range(-1_000..1_000),
            );
            Planned::new(
                Arith,
                "add",
                vec![int(a), int(b)],
                Expect::Value(int(a + b)),
            )
        }
        2 => {
            let n = rng.random_range(0..=15);
            Planned::new(Arith, "fib", vec![int(n)], Expect::Value(int(fib(n))))
        }
        3 => {
            let n = rng.random_range(0..=2_000);
            let args = vec![int(0), int(n), int(0)];
            Planned::new(Arith, "sum_to", args, Expect::Value(int(n * (n + 1) / 2)))
        }
        4 => {
            let xs = random_ints(rng, 40, -1_000..=1_000);
            let total = xs.iter().sum();
            Planned::new(Data, "total", vec![ints(&xs)], Expect::Value(int(total)))
        }
        5 => {
            let xs = random_ints(rng, 40, -1_000..=1_000);
            let reversed: Vec<i64> = xs.iter().rev().copied().collect();
            Planned::new(
                Data,
                "reversed",
                vec![ints(&xs)],
                Expect::Value(ints(&reversed)),
            )
        }
        6 => {
            let name = *NAMES.choose(rng).expect("names");
            let n = rng.random_range(0..=4);
            let expected = format!("hi {name}! ").repeat(n as usize);
            Planned::new(
                Data,
                "greet",
                vec![text(name), int(n)],
                Expect::Value(text(expected)),
            )
        }
        7 => {
            let mut map = std::collections::BTreeMap::new();
            for _ in 0..rng.random_range(0..5) {
                map.insert(
                    KEYS.choose(rng).expect("keys").to_string(),
                    rng.random_range(0..50_i64),
                );
            }
            let key = KEYS.choose(rng).expect("keys").to_string();
            let before = cairn::IntoValue::into_value(map.clone());
            *map.entry(key.clone()).or_insert(0) += 1;
            let after = cairn::IntoValue::into_value(map);
            Planned::new(Data, "tally", vec![before, text(key)], Expect::Value(after))
        }
        8 => {
            let n = rng.random_range(0..=50);
            let squares: Vec<i64> = (0..n).map(|x| x * x).collect();
            Planned::new(Data, "squares", vec![int(n)], Expect::Value(ints(&squares)))
        }
        9 => {
            let n = rng.random_range(0..=30);
            let pairs = (0..n)
                .map(|x| Value::Tuple(vec![text(x.to_string()), ints(&[x])]))
                .collect();
            Planned::new(
                Data,
                "pairs",
                vec![int(n)],
                Expect::Value(Value::List(pairs)),
            )
        }
        10 => {
            let n = rng.random_range(0..=8);
            Planned::new(Data, "nested", vec![int(n)], Expect::Value(nested(n)))
        }
        11 => {
            let xs = random_ints(rng, 30, -300..=300);
            let clamped: Vec<i64> = xs.iter().map(|x| x.clamp(&0, &100)).copied().collect();
            Planned::new(
                Hosts,
                "bounded",
                vec![ints(&xs)],
                Expect::Value(ints(&clamped)),
            )
        }
        12 => {
            let words: Vec<&str> = (0..rng.random_range(0..6))
                .map(|_| *NAMES.choose(rng).expect("names"))
                .collect();
            let line = words.join("  ");
            let expected = Value::List(words.iter().map(|w| text(*w)).collect());
            Planned::new(Hosts, "tokens", vec![text(line)], Expect::Value(expected))
        }
        13 => {
            let (a, b) = (rng.random_range(0..100_000), rng.random_range(1..100));
            Planned::new(
                Hosts,
                "quotient",
                vec![int(a), int(b)],
                Expect::Value(int(a / b)),
            )
        }
        14 => {
            let xs = random_ints(rng, 20, -100..=100);
            let mut sorted = xs.clone();
            sorted.sort_by_key(|x| -x);
            Planned::new(
                Hosts,
                "sort_desc",
                vec![ints(&xs)],
                Expect::Value(ints(&sorted)),
            )
        }
        16 => {
            // Kinds the scripts never pass `add` (Floats, Texts): on the JIT, its generic
            // variant of the module.
            if rng.random_bool(0.5) {
                let (a, b) = (
                    f64::from(rng.random_range(-1_000..1_000)) / 4.0,
                    f64::from(rng.random_range(-1_000..1_000)) / 8.0,
                );
                let args = vec![Value::Float(a), Value::Float(b)];
                Planned::new(Arith, "add", args, Expect::Value(Value::Float(a + b)))
            } else {
                let (a, b) = (
                    *NAMES.choose(rng).expect("names"),
                    *KEYS.choose(rng).expect("keys"),
                );
                let expect = Expect::Value(text(format!("{a}{b}")));
                Planned::new(Arith, "add", vec![text(a), text(b)], expect)
            }
        }
        _ => {
            let x = rng.random_range(-10_000..10_000);
            Planned::new(
                Hosts,
                "via_host",
                vec![int(x)],
                Expect::Value(int(3 * x + 1)),
            )
        }
    }
}

/// A call that fails with a script diagnostic or a host function's failure.
pub(super) fn failure_case(rng: &mut ChaCha8Rng) -> Planned {
    use Program::*;
    match rng.random_range(0..10) {
        0 => {
            let a = rng.random_range(-100..100);
            let expect = fails("RT0302", exact("division by zero"));
            Planned::new(Arith, "ratio", vec![int(a), int(0)], expect)
        }
        1 => {
            let x = rng.random_range(200..10_000);
            let expect = fails("RT0301", Message::Prefix("integer overflow".into()));
            Planned::new(Arith, "grow", vec![int(x)], expect)
        }
        2 => {
            let message = format!("soak failure {}", rng.random_range(0..1_000));
            let expect = fails("RT0900", exact(message.clone()));
            Planned::new(Arith, "boom", vec![text(message)], expect)
        }
        3 => {
            let xs = random_ints(rng, 10, 0..=9);
            let index = xs.len() as i64 + rng.random_range(0..5);
            let message = format!("index out of bounds: index {index}, length {}", xs.len());
            let expect = fails("RT0103", exact(message));
            Planned::new(Data, "pick", vec![ints(&xs), int(index)], expect)
        }
        4 => Planned::new(Data, "bad_key", vec![], fails("RT0104", Message::Any)),
        5 => {
            let a = rng.random_range(0..1_000);
            let message = "host function safe_div failed: division by zero in the host";
            Planned::new(
                Hosts,
                "quotient",
                vec![int(a), int(0)],
                fails("RT0701", exact(message)),
            )
        }
        6 => {
            let x = rng.random_range(0..1_000);
            let message = format!("host function explode panicked: {DELIBERATE_PANIC} {x}");
            Planned::new(
                Hosts,
                "blow",
                vec![int(x)],
                fails("RT0702", Message::Prefix(message)),
            )
        }
        7 => {
            let mut xs = random_ints(rng, 8, 1..=9);
            let at = rng.random_range(0..=xs.len());
            xs.insert(at, 0);
            let expect = fails("RT0302", exact("division by zero"));
            Planned::new(Hosts, "keyed_fail", vec![ints(&xs)], expect)
        }
        8 => {
            let message = "host function call_back failed: host functions nested more than 64 deep";
            Planned::new(
                Hosts,
                "descend",
                vec![int(0)],
                fails("RT0701", exact(message)),
            )
        }
        _ => {
            let message =
                "host function words failed: type mismatch: the host expects Text, got Int";
            Planned::new(
                Hosts,
                "tokens",
                vec![int(7)],
                fails("RT0701", exact(message)),
            )
        }
    }
}
