//! `cairn heap check|leaks|graph|stats|watch`: exact reports on clean programs, graph and
//! stats exports that parse, checkpoints, usage errors before anything runs, a failed run
//! still checked, a closed stdout, and both engines giving identical reports.

mod support;

use std::io::Read;
use std::process::{Command, Stdio};

use support::{cairn, code, stderr, stdout, write_program};

/// Builds a list of `n` pairs, records two checkpoints and returns a tuple.
const PROGRAM: &str = "fn build(n) = if n == 0 then [] else push(build(n - 1), [n, n * 2])
fn main() = {
  xs = build(3);
  checkpoint();
  print(len(xs));
  ys = push(xs, [9]);
  checkpoint();
  (ys, \"done\")
}
";

fn heap(sub: &str, path: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let path = path.to_str().expect("utf-8 path");
    let mut args = vec!["heap", sub, path];
    args.extend_from_slice(extra);
    cairn(&args)
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("{error}: {text}"))
}

#[test]
fn check_prints_the_output_then_exactly_three_lines_on_both_engines() {
    let path = write_program("clean", PROGRAM);
    for engine in ["jit", "interp"] {
        let out = heap("check", &path, &["--engine", engine]);
        assert_eq!(code(&out), 0, "{engine}: {}", stderr(&out));
        assert_eq!(
            stdout(&out),
            "3\n([[1, 2], [2, 4], [3, 6], [9]], \"done\")\nHeap clean ✓\nLeaks: 0 ✓\nGraph valid ✓\n",
            "{engine}"
        );
        assert_eq!(stderr(&out), "", "{engine}");
    }
}

#[test]
fn a_failed_run_still_leaves_the_heap_clean_and_exits_1() {
    let path = write_program(
        "fails",
        "fn main() = {\n  xs = [1, [2, 3]];\n  ys = push(xs, \"x\");\n  ys[10]\n}\n",
    );
    for engine in ["jit", "interp"] {
        let out = heap("check", &path, &["--engine", engine]);
        assert_eq!(code(&out), 1, "{engine}");
        assert!(
            stderr(&out).starts_with("error[RT0103]: index out of bounds"),
            "{engine}: {}",
            stderr(&out)
        );
        assert_eq!(
            stdout(&out),
            "Heap clean ✓\nLeaks: 0 ✓\nGraph valid ✓\n",
            "{engine}"
        );
    }
}

