//! How much stack a JIT run needs, known before any code exists (the run stack is mapped
//! before the first function is compiled).
//!
//! A call chain is at most `max_call_depth` frames, each at most [`MIN_FRAME_BYTES`] plus its
//! function's [`frame_estimate`]. Budgeting every level for the largest function is sound but
//! wasteful when that function cannot recurse: `main` holding a 200,000-entry literal has a
//! frame of megabytes, and 10,000 of them is more address space than a host may map, while
//! the interpreter (frames on the heap, as deep as they get) runs the program. So the budget
//! is split along the call graph:
//! - a function on a cycle (it can reach itself) may fill every level: each level gets the
//!   largest such function's frame;
//! - a function on no cycle appears at most once in any chain: those add, once, the heaviest
//!   path of them through the call graph.
//!
//! The call graph is conservative: a direct call or tail call reaches its callee; a value
//! call, and any builtin (some call closures: `map`, sequence pulls), reaches every function
//! a closure may name; a host call reaches every function (a host function may call back
//! into the script).

use cairn_lang::ir::load_check::is_closure_callable;
use cairn_lang::ir::{Module, OpKind, TerminatorKind};

use crate::lazy_compile::frame_estimate;
use crate::program::MIN_FRAME_BYTES;

/// The stack a run of a module's code needs beyond the runtime's own per-level budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StackBudget {
    /// Budgeted for every call level: the largest frame of a function on a cycle.
    pub(crate) per_level_bytes: u64,
    /// Budgeted once per run: the heaviest path of frames of functions on no cycle.
    pub(crate) once_bytes: u64,
    /// The largest frame of any function (the uniform budget, also sound).
    pub(crate) largest_frame_bytes: u64,
}

impl StackBudget {
    pub(crate) fn of(module: &Module) -> StackBudget {
        let estimates: Vec<u64> = module.functions.iter().map(frame_estimate).collect();
        let largest = estimates.iter().copied().max().unwrap_or(0);
        let graph = CallGraph::of(module);
        let components = strongly_connected_components(&graph.successors);
        let mut largest_recursive = 0;
        // Heaviest path of non-recursive frames starting in each component. Tarjan's
        // algorithm emits a component after every component it reaches, so successors are
        // done first.
        let mut component_of = vec![usize::MAX; graph.successors.len()];
        let mut heaviest_from: Vec<u64> = Vec::with_capacity(components.len());
        for (index, members) in components.iter().enumerate() {
            for &node in members {
                component_of[node] = index;
            }
            let recursive = members.len() > 1 || graph.successors[members[0]].contains(&members[0]);
            let mut weight = 0;
            for &node in members {
                if let Some(&estimate) = estimates.get(node) {
                    if recursive {
                        largest_recursive = largest_recursive.max(estimate);
                    } else {
                        weight = estimate;
                    }
                }
            }
            let onward = members
                .iter()
                .flat_map(|&node| graph.successors[node].iter())
                .map(|&next| component_of[next])
                .filter(|&component| component != index)
                .map(|component| heaviest_from[component])
                .max()
                .unwrap_or(0);
            heaviest_from.push(weight.saturating_add(onward));
        }
        let heaviest_path = heaviest_from.iter().copied().max().unwrap_or(0);
        StackBudget {
            per_level_bytes: MIN_FRAME_BYTES + largest_recursive,
            once_bytes: heaviest_path,
            largest_frame_bytes: MIN_FRAME_BYTES + largest,
        }
    }

    /// `(bytes per level, bytes once)` for a run of at most `max_call_depth` levels, each
    /// level also costing `level_overhead` bytes: the split budget, or the largest frame at
    /// every level when that is smaller (both are sound).
    pub(crate) fn for_depth(&self, max_call_depth: u64, level_overhead: u64) -> (u64, u64) {
        let total = |per_level: u64, once: u64| {
            max_call_depth
                .saturating_mul(per_level.saturating_add(level_overhead))
                .saturating_add(once)
        };
        if total(self.largest_frame_bytes, 0) <= total(self.per_level_bytes, self.once_bytes) {
            (self.largest_frame_bytes, 0)
        } else {
            (self.per_level_bytes, self.once_bytes)
        }
    }
}

/// Functions are nodes `0..n`; two more nodes stand for "any function a closure may name"
/// and "any function".
struct CallGraph {
    successors: Vec<Vec<usize>>,
}

