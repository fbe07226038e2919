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
        End::Failed {
            code: code.to_string(),
            message: message.to_string()
        },
        "{source}"
    );
}

#[test]
fn arithmetic_and_recursion() {
    returns(
        "fn fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2)\nfn main() = fib(15)",
        "610",
    );
    returns("fn main() = 7 / 2 * 1.5", "4.5");
    returns("fn main() = -7 % 3", "-1");
    fails("fn main() = 1 / 0", "RT0302", "division by zero");
    fails(
        "fn main() = 140737488355327 + 1",
        "RT0301",
        "integer overflow",
    );
    fails(
        "fn main() = 1 + \"a\"",
        "RT0303",
        "type mismatch: + expects numbers or Text, got Int and Text",
    );
}

#[test]
fn printing_and_canonical_forms() {
    let outcome =
        run("fn main() = { print(\"raw\"); print([\"q\\\"\", 1.0, (1,), #{2: ()}]); ref(1) }");
    assert_eq!(outcome.output, "raw\n[\"q\\\"\", 1.0, (1,), #{2: ()}]\n");
    assert_eq!(outcome.end, End::Returned("<ref>".into()));
    returns(
        "fn f(x) = x\nfn main() = [f, \\x -> x, map]",
        "[<fn f>, <fn lambda@2:17>, <fn map>]",
    );
    returns(
        "fn main() = (0.1 + 0.2, 1e21, -0.0, 0.0 / 0.0)",
        "(0.30000000000000004, 1e21, -0.0, NaN)",
    );
}

#[test]
fn maps_normalise_and_order_their_keys() {
    returns(
        "fn main() = #{\"b\": 1, 2.0: 2, (): 3, true: 4, (1,): 5, 1.5: 6}",
        "#{(): 3, true: 4, 1.5: 6, 2: 2, \"b\": 1, (1,): 5}",
    );
    fails(
        "fn main() = #{[1]: 2}",
        "RT0104",
        "map key is not a valid key type: List",
    );
    fails("fn main() = #{1: 2}[3]", "RT0105", "missing map key: 3");
}

#[test]
fn tail_calls_run_in_constant_stack_and_deep_recursion_is_rt0501() {
    let source = "fn even(n) = if n == 0 then true else odd(n - 1)\nfn odd(n) = if n == 0 then false else even(n - 1)\nfn main() = even(100001)";
    returns(source, "false");
    fails(
        "fn d(n) = if n == 0 then 0 else 1 + d(n - 1)\nfn main() = d(20000)",
        "RT0501",
        "stack overflow: call depth exceeds 10000",
    );
}

#[test]
fn fuel_is_charged_at_entries_back_edges_and_runtime_loops() {
    let limited = |fuel| {
        run_source(
            "fn l(n) = if n == 0 then 0 else l(n - 1)\nfn main() = l(10)",
            Limits {
                fuel: Some(fuel),
                ..Limits::default()
            },
        )
    };
    // main's entry, l's entry, ten self tail calls.
    assert_eq!(limited(12).end, End::Returned("0".into()));
    assert_eq!(
        limited(11).end,
        End::Failed {
            code: "RT0502".into(),
            message: "out of fuel".into()
        }
    );
    let counting = |fuel| {
        run_source(
            "fn main() = count(range(0, 2048))",
            Limits {
                fuel: Some(fuel),
                ..Limits::default()
            },
        )
        .end
    };
    assert_eq!(counting(3), End::Returned("2048".into()));
    assert!(matches!(counting(2), End::Failed { .. }));
}

#[test]
fn sequences_are_lazy_shared_cursors() {
    let outcome = run(
        "fn main() = { s = map(range(0, 5), \\x -> { print(x); x }); print(collect(take(s, 2))); sum(s) }",
    );
    assert_eq!(outcome.output, "0\n1\n[0, 1]\n2\n3\n4\n");
    assert_eq!(outcome.end, End::Returned("9".into()));
    returns(
        "fn main() = collect(zip([1, 2, 3], \"ab\"))",
        "[(1, \"a\"), (2, \"b\")]",
    );
    returns(
        "fn main() = { s = iter([1, 2, 3]); next(s); c = clone(s); (collect(s), collect(c)) }",
        "([2, 3], [2, 3])",
    );
}

