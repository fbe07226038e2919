//! `cairn heap leaks FILE [--live]`: runs `main` in full audit mode, releases its result and
//! lists the objects left allocated, grouped by allocation site (`Leaks: 0` when none; exit 1
//! when some). With `--live`, lists instead what was live at each `checkpoint()` call,
//! grouped the same way: where a program's memory goes while it runs.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use cairn::OwnershipGraph;

use super::args::LeaksArgs;
use super::sites::{group_by_site, render_groups, totals};
use super::{Echo, emit, load, site_label};
use crate::outcome::{Outcome, UsageError};

pub fn leaks_command(args: &LeaksArgs) -> Result<Outcome, UsageError> {
    let Some(mut program) = load(&args.run)? else {
        return Ok(Outcome::Failure);
    };
    let before = program.runtime.capture_snapshot();
    let (succeeded, ()) = program.run_main(Echo::Stdout, |_| ());
    let label = |site| site_label(&program.module, site);
    let mut out = String::new();
    let clean = if args.live {
        render_live(program.runtime.checkpoints(), &label, &mut out);
        true
    } else {
        let after = program.runtime.capture_snapshot();
        let delta = cairn::Runtime::compare_snapshots(&before, &after);
        let new_heads: BTreeSet<u32> = delta.newly_allocated.iter().copied().collect();
        let graph = program.runtime.export_ref_graph();
        let leaked: Vec<_> = graph
            .nodes
            .iter()
            .filter(|node| new_heads.contains(&node.block))
            .collect();
        if leaked.is_empty() {
            out.push_str("Leaks: 0\n");
        } else {
            let groups = group_by_site(leaked);
            let _ = writeln!(out, "Leaks: {}", totals(&groups));
            render_groups(&groups, &label, &mut out);
        }
        new_heads.is_empty()
    };
    emit(&out)?;
    Ok(super::outcome(succeeded && clean))
}

/// `checkpoint N: X objects, Y blocks` and its site groups, for every checkpoint.
fn render_live(
    checkpoints: &[OwnershipGraph],
    label: &dyn Fn(cairn::AllocationSite) -> String,
    out: &mut String,
) {
    if checkpoints.is_empty() {
        out.push_str("no checkpoint() was reached\n");
    }
    for (index, graph) in checkpoints.iter().enumerate() {
        let groups = group_by_site(&graph.nodes);
        let _ = writeln!(out, "checkpoint {}: {}", index + 1, totals(&groups));
        render_groups(&groups, label, out);
    }
}
