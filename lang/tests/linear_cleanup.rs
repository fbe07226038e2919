//! The IR of the shapes whose cleanups used to grow quadratically (or worse) stays linear in
//! their size: many heap locals live across a chain of fallible ops, a value call with many
//! arguments, a lambda capturing many locals, a generate block of many bind + yield items,
//! and many Int binds live until one list literal. Each is measured at N = 100 and N = 1,000
//! (IR ops and cleanup-table entries of the whole module) and must grow at most 12-fold;
//! the per-op cleanup lists the table replaced are counted too, to show what they were.

mod shapes;

use cairn_lang::ir::Module;
use cairn_lang::{SourceFile, compile};

/// (ops + terminators, cleanup-table entries, cleanup entries as per-op lists would be).
fn sizes(module: &Module) -> (usize, usize, usize) {
    let mut ops = 0;
    let mut table = 0;
    let mut listed = 0;
    for function in &module.functions {
        for block in &function.blocks {
            ops += block.ops.len() + 1;
            table += block.cleanup.len();
            let consulted: Vec<bool> =
                cairn_lang::cleanup_table::consulted_positions(block).collect();
            for (position, consulted) in consulted.into_iter().enumerate() {
                if consulted {
                    listed += block.cleanup_at(position).len();
                }
            }
        }
    }
    (ops, table, listed)
}

fn compiled(text: &str) -> Module {
    match compile(&SourceFile::new("shape.cairn", text)) {
        Ok(module) => module,
        Err(diagnostics) => panic!("does not compile: {diagnostics:?}"),
    }
}

/// Sizes at N = `small` and N = `large`, printed for the record.
fn measured(
    name: &str,
    shape: fn(usize) -> String,
    [small_n, large_n]: [usize; 2],
) -> [(usize, usize, usize); 2] {
    let small = sizes(&compiled(&shape(small_n)));
    let large = sizes(&compiled(&shape(large_n)));
    println!(
        "{name}: N={small_n} {small:?}, N={large_n} {large:?} (ops, table entries, as per-op lists)"
    );
    [small, large]
}

/// Linear: ten times N is at most twelve times the ops and cleanup entries. With
/// `quadratic_lists`, the per-op lists the table stands for grew quadratically.
fn assert_linear(name: &str, shape: fn(usize) -> String, quadratic_lists: bool) {
    let [small, large] = measured(name, shape, [100, 1000]);
    assert!(
        large.0 <= 12 * small.0,
        "{name}: ops {small:?} -> {large:?}"
    );
    assert!(
        large.1 <= 12 * small.1,
        "{name}: cleanup entries {small:?} -> {large:?}"
    );
    if quadratic_lists {
        assert!(
            large.2 > 50 * small.2,
            "{name}: the shape lost its quadratic cleanups"
        );
    }
}

#[test]
fn many_live_heap_locals_then_a_fallible_chain() {
    assert_linear("live locals", shapes::live_locals, true);
}

#[test]
fn a_value_call_with_many_arguments() {
    assert_linear("value call", shapes::value_call, true);
}

#[test]
fn a_lambda_capturing_many_locals() {
    assert_linear("captures", shapes::captures, true);
}

/// Each piece captures only what the rest of the block uses: here nothing of the earlier
/// binds, so even per-op lists were linear; the table keeps it so.
#[test]
fn a_generate_block_of_bind_and_yield_items() {
    assert_linear("generate", shapes::generate, false);
}

#[test]
fn many_int_binds_live_until_one_list_literal() {
    assert_linear("int binds", shapes::int_binds, true);
}

/// When a later item of a generate block uses every earlier bind, each piece (a closure per
/// bind) captures all the binds before it: N pieces of up to N captures, quadratic in N by
/// closure conversion itself (flat closures). The cleanups add only a constant per capture
/// on top; as per-op lists they were a further factor of N (cubic). Three times N: at most
/// twelve times the size (quadratic is nine, cubic twenty-seven).
#[test]
fn a_generate_block_whose_items_use_every_earlier_bind_is_quadratic_not_cubic() {
    let [small, large] = measured("generate, all binds used", shapes::generate_all, [50, 150]);
    assert!(large.0 <= 12 * small.0, "ops {small:?} -> {large:?}");
    assert!(
        large.1 <= 12 * small.1,
        "cleanup entries {small:?} -> {large:?}"
    );
    assert!(
        large.2 > 20 * small.2,
        "the per-op lists were not cubic: {small:?} -> {large:?}"
    );
}
