//! Unit tests of the reference evaluator on small programs, passing and failing.

use crate::{End, Limits, Outcome, run_source};

fn run(source: &str) -> Outcome {
    run_source(source, Limits::default())
}

fn returns(source: &str, expected: &str) {
    let outcome = run(source);
    assert_eq!(outcome.end, End::Returned(expected.to_string()), "{source}");
}

fn fails(source: &str, code: &str, message: &str) {
    let outcome = run(source);
    assert_eq!(
        outcome.end,
        End::Failed { code: code.to_string(), message: message.to_string() },
        "{source}"
    );
}

#[test]
fn arithmetic_and_recursion() {
    returns("fn fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2)\nfn main() = fib(15)", "610");
    returns("fn main() = 7 / 2 * 1.5", "4.5");
    returns("fn main() = -7 % 3", "-1");
    fails("fn main() = 1 / 0", "RT0302", "division by zero");
    fails("fn main() = 140737488355327 + 1", "RT0301", "integer overflow");
    fails("fn main() = 1 + \"a\"", "RT0303", "type mismatch: + expects numbers or Text, got Int and Text");
}
