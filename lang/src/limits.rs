//! The implementation limits a program must stay within, checked at compile time so that
//! exceeding one is a diagnostic with an E04xx code and a span (never a runtime RT0001 from
//! an engine's load check, which stays as the defence for host-built IR). Listed in
//! docs/LANGUAGE.md ("Limits").

use crate::diagnostic::{self, Diagnostic};
use crate::ir::load_check::{MAX_FUNCTION_VARIABLES, call_words_problem};
use crate::ir::{Module, Span};

/// The most elements one list or tuple literal, or entries one map literal, may have.
pub const MAX_LITERAL_ELEMENTS: usize = 1 << 20;

/// The most functions one module may have, counting the functions the compiler lifts
/// (lambdas, generator pieces, builtin wrappers) as well as the named ones.
pub const MAX_MODULE_FUNCTIONS: usize = 1 << 20;

/// The limits the parser enforces as it reaches them. [`crate::compile`] uses
/// [`FrontEndLimits::DEFAULT`]; tests pass lower ones to reach them on small programs (the
/// same code path).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrontEndLimits {
    /// [`MAX_MODULE_FUNCTIONS`].
    pub functions: usize,
    /// [`MAX_LITERAL_ELEMENTS`].
    pub literal_elements: usize,
}

impl FrontEndLimits {
    pub const DEFAULT: FrontEndLimits = FrontEndLimits {
        functions: MAX_MODULE_FUNCTIONS,
        literal_elements: MAX_LITERAL_ELEMENTS,
    };
}

/// E0403 when a literal of `kind` (`list`, `tuple`, `map`) starting at `span` reaches
/// `elements` elements, more than `limit`: the parser stops at the first element past it.
pub fn literal_problem(
    kind: &str,
    elements: usize,
    limit: usize,
    span: Span,
) -> Option<Diagnostic> {
    (elements > limit).then(|| {
        Diagnostic::new(
            diagnostic::LITERAL_TOO_LARGE,
            format!("{kind} literal too large: more than {limit} elements"),
            span,
        )
    })
}

/// E0402 when the module's `count`th function (at `span`) is past `limit`.
pub fn function_count_problem(count: usize, limit: usize, span: Span) -> Option<Diagnostic> {
    (count > limit).then(|| {
        Diagnostic::new(
            diagnostic::TOO_MANY_FUNCTIONS,
            format!(
                "too many functions: more than {limit} (counting lambdas and generator pieces)"
            ),
            span,
        )
    })
}

/// E0401 for every function of the post-RC `module` with more variables than the engines
/// load ([`MAX_FUNCTION_VARIABLES`]), E0404 for one with more params, or a call with more
/// args, than the engines pass (`load_check::MAX_CALL_WORDS`), and E0402 when it has more than
/// [`MAX_MODULE_FUNCTIONS`] functions (at the first one past the limit).
pub fn check_module_limits(module: &Module) -> Result<(), Vec<Diagnostic>> {
    let mut errors = Vec::new();
    if let Some(first_over) = module.functions.get(MAX_MODULE_FUNCTIONS) {
        errors.extend(function_count_problem(
            module.functions.len(),
            MAX_MODULE_FUNCTIONS,
            first_over.span,
        ));
    }
    for function in &module.functions {
        if let Some((op, detail)) = call_words_problem(function) {
            let span = op
                .and_then(|op| function.op_at(op))
                .map_or(function.span, |at| at.span());
            errors.push(Diagnostic::new(
                diagnostic::TOO_MANY_CALL_WORDS,
                detail,
                span,
            ));
        }
        if function.var_count > MAX_FUNCTION_VARIABLES {
            errors.push(Diagnostic::new(
                diagnostic::TOO_MANY_VARIABLES,
                format!(
                    "too many variables in function `{}`: {} exceed the limit of {MAX_FUNCTION_VARIABLES}",
                    function.name, function.var_count
                ),
                function.span,
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        errors.sort_by_key(|d| (d.span.start, d.span.end));
        Err(errors)
    }
}