impl CallGraph {
    fn of(module: &Module) -> CallGraph {
        let count = module.functions.len();
        let any_closure = count;
        let any_function = count + 1;
        let mut successors: Vec<Vec<usize>> = vec![Vec::new(); count + 2];
        let direct = |callee: u32| Some(callee as usize).filter(|&callee| callee < count);
        for (index, function) in module.functions.iter().enumerate() {
            let mut edges = Vec::new();
            for block in &function.blocks {
                for op in &block.ops {
                    edges.extend(match &op.kind {
                        OpKind::Call { function, .. } => direct(function.0),
                        OpKind::CallValue { .. } => Some(any_closure),
                        OpKind::Builtin { builtin, .. } if builtin.may_run_script_code() => {
                            Some(any_closure)
                        }
                        OpKind::CallHost { .. } => Some(any_function),
                        _ => None,
                    });
                }
                edges.extend(match &block.terminator.kind {
                    TerminatorKind::TailCall { function, .. } => direct(function.0),
                    TerminatorKind::TailCallValue { .. } => Some(any_closure),
                    _ => None,
                });
            }
            edges.sort_unstable();
            edges.dedup();
            successors[index] = edges;
            if is_closure_callable(function) {
                successors[any_closure].push(index);
            }
            successors[any_function].push(index);
        }
        CallGraph { successors }
    }
}

