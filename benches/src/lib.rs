//! The benchmark programs, as Cairn source constants shared by the criterion benchmarks
//! (`benches/benches/engines.rs`, `benches/benches/peers.rs`) and `cairn bench`, with the
//! result each must produce. The Lua and Rhai versions of the peer programs are in
//! [`peer_programs`].

pub mod peer_games;
pub mod peer_programs;

/// A benchmark program: a short name, its source, and main's result in canonical form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BenchProgram {
    pub name: &'static str,
    pub source: &'static str,
    pub expected_result: &'static str,
}

macro_rules! fib_source {
    ($n:literal) => {
        concat!(
            "fn fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2)\n",
            "fn main() = fib(",
            stringify!($n),
            ")\n"
        )
    };
}

macro_rules! sum_loop_source {
    ($n:literal) => {
        concat!(
            "// Sums 1..=n with a self tail call: a loop in the IR, constant stack.\n",
            "fn sum_to(i, n, acc) = if i > n then acc else sum_to(i + 1, n, acc + i)\n",
            "fn main() = sum_to(1, ",
            stringify!($n),
            ", 0)\n"
        )
    };
}

/// Doubly recursive fib(25): call-heavy, 242,785 calls.
pub const FIB_25: BenchProgram = BenchProgram {
    name: "fib(25)",
    source: fib_source!(25),
    expected_result: "75025",
};

/// Doubly recursive fib(27): 635,621 calls (the audit-overhead bench: ~10-50 ms per run on
/// the interpreter).
pub const FIB_27: BenchProgram = BenchProgram {
    name: "fib(27)",
    source: fib_source!(27),
    expected_result: "196418",
};

/// Doubly recursive fib(30): 2,692,537 calls.
pub const FIB_30: BenchProgram = BenchProgram {
    name: "fib(30)",
    source: fib_source!(30),
    expected_result: "832040",
};

/// A tail-recursive integer loop of 1,000,000 iterations.
pub const SUM_LOOP_1M: BenchProgram = BenchProgram {
    name: "sum 1..1,000,000 (tail loop)",
    source: sum_loop_source!(1000000),
    expected_result: "500000500000",
};

/// The sequence pipeline of the language issue: lazy stages over ten million Ints, two
/// closures called per item, stopping after a million results.
pub const SEQUENCE_PIPELINE: BenchProgram = BenchProgram {
    name: "sequence pipeline (10M range, map, filter, take 1M, sum)",
    source: "fn main() = sum(take(filter(map(range(0, 10_000_000), \\x -> x * 2), \\y -> y % 3 == 0), 1_000_000))\n",
    expected_result: "2999997000000",
};

/// Closure-heavy code: closures built, captured, composed and called through a tail-recursive
/// driver (no sequences): 300,000 iterations, each making two closures and five value calls.
pub const CLOSURE_HEAVY: BenchProgram = BenchProgram {
    name: "closures (300k make/compose/call)",
    source: "fn compose(f, g) = \\x -> f(g(x))\n\
             fn adder(k) = \\x -> x + k\n\
             fn drive(i, n, acc) = if i == n then acc else {\n\
               f = compose(adder(i % 7), \\x -> x * 2);\n\
               drive(i + 1, n, acc + f(3) % 5)\n\
             }\n\
             fn main() = drive(0, 300000, 0)\n",
    expected_result: "557142",
};

/// Vector (List) work: builds a 20,000-element List with `push`, doubles every element
/// in place with `set` (the list stays uniquely owned, so no copies), then sums it by index.
/// Every push and set walks and updates the radix tree: heap-event heavy.
pub const VECTOR_20K: BenchProgram = BenchProgram {
    name: "vector (20k push, set, index)",
    source: "fn build(i, n, xs) = if i == n then xs else build(i + 1, n, push(xs, i))\n\
             fn double(i, n, xs) = if i == n then xs else {\n\
               v = xs[i];\n\
               double(i + 1, n, set(xs, i, v * 2))\n\
             }\n\
             fn total(i, n, xs, acc) = if i == n then acc else total(i + 1, n, xs, acc + xs[i])\n\
             fn main() = {\n\
               n = 20000;\n\
               xs = double(0, n, build(0, n, []));\n\
               total(0, n, xs, 0)\n\
             }\n",
    expected_result: "399980000",
};

