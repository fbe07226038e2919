//! The soak test's pool of Cairn programs and the host functions they call. Each program is
//! compiled for both engines; a recompilation substitutes a fresh generation number, so every
//! compile yields a new module (new IR, new JIT code) whose `generation()` says which it is.

use std::time::{Duration, Instant};

use cairn::{Engine, EngineKind, FromValue, HostError, Value};

/// The programs of the pool. A [`super::cases::Case`] names the program its function is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Program {
    /// Integer code: arithmetic, recursion, tail loops, script diagnostics, runaway loops.
    Arith,
    /// Lists, tuples, maps and texts: building, copying, allocation-heavy calls, bombs.
    Data,
    /// Calls of host functions: typed, fallible, panicking, raw with callbacks, cancellable.
    Hosts,
    /// Opaque handles: Refs, Closures and Seqs the host holds and passes back.
    Handles,
}

impl Program {
    pub const ALL: [Program; 4] = [
        Program::Arith,
        Program::Data,
        Program::Hosts,
        Program::Handles,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    fn name(self) -> &'static str {
        match self {
            Program::Arith => "soak_arith.cairn",
            Program::Data => "soak_data.cairn",
            Program::Hosts => "soak_hosts.cairn",
            Program::Handles => "soak_handles.cairn",
        }
    }

    fn body(self) -> &'static str {
        match self {
            Program::Arith => ARITH,
            Program::Data => DATA,
            Program::Hosts => HOSTS,
            Program::Handles => HANDLES,
        }
    }

    /// Compiles generation `generation` of this program on `engine`.
    pub fn compile(self, engine: &Engine, generation: u64) -> Result<cairn::Module, String> {
        let source = format!(
            "fn main() = 0\nfn generation() = {generation}\n{}",
            self.body()
        );
        engine
            .compile(self.name(), &source)
            .map_err(|error| format!("{} does not compile:\n{error}", self.name()))
    }
}

const ARITH: &str = r#"
fn add(a, b) = a + b
fn fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2)
fn sum_to(i, n, acc) = if i > n then acc else sum_to(i + 1, n, acc + i)
fn ratio(a, b) = a / b
fn grow(x) = x * 1000000000000
fn boom(message) = fail(message)
fn spin(n) = spin(n + 1)
fn dive(n) = 1 + dive(n + 1)
"#;

const DATA: &str = r#"
fn total(xs) = sum(xs)
fn reversed(xs) = reverse(xs)
fn greet(name, n) = if n == 0 then "" else "hi " + name + "! " ++ greet(name, n - 1)
fn tally(m, k) = insert(m, k, get(m, k, 0) + 1)
fn pick(xs, i) = xs[i]
fn squares(n) = collect(map(range(0, n), \x -> x * x))
fn pairs(n) = collect(map(range(0, n), \x -> (str(x), [x])))
fn nested(n) = if n == 0 then [] else [nested(n - 1), n]
fn bad_key() = #{[1]: 2}
fn bomb(s) = bomb(s ++ s)
"#;

const HOSTS: &str = r#"
fn bounded(xs) = collect(map(xs, \x -> clip(x, 0, 100)))
fn tokens(line) = words(line)
fn quotient(a, b) = safe_div(a, b) + 0
fn blow(x) = explode(x)
fn sort_desc(xs) = sort_by_key(xs, \x -> 0 - x)
fn keyed_fail(xs) = sort_by_key(xs, \x -> 100 / x)
fn via_host(x) = apply_host(\y -> y * 3 + 1, x)
fn waiter() = ident(wait_cancel())
fn ident(x) = x
fn descend(n) = call_back(\ -> descend(n + 1))
"#;

const HANDLES: &str = r#"
fn counter(n) = ref(n)
fn bump(r, k) = { r := !r + k; !r }
fn peek(r) = !r
fn nest_ref(r) = r := ref(1)
fn adder(n) = \x -> x + n
fn apply(f, x) = f(x)
fn host_apply(f, x) = apply_host(f, x)
fn naturals(from) = range(from, 1000000000000)
fn next3(s) = collect(take(s, 3))
fn count_forever() = count(range(0, 100000000000000))
"#;

/// The text every deliberate host panic starts with; the soak's panic hook keeps these
/// quiet (any other panic is printed as usual).
pub const DELIBERATE_PANIC: &str = "soak: deliberate panic";

/// How long `wait_cancel` waits for the cancel before it gives up with a host error (which
/// the soak counts as an unexpected outcome).
const WAIT_CANCEL_LIMIT: Duration = Duration::from_secs(10);

/// An engine of `kind` with the soak's host functions registered.
pub fn engine(kind: EngineKind) -> Engine {
    let mut engine = Engine::new(kind);
    engine
        .register_fn("clip", |x: i64, lo: i64, hi: i64| x.clamp(lo, hi))
        .unwrap();
    engine
        .register_fn("words", |line: String| {
            line.split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .unwrap();
    engine
        .register_fn("safe_div", |a: i64, b: i64| -> Result<i64, HostError> {
            if b == 0 {
                Err(HostError::new("division by zero in the host"))
            } else {
                Ok(a / b)
            }
        })
        .unwrap();
    engine
        .register_fn("explode", |x: i64| -> i64 {
            panic!("{DELIBERATE_PANIC} {x}");
        })
        .unwrap();
    engine
        .register_raw("sort_by_key", 2, |host, mut args| {
            let key_fn = args.pop().expect("two arguments");
            // `Value` drops iteratively, so its fields are taken, not moved out.
            let Value::List(items) = &mut args.pop().expect("two arguments") else {
                return Err(HostError::new("sort_by_key expects a List"));
            };
            let items = std::mem::take(items);
            let mut keyed = Vec::with_capacity(items.len());
            for item in items {
                let key = host.call(&key_fn, (item.clone(),))?;
                keyed.push((i64::from_value(key)?, item));
            }
            keyed.sort_by_key(|(key, _)| *key);
            Ok(Value::List(
                keyed.into_iter().map(|(_, item)| item).collect(),
            ))
        })
        .unwrap();
    engine
        .register_raw("apply_host", 2, |host, args| {
            Ok(host.call(&args[0], (args[1].clone(),))?)
        })
        .unwrap();
    engine
        .register_raw("call_back", 1, |host, args| Ok(host.call(&args[0], ())?))
        .unwrap();
    engine
        .register_raw("wait_cancel", 0, |host, _args| {
            let started = Instant::now();
            while !host.is_cancelled() {
                if started.elapsed() > WAIT_CANCEL_LIMIT {
                    return Err(HostError::new("never cancelled"));
                }
                std::thread::yield_now();
            }
            Ok(Value::Unit)
        })
        .unwrap();
    engine
}
