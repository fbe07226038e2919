//! Cairn's differential conformance runner: every corpus program runs on the interpreter
//! and the JIT with tracing on; output, result or diagnostic, the full refcount trace and
//! the heap state afterwards are compared against the program's expectations and between
//! the engines.

pub mod expectations;