/// Map work: inserts 5,000 Int keys in a scrambled order (`i * 7919 % n`), reads every key
/// back by index, then removes the odd keys; main returns the sum read plus the final size.
pub const MAP_5K: BenchProgram = BenchProgram {
    name: "map (5k insert, lookup, remove)",
    source: "fn fill(i, n, m) = if i == n then m else fill(i + 1, n, insert(m, i * 7919 % n, i))\n\
             fn probe(i, n, m, acc) = if i == n then acc else probe(i + 1, n, m, acc + m[i])\n\
             fn drop_odd(i, n, m) = if i >= n then m else drop_odd(i + 2, n, remove(m, i))\n\
             fn main() = {\n\
               n = 5000;\n\
               m = fill(0, n, #{});\n\
               s = probe(0, n, m, 0);\n\
               s + len(drop_odd(1, n, m))\n\
             }\n",
    expected_result: "12500000",
};

/// The peers loop: 5,000,000 iterations of `s + (i % 7) * (i % 7) % 7`, a self tail call.
pub const LOOP_5M: BenchProgram = BenchProgram {
    name: "loop (5M, (i % 7) * (i % 7) % 7)",
    source: "// A self tail call: a loop in the IR, constant stack.\n\
             fn go(i, n, s) = if i == n then s else go(i + 1, n, s + (i % 7) * (i % 7) % 7)\n\
             fn main() = go(0, 5000000, 0)\n",
    expected_result: "9999999",
};

/// Peers vector work: builds a 100,000-element List with `push`, then sums it by index ten
/// times.
pub const VECTOR_100K: BenchProgram = BenchProgram {
    name: "vector (100k push, 10 index passes)",
    source: "fn build(i, n, xs) = if i == n then xs else build(i + 1, n, push(xs, i))\n\
             fn total(i, n, xs, acc) = if i == n then acc else total(i + 1, n, xs, acc + xs[i])\n\
             fn passes(p, n, xs, acc) = if p == 10 then acc else passes(p + 1, n, xs, total(0, n, xs, acc))\n\
             fn main() = {\n\
               n = 100000;\n\
               passes(0, n, build(0, n, []), 0)\n\
             }\n",
    expected_result: "49999500000",
};

/// Peers map work: inserts 20,000 Int keys in a scrambled order (`i * 7919 % n`, value `i`),
/// then looks every key up; main returns the sum read.
pub const MAP_20K: BenchProgram = BenchProgram {
    name: "map (20k insert, 20k lookup)",
    source: "fn fill(i, n, m) = if i == n then m else fill(i + 1, n, insert(m, i * 7919 % n, i))\n\
             fn probe(i, n, m, acc) = if i == n then acc else probe(i + 1, n, m, acc + m[i])\n\
             fn main() = {\n\
               n = 20000;\n\
               probe(0, n, fill(0, n, #{}), 0)\n\
             }\n",
    expected_result: "199990000",
};

/// [`SEQUENCE_PIPELINE`] scaled down for the peers bench: a 1M range, take 100k.
pub const SEQUENCE_PIPELINE_100K: BenchProgram = BenchProgram {
    name: "sequence pipeline (1M range, map, filter, take 100k, sum)",
    source: "fn main() = sum(take(filter(map(range(0, 1_000_000), \\x -> x * 2), \\y -> y % 3 == 0), 100_000))\n",
    expected_result: "29999700000",
};

/// Text building: concatenates `str(i)` for i in 0..10,000 with `++` (each `++` copies both
/// Texts), returns the length (38,890 characters).
pub const TEXT_10K: BenchProgram = BenchProgram {
    name: "text (10k pieces, ++)",
    source: "fn build(i, n, s) = if i == n then s else build(i + 1, n, s ++ str(i))\n\
             fn main() = len(build(0, 10000, \"\"))\n",
    expected_result: "38890",
};

/// What the criterion benchmarks time.
pub const CRITERION_PROGRAMS: &[BenchProgram] =
    &[FIB_25, SUM_LOOP_1M, SEQUENCE_PIPELINE, CLOSURE_HEAVY];

/// What `cairn bench` times when no files are given.
pub const CLI_DEFAULT_PROGRAMS: &[BenchProgram] =
    &[FIB_30, SUM_LOOP_1M, SEQUENCE_PIPELINE, CLOSURE_HEAVY];

/// Compiles a benchmark program to IR (panics with the diagnostics if it does not compile).
pub fn compile(program: &BenchProgram) -> cairn_lang::ir::Module {
    let file = cairn_lang::SourceFile::new(program.name, program.source);
    match cairn_lang::compile(&file) {
        Ok(module) => module,
        Err(diagnostics) => panic!("{} does not compile: {diagnostics:?}", program.name),
    }
}

