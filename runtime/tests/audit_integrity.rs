//! The ownership graph and its checks (docs/MEMORY.md, "Ownership graph") against heaps built
//! through the object layer, clean and deliberately corrupted (`audit::corruption`): for each
//! corruption the ownership check names the block and the detail, the shadow counts agree or
//! disagree as they should, and a later heap operation reports it as a diagnostic, never a panic.

mod shim_harness;

use cairn_runtime::abi::invoke::FunctionInfo;
use cairn_runtime::abi::shims;
use cairn_runtime::audit::corruption;
use cairn_runtime::audit::{OwnershipGraph, OwnershipReport, run_ownership_check};
use cairn_runtime::heap::{AllocationSite, AuditConfig, RefCountMismatch};
use cairn_runtime::objects::{self, tuple};
use cairn_runtime::value::BlockAddress;
use cairn_runtime::{ErrorCode, Kind, Limits, Value};
use shim_harness::{Harness, int};

fn audited(blocks: u32) -> Harness {
    Harness::with_limits(Limits {
        heap_blocks: blocks,
        audit: AuditConfig::full(),
        ..Limits::default()
    })
}

fn block(value: Value) -> u32 {
    value.heap_block().expect("a heap value")
}

fn tuple_of(h: &mut Harness, items: Vec<Value>) -> Value {
    tuple::tuple_from_values(&mut h.ctx.heap, items).expect("tuple")
}

fn closure(h: &mut Harness, captures: &[Value]) -> Value {
    h.ctx.install_functions(vec![FunctionInfo {
        name: "f".into(),
        closure_arity: Some(1),
        entry: 1,
        program: 1,
    }]);
    let mut words = vec![int(0).bits()];
    words.extend(captures.iter().map(|v| v.bits()));
    let ptr = h.ctx.as_ptr();
    // SAFETY: live context; `words` holds `len` initialised words for the call.
    let word = unsafe { shims::rt_closure_from(ptr, words.as_ptr() as u64, words.len() as u64) };
    assert_ne!(word, 0, "closure built: {:?}", h.ctx.pending_error());
    Value(word)
}

/// Nested lists, a map, a closure, a tuple and a Ref, some shared; returns what the test
/// holds (the roots: one entry per reference held).
fn clean_scene(h: &mut Harness) -> Vec<Value> {
    let shared = h.list(&[int(1), int(2), int(3)]);
    let shared_again = h.retain(shared);
    let text = h.text("a text long enough to need a second block of the chain, 60+ bytes");
    let nested = h.list(&[shared_again, text, int(4)]);
    let key = h.text("k");
    let nested_again = h.retain(nested);
    let map = h.map(&[key, nested_again]);
    let shared_third = h.retain(shared);
    let captured = tuple_of(h, vec![shared_third, int(5)]);
    let function = closure(h, &[captured]);
    let cell = h.call1(shims::rt_ref_new, int(6)).expect("ref");
    vec![shared, nested, map, function, cell]
}

fn problem_of(report: &OwnershipReport, block: u32) -> &cairn_runtime::audit::OwnershipProblem {
    report
        .problems
        .iter()
        .find(|problem| problem.block == block)
        .unwrap_or_else(|| panic!("no problem for block {block} in:\n{report}"))
}

