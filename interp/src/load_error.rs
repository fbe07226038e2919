//! Load-time failures of the translator: RT0201 for generator items in plain blocks, RT0305
//! for an entry point that takes parameters, RT0301 for an Int constant outside i48, and
//! RT0001 ("malformed IR ...") for IR the verifier would have rejected. Each is a
//! `RunFailure` whose frame (when known) is the offending op.

use cairn_lang::ir::GeneratorItem;
use cairn_runtime::context::{ErrorFrame, RunFailure};
use cairn_runtime::error::RuntimeError;

/// Where in the module a load error was found.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LoadLocation {
    pub function: u32,
    pub op: Option<u32>,
}

fn frames_at(location: LoadLocation) -> Vec<ErrorFrame> {
    match location.op {
        Some(op) => vec![ErrorFrame {
            function: location.function,
            op,
        }],
        None => Vec::new(),
    }
}

pub(crate) fn unsupported_block_item(item: GeneratorItem, location: LoadLocation) -> RunFailure {
    RunFailure {
        error: RuntimeError::unsupported_block_item(item.name()),
        frames: frames_at(location),
    }
}

pub(crate) fn integer_constant_out_of_range(location: LoadLocation) -> RunFailure {
    RunFailure {
        error: RuntimeError::integer_overflow(),
        frames: frames_at(location),
    }
}

pub(crate) fn entry_takes_parameters(name: &str, count: usize) -> RunFailure {
    RunFailure {
        error: RuntimeError::arity_mismatch(name, count, 0),
        frames: Vec::new(),
    }
}

/// IR the verifier would reject: the engine refuses it instead of crashing.
pub(crate) fn malformed(function_name: &str, detail: &str, location: LoadLocation) -> RunFailure {
    RunFailure {
        error: RuntimeError::internal(&format!(
            "malformed IR in function `{function_name}`: {detail}"
        )),
        frames: frames_at(location),
    }
}

/// Malformed module-level structure (no function to blame).
pub(crate) fn malformed_module(detail: &str) -> RunFailure {
    RunFailure {
        error: RuntimeError::internal(&format!("malformed IR module: {detail}")),
        frames: Vec::new(),
    }
}
