//! The benchmark programs, as Cairn source constants shared by the criterion benchmarks
//! (`benches/benches/engines.rs`) and `cairn bench`, with the result each must produce.

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

/// What the criterion benchmarks time.
pub const CRITERION_PROGRAMS: &[BenchProgram] = &[FIB_25, SUM_LOOP_1M];

/// What `cairn bench` times when no files are given.
pub const CLI_DEFAULT_PROGRAMS: &[BenchProgram] = &[FIB_30, SUM_LOOP_1M];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_call_the_intended_arguments() {
        assert!(FIB_25.source.ends_with("fn main() = fib(25)\n"));
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
        assert_eq!(FIB_30.expected_result, fib(30).to_string());
        let sum: u64 = (1..=1_000_000u64).sum();
        assert_eq!(SUM_LOOP_1M.expected_result, sum.to_string());
    }
}