#[test]
fn graph_dot_and_json_show_what_main_built_with_its_result_as_the_root() {
    let path = write_program("graph", PROGRAM);
    let out = heap("graph", &path, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let dot = stdout(&out);
    assert!(dot.starts_with("digraph ownership {\n"), "{dot}");
    assert!(dot.ends_with("}\n"), "{dot}");
    // The program's output goes to stderr, keeping stdout a document.
    assert_eq!(
        stderr(&out),
        "3\n([[1, 2], [2, 4], [3, 6], [9]], \"done\")\n"
    );

    let out = heap("graph", &path, &["--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let graph = json(&stdout(&out));
    let nodes = graph["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 12, "{graph:#}");
    assert_eq!(dot.matches("\\nREF_COUNT ").count(), nodes.len());
    // Only the result (the tuple) is held from outside the heap.
    let external: Vec<&serde_json::Value> =
        nodes.iter().filter(|n| n["externalRefs"] != 0).collect();
    assert_eq!(external.len(), 1, "{graph:#}");
    assert_eq!(external[0]["kind"], "Tuple");
    assert_eq!(external[0]["location"], "fn main at 8:3");
    assert!(
        nodes
            .iter()
            .all(|n| n["location"].as_str().is_some_and(|l| l.starts_with("fn ")))
    );
    assert_eq!(graph["edges"].as_array().expect("edges").len(), 11);
}

#[test]
fn graph_at_checkpoints() {
    let path = write_program("checkpoints", PROGRAM);
    let out = heap("graph", &path, &["--format", "json", "--checkpoint", "1"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let first = json(&stdout(&out));
    assert_eq!(first["nodes"].as_array().expect("nodes").len(), 8);

    let out = heap("graph", &path, &["--format", "json", "--checkpoint", "all"]);
    let all = json(&stdout(&out));
    let all = all.as_array().expect("an array for all");
    assert_eq!(all.len(), 2);
    assert_eq!(all[0], first);
    assert_eq!(all[1]["nodes"].as_array().expect("nodes").len(), 10);

    let out = heap("graph", &path, &["--checkpoint", "all"]);
    let dot = stdout(&out);
    assert!(dot.starts_with("digraph checkpoint_1 {\n"), "{dot}");
    assert!(dot.contains("}\ndigraph checkpoint_2 {\n"), "{dot}");

    let out = heap("graph", &path, &["--checkpoint", "3"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out)
            .contains("error: there is no checkpoint 3: the program reached 2 checkpoint() calls"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn graph_output_file_and_a_missing_directory() {
    let path = write_program("graph-file", "fn main() = { print(\"ran\"); [1, 2] }\n");
    let target = support::scratch_dir().join("graph-out.json");
    let target_text = target.to_str().expect("utf-8");
    let out = heap("graph", &path, &["--format", "json", "-o", target_text]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let written = std::fs::read_to_string(&target).expect("graph file");
    assert_eq!(json(&written)["nodes"].as_array().expect("nodes").len(), 2);

    let out = heap("graph", &path, &["-o", "/definitely/not/here/g.dot"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "error: cannot create output file `/definitely/not/here/g.dot`: directory `/definitely/not/here` does not exist\n"
    );
    assert_eq!(stdout(&out), "", "nothing ran");
}

#[test]
fn stats_as_prometheus_json_and_a_table() {
    let path = write_program("stats", PROGRAM);
    let out = heap("stats", &path, &["--prometheus"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    for metric in [
        "cairn_heap_allocated_blocks_total 12\n",
        "cairn_heap_freed_blocks_total 0\n",
        "cairn_heap_blocks_in_use 12\n",
        "cairn_heap_peak_blocks_in_use 12\n",
        "cairn_heap_ref_count_heads{count=\"1\"} 12\n",
        "cairn_heap_live_objects{kind=\"List\"} 5\n",
        "# TYPE cairn_heap_allocated_blocks_per_second gauge\n",
    ] {
        assert!(text.contains(metric), "missing {metric:?} in\n{text}");
    }

    let out = heap("stats", &path, &["--json"]);
    let stats = json(&stdout(&out));
    assert_eq!(stats["currentlyInUse"], 12);
    assert_eq!(stats["totalAllocated"], 12);
    assert_eq!(stats["liveByKind"]["Tuple"], 1);
    assert_eq!(stats["refCountHistogram"]["1"], 12);

    let out = heap("stats", &path, &[]);
    assert!(
        stdout(&out).starts_with("blocks in use         12 of 16777216 (16777204 free)\n"),
        "{}",
        stdout(&out)
    );
    let out = heap("stats", &path, &["--json", "--prometheus"]);
    assert_eq!(code(&out), 2);
}

#[test]
fn leaks_are_none_and_live_objects_are_grouped_by_site() {
    let path = write_program("leaks", PROGRAM);
    let out = heap("leaks", &path, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "3\n([[1, 2], [2, 4], [3, 6], [9]], \"done\")\nLeaks: 0\n"
    );

    let out = heap("leaks", &path, &["--live", "--engine", "interp"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let report = &text[text.find("checkpoint 1").expect("a checkpoint")..];
    assert_eq!(
        report,
        "checkpoint 1: 8 objects, 8 blocks
  fn build at 1:30: 1 object, 1 block (List 1)
  fn build at 1:57: 6 objects, 6 blocks (List 3, ListNode 3)
  fn build at 1:38: 1 object, 1 block (ListNode 1)
checkpoint 2: 10 objects, 10 blocks
  fn build at 1:30: 1 object, 1 block (List 1)
  fn build at 1:57: 6 objects, 6 blocks (List 3, ListNode 3)
  fn build at 1:38: 1 object, 1 block (ListNode 1)
  fn main at 6:17: 2 objects, 2 blocks (List 1, ListNode 1)
"
    );
}

#[test]
fn both_engines_report_identically() {
    let path = write_program("agree", PROGRAM);
    let run = |sub: &str, engine: &str, extra: &[&str]| {
        let mut args = vec!["--engine", engine];
        args.extend_from_slice(extra);
        let out = heap(sub, &path, &args);
        assert_eq!(code(&out), 0, "{sub} {engine}: {}", stderr(&out));
        stdout(&out)
    };
    for (sub, extra) in [
        ("check", &[][..]),
        ("graph", &["--format", "json"][..]),
        ("graph", &["--format", "json", "--checkpoint", "all"][..]),
        ("leaks", &["--live"][..]),
    ] {
        assert_eq!(
            run(sub, "jit", extra),
            run(sub, "interp", extra),
            "{sub} {extra:?}"
        );
    }
    let stats = |engine| {
        let mut stats = json(&run("stats", engine, &["--json"]));
        let object = stats.as_object_mut().expect("an object");
        // Wall-clock figures differ from run to run.
        assert!(object.remove("elapsedSeconds").is_some());
        assert!(object.remove("allocationsPerSecond").is_some());
        stats
    };
    assert_eq!(stats("jit"), stats("interp"));
}

#[test]
fn a_closed_stdout_does_not_panic() {
    let path = write_program(
        "big",
        "fn build(n) = if n == 0 then [] else push(build(n - 1), [n])\nfn main() = build(3000)\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["heap", "graph", path.to_str().expect("utf-8")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cairn");
    let mut first = [0u8; 16];
    let mut pipe = child.stdout.take().expect("stdout");
    pipe.read_exact(&mut first).expect("the graph starts");
    drop(pipe);
    let out = child.wait_with_output().expect("cairn ends");
    assert_eq!(&first, b"digraph ownershi");
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    // A closed stdout ends the process the Unix way, by SIGPIPE (13), like `cat`
    // (README, "Output"); writing an error or exiting 0 would both be wrong.
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&out.status),
        Some(13),
        "{:?}: {}",
        out.status,
        stderr(&out)
    );
}

#[test]
fn watch_needs_a_terminal() {
    let path = write_program("watch-pipe", PROGRAM);
    let out = heap("watch", &path, &[]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("heap watch needs a terminal"),
        "{}",
        stderr(&out)
    );
}

/// Runs `heap watch --exit-on-finish` under a pseudo-terminal made by util-linux `script`.
#[test]
fn watch_runs_to_the_end_under_a_pseudo_terminal() {
    let path = write_program("watch", PROGRAM);
    let command = format!(
        "stty cols 100 rows 30; '{}' heap watch --exit-on-finish '{}'",
        env!("CARGO_BIN_EXE_cairn"),
        path.display()
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .expect("util-linux `script` runs");
    let screen = stdout(&out);
    assert_eq!(code(&out), 0, "{screen}{}", stderr(&out));
    // ratatui writes changed cells only, so words are apart: look for one word of the view.
    assert!(screen.contains("REF_COUNT"), "{screen}");
    // After leaving the alternate screen: the program's output, then its result.
    let after = screen
        .split("\u{1b}[?1049l")
        .nth(1)
        .unwrap_or_else(|| panic!("the alternate screen was not left: {screen:?}"));
    assert!(
        after.starts_with("3\r\n([[1, 2], [2, 4], [3, 6], [9]], \"done\")\r\n"),
        "{after:?}"
    );
}
