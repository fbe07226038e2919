//! The `--engine` choice shared by `run` (and reported by `bench`): the Cranelift JIT
//! (default) or the interpreter.

use clap::ValueEnum;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EngineChoice {
    /// The Cranelift JIT (native code).
    Jit,
    /// The register interpreter.
    Interp,
}

impl EngineChoice {
    pub fn label(self) -> &'static str {
        match self {
            EngineChoice::Jit => "jit",
            EngineChoice::Interp => "interp",
        }
    }
}
