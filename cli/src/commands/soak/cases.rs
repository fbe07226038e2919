//! The soak test's calls and what each must do: [`plan`] draws one call for a runtime of a
//! given [`SlotKind`] from the worker's random stream, with its arguments and the outcome the
//! host model expects (a value computed in Rust, a diagnostic code and message, or a new
//! opaque handle). Everything here is deterministic given the random stream.

use cairn::{INT_MAX, Module, Value};
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

use super::scripts::{DELIBERATE_PANIC, Program};

/// The limits a worker's runtime runs with, which decide what its calls may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotKind {
    /// `Limits::default()`.
    Plain,
    /// `fuel: Some(FUEL)`.
    Fuel,
    /// `max_call_depth: DEPTH`.
    Depth,
    /// `heap_quota: Some(QUOTA)`.
    Quota,
    /// `heap_blocks: SMALL_HEAP`.
    SmallHeap,
    /// `fail_alloc_at: Some(k)`.
    FailAlloc(u64),
}

pub const FUEL: u64 = 20_000;
pub const DEPTH: u64 = 300;
pub const QUOTA: u32 = 2_000;
pub const SMALL_HEAP: u32 = 4_096;

impl SlotKind {
    pub fn limits(self) -> cairn::Limits {
        let defaults = cairn::Limits::default();
        match self {
            SlotKind::Plain => defaults,
            SlotKind::Fuel => cairn::Limits {
                fuel: Some(FUEL),
                ..defaults
            },
            SlotKind::Depth => cairn::Limits {
                max_call_depth: DEPTH,
                ..defaults
            },
            SlotKind::Quota => cairn::Limits {
                heap_quota: Some(QUOTA),
                ..defaults
            },
            SlotKind::SmallHeap => cairn::Limits {
                heap_blocks: SMALL_HEAP,
                ..defaults
            },
            SlotKind::FailAlloc(k) => cairn::Limits {
                fail_alloc_at: Some(k),
                ..defaults
            },
        }
    }
}

/// What the host model knows about an opaque handle it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandleState {
    /// A Ref holding this Int (always at least 1).
    Ref(i64),
    /// A Closure `\x -> x + n`.
    Adder(i64),
    /// A Seq whose next item is this Int.
    Seq(i64),
}

/// A handle a worker holds: the value, its model, the module that made it (closures are
/// called through it) and the heap blocks it keeps alive.
pub struct Held {
    pub value: Value,
    pub state: HandleState,
    pub module: Module,
    pub blocks: u32,
}

/// A diagnostic's message, as far as the model knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    Any,
    Exact(String),
    Prefix(String),
}

/// The outcome a call must have.
#[derive(Clone, Debug, PartialEq)]
pub enum Expect {
    /// Returns exactly this value.
    Value(Value),
    /// Returns the generation of the module it ran in.
    Generation,
    /// Fails with this code and message.
    Fails(&'static str, Message),
    /// Returns a new opaque handle, which the worker holds with this model.
    NewHandle(HandleState),
}

/// How the call is made beyond `call_value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Another thread cancels the call while it runs.
    CancelWhileRunning,
    /// The host cancels before the call starts (the cancel stops exactly this call).
    CancelBefore,
    /// The result is asked for as a Rust `String` (`call::<String>`).
    AsText,
}

/// What a successful call does to the model of a held handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    None,
    /// Held handle `index` of this runtime now has this state.
    Update(usize, HandleState),
}

/// One planned call.
pub struct Planned {
    pub program: Program,
    pub function: &'static str,
    pub args: Vec<Value>,
    pub expect: Expect,
    pub mode: Mode,
    pub effect: Effect,
    /// Run it in this held handle's module (a closure is called through its own module).
    pub module_of: Option<usize>,
}

impl Planned {
    fn new(program: Program, function: &'static str, args: Vec<Value>, expect: Expect) -> Self {
        Planned {
            program,
            function,
            args,
            expect,
            mode: Mode::Normal,
            effect: Effect::None,
            module_of: None,
        }
    }
}

fn int(n: i64) -> Value {
    Value::Int(n)
}

fn ints(xs: &[i64]) -> Value {
    Value::List(xs.iter().map(|&x| int(x)).collect())
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

fn fails(code: &'static str, message: Message) -> Expect {
    Expect::Fails(code, message)
}

fn exact(s: impl Into<String>) -> Message {
    Message::Exact(s.into())
}

fn random_ints(
    rng: &mut ChaCha8Rng,
    max_len: usize,
    range: std::ops::RangeInclusive<i64>,
) -> Vec<i64> {
    let len = rng.random_range(0..=max_len);
    (0..len).map(|_| rng.random_range(range.clone())).collect()
}

const NAMES: [&str; 6] = ["ada", "bo", "cy", "dee", "eli", "fay"];
const KEYS: [&str; 5] = ["a", "b", "c", "d", "e"];

fn fib(n: i64) -> i64 {
    let (mut a, mut b) = (0, 1);
    for _ in 0..n {
        (a, b) = (b, a + b);
    }
    a
}

fn nested(n: i64) -> Value {
    if n == 0 {
        Value::List(Vec::new())
    } else {
        Value::List(vec![nested(n - 1), int(n)])
    }
}

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
fn success_case(rng: &mut ChaCha8Rng) -> Planned {
    use Program::*;
    match rng.random_range(0..16) {
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
fn failure_case(rng: &mut ChaCha8Rng) -> Planned {
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

/// Creates a handle, or uses one this runtime holds.
fn handle_case(rng: &mut ChaCha8Rng, held: &[Held]) -> Planned {
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
fn limit_case(rng: &mut ChaCha8Rng, kind: SlotKind) -> Planned {
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
fn cancel_case(rng: &mut ChaCha8Rng) -> Planned {
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
fn misuse_case(rng: &mut ChaCha8Rng, foreign: Option<&Held>) -> Planned {
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
fn fail_alloc_case(rng: &mut ChaCha8Rng, k: u64, held: &[Held]) -> Planned {
    use Program::*;
    let exhausted = || fails("RT0401", Message::Prefix("heap exhausted: ".into()));
    match rng.random_range(0..8) {
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
