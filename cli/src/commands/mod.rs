//! One module per `cairn` subcommand.

pub mod bench;
pub mod check;
pub mod conform;
pub mod fuzz;
pub mod heap;
pub mod run;
pub mod soak;
pub mod stress;