#[test]
fn a_clean_heap_passes_with_its_roots_and_fails_without_one() {
    let mut h = audited(512);
    let roots = clean_scene(&mut h);
    let report = run_ownership_check(&h.ctx.heap, &roots);
    assert!(report.valid, "{report}");
    let graph = OwnershipGraph::build(&h.ctx.heap);
    assert_eq!(report.nodes, graph.nodes.len());
    assert_eq!(report.edges, graph.edges.len());
    assert_eq!(report.roots, 5);
    assert!(
        graph.check_structure().is_empty(),
        "{:?}",
        graph.check_structure()
    );
    assert!(graph.dangling.is_empty());
    // The text of 67 bytes (plus its 12-byte header) spans two blocks.
    let text_node = graph
        .nodes
        .iter()
        .find(|n| n.kind == "Text" && n.chain_length == 2);
    assert!(text_node.is_some(), "a two-block Text: {:?}", graph.nodes);
    // `shared` is held by the test, by `nested`'s leaf and by the captured tuple.
    let shared = graph.node(block(roots[0])).expect("shared node");
    assert_eq!(
        (shared.kind.as_str(), shared.ref_count, shared.in_degree),
        ("List", 3, 2)
    );
    assert_eq!(shared.external_refs, 1);

    // Forget that the test holds `nested`: its count is one more than its holders.
    let without_nested = [roots[0], roots[2], roots[3], roots[4]];
    let report = run_ownership_check(&h.ctx.heap, &without_nested);
    assert!(!report.valid);
    assert_eq!(report.problems.len(), 1, "{report}");
    let problem = problem_of(&report, block(roots[1]));
    assert_eq!((problem.expected_refs, problem.actual_refs), (1, 2));
    let map_leaf = graph
        .edges
        .iter()
        .find(|edge| edge.to == block(roots[1]))
        .expect("the map holds nested");
    assert_eq!(
        problem.diagnostics,
        [format!(
            "missing parent: REF_COUNT 2 but 1 holders found (block {} slot {})",
            map_leaf.from, map_leaf.slot
        )]
    );

    // A root named twice is an uncounted holder.
    let doubled = [roots[0], roots[1], roots[2], roots[3], roots[4], roots[4]];
    let report = run_ownership_check(&h.ctx.heap, &doubled);
    let problem = problem_of(&report, block(roots[4]));
    assert_eq!((problem.expected_refs, problem.actual_refs), (2, 1));
    assert_eq!(
        problem.diagnostics,
        ["uncounted holder: REF_COUNT 1 but 2 holders found (root 4, root 5)"]
    );

    for root in roots {
        h.release(root);
    }
    assert!(run_ownership_check(&h.ctx.heap, &[]).valid);
    assert_eq!(h.ctx.heap.blocks_in_use(), 0);
}

/// One corruption scenario: what it leaves the test holding, and what the ownership check
/// must say about which block.
struct Corrupted {
    roots: Vec<Value>,
    block: u32,
    diagnostic: String,
    expected_refs: u32,
    actual_refs: u16,
    /// What the shadow counts must report (`validate_ref_counts`).
    shadow_mismatches: Vec<(u32, u16, u16)>,
}

fn drifted(h: &mut Harness) -> Corrupted {
    let list = h.list(&[int(1), int(2)]);
    corruption::drift_count(&mut h.ctx.heap, block(list), 2).expect("drift");
    Corrupted {
        roots: vec![list],
        block: block(list),
        diagnostic: "missing parent: REF_COUNT 3 but 1 holders found (root 0)".into(),
        expected_refs: 1,
        actual_refs: 3,
        shadow_mismatches: vec![(block(list), 1, 3)],
    }
}

fn freed_behind_the_heaps_back(h: &mut Harness) -> Corrupted {
    let victim = tuple_of(h, vec![int(1)]);
    let holder = tuple_of(h, vec![victim]);
    corruption::double_free(&mut h.ctx.heap, block(victim)).expect("double free");
    Corrupted {
        roots: vec![holder],
        block: block(victim),
        diagnostic: format!(
            "referenced by block {} slot 0 but block {} is free",
            block(holder),
            block(victim)
        ),
        expected_refs: 1,
        actual_refs: 0,
        shadow_mismatches: vec![(block(victim), 1, 0)],
    }
}

fn freed_twice(h: &mut Harness) -> Corrupted {
    let a = tuple_of(h, vec![int(1)]);
    let b = tuple_of(h, vec![int(2)]);
    h.release(a);
    h.release(b);
    corruption::double_free(&mut h.ctx.heap, block(a)).expect("double free");
    Corrupted {
        roots: vec![],
        block: block(a),
        diagnostic: format!("free list loops back to block {}", block(a)),
        expected_refs: 0,
        actual_refs: 0,
        shadow_mismatches: vec![],
    }
}

