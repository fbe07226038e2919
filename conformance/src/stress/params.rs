//! The load parameters of docs/MEMORY.md, "Load parameters and disposal policies" (`iterations`,
//! `max_vector_size`, `chain_depth`, `allocation_rate`, `disposal_policy`) and the disposal
//! policies as Cairn code.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// Structures the `delayed` policy keeps alive: a ring of this many slots.
pub const DELAYED_RING: u64 = 8;
/// Structures the `batched` policy accumulates before dropping them all.
pub const BATCH_SIZE: u64 = 16;

/// How a scenario disposes of the structures it builds (docs/MEMORY.md, "Load parameters and
/// disposal policies").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DisposalPolicy {
    /// Each structure is dropped as soon as it has been checked.
    Immediate,
    /// The last [`DELAYED_RING`] structures stay alive in a ring (a list updated with
    /// `set`); storing a new one drops the oldest.
    Delayed,
    /// Structures accumulate in a list; every [`BATCH_SIZE`]th drops the whole batch.
    Batched,
}

impl DisposalPolicy {
    pub const ALL: [DisposalPolicy; 3] = [
        DisposalPolicy::Immediate,
        DisposalPolicy::Delayed,
        DisposalPolicy::Batched,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DisposalPolicy::Immediate => "immediate",
            DisposalPolicy::Delayed => "delayed",
            DisposalPolicy::Batched => "batched",
        }
    }

    /// The Cairn functions `fresh()` (an empty holder) and `keep(h, i, x)` (the holder
    /// after disposing of structure number `i`, `x`, under this policy).
    pub fn cairn_functions(self) -> String {
        match self {
            DisposalPolicy::Immediate => "fn fresh() = []\nfn keep(h, i, x) = h\n".to_string(),
            DisposalPolicy::Delayed => {
                let slots = vec!["()"; DELAYED_RING as usize].join(", ");
                format!(
                    "fn fresh() = [{slots}]\nfn keep(h, i, x) = set(h, i % {DELAYED_RING}, x)\n"
                )
            }
            DisposalPolicy::Batched => format!(
                "fn fresh() = []\nfn keep(h, i, x) = if len(h) >= {} then [] else push(h, x)\n",
                BATCH_SIZE - 1
            ),
        }
    }
}

impl fmt::Display for DisposalPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DisposalPolicy {
    type Err = String;

    fn from_str(text: &str) -> Result<DisposalPolicy, String> {
        DisposalPolicy::ALL
            .into_iter()
            .find(|policy| policy.name() == text)
            .ok_or_else(|| {
                format!("unknown disposal policy `{text}` (immediate, delayed, batched)")
            })
    }
}

/// One set of load parameters. Every value is at least 1 when a program is generated
/// (scenarios clamp to their own minimums, see `Scenario::parameter_use`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct StressParams {
    /// Rounds of the scenario (each builds, checks and disposes of its structures).
    pub iterations: u64,
    /// The longest list (or window, or pipeline length) a scenario builds.
    pub max_vector_size: u64,
    /// Nesting depth of vectors and maps.
    pub chain_depth: u64,
    /// Structures (or operations) per iteration.
    pub allocation_rate: u64,
    pub disposal: DisposalPolicy,
}

impl Default for StressParams {
    fn default() -> StressParams {
        StressParams {
            iterations: 20,
            max_vector_size: 64,
            chain_depth: 32,
            allocation_rate: 4,
            disposal: DisposalPolicy::Immediate,
        }
    }
}

impl StressParams {
    /// The same parameters with every count raised to at least 1.
    pub fn clamped(&self) -> StressParams {
        StressParams {
            iterations: self.iterations.max(1),
            max_vector_size: self.max_vector_size.max(1),
            chain_depth: self.chain_depth.max(1),
            allocation_rate: self.allocation_rate.max(1),
            disposal: self.disposal,
        }
    }
}

impl fmt::Display for StressParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "iterations={} max-vector-size={} chain-depth={} allocation-rate={} disposal={}",
            self.iterations,
            self.max_vector_size,
            self.chain_depth,
            self.allocation_rate,
            self.disposal
        )
    }
}
