//! Stress testing (docs/MEMORY.md, "Stress scenarios"): the ten scenarios as parameterised Cairn
//! programs (the load parameters and disposal policies), run on both engines in audit mode
//! with the checkpoints checked on every run.
//!
//! ```text
//! let params = StressParams { iterations: 100, ..StressParams::default() };
//! let report = run_scenario(Scenario::DeepNesting, &params, &StressConfig::default());
//! assert!(report.passed, "{}", report.render());
//! ```

pub mod harness;
pub mod params;
pub mod report;
pub mod scenarios;
mod sources;
pub mod trace_stream;
pub mod trace_summary;

pub use harness::{RunExpectations, StressConfig, run_scenario, run_source};
pub use params::{DisposalPolicy, StressParams};
pub use report::{EngineStressReport, StressReport};
pub use scenarios::{CowExpectation, Scenario};