fn dangling_payload(h: &mut Harness) -> Corrupted {
    let kept = tuple_of(h, vec![int(1)]);
    let victim = tuple_of(h, vec![int(9)]);
    let holder = tuple_of(h, vec![kept, int(5)]);
    h.release(victim);
    corruption::dangle_payload_pointer(&mut h.ctx.heap, block(holder), 1, block(victim))
        .expect("dangle");
    Corrupted {
        roots: vec![holder],
        block: block(victim),
        diagnostic: format!(
            "referenced by block {} slot 1 but block {} is free",
            block(holder),
            block(victim)
        ),
        expected_refs: 1,
        actual_refs: 0,
        shadow_mismatches: vec![],
    }
}

fn refs_holding_each_other(h: &mut Harness) -> Corrupted {
    let a = h.call1(shims::rt_ref_new, int(1)).expect("ref");
    let b = h.call1(shims::rt_ref_new, int(2)).expect("ref");
    corruption::ref_cycle(&mut h.ctx.heap, block(a), block(b)).expect("cycle");
    Corrupted {
        roots: vec![a, b],
        block: block(a),
        diagnostic: format!("cycle: {} -> {} -> {}", block(a), block(b), block(a)),
        expected_refs: 2,
        actual_refs: 1,
        shadow_mismatches: vec![],
    }
}

fn chain_into_a_free_block(h: &mut Harness) -> Corrupted {
    let long = tuple_of(h, (0..10).map(int).collect());
    let victim = tuple_of(h, vec![int(1)]);
    h.release(victim);
    corruption::break_chain(&mut h.ctx.heap, block(long), block(victim)).expect("break");
    Corrupted {
        roots: vec![long],
        block: block(long),
        diagnostic: format!(
            "chain of head {} reaches block {} which is not a tail (it is free)",
            block(long),
            block(victim)
        ),
        expected_refs: 1,
        actual_refs: 1,
        shadow_mismatches: vec![],
    }
}

fn chain_into_a_foreign_tail(h: &mut Harness) -> Corrupted {
    let first = tuple_of(h, (0..10).map(int).collect());
    let second = tuple_of(h, (0..10).map(int).collect());
    let foreign_tail = h.ctx.heap.chain(block(second))[1];
    corruption::break_chain(&mut h.ctx.heap, block(first), foreign_tail).expect("break");
    Corrupted {
        roots: vec![first, second],
        block: foreign_tail,
        diagnostic: format!(
            "tail block {foreign_tail} is owned by two heads: {} and {}",
            block(first),
            block(second)
        ),
        expected_refs: 0,
        actual_refs: 0,
        shadow_mismatches: vec![],
    }
}

/// Applies one corruption to a fresh audited heap.
type Corruption = fn(&mut Harness) -> Corrupted;

#[test]
fn every_corruption_is_named_by_the_ownership_check_and_the_shadow_counts() {
    let cases: [(&str, Corruption); 7] = [
        ("drifted count", drifted),
        ("freed behind the heap's back", freed_behind_the_heaps_back),
        ("freed twice", freed_twice),
        ("dangling payload pointer", dangling_payload),
        ("Refs holding each other", refs_holding_each_other),
        ("chain into a free block", chain_into_a_free_block),
        ("chain into a foreign tail", chain_into_a_foreign_tail),
    ];
    for (name, corrupt) in cases {
        let mut h = audited(128);
        let scene = corrupt(&mut h);
        let report = run_ownership_check(&h.ctx.heap, &scene.roots);
        assert!(!report.valid, "{name}: {report}");
        let problem = problem_of(&report, scene.block);
        assert!(
            problem.diagnostics.contains(&scene.diagnostic),
            "{name}: {:?} lacks {:?}\n{report}",
            problem.diagnostics,
            scene.diagnostic
        );
        assert_eq!(
            (problem.expected_refs, problem.actual_refs),
            (scene.expected_refs, scene.actual_refs),
            "{name}: {report}"
        );
        assert!(
            report.to_string().contains(&scene.diagnostic),
            "{name}: display"
        );
        let mismatches: Vec<(u32, u16, u16)> = h
            .ctx
            .heap
            .validate_ref_counts()
            .expect("shadow counts on")
            .iter()
            .map(|m: &RefCountMismatch| (m.block, m.expected, m.actual))
            .collect();
        assert_eq!(mismatches, scene.shadow_mismatches, "{name}: shadow counts");
    }
}