#[test]
fn generator_blocks_follow_the_documented_desugaring() {
    returns(
        "fn main() = collect(generate { x <- range(0, 4); when x % 2 == 0; yield x; yield -x })",
        "[0, 0, 2, -2]",
    );
    returns(
        "fn main() = collect(take(generate { loop (a, b) = (0, 1) { yield a; recurse (b, a + b) } }, 7))",
        "[0, 1, 1, 2, 3, 5, 8]",
    );
    returns(
        "fn main() = count(generate { loop i = 0 { when i < 100000; yield i; recurse i + 1 } })",
        "100000",
    );
    fails(
        "fn main() = collect(generate { when 1; yield 2 })",
        "RT0303",
        "type mismatch: when expects Bool, got Int",
    );
}

#[test]
fn refs_never_hold_refs() {
    returns("fn main() = { r = ref(1); r := !r + 1; !r }", "2");
    fails(
        "fn main() = { r = ref(1); f = \\ -> r; ref(f) }",
        "RT0403",
        "a Ref cannot hold a value that contains a Ref",
    );
    fails(
        "fn main() = ref(generate { yield 1 })",
        "RT0403",
        "a Ref cannot hold a value that contains a Ref",
    );
    returns(
        "fn main() = collect(!ref(map(range(0, 2), \\x -> x)))",
        "[0, 1]",
    );
}

#[test]
fn runtime_diagnostics_have_the_documented_messages() {
    fails(
        "fn main() = { (a, b) = (1, 2, 3); a }",
        "RT0303",
        "type mismatch: tuple pattern expects a Tuple of 2 elements, got Tuple of 3 elements",
    );
    fails(
        "fn main() = [1][1]",
        "RT0103",
        "index out of bounds: index 1, length 1",
    );
    fails(
        "fn main() = (1,)[\"a\"]",
        "RT0102",
        "tuple index expects an Int, got Text",
    );
    fails("fn main() = 5(1)", "RT0304", "not callable: Int");
    fails(
        "fn main() = { f = \\x -> x; f(1, 2) }",
        "RT0305",
        "arity mismatch: lambda@1:19 expects 1 argument, got 2",
    );
    fails("fn main() = pop([])", "RT0107", "pop from an empty list");
    fails("fn main() = fail((1, \"a\"))", "RT0900", "(1, \"a\")");
    fails(
        "fn main() = slice([1, 2], 2, 1)",
        "RT0103",
        "index out of bounds: index 2, length 2",
    );
}

#[test]
fn compile_errors_report_the_first_diagnostic() {
    fails("fn main() = nope", "E0101", "unknown name `nope`");
    fails(
        "fn main() = 1 < 2 < 3",
        "E0001",
        "comparison operators are non-associative; use parentheses or `and`",
    );
    fails(
        "fn f(a) = a\nfn main() = f()",
        "E0105",
        "arity mismatch: f expects 1 argument, got 0",
    );
    fails(
        "fn main(x) = x",
        "E0104",
        "`main` takes no parameters, but it declares 1",
    );
    fails(
        "fn main() = { yield 1 }",
        "E0201",
        "unsupported block item in plain block: Yield",
    );
    fails(
        "fn main() = 140737488355328",
        "E0003",
        "integer literal out of range",
    );
    fails(
        "fn main() = \"\\q\"",
        "E0001",
        "invalid escape sequence `\\q`",
    );
}

#[test]
fn block_items_end_at_line_breaks() {
    returns("fn main() = {\n  x = 1\n  -2\n}", "-2");
    returns("fn main() = {\n  x = [1, 2]\n    |> len\n  x\n}", "2");
}

#[test]
fn deep_recursion_grows_the_stack_instead_of_overflowing_it() {
    // On an 8 MiB thread, 30,000 levels of the tree walk need far more stack than the
    // thread has: the walk grows its stack on the heap (stacker).
    let source = "fn d(n) = if n == 0 then 0 else 1 + d(n - 1)\nfn main() = d(30000)";
    let limits = Limits {
        max_call_depth: 40_000,
        ..Limits::default()
    };
    let outcome = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || crate::run_here(source, limits))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(outcome.end, End::Returned("30000".into()));
}

