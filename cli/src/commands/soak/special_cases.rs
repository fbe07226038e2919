//! The soak test's calls around state and limits: opaque handles created, used, nested in
//! containers and passed to the wrong runtime; limits hit; calls cancelled from another
//! thread or before they start; misuse of the API; and the calls of a runtime whose `k`th
//! allocation of every call fails.

use cairn::{INT_MAX, Value};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::cases::success_case;
use super::model::*;
use super::scripts::Program;

/// Creates a handle, or uses one this runtime holds.
pub(super) fn handle_case(rng: &mut ChaCha8Rng, held: &[Held]) -> Planned {
    use Program::Handles;
    if held.is_empty() || rng.random_range(0..4) == 0 {
        return match rng.random_range(0..3) {
            0 => {
                let n = rng.random_range(1..1_000);
                Planned::new(
                    Handles,
                    "counter",
                    vec![int(n)],
                    Expect::NewHandle(HandleState::Ref(n)),
                )
            }
            1 => {
                let n = rng.random_range(-1_000..1_000);
                Planned::new(
                    Handles,
                    "adder",
                    vec![int(n)],
                    Expect::NewHandle(HandleState::Adder(n)),
                )
            }
            _ => {
                let from = rng.random_range(0..1_000);
                let expect = Expect::NewHandle(HandleState::Seq(from));
                Planned::new(Handles, "naturals", vec![int(from)], expect)
            }
        };
    }
    let index = rng.random_range(0..held.len());
    let handle = &held[index];
    let value = handle.value.clone();
    let mut planned = match handle.state {
        HandleState::Ref(n) => match rng.random_range(0..5) {
            0 | 1 => {
                let k = rng.random_range(1..100);
                let mut planned = Planned::new(
                    Handles,
                    "bump",
                    vec![value, int(k)],
                    Expect::Value(int(n + k)),
                );
                planned.effect = Effect::Update(index, HandleState::Ref(n + k));
                planned
            }
            2 => Planned::new(Handles, "peek", vec![value], Expect::Value(int(n))),
            3 => {
                let message = "a Ref cannot hold a value that contains a Ref";
                Planned::new(
                    Handles,
                    "nest_ref",
                    vec![value],
                    fails("RT0403", exact(message)),
                )
            }
            _ => {
                let expect = fails("RT0301", Message::Prefix("integer overflow".into()));
                Planned::new(Handles, "bump", vec![value, int(INT_MAX)], expect)
            }
        },
        HandleState::Adder(n) => {
            let x = rng.random_range(-1_000..1_000);
            let function = if rng.random_bool(0.5) {
                "apply"
            } else {
                "host_apply"
            };
            Planned::new(
                Handles,
                function,
                vec![value, int(x)],
                Expect::Value(int(x + n)),
            )
        }
        HandleState::Seq(next) => {
            let mut planned = Planned::new(
                Handles,
                "next3",
                vec![value],
                Expect::Value(ints(&[next, next + 1, next + 2])),
            );
            planned.effect = Effect::Update(index, HandleState::Seq(next + 3));
            planned
        }
    };
    if rng.random_range(0..8) == 0 && planned.effect == Effect::None {
        // Handles inside containers, in and out: the reversed List holds the same objects.
        let picked: Vec<Value> = (0..rng.random_range(1..4))
            .map(|_| held[rng.random_range(0..held.len())].value.clone())
            .collect();
        let reversed = Value::List(picked.iter().rev().cloned().collect());
        return Planned::new(
            Program::Data,
            "reversed",
            vec![Value::List(picked)],
            Expect::Value(reversed),
        );
    }
    planned.module_of = Some(index);
    planned
}

/// A call that runs into this runtime's limit (or, on a plain runtime, the default depth).
pub(super) fn limit_case(rng: &mut ChaCha8Rng, kind: SlotKind) -> Planned {
    use Program::*;
    match kind {
        SlotKind::Fuel if rng.random_bool(0.5) => Planned::new(
            Arith,
            "spin",
            vec![int(0)],
            fails("RT0502", exact("out of fuel")),
        ),
        SlotKind::Fuel => {
            let args = vec![int(0), int(1_000_000), int(0)];
            Planned::new(Arith, "sum_to", args, fails("RT0502", exact("out of fuel")))
        }
        SlotKind::Depth | SlotKind::Plain => {
            let depth = if kind == SlotKind::Depth {
                DEPTH
            } else {
                cairn::Limits::default().max_call_depth
            };
            let message = format!("stack overflow: call depth exceeds {depth}");
            Planned::new(Arith, "dive", vec![int(0)], fails("RT0501", exact(message)))
        }
        SlotKind::Quota => {
            let expect = fails("RT0402", Message::Prefix("heap quota exceeded: ".into()));
            Planned::new(Data, "bomb", vec![text("x")], expect)
        }
        SlotKind::SmallHeap => {
            let expect = fails("RT0401", Message::Prefix("heap exhausted: ".into()));
            Planned::new(Data, "bomb", vec![text("x")], expect)
        }
        SlotKind::FailAlloc(_) => unreachable!("fail-alloc runtimes have their own cases"),
    }
}