#[test]
fn a_drifted_count_fails_the_next_retain_and_release_with_rt0801() {
    let mut h = audited(64);
    let scene = drifted(&mut h);
    let list = scene.roots[0];
    let error = h
        .call1(shims::rt_retain, list)
        .expect_err("retain of a drifted block");
    assert_eq!(error.code, ErrorCode::RT0801);
    assert_eq!(
        error.message,
        format!(
            "heap integrity violation: block {}: reference count drift before incRef: shadow count 1, REF_COUNT 3",
            block(list)
        )
    );
    let error = objects::release(&mut h.ctx.heap, list).expect_err("release");
    assert_eq!(error.code, ErrorCode::RT0801);
    assert!(
        error
            .message
            .contains("before decRef: shadow count 1, REF_COUNT 3")
    );
    assert_eq!(h.ctx.heap.audit_violations().len(), 2);
    assert!(
        h.ctx
            .heap
            .audit_violations()
            .iter()
            .all(|v| v.block == block(list))
    );
}

#[test]
fn a_block_freed_twice_is_handed_out_once_and_then_refused_with_rt0801() {
    let mut h = audited(64);
    let scene = freed_twice(&mut h);
    let twice = scene.block;
    let first = tuple::tuple_from_values(&mut h.ctx.heap, vec![int(1)]).expect("first");
    assert_eq!(block(first), twice);
    tuple::tuple_from_values(&mut h.ctx.heap, vec![int(2)]).expect("second");
    let error = tuple::tuple_from_values(&mut h.ctx.heap, vec![int(3)]).expect_err("third");
    assert_eq!(error.code, ErrorCode::RT0801);
    assert_eq!(
        error.message,
        format!(
            "heap integrity violation: block {twice}: free list holds block {twice} which is not free (REF_COUNT 1)"
        )
    );
}

#[test]
fn a_broken_chain_fails_the_release_of_its_head_with_rt0801() {
    let mut h = audited(64);
    let scene = chain_into_a_free_block(&mut h);
    let long = scene.roots[0];
    let error = objects::release(&mut h.ctx.heap, long).expect_err("release");
    assert_eq!(error.code, ErrorCode::RT0801);
    let free_block = scene.diagnostic.split(' ').nth(6).expect("the free block");
    assert_eq!(
        error.message,
        format!(
            "heap integrity violation: block {0}: chain of head {0} reaches block {free_block} which is not its tail",
            block(long)
        )
    );
}

#[test]
fn releases_through_dangling_and_cyclic_references_are_diagnostics_not_panics() {
    // A release that reaches a freed block is caught by the reference check before any
    // count changes: in audit mode an integrity violation (RT0801, recorded, naming the
    // block); without audit mode an invalid reference (RT0404).
    let scenes: [fn(&mut Harness) -> Corrupted; 2] = [dangling_payload, refs_holding_each_other];
    for make_scene in scenes {
        let mut h = audited(64);
        let scene = make_scene(&mut h);
        let error = objects::release(&mut h.ctx.heap, scene.roots[0]).expect_err("release");
        assert_eq!(error.code, ErrorCode::RT0801);
        assert_eq!(
            error.message,
            format!(
                "heap integrity violation: block {0}: block {0} is free",
                scene.block
            )
        );
        let recorded = h.ctx.heap.audit_violations();
        assert_eq!(recorded.len(), 1);
        assert_eq!(recorded[0].block, scene.block);

        let mut h = Harness::with_limits(Limits {
            heap_blocks: 64,
            ..Limits::default()
        });
        let scene = make_scene(&mut h);
        let error = objects::release(&mut h.ctx.heap, scene.roots[0]).expect_err("release");
        assert_eq!(error.code, ErrorCode::RT0404);
        assert_eq!(
            error.message,
            format!("invalid heap reference: block {} is free", scene.block)
        );
    }
}

fn heap_word(kind: Kind, address: u32) -> Value {
    Value::heap(kind, BlockAddress::from_bits(address))
}