/// An engine's `run_main` on a context.
pub type Run<'a> = &'a dyn Fn(
    &mut cairn_runtime::Context,
) -> Result<cairn_runtime::Value, cairn_runtime::RunFailure>;

/// Runs main once on `ctx`, checks the result against the program's, and releases it.
pub fn run_checked(run: Run<'_>, ctx: &mut cairn_runtime::Context, program: &BenchProgram) {
    let value = match run(ctx) {
        Ok(value) => value,
        Err(failure) => panic!("{} failed: {failure:?}", program.name),
    };
    assert_eq!(
        cairn_runtime::canonical_form(&ctx.heap, value, true),
        program.expected_result,
        "{}",
        program.name
    );
    // SAFETY: `ctx` is this run's live context (we hold `&mut`), and `value` is the owned
    // result word `run_main` returned, released exactly once.
    unsafe {
        cairn_runtime::abi::shims::rt_release(ctx.as_ptr(), value.bits());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_call_the_intended_arguments() {
        assert!(FIB_25.source.ends_with("fn main() = fib(25)\n"));
        assert!(FIB_27.source.ends_with("fn main() = fib(27)\n"));
        assert!(FIB_30.source.ends_with("fn main() = fib(30)\n"));
        assert!(SUM_LOOP_1M.source.contains("sum_to(1, 1000000, 0)"));
    }

    #[test]
    fn expected_results_match_the_arithmetic() {
        fn fib(n: u64) -> u64 {
            let (mut a, mut b) = (0u64, 1u64);
            for _ in 0..n {
                (a, b) = (b, a + b);
            }
            a
        }
        assert_eq!(FIB_25.expected_result, fib(25).to_string());
        assert_eq!(FIB_27.expected_result, fib(27).to_string());
        assert_eq!(FIB_30.expected_result, fib(30).to_string());
        let sum: u64 = (1..=1_000_000u64).sum();
        assert_eq!(SUM_LOOP_1M.expected_result, sum.to_string());
        let pipeline: i64 = (0..10_000_000i64)
            .map(|x| x * 2)
            .filter(|y| y % 3 == 0)
            .take(1_000_000)
            .sum();
        assert_eq!(SEQUENCE_PIPELINE.expected_result, pipeline.to_string());
        let closures: i64 = (0..300_000i64).map(|i| (3 * 2 + i % 7) % 5).sum();
        assert_eq!(CLOSURE_HEAVY.expected_result, closures.to_string());
        let n = 20_000i64;
        let vector: i64 = (0..n).map(|i| i * 2).sum();
        assert_eq!(VECTOR_20K.expected_result, vector.to_string());
        let n = 5_000i64;
        let mut map = std::collections::BTreeMap::new();
        for i in 0..n {
            map.insert(i * 7919 % n, i);
        }
        let read: i64 = (0..n).map(|k| map[&k]).sum();
        for k in (1..n).step_by(2) {
            map.remove(&k);
        }
        assert_eq!(
            MAP_5K.expected_result,
            (read + map.len() as i64).to_string()
        );
    }

    #[test]
    fn peer_expected_results_match_the_arithmetic() {
        let looped: i64 = (0..5_000_000i64).map(|i| (i % 7) * (i % 7) % 7).sum();
        assert_eq!(LOOP_5M.expected_result, looped.to_string());
        let n = 100_000i64;
        assert_eq!(
            VECTOR_100K.expected_result,
            (10 * n * (n - 1) / 2).to_string()
        );
        let n = 20_000i64;
        let mut map = std::collections::BTreeMap::new();
        for i in 0..n {
            map.insert(i * 7919 % n, i);
        }
        assert_eq!(map.len() as i64, n, "7919 permutes 0..n");
        let read: i64 = (0..n).map(|k| map[&k]).sum();
        assert_eq!(MAP_20K.expected_result, read.to_string());
        let pipeline: i64 = (0..1_000_000i64)
            .map(|x| x * 2)
            .filter(|y| y % 3 == 0)
            .take(100_000)
            .sum();
        assert_eq!(SEQUENCE_PIPELINE_100K.expected_result, pipeline.to_string());
        let text: String = (0..10_000).map(|i| i.to_string()).collect();
        assert_eq!(TEXT_10K.expected_result, text.len().to_string());
    }
}