/// Tarjan's algorithm, iterative (a module may have a million functions): the strongly
/// connected components, each emitted after every component it reaches.
fn strongly_connected_components(successors: &[Vec<usize>]) -> Vec<Vec<usize>> {
    const UNVISITED: usize = usize::MAX;
    let count = successors.len();
    let mut order = vec![UNVISITED; count];
    let mut low = vec![0; count];
    let mut on_stack = vec![false; count];
    let mut stack = Vec::new();
    let mut components = Vec::new();
    let mut next_order = 0;
    // (node, index of the next successor to look at)
    let mut work: Vec<(usize, usize)> = Vec::new();
    for root in 0..count {
        if order[root] != UNVISITED {
            continue;
        }
        work.push((root, 0));
        while let Some(&mut (node, ref mut next)) = work.last_mut() {
            if *next == 0 && order[node] == UNVISITED {
                order[node] = next_order;
                low[node] = next_order;
                next_order += 1;
                stack.push(node);
                on_stack[node] = true;
            }
            if let Some(&successor) = successors[node].get(*next) {
                *next += 1;
                if order[successor] == UNVISITED {
                    work.push((successor, 0));
                } else if on_stack[successor] {
                    low[node] = low[node].min(order[successor]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == order[node] {
                let mut members = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    members.push(member);
                    if member == node {
                        break;
                    }
                }
                members.sort_unstable();
                components.push(members);
            }
        }
    }
    components
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(source: &str) -> (StackBudget, Module) {
        let file = cairn_lang::source::SourceFile::new("budget.cairn", source);
        let module = cairn_lang::compile(&file).expect("test source compiles");
        (StackBudget::of(&module), module)
    }

    fn estimate(module: &Module, name: &str) -> u64 {
        let function = module
            .functions
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no function {name}"));
        frame_estimate(function)
    }

    /// `main` with a literal of `n` Texts (a big frame) calling a small recursive `count`.
    fn big_main_source(n: usize) -> String {
        let texts: Vec<String> = (0..n).map(|i| format!("\"t{i}\"")).collect();
        format!(
            "fn depth_of(n) = if n == 0 then 0 else 1 + depth_of(n - 1)\n\
             fn main() = {{ xs = [{}]; len(xs) + depth_of(3) }}\n",
            texts.join(", ")
        )
    }

    #[test]
    fn a_big_function_on_no_cycle_is_budgeted_once_not_per_level() {
        let (budget, module) = budget(&big_main_source(2_000));
        let main = estimate(&module, "main");
        let count = estimate(&module, "depth_of");
        assert!(main > 10 * count, "main {main} count {count}");
        assert_eq!(budget.per_level_bytes, MIN_FRAME_BYTES + count);
        assert_eq!(budget.once_bytes, main);
        assert_eq!(budget.largest_frame_bytes, MIN_FRAME_BYTES + main);
        // At the default depth the split budget is far smaller than `main` at every level.
        let (per_level, once) = budget.for_depth(10_000, 4_096);
        assert_eq!((per_level, once), (MIN_FRAME_BYTES + count, main));
        // At depth 1 the uniform budget is smaller (no `once` part).
        assert_eq!(budget.for_depth(1, 4_096), (MIN_FRAME_BYTES + main, 0));
    }

    #[test]
    fn mutual_recursion_and_closures_called_by_builtins_are_cycles() {
        let (budget, module) = budget(
            "fn even(n) = if n == 0 then true else odd(n - 1)\n\
             fn odd(n) = if n == 0 then false else even(n - 1)\n\
             fn main() = { f = \\x -> collect(map([x], \\y -> str(y))); even(4); f(1) }\n",
        );
        // The inner lambda (`\y -> str(y)`, at 3:42) calls only `str`, which runs no script
        // code: it is on no cycle.
        let inner = "lambda@3:42";
        let recursive_largest = module
            .functions
            .iter()
            .filter(|f| f.name != "main" && f.name != inner)
            .map(frame_estimate)
            .max()
            .unwrap();
        // Every other function is on a cycle: even/odd directly, the outer lambda through
        // `collect` (a builtin that pulls a Seq may call any closure).
        assert_eq!(budget.per_level_bytes, MIN_FRAME_BYTES + recursive_largest);
        assert_eq!(
            budget.once_bytes,
            estimate(&module, "main") + estimate(&module, inner)
        );
    }

    #[test]
    fn a_chain_of_non_recursive_calls_adds_up_along_its_heaviest_path() {
        let (budget, module) = budget(
            "fn leaf(x) = x + 1\n\
             fn middle(x) = leaf(x) * 2\n\
             fn other(x) = x\n\
             fn main() = middle(1) + other(2)\n",
        );
        let path =
            estimate(&module, "main") + estimate(&module, "middle") + estimate(&module, "leaf");
        assert_eq!(budget.once_bytes, path);
        assert_eq!(budget.per_level_bytes, MIN_FRAME_BYTES);
    }

    /// A lambda capturing 4,000 locals is on a cycle (it calls builtins, which may call any
    /// closure), so its frame is budgeted at every level: its frame estimate must be linear
    /// in its variables, not in all its ops' operands (a slot per op's operands).
    #[test]
    fn a_lambda_of_many_captures_has_a_frame_linear_in_its_variables() {
        let n = 4_000;
        let mut lines: Vec<String> = (0..n).map(|i| format!("  a{i} = [{i}];")).collect();
        let uses: Vec<String> = (0..n).map(|i| format!("u{i} = len(a{i})")).collect();
        lines.push(format!("  f = \\ -> {{ {}; u0 }};", uses.join("; ")));
        lines.push("  f()".into());
        let source = format!("fn main() = {{\n{}\n}}\n", lines.join("\n"));
        let (budget, module) = budget(&source);
        let lambda = module
            .functions
            .iter()
            .find(|f| f.name.starts_with("lambda"))
            .expect("the lambda");
        let estimate = frame_estimate(lambda);
        // Per var: its spill word and at most a home slot and a pad slot; plus the largest
        // op's operand areas (small here).
        assert!(
            estimate <= 8 * 4 * u64::from(lambda.var_count),
            "{estimate} bytes for {} vars",
            lambda.var_count
        );
        // The lambda calls only `len`, which never runs script code: it is on no cycle, so
        // its frame is budgeted once, not at each of the 10,000 levels (it used to be, about
        // 2.5 GB, and the JIT refused under an address-space limit what the interpreter ran).
        assert_eq!(budget.per_level_bytes, MIN_FRAME_BYTES);
        assert!(budget.once_bytes >= estimate);
        let (per_level, once) = budget.for_depth(10_000, 4_096);
        let total = per_level * 10_000 + once;
        assert!(total < 1 << 28, "{total} bytes for 10,000 levels");
    }

    /// Soundness of the refinement above: a lambda that pulls a Seq (`collect`, which may
    /// call any closure) is still on a cycle, so its frame is budgeted at every level.
    #[test]
    fn a_lambda_that_pulls_a_seq_is_budgeted_at_every_level() {
        let n = 200;
        let mut lines: Vec<String> = (0..n).map(|i| format!("  a{i} = [{i}];")).collect();
        let uses: Vec<String> = (0..n).map(|i| format!("u{i} = len(a{i})")).collect();
        lines.push(format!(
            "  f = \\ -> {{ {}; collect(map(range(0, u0), \\x -> x)) }};",
            uses.join("; ")
        ));
        lines.push("  f()".into());
        let source = format!("fn main() = {{\n{}\n}}\n", lines.join("\n"));
        let (budget, module) = budget(&source);
        let lambda = module
            .functions
            .iter()
            .filter(|f| f.name.starts_with("lambda"))
            .map(frame_estimate)
            .max()
            .expect("the lambdas");
        assert_eq!(budget.per_level_bytes, MIN_FRAME_BYTES + lambda);
    }

    #[test]
    fn components_come_out_after_everything_they_reach() {
        // 0 -> 1 -> 2 -> 1, 2 -> 3, 4 alone
        let successors = vec![vec![1], vec![2], vec![1, 3], vec![], vec![]];
        let components = strongly_connected_components(&successors);
        assert_eq!(components, vec![vec![3], vec![1, 2], vec![0], vec![4]]);
    }
}