#[test]
fn a_corrupt_heap_never_panics_the_graph_builder() {
    let mut h = audited(64);
    let holder = tuple_of(&mut h, vec![int(1), int(2), int(3)]);
    let long = tuple_of(&mut h, (0..10).map(int).collect());
    let odd = tuple_of(&mut h, vec![int(1)]);
    let orphaned = tuple_of(&mut h, (0..10).map(int).collect());
    let looped = tuple_of(&mut h, (0..10).map(int).collect());
    let (holder_block, long_block) = (block(holder), block(long));
    let long_tail = h.ctx.heap.chain(long_block)[1];
    let orphan_tail = h.ctx.heap.chain(block(orphaned))[1];
    let slot = |i: usize| tuple::slot_at(&h.ctx.heap, holder_block, i).expect("slot");
    let (slot0, slot1, slot2) = (slot(0), slot(1), slot(2));
    slot0.write(&mut h.ctx.heap, heap_word(Kind::Tuple, 5000));
    slot1.write(&mut h.ctx.heap, heap_word(Kind::Tuple, long_tail));
    slot2.write(&mut h.ctx.heap, heap_word(Kind::List, long_block));
    h.ctx.heap.memory_mut().write_u8(block(odd), 0, 42);
    h.ctx
        .heap
        .memory_mut()
        .set_next(block(orphaned), cairn_runtime::heap::NO_BLOCK);
    corruption::break_chain(&mut h.ctx.heap, block(looped), block(looped)).expect("loop");
    corruption::break_chain(&mut h.ctx.heap, long_block, 4000).expect("leave");

    let graph = OwnershipGraph::build(&h.ctx.heap);
    let problems: Vec<(u32, String)> = graph
        .check_structure()
        .into_iter()
        .map(|p| (p.block, p.diagnostic))
        .collect();
    let looped_tail = graph.node(block(looped)).expect("looped").chain[1];
    let expected = [
        (
            holder_block,
            format!(
                "block {holder_block} slot 0 references block 5000 which is out of range (heap has 64 blocks)"
            ),
        ),
        (
            long_tail,
            format!(
                "referenced by block {holder_block} slot 1 but block {long_tail} is a tail (of head {long_block})"
            ),
        ),
        (
            long_block,
            format!(
                "referenced by block {holder_block} slot 2 as a List but block {long_block} holds kind Tuple"
            ),
        ),
        (
            long_block,
            format!(
                "chain of head {long_block} leaves the heap: block {long_tail} has BLOCK_NEXT 4000 (heap has 64 blocks)"
            ),
        ),
        (
            block(odd),
            format!(
                "head block {} has invalid kind byte 42; its references cannot be read",
                block(odd)
            ),
        ),
        (
            orphan_tail,
            format!("tail block {orphan_tail} is owned by no head"),
        ),
        (
            block(looped),
            format!(
                "chain of head {0} loops: block {looped_tail} links back to block {0}",
                block(looped)
            ),
        ),
    ];
    for (at, diagnostic) in &expected {
        assert!(
            problems.contains(&(*at, diagnostic.clone())),
            "missing ({at}, {diagnostic:?}) in {problems:#?}"
        );
    }
    assert_eq!(graph.node(block(odd)).expect("odd").kind, "invalid(42)");
    // The report and both exports render the damage without panicking either.
    let report = run_ownership_check(&h.ctx.heap, &[holder, long, odd, orphaned, looped]);
    assert!(!report.valid);
    assert!(
        graph
            .to_dot()
            .contains("b5000 [label=\"5000\\nout of range\"")
    );
    assert!(
        graph.to_json()["dangling"]
            .as_array()
            .is_some_and(|d| d.len() == 2)
    );
}

#[test]
fn deep_nesting_is_checked_without_recursion() {
    let mut h = audited(65_535);
    let mut value = int(0);
    for _ in 0..60_000 {
        value = tuple_of(&mut h, vec![value]);
    }
    let report = run_ownership_check(&h.ctx.heap, &[value]);
    assert!(report.valid, "{report}");
    assert_eq!((report.nodes, report.edges), (60_000, 59_999));
    // Close the 60,000-long path into a cycle: the depth-first search follows all of it.
    let innermost = (0..65_535u32)
        .find(|&i| {
            h.ctx.heap.state(i) == Some(cairn_runtime::heap::BlockState::Head)
                && tuple::slot_at(&h.ctx.heap, i, 0).is_some_and(|s| s.read(&h.ctx.heap) == int(0))
        })
        .expect("the innermost tuple");
    let slot = tuple::slot_at(&h.ctx.heap, innermost, 0).expect("slot");
    slot.write(&mut h.ctx.heap, value);
    let problems = OwnershipGraph::build(&h.ctx.heap).check_structure();
    let cycle = problems
        .iter()
        .find(|p| p.diagnostic.starts_with("cycle: "))
        .expect("the cycle");
    assert_eq!(cycle.diagnostic.matches(" -> ").count(), 60_000);
}

