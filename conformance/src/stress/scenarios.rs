//! The stress scenarios of docs/MEMORY.md, "Scenarios" as generated Cairn programs. Every program
//! is deterministic (the mixed workloads compute their own LCG), loops with self tail calls
//! (constant stack at any iteration count), checks its own invariants (`fail(..)` when one breaks),
//! calls `checkpoint()` at the start, at a few points of the loop and at the end, and prints and
//! returns a checksum, so the two engines' outputs can be compared.

use std::fmt;

use super::params::{BATCH_SIZE, DisposalPolicy, StressParams};
use super::sources;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    DeepNesting,
    FanOut,
    Slicing,
    ChainOfMappings,
    SequenceReuse,
    AlternatingConsumers,
    MergeStorm,
    SharingGraph,
    AllocationMix,
    SlidingWindow,
}

/// Bounds on the `cow` events of one engine's run, when the scenario determines them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CowExpectation {
    pub min: u64,
    pub max: Option<u64>,
    /// Why: printed with a failure.
    pub reason: &'static str,
}

impl CowExpectation {
    fn exactly(count: u64, reason: &'static str) -> CowExpectation {
        CowExpectation {
            min: count,
            max: Some(count),
            reason,
        }
    }

    fn at_least(count: u64, reason: &'static str) -> CowExpectation {
        CowExpectation {
            min: count,
            max: None,
            reason,
        }
    }

    pub fn admits(&self, cows: u64) -> bool {
        cows >= self.min && self.max.is_none_or(|max| cows <= max)
    }
}

