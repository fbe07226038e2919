//! Whole-module analyses over the shared post-RC IR that backends may use to specialise
//! their lowering without changing what any op does (see `value_kinds`).

pub mod kind_set;
pub mod value_kinds;
mod value_kinds_transfer;

pub use kind_set::{KindSet, WordClass};
pub use value_kinds::{
    FunctionKinds, ModuleKinds, infer_value_kinds, infer_value_kinds_for_any_entry,
};
