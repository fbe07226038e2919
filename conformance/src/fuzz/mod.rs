//! The differential fuzzer behind `cairn fuzz`: a seeded generator of random, well-formed,
//! terminating Cairn programs over the whole language (`gen*`), a printer to source, the
//! check that runs each program on both engines and compares everything (`check`), a
//! delta-debugging shrinker over the syntax tree (`shrink`), and the driver that runs many
//! programs on several threads and writes reproducers (`driver`). docs/FUZZING.md has the
//! user's view.

pub mod ast;
pub mod check;
pub mod driver;
pub mod gen_containers;
pub mod gen_deep;
pub mod gen_fault;
pub mod gen_lists;
pub mod gen_math;
pub mod gen_program;
pub mod gen_seq;
pub mod gen_text;
pub mod gen_values;
pub mod generator;
pub mod print;
pub mod reproducer;
pub mod shrink;
pub mod ty;

pub use check::{Checked, Divergence, DivergenceKind, check_source, check_source_with};
pub use driver::{Found, FuzzConfig, FuzzStats, run_fuzz};
pub use gen_program::{Generated, generate_program, program_seed};
pub use print::program_source;