#[test]
fn a_checkpoint_mid_run_counts_external_references() {
    let mut h = audited(128);
    h.ctx.heap.set_current_site(AllocationSite::op(3, 7));
    let inner = h.list(&[int(1)]);
    h.ctx.heap.set_current_site(AllocationSite::UNKNOWN);
    let inner_again = h.retain(inner);
    let outer = h.list(&[inner_again]);
    cairn_runtime::audit::checkpoint(&mut h.ctx);
    let graph = h.ctx.checkpoints.last().expect("a checkpoint").clone();
    let node = graph.node(block(inner)).expect("inner");
    assert_eq!(
        (node.ref_count, node.in_degree, node.external_refs),
        (2, 1, 1)
    );
    assert_eq!(node.site, AllocationSite::op(3, 7));
    assert_eq!(graph.node(block(outer)).expect("outer").external_refs, 1);
    assert!(graph.check_structure().is_empty());

    // A count below the in-degree is wrong whatever the roots are.
    corruption::drift_count(&mut h.ctx.heap, block(inner), -2).expect("drift");
    let graph = OwnershipGraph::build(&h.ctx.heap);
    let diagnostics: Vec<String> = graph
        .check_structure()
        .into_iter()
        .filter(|p| p.block == block(inner))
        .map(|p| p.diagnostic)
        .collect();
    let parent = graph
        .edges
        .iter()
        .find(|e| e.to == block(inner))
        .expect("edge");
    assert_eq!(
        diagnostics,
        [
            format!("head block {} has REF_COUNT 0", block(inner)),
            format!(
                "in-degree 1 exceeds REF_COUNT 0 (parents: block {} slot {})",
                parent.from, parent.slot
            ),
        ]
    );
}

/// A small check of the DOT subset `to_dot` writes: a `digraph` whose lines are node
/// statements `bN [...]` or edge statements `bN -> bM [...]` with balanced quotes and
/// brackets, every edge between declared nodes.
fn check_dot_syntax(dot: &str) -> Result<usize, String> {
    let mut lines = dot.lines();
    if lines.next() != Some("digraph ownership {") {
        return Err("no digraph header".into());
    }
    let mut declared = std::collections::BTreeSet::new();
    let mut edges = Vec::new();
    let mut closed = false;
    for line in lines {
        let line = line.trim();
        if closed {
            return Err(format!("text after the closing brace: {line}"));
        }
        if line == "}" {
            closed = true;
            continue;
        }
        let statement = line.strip_suffix(';').ok_or(format!("no ';': {line}"))?;
        let (head, attributes) = statement
            .split_once(" [")
            .ok_or(format!("no attributes: {line}"))?;
        let attributes = attributes
            .strip_suffix(']')
            .ok_or(format!("unclosed '[': {line}"))?;
        let unescaped_quotes = attributes.replace("\\\"", "").matches('"').count();
        if unescaped_quotes % 2 != 0 {
            return Err(format!("unbalanced quotes: {line}"));
        }
        let is_id = |id: &str| {
            id.strip_prefix('b')
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        };
        match head.split_once(" -> ") {
            Some((from, to)) if is_id(from) && is_id(to) => {
                edges.push((from.to_string(), to.to_string()))
            }
            None if head == "node" || is_id(head) => {
                declared.insert(head.to_string());
            }
            _ => return Err(format!("bad statement: {line}")),
        }
    }
    if !closed {
        return Err("no closing brace".into());
    }
    for (from, to) in &edges {
        if !declared.contains(from) || !declared.contains(to) {
            return Err(format!("edge {from} -> {to} between undeclared nodes"));
        }
    }
    Ok(declared.len() - 1)
}