impl Scenario {
    pub const ALL: [Scenario; 10] = [
        Scenario::DeepNesting,
        Scenario::FanOut,
        Scenario::Slicing,
        Scenario::ChainOfMappings,
        Scenario::SequenceReuse,
        Scenario::AlternatingConsumers,
        Scenario::MergeStorm,
        Scenario::SharingGraph,
        Scenario::AllocationMix,
        Scenario::SlidingWindow,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::DeepNesting => "deep-nesting",
            Scenario::FanOut => "fan-out",
            Scenario::Slicing => "slicing",
            Scenario::ChainOfMappings => "chain-of-mappings",
            Scenario::SequenceReuse => "sequence-reuse",
            Scenario::AlternatingConsumers => "alternating-consumers",
            Scenario::MergeStorm => "merge-storm",
            Scenario::SharingGraph => "sharing-graph",
            Scenario::AllocationMix => "allocation-mix",
            Scenario::SlidingWindow => "sliding-window",
        }
    }

    /// The scenario's group in docs/MEMORY.md, "Scenarios".
    pub fn group(self) -> &'static str {
        match self {
            Scenario::DeepNesting => "vectors",
            Scenario::FanOut => "vectors",
            Scenario::Slicing => "vectors",
            Scenario::ChainOfMappings => "sequences",
            Scenario::SequenceReuse => "sequences",
            Scenario::AlternatingConsumers => "sequences",
            Scenario::MergeStorm => "maps",
            Scenario::SharingGraph => "maps",
            Scenario::AllocationMix => "mixed",
            Scenario::SlidingWindow => "mixed",
        }
    }

    pub fn from_name(name: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|s| s.name() == name)
    }

    /// What the scenario does, and what each parameter means for it.
    pub fn summary(self) -> &'static str {
        match self {
            Scenario::DeepNesting => {
                "V0 = [t], Vn = [Vn-1] to chain-depth, walk to the bottom, drop the top; iterations x allocation-rate chains"
            }
            Scenario::FanOut => {
                "a base list of max-vector-size shared by allocation-rate parents; one parent's base is mutated: exactly its path is copied (cow count asserted)"
            }
            Scenario::Slicing => {
                "a list of max-vector-size; iterations x allocation-rate sliding-window slices (width max-vector-size/4), each summed and disposed"
            }
            Scenario::ChainOfMappings => {
                "range -> map(x2) -> filter(even) -> take(max-vector-size), drained with next(); iterations x allocation-rate pipelines"
            }
            Scenario::SequenceReuse => {
                "a map Seq of max-vector-size items consumed, then consumed again (sum, next, count: empty); iterations x allocation-rate Seqs"
            }
            Scenario::AlternatingConsumers => {
                "a base Seq of max-vector-size items; one clone consumed fully, allocation-rate clones partially, the base must be untouched"
            }
            Scenario::MergeStorm => {
                "allocation-rate maps #{k: #{\"a\": x}} merged into one per iteration (max-vector-size distinct keys); the map is kept after the first merge, so merges cow unless disposal is immediate"
            }
            Scenario::SharingGraph => {
                "D1 = #{\"a\": t}, Dk = #{k: Dk-1} to chain-depth; allocation-rate alterations of the top: only the top is copied (cow count asserted)"
            }
            Scenario::AllocationMix => {
                "an LCG picks iterations x allocation-rate operations: new lists/Seqs/maps (size < max-vector-size), updates, copies, partial pulls and disposals over pools of 16"
            }
            Scenario::SlidingWindow => {
                "rows (k, lcg(k) % 100) in windows of max-vector-size sliding by 1; filter + scan rolling (count, sum) collected into lists; iterations x allocation-rate windows"
            }
        }
    }

    /// The Cairn program for `params`.
    pub fn source(self, params: &StressParams) -> String {
        let p = params.clamped();
        let body = match self {
            Scenario::DeepNesting => sources::deep_nesting(&p),
            Scenario::FanOut => sources::fan_out(&p),
            Scenario::Slicing => sources::slicing(&p),
            Scenario::ChainOfMappings => sources::chain_of_mappings(&p),
            Scenario::SequenceReuse => sources::sequence_reuse(&p),
            Scenario::AlternatingConsumers => sources::alternating_consumers(&p),
            Scenario::MergeStorm => sources::merge_storm(&p),
            Scenario::SharingGraph => sources::sharing_graph(&p),
            Scenario::AllocationMix => sources::allocation_mix(&p),
            Scenario::SlidingWindow => sources::sliding_window(&p),
        };
        format!(
            "// stress scenario {} ({}): {p}\n{}{}",
            self.name(),
            self.group(),
            sources::prelude(&p, self.loop_rounds(&p)),
            body
        )
    }

    /// How many times the scenario's main loop runs (checkpoints are spread over it).
    pub fn loop_rounds(self, params: &StressParams) -> u64 {
        let p = params.clamped();
        match self {
            Scenario::FanOut
            | Scenario::AlternatingConsumers
            | Scenario::MergeStorm
            | Scenario::SharingGraph => p.iterations,
            _ => p.iterations * p.allocation_rate,
        }
    }

    /// The `cow` events each engine's run must show, when the scenario determines them.
    pub fn cow_expectation(self, params: &StressParams) -> Option<CowExpectation> {
        let p = params.clamped();
        match self {
            // Per iteration: the mutated parent (head + its one leaf) and the base's
            // root-to-leaf path (head + height + 1 nodes); nothing of the other parents.
            Scenario::FanOut => Some(CowExpectation::exactly(
                p.iterations * (2 + 2 + list_height(p.max_vector_size)),
                "one parent and the base's path per iteration, no other parent",
            )),
            // Each alteration copies the shared one-entry top map (head + its one node);
            // the inner maps are never copied.
            Scenario::SharingGraph => Some(CowExpectation::exactly(
                p.iterations * p.allocation_rate * 2,
                "the top map (head + node) per alteration, no inner map",
            )),
            Scenario::MergeStorm => Some(match p.disposal {
                DisposalPolicy::Immediate => {
                    CowExpectation::exactly(0, "an immediately dropped copy leaves the map unique")
                }
                _ if p.allocation_rate < 2 => {
                    CowExpectation::exactly(0, "no merge follows the kept copy")
                }
                DisposalPolicy::Delayed => CowExpectation::at_least(
                    p.iterations,
                    "the merge after the kept copy copies the shared map",
                ),
                DisposalPolicy::Batched => CowExpectation::at_least(
                    p.iterations - p.iterations / BATCH_SIZE,
                    "the merge after a kept copy copies the shared map",
                ),
            }),
            // Nothing is ever updated while shared.
            Scenario::DeepNesting
            | Scenario::Slicing
            | Scenario::ChainOfMappings
            | Scenario::SequenceReuse
            | Scenario::AlternatingConsumers
            | Scenario::SlidingWindow => Some(CowExpectation::exactly(
                0,
                "the scenario never updates a shared structure",
            )),
            Scenario::AllocationMix => None,
        }
    }
}

/// The height of the radix tree (branching 7) of a list of `length` elements.
fn list_height(length: u64) -> u64 {
    let mut height = 0;
    let mut capacity = 7;
    while capacity < length {
        capacity *= 7;
        height += 1;
    }
    height
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
