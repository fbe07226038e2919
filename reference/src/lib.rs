//! `cairn-reference`: a reference evaluator of Cairn written from docs/LANGUAGE.md alone —
//! the third oracle of the differential tests. It shares no code with the engines and
//! depends on no Cairn crate: its own lexer, parser and checks, and an evaluator that walks
//! the syntax tree over plain Rust values (`Rc`, `Vec`, `BTreeMap`), with no block heap, no
//! IR and no reference counting pass. It reproduces what a user observes: the printed
//! output, `main`'s result in canonical form, and the first diagnostic (code and message).
//! It is an executable specification: clarity first, but every operation is polynomial.
//!
//! Modelled limits: the call depth (function entries, tail calls leave no frame, and every
//! pull of a Seq counts while it runs) and fuel (one unit per function entry and per self
//! tail call, one per 1,024 items of a runtime loop). Not modelled: heap blocks and quotas
//! (RT0401/RT0402), cancellation, host functions, audit mode.

// `value::Key` holds only valid key kinds (Unit, Bool, numbers, Text, Tuples of those),
// never the Seq/Closure/Ref variants whose `RefCell`s make `Value` "interior mutable", so a
// key's order cannot change while it sits in a `BTreeMap`.
#![allow(clippy::mutable_key_type)]

mod ast;
mod builtins;
mod eval;
mod generator;
mod lexer;
mod list_sort;
mod math;
mod ops;
mod parser;
mod parser_items;
mod random;
mod resolve;
mod seq;
mod seq_group;
mod seq_pull;
mod seq_search;
mod text;
mod value;

#[cfg(test)]
mod tests;

/// A compile-time diagnostic: code, message and byte span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub message: String,
    pub start: usize,
    pub end: usize,
}

impl Diagnostic {
    pub fn new(code: &'static str, message: String, start: usize, end: usize) -> Diagnostic {
        Diagnostic {
            code,
            message,
            start,
            end,
        }
    }
}

/// The limits a run is under (the `//# limits:` header): the maximum call depth and the
/// fuel (`None` = unlimited).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_call_depth: u64,
    pub fuel: Option<u64>,
}

/// docs/LANGUAGE.md's default call depth limit.
pub const DEFAULT_MAX_CALL_DEPTH: u64 = 10_000;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_call_depth: DEFAULT_MAX_CALL_DEPTH,
            fuel: None,
        }
    }
}

/// How a program ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// `main` returned this value, in top-level canonical form (`()` for Unit).
    Returned(String),
    /// A diagnostic: an `E` code from the checks, or an `RT` code from the run.
    Failed { code: String, message: String },
}

/// Everything the oracle observed of one program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Everything `print` wrote (one canonical form and a newline per call).
    pub output: String,
    pub end: End,
}

/// Stack for the evaluator thread: the tree walk recurses on the Rust stack, once per
/// expression level and call (deep Cairn recursion stops at the depth limit, RT0501).
const EVALUATOR_STACK_BYTES: usize = 1 << 30;

/// Checks and runs `source` under `limits`.
pub fn run_source(source: &str, limits: Limits) -> Outcome {
    let source = source.to_string();
    std::thread::Builder::new()
        .name("cairn-reference".into())
        .stack_size(EVALUATOR_STACK_BYTES)
        .spawn(move || run_here(&source, limits))
        .expect("spawn the evaluator thread")
        .join()
        .unwrap_or_else(|_| Outcome {
            output: String::new(),
            end: End::Failed {
                code: "PANIC".into(),
                message: "the reference evaluator panicked".into(),
            },
        })
}

/// [`run_source`] on the calling thread (whose stack must be large enough).
pub fn run_here(source: &str, limits: Limits) -> Outcome {
    let failed = |d: &Diagnostic| Outcome {
        output: String::new(),
        end: End::Failed {
            code: d.code.to_string(),
            message: d.message.clone(),
        },
    };
    let (functions, mut errors) = match parser::parse(source) {
        Ok(parsed) => parsed,
        Err(errors) => return failed(&errors[0]),
    };
    let table = match resolve::function_table(&functions) {
        Ok(table) => table,
        Err(more) => {
            errors.extend(more);
            return failed(&errors[0]);
        }
    };
    errors.extend(resolve::check(&functions, &table));
    errors.sort_by_key(|d| (d.start, d.end));
    if let Some(first) = errors.first() {
        return failed(first);
    }
    eval::run_main(&functions, &table, limits)
}
