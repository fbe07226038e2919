//! Stress testing of seed 004 §4: the scenarios of §4.1–§4.4 as parameterised Cairn
//! programs (§4.5 parameters), run on both engines in audit mode with the validation
//! checkpoints of §4.6 checked on every run.
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