#[test]
fn clone_copies_a_cursor_reached_twice_once() {
    // The copy of `zip(s, s)` must behave as the original: one shared source, pulled
    // alternately (this oracle first copied `s` twice and paired each item with itself).
    returns(
        "fn main() = { s = iter([1, 2, 3, 4]); z = zip(s, s); c = clone(z); (collect(c), collect(z)) }",
        "([(1, 2), (3, 4)], [(1, 2), (3, 4)])",
    );
}

/// `==` is a runtime loop: one fuel unit per 1,024 pairs compared (docs/LANGUAGE.md,
/// *Decision — walks over values*). Two Lists of 5,000 equal elements take 5,001 steps, so
/// four units; the unequal pair found first (the last elements) ends the walk at once.
#[test]
fn equality_charges_fuel_per_1024_pairs() {
    let fuel = |fuel: u64, source: &str| {
        run_source(
            source,
            Limits {
                fuel: Some(fuel),
                ..Limits::default()
            },
        )
        .end
    };
    let equal =
        "fn main() = { xs = [...collect(range(0, 5000))]; ys = collect(range(0, 5000)); xs == ys }";
    let out_of_fuel = End::Failed {
        code: "RT0502".into(),
        message: "out of fuel".into(),
    };
    // main's entry, the two collects' loops (4 units each), then `==`'s 4 units.
    let needed = (1..40)
        .find(|&f| fuel(f, equal) != out_of_fuel)
        .expect("runs with enough fuel");
    assert_eq!(fuel(needed, equal), End::Returned("true".into()));
    let unequal = "fn main() = { xs = collect(range(0, 5000)); ys = push(pop(collect(range(0, 5000))), 7); xs == ys }";
    let unequal_needed = (1..40)
        .find(|&f| fuel(f, unequal) != out_of_fuel)
        .expect("runs with enough fuel");
    assert_eq!(fuel(unequal_needed, unequal), End::Returned("false".into()));
    assert_eq!(
        needed - unequal_needed,
        4,
        "5,001 steps charge 4 units, 2 steps none"
    );
}

#[test]
fn random_seqs_give_the_pinned_numbers() {
    // Known outputs from an independent transcription of splitmix64.c / xoshiro128starstar.c
    // and the derivations of docs/LANGUAGE.md, "Random numbers".
    returns(
        "fn main() = collect(take(random_ints(0), 2))",
        "[-36520033674744, -92943840787487]",
    );
    returns(
        "fn main() = collect(take(random_floats(0), 2))",
        "[0.8702547768134842, 0.6697971454740403]",
    );
    returns(
        "fn main() = collect(take(random_below(148607, 70368744177665), 2))",
        "[50913836370416, 23826631510263]",
    );
    fails(
        "fn main() = random_below(1, -1)",
        "RT0306",
        "invalid argument to random_below: the bound -1 is not positive",
    );
}

#[test]
fn math_builtins_follow_the_documented_rules() {
    returns(
        "fn main() = [min(0.0, -0.0), max(-0.0, 0), min(1, 1.0), round(-2.5), int(-2.9)]",
        "[-0.0, 0, 1, -3.0, -2]",
    );
    returns(
        "fn main() = [shr(-8, 1), shl(-1, 47), pow(-2, 47)]",
        "[-4, -140737488355328, -140737488355328]",
    );
    fails(
        "fn main() = abs(-140737488355328)",
        "RT0301",
        "integer overflow",
    );
    fails(
        "fn main() = int(pow(2.0, 47))",
        "RT0306",
        "invalid argument to int: 140737488355328.0 is outside the Int range",
    );
}

#[test]
fn method_calls_fail_without_host_objects() {
    fails("fn main() = 5.abs()", "RT0307", "no method abs on Int");
    fails(
        "fn main() = [1].push(print(\"evaluated\"))",
        "RT0307",
        "no method push on List",
    );
    let outcome = run("fn main() = [1].push(print(\"evaluated\"))");
    assert_eq!(outcome.output, "evaluated\n");
}
