//! Times the phases of the fuzzer (generate, compile, interpreter run, JIT run) over the
//! first programs of a seed (or N runs of one file):
//! `cargo run -p cairn-conformance --example fuzz_timing -- N [FILE]`.

use std::time::{Duration, Instant};

use cairn_conformance::fuzz::{generate_program, program_source};
use cairn_conformance::program::program_from_source;
use cairn_conformance::run::{Engine, run_on_engine};

fn main() {
    let count: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    let mut phases = [Duration::ZERO; 4];
    let mut bytes = 0;
    let mut functions = 0;
    for index in 0..count {
        let t = Instant::now();
        let source = match std::env::args().nth(2) {
            Some(path) => std::fs::read_to_string(path).unwrap_or_default(),
            None => program_source(&generate_program(20_261_202, index).program),
        };
        bytes += source.len();
        phases[0] += t.elapsed();
        let t = Instant::now();
        let Ok(loaded) = program_from_source("timing.cairn", &source) else {
            continue;
        };
        phases[1] += t.elapsed();
        if let Some(module) = loaded.module() {
            functions += module.functions.len();
        }
        let limits = loaded.expectations.limits.to_limits();
        for (slot, engine) in [(2, Engine::Interpreter), (3, Engine::Jit)] {
            let t = Instant::now();
            let _ = run_on_engine(&loaded, engine, &limits);
            phases[slot] += t.elapsed();
        }
    }
    println!(
        "{count} programs, {} bytes and {} IR functions on average: generate {:?}, compile {:?}, interp {:?}, jit {:?}",
        bytes as u64 / count.max(1),
        functions as u64 / count.max(1),
        phases[0],
        phases[1],
        phases[2],
        phases[3]
    );
}