/// A call cancelled through the runtime's `CancelHandle`.
pub(super) fn cancel_case(rng: &mut ChaCha8Rng) -> Planned {
    let cancelled = fails("RT0503", exact("execution cancelled"));
    let mut planned = match rng.random_range(0..4) {
        0 => Planned::new(Program::Arith, "spin", vec![int(0)], cancelled),
        1 => Planned::new(Program::Handles, "count_forever", vec![], cancelled),
        2 => Planned::new(Program::Hosts, "waiter", vec![], cancelled),
        _ => {
            let mut planned = Planned::new(Program::Arith, "add", vec![int(1), int(2)], cancelled);
            planned.mode = Mode::CancelBefore;
            return planned;
        }
    };
    planned.mode = Mode::CancelWhileRunning;
    planned
}

/// A bad call: unknown function, wrong argument count, an argument or result that does not
/// convert, a handle of another runtime.
pub(super) fn misuse_case(rng: &mut ChaCha8Rng, foreign: Option<&Held>) -> Planned {
    use Program::*;
    match rng.random_range(0..5) {
        0 => {
            let message = "`soak_arith.cairn` has no function `nope`";
            Planned::new(Arith, "nope", vec![], fails("RT0001", exact(message)))
        }
        1 => {
            let message = "arity mismatch: add expects 2 arguments, got 1";
            Planned::new(Arith, "add", vec![int(1)], fails("RT0305", exact(message)))
        }
        2 => {
            let expect = fails("RT0301", Message::Prefix("integer overflow: ".into()));
            Planned::new(Arith, "add", vec![int(INT_MAX + 1), int(0)], expect)
        }
        3 => {
            let message = "type mismatch: the host expects Text, got Int";
            let mut planned = Planned::new(
                Arith,
                "add",
                vec![int(1), int(2)],
                fails("RT0303", exact(message)),
            );
            planned.mode = Mode::AsText;
            planned
        }
        _ => match foreign {
            Some(handle) => {
                let (function, args) = match handle.state {
                    HandleState::Ref(_) => ("peek", vec![handle.value.clone()]),
                    HandleState::Adder(_) => ("apply", vec![handle.value.clone(), int(1)]),
                    HandleState::Seq(_) => ("next3", vec![handle.value.clone()]),
                };
                let message = format!(
                    "this {} belongs to another runtime",
                    handle.value.kind_name()
                );
                Planned::new(Handles, function, args, fails("RT0001", exact(message)))
            }
            None => Planned::new(Arith, "add", vec![int(2), int(3)], Expect::Value(int(5))),
        },
    }
}

/// Calls for a runtime whose `k`th allocation of every call fails: calls that allocate
/// nothing succeed, calls that allocate many blocks fail with RT0401 and leave the heap as
/// it was.
pub(super) fn fail_alloc_case(rng: &mut ChaCha8Rng, k: u64, held: &[Held]) -> Planned {
    use Program::*;
    let exhausted = || fails("RT0401", Message::Prefix("heap exhausted: ".into()));
    match rng.random_range(0..12) {
        8..12 => {
            // Any call of the plain workload: each allocation site of every function gets
            // its turn to fail, and must roll back.
            let mut planned = success_case(rng);
            if let Expect::Value(value) = planned.expect {
                planned.expect = Expect::ValueOrExhausted(value);
            }
            planned
        }
        0 => {
            let n = rng.random_range(10..=30);
            Planned::new(Data, "pairs", vec![int(n)], exhausted())
        }
        1 => {
            let n = rng.random_range(10..=20);
            Planned::new(Data, "nested", vec![int(n)], exhausted())
        }
        2 => {
            let n = rng.random_range(1..1_000);
            let expect = if k == 1 {
                exhausted()
            } else {
                Expect::NewHandle(HandleState::Ref(n))
            };
            Planned::new(Handles, "counter", vec![int(n)], expect)
        }
        3 => match held
            .iter()
            .position(|h| matches!(h.state, HandleState::Ref(_)))
        {
            Some(index) => {
                let HandleState::Ref(n) = held[index].state else {
                    unreachable!()
                };
                let k = rng.random_range(1..100);
                let mut planned = Planned::new(
                    Handles,
                    "bump",
                    vec![held[index].value.clone(), int(k)],
                    Expect::Value(int(n + k)),
                );
                planned.effect = Effect::Update(index, HandleState::Ref(n + k));
                planned
            }
            None => Planned::new(Arith, "fib", vec![int(10)], Expect::Value(int(55))),
        },
        4 => {
            let a = rng.random_range(-100..100);
            Planned::new(
                Arith,
                "ratio",
                vec![int(a), int(0)],
                fails("RT0302", exact("division by zero")),
            )
        }
        5 => {
            let n = rng.random_range(0..=12);
            Planned::new(Arith, "fib", vec![int(n)], Expect::Value(int(fib(n))))
        }
        6 => {
            let n = rng.random_range(0..=500);
            let args = vec![int(0), int(n), int(0)];
            Planned::new(Arith, "sum_to", args, Expect::Value(int(n * (n + 1) / 2)))
        }
        _ => {
            let (a, b) = (
                rng.random_range(-1_000..1_000),
                rng.random_range(-1_000..1_000),
            );
            Planned::new(
                Arith,
                "add",
                vec![int(a), int(b)],
                Expect::Value(int(a + b)),
            )
        }
    }
}