#[test]
fn dot_export_names_every_node_and_parses() {
    let mut h = audited(512);
    let roots = clean_scene(&mut h);
    let graph = OwnershipGraph::build(&h.ctx.heap);
    let dot = graph.to_dot();
    for node in &graph.nodes {
        let label = format!(
            "b{0} [label=\"{0}\\n{1}\\nREF_COUNT {2}",
            node.block, node.kind, node.ref_count
        );
        assert!(dot.contains(&label), "{label} missing from\n{dot}");
    }
    for edge in &graph.edges {
        assert!(dot.contains(&format!(
            "b{} -> b{} [label=\"{}\"]",
            edge.from, edge.to, edge.slot
        )));
    }
    assert_eq!(check_dot_syntax(&dot), Ok(graph.nodes.len()));
    assert!(check_dot_syntax("digraph ownership {\n  b1 -> b2 [label=\"0\"];\n}\n").is_err());
    // Where Graphviz is installed, it must render the output.
    if let Ok(mut child) = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(dot.as_bytes())
            .expect("write");
        assert!(
            child.wait().expect("dot ran").success(),
            "dot rejected:\n{dot}"
        );
    }
    for root in roots {
        h.release(root);
    }
}

#[test]
fn reports_and_graphs_round_trip_through_json() {
    let mut h = audited(128);
    let scene = drifted(&mut h);
    let report = run_ownership_check(&h.ctx.heap, &scene.roots);
    let text = serde_json::to_string(&report).expect("serialize");
    let parsed: serde_json::Value = serde_json::from_str(&text).expect("parse");
    assert_eq!(parsed["valid"], false);
    assert_eq!(parsed["problems"][0]["block"], scene.block);
    assert_eq!(parsed["problems"][0]["expectedRefs"], 1);
    assert_eq!(parsed["problems"][0]["actualRefs"], 3);
    assert_eq!(
        parsed["problems"][0]["diagnostics"][0],
        scene.diagnostic.as_str()
    );
    let back: OwnershipReport = serde_json::from_str(&text).expect("deserialize");
    assert_eq!(back, report);

    let graph = OwnershipGraph::build(&h.ctx.heap);
    let json: serde_json::Value =
        serde_json::from_str(&graph.to_json().to_string()).expect("graph JSON parses");
    assert_eq!(json, graph.to_json());
    let nodes = json["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), graph.nodes.len());
    for (node, json) in graph.nodes.iter().zip(nodes) {
        assert_eq!(json["block"], node.block);
        assert_eq!(json["kind"], node.kind.as_str());
        assert_eq!(json["refCount"], node.ref_count);
        assert_eq!(json["chainLength"], node.chain_length);
        assert_eq!(json["externalRefs"], node.external_refs);
    }
    assert_eq!(
        json["edges"].as_array().map(Vec::len),
        Some(graph.edges.len())
    );
}

#[test]
fn the_free_list_walk_at_the_end_of_a_run_fails_it_with_rt0801() {
    // With `free_list_checks` the whole free list is walked when a run ends (as well as
    // at watchdog checks and checkpoints), so a corrupt free list fails the run that
    // corrupted it even if no allocation reached the bad block.
    let mut h = audited(64);
    h.ctx.begin_run();
    let scene = freed_twice(&mut h);
    let outcome = h.ctx.finish_run(Ok(int(7)));
    let failure = outcome.expect_err("the run must fail");
    assert_eq!(failure.error.code, ErrorCode::RT0801);
    assert!(
        failure.error.message.contains("free list"),
        "{}",
        failure.error.message
    );
    assert!(
        h.ctx
            .heap
            .audit_violations()
            .iter()
            .any(|v| v.detail.contains("free list")),
        "block {} corrupted",
        scene.block
    );

    // Without free-list checks the same corruption goes unnoticed until an allocation.
    let mut h = Harness::with_limits(Limits {
        heap_blocks: 64,
        audit: AuditConfig {
            shadow_counts: true,
            ..AuditConfig::default()
        },
        ..Limits::default()
    });
    h.ctx.begin_run();
    freed_twice(&mut h);
    assert_eq!(h.ctx.finish_run(Ok(int(7))), Ok(int(7)));
}
