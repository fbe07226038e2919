//! `cairn heap graph FILE [--format dot|json] [-o PATH] [--checkpoint N|all]`: the ownership
//! graph when `main` returns — taken before its result is released, so it shows what the
//! program built with the result as the one root (after the release the heap is empty) — or
//! the graphs recorded by `checkpoint()` calls. DOT renders with `dot -Tsvg`; JSON is the
//! runtime's graph object with each node's source `location` added (an array of them for
//! `--checkpoint all`). The program's own output goes to stderr, keeping stdout a document.

use std::io::Write;

use cairn::{Module, OwnershipGraph};

use super::args::{CheckpointChoice, GraphArgs, GraphFormat};
use super::{Echo, emit, load_source, site_label, write_stderr};
use crate::outcome::{Outcome, UsageError};
use crate::output_file::create_output_file;
use crate::source_input::read_source;

pub fn graph_command(args: &GraphArgs) -> Result<Outcome, UsageError> {
    // The output file is created once the source is read (it may not be the source), before
    // the program runs: a bad path is exit 2 up front.
    let source = read_source(&args.run.file)?;
    let output_file = match &args.output {
        Some(path) => Some((path, create_output_file(path, source.input().as_slice())?)),
        None => None,
    };
    let Some(mut program) = load_source(&args.run, &source)? else {
        return Ok(Outcome::Failure);
    };
    let (succeeded, at_return) = program.run_main(Echo::Stderr, |rt| rt.export_ref_graph());
    let checkpoints = program.runtime.checkpoints();
    let chosen: Vec<(String, &OwnershipGraph)> = match args.checkpoint {
        None => vec![("ownership".to_string(), &at_return)],
        Some(CheckpointChoice::Nth(n)) => match checkpoints.get(n - 1) {
            Some(graph) => vec![(format!("checkpoint_{n}"), graph)],
            None => {
                write_stderr(&format!(
                    "error: there is no checkpoint {n}: the program reached {} checkpoint() calls\n",
                    checkpoints.len()
                ));
                return Ok(Outcome::Failure);
            }
        },
        Some(CheckpointChoice::All) => checkpoints
            .iter()
            .enumerate()
            .map(|(index, graph)| (format!("checkpoint_{}", index + 1), graph))
            .collect(),
    };
    let text = match args.format {
        GraphFormat::Dot => chosen
            .iter()
            .map(|(name, graph)| named_dot(graph, name))
            .collect::<String>(),
        GraphFormat::Json => {
            let graphs: Vec<serde_json::Value> = chosen
                .iter()
                .map(|(_, graph)| json_with_locations(graph, &program.module))
                .collect();
            let document = match args.checkpoint {
                Some(CheckpointChoice::All) => serde_json::Value::Array(graphs),
                _ => graphs.into_iter().next().unwrap_or_default(),
            };
            format!("{document:#}\n")
        }
    };
    match output_file {
        Some((path, mut file)) => file
            .write_all(text.as_bytes())
            .map_err(|error| UsageError(format!("cannot write `{}`: {error}", path.display())))?,
        None => emit(&text)?,
    }
    Ok(super::outcome(succeeded))
}

/// The runtime's DOT with the graph named `name` (several graphs in one file stay distinct).
fn named_dot(graph: &OwnershipGraph, name: &str) -> String {
    let dot = graph.to_dot();
    match dot.strip_prefix("digraph ownership") {
        Some(rest) => format!("digraph {name}{rest}"),
        None => dot,
    }
}

/// The runtime's JSON with `"location": "fn NAME at LINE:COL"` (or null) on every node.
fn json_with_locations(graph: &OwnershipGraph, module: &Module) -> serde_json::Value {
    let mut json = graph.to_json();
    if let Some(nodes) = json.get_mut("nodes").and_then(|nodes| nodes.as_array_mut()) {
        for (json_node, node) in nodes.iter_mut().zip(&graph.nodes) {
            let location = module
                .site_location(node.site)
                .map(|_| serde_json::Value::String(site_label(module, node.site)))
                .unwrap_or(serde_json::Value::Null);
            if let Some(object) = json_node.as_object_mut() {
                object.insert("location".to_string(), location);
            }
        }
    }
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_graphs_are_renamed() {
        let dot = named_dot(&OwnershipGraph::default(), "checkpoint_2");
        assert!(dot.starts_with("digraph checkpoint_2 {\n"), "{dot}");
        assert!(dot.ends_with("}\n"));
    }
}
