//! The engines' tests build IR with `cairn_lang::ir::builder` (the host-facing IR builder);
//! this module only adds the two param-mode shorthands the tests use.

#[allow(unused_imports)] // not every test binary builds IR by hand
pub use cairn_lang::ir::builder::{FunctionBuilder, module};

pub const OWNED: cairn_lang::ir::ParamMode = cairn_lang::ir::ParamMode::Owned;
pub const BORROWED: cairn_lang::ir::ParamMode = cairn_lang::ir::ParamMode::Borrowed;
