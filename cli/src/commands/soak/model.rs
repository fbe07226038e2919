//! The soak test's model of a call: the runtime kinds ([`SlotKind`] and their limits), what
//! the host knows about the handles it holds ([`Held`]), and a planned call with the outcome
//! it must have ([`Planned`], [`Expect`]), plus the value builders the case generators share.

use cairn::{Module, RunError, Value};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::scripts::Program;

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
    /// Returns exactly this value, or fails with RT0401 (on a runtime whose `k`th allocation
    /// of each call fails, for a call that may or may not allocate `k` blocks).
    ValueOrExhausted(Value),
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
    pub fn new(program: Program, function: &'static str, args: Vec<Value>, expect: Expect) -> Self {
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

pub fn int(n: i64) -> Value {
    Value::Int(n)
}

pub fn ints(xs: &[i64]) -> Value {
    Value::List(xs.iter().map(|&x| int(x)).collect())
}

pub fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

pub fn fails(code: &'static str, message: Message) -> Expect {
    Expect::Fails(code, message)
}

pub fn exact(s: impl Into<String>) -> Message {
    Message::Exact(s.into())
}

pub fn random_ints(
    rng: &mut ChaCha8Rng,
    max_len: usize,
    range: std::ops::RangeInclusive<i64>,
) -> Vec<i64> {
    let len = rng.random_range(0..=max_len);
    (0..len).map(|_| rng.random_range(range.clone())).collect()
}

pub const NAMES: [&str; 6] = ["ada", "bo", "cy", "dee", "eli", "fay"];
pub const KEYS: [&str; 5] = ["a", "b", "c", "d", "e"];

pub fn fib(n: i64) -> i64 {
    let (mut a, mut b) = (0, 1);
    for _ in 0..n {
        (a, b) = (b, a + b);
    }
    a
}

pub fn nested(n: i64) -> Value {
    if n == 0 {
        Value::List(Vec::new())
    } else {
        Value::List(vec![nested(n - 1), int(n)])
    }
}

impl Planned {
    /// Whether `result` is this call's expected outcome (`generation`: of the module it ran in).
    pub fn check(
        &self,
        generation: Option<u64>,
        result: &Result<Value, RunError>,
    ) -> Result<(), String> {
        let planned = self;
        let call = format!("{}({:?})", planned.function, planned.args);
        match (&planned.expect, result) {
            (Expect::Value(expected) | Expect::ValueOrExhausted(expected), Ok(value))
                if value == expected =>
            {
                Ok(())
            }
            (Expect::ValueOrExhausted(_), Err(error))
                if error.code() == "RT0401" && error.message().starts_with("heap exhausted: ") =>
            {
                Ok(())
            }
            (Expect::Generation, Ok(Value::Int(g))) if generation == Some(*g as u64) => Ok(()),
            (Expect::NewHandle(state), Ok(Value::Opaque(handle))) => {
                let kind = match state {
                    HandleState::Ref(_) => "Ref",
                    HandleState::Adder(_) => "Closure",
                    HandleState::Seq(_) => "Seq",
                };
                if handle.kind() == kind {
                    Ok(())
                } else {
                    Err(format!(
                        "{call}: expected a {kind}, got a {}",
                        handle.kind()
                    ))
                }
            }
            (Expect::Fails(code, message), Err(error)) => {
                let message_ok = match message {
                    Message::Any => true,
                    Message::Exact(m) => error.message() == m,
                    Message::Prefix(p) => error.message().starts_with(p.as_str()),
                };
                if error.code() == *code && message_ok {
                    Ok(())
                } else {
                    Err(format!(
                        "{call}: expected {code} {message:?}, got {}: {}",
                        error.code(),
                        error.message()
                    ))
                }
            }
            (expected, Ok(value)) => Err(format!("{call}: expected {expected:?}, got {value:?}")),
            (expected, Err(error)) => Err(format!(
                "{call}: expected {expected:?}, got {}: {}",
                error.code(),
                error.message()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(expect: Expect) -> Planned {
        Planned::new(Program::Arith, "add", vec![int(1), int(2)], expect)
    }

    fn error(code: &str) -> RunError {
        let engine = cairn::Engine::new(cairn::EngineKind::Interpreter);
        let module = engine
            .compile("e.cairn", "fn main() = 0\nfn f(x) = 1 / x\nfn r() = ref(1)")
            .unwrap();
        let mut rt = engine.runtime(cairn::Limits::default()).unwrap();
        let error = match code {
            "RT0302" => rt.call_value(&module, "f", vec![int(0)]),
            _ => rt.call_value(&module, "nope", vec![]),
        };
        error.unwrap_err()
    }

    #[test]
    fn a_wrong_value_or_a_wrong_failure_is_a_mismatch() {
        assert!(
            planned(Expect::Value(int(3)))
                .check(None, &Ok(int(3)))
                .is_ok()
        );
        assert!(
            planned(Expect::Value(int(3)))
                .check(None, &Ok(int(4)))
                .is_err()
        );
        assert!(
            planned(Expect::Value(int(3)))
                .check(None, &Err(error("RT0302")))
                .is_err()
        );
        let division = Expect::Fails("RT0302", exact("division by zero"));
        assert!(
            planned(division.clone())
                .check(None, &Err(error("RT0302")))
                .is_ok()
        );
        assert!(planned(division).check(None, &Ok(int(0))).is_err());
        let wrong_message = Expect::Fails("RT0302", exact("division by one"));
        assert!(
            planned(wrong_message)
                .check(None, &Err(error("RT0302")))
                .is_err()
        );
        let wrong_code = Expect::Fails("RT0303", Message::Any);
        assert!(
            planned(wrong_code)
                .check(None, &Err(error("RT0302")))
                .is_err()
        );
    }

    #[test]
    fn generations_and_exhaustion_are_checked() {
        assert!(
            planned(Expect::Generation)
                .check(Some(7), &Ok(int(7)))
                .is_ok()
        );
        assert!(
            planned(Expect::Generation)
                .check(Some(7), &Ok(int(8)))
                .is_err()
        );
        let either = Expect::ValueOrExhausted(int(3));
        assert!(planned(either.clone()).check(None, &Ok(int(3))).is_ok());
        assert!(planned(either).check(None, &Err(error("RT0302"))).is_err());
        let handle = Expect::NewHandle(HandleState::Ref(1));
        assert!(planned(handle).check(None, &Ok(int(1))).is_err());
    }
}
