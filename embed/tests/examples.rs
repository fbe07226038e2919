//! Runs every example of the workspace's `examples/` folder (the programs `cargo run
//! --example NAME` runs) on both engines. Each example asserts its own results, so a change
//! of behaviour fails here; `cargo test` also builds them as example targets of `cairn-cli`.

// The examples' `main` (command-line parsing) is not used here.
#[allow(dead_code)]
#[path = "../../examples/embed_basic.rs"]
mod embed_basic;
#[allow(dead_code)]
#[path = "../../examples/heap_audit.rs"]
mod heap_audit;
#[allow(dead_code)]
#[path = "../../examples/host_functions.rs"]
mod host_functions;
#[allow(dead_code)]
#[path = "../../examples/host_objects.rs"]
mod host_objects;
#[allow(dead_code)]
#[path = "../../examples/parallel.rs"]
mod parallel;
#[allow(dead_code)]
#[path = "../../examples/sandbox.rs"]
mod sandbox;

macro_rules! on_both_engines {
    ($($example:ident),* $(,)?) => {
        mod on_interpreter {
            $(#[test]
            fn $example() {
                super::$example::run(cairn::EngineKind::Interpreter);
            })*
        }
        mod on_jit {
            $(#[test]
            fn $example() {
                super::$example::run(cairn::EngineKind::Jit);
            })*
        }
    };
}

on_both_engines!(
    embed_basic,
    host_functions,
    host_objects,
    sandbox,
    parallel,
    heap_audit
);
