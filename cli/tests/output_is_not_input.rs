//! No output option may overwrite the program: `run --trace PATH` and `heap graph -o PATH`
//! naming the source file — by the same path, another spelling of it, a symlink or a hard
//! link — are refused with exit 2 before anything runs, and the source is left intact.

mod support;

use std::path::{Path, PathBuf};

use support::{cairn, code, scratch_dir, stderr, stdout, write_program};

const PROGRAM: &str = "fn main() = { print(\"ran\"); len([1, 2] ++ [3]) }\n";

/// Every way of naming `source` again: the same path, `dir/./name`, a symlink, a symlink to
/// the symlink, and a hard link.
fn aliases_of(source: &Path, stem: &str) -> Vec<PathBuf> {
    let dir = scratch_dir();
    let symlink = dir.join(format!("{stem}-symlink.jsonl"));
    let symlink_to_symlink = dir.join(format!("{stem}-symlink2.jsonl"));
    let hard_link = dir.join(format!("{stem}-hardlink.jsonl"));
    std::os::unix::fs::symlink(source, &symlink).expect("symlink");
    std::os::unix::fs::symlink(&symlink, &symlink_to_symlink).expect("symlink");
    std::fs::hard_link(source, &hard_link).expect("hard link");
    let respelled = source
        .parent()
        .unwrap()
        .join(".")
        .join(source.file_name().unwrap());
    vec![
        source.to_path_buf(),
        respelled,
        symlink,
        symlink_to_symlink,
        hard_link,
    ]
}

fn assert_refused(out: &std::process::Output, source: &Path, what: &str) {
    assert_eq!(code(out), 2, "{what}: {}", stderr(out));
    assert_eq!(stdout(out), "", "{what}: nothing ran");
    assert!(
        stderr(out).contains("is the program's source")
            && stderr(out).contains("refusing to overwrite it"),
        "{what}: {}",
        stderr(out)
    );
    assert_eq!(
        std::fs::read_to_string(source).expect("the source is still there"),
        PROGRAM,
        "{what}: the source is intact"
    );
}

#[test]
fn run_trace_may_not_be_the_source_file() {
    for engine in ["interp", "jit"] {
        let source = write_program(&format!("trace_is_source_{engine}"), PROGRAM);
        for alias in aliases_of(&source, &format!("trace-{engine}")) {
            let out = cairn(&[
                "run",
                source.to_str().unwrap(),
                "--engine",
                engine,
                "--trace",
                alias.to_str().unwrap(),
            ]);
            assert_refused(
                &out,
                &source,
                &format!("{engine} --trace {}", alias.display()),
            );
        }
        // The program still runs, and a trace path that is another file is written.
        let trace = scratch_dir().join(format!("trace-{engine}-other.jsonl"));
        std::fs::write(
            &trace,
            "old content that is much longer than nothing\n".repeat(100),
        )
        .unwrap();
        let out = cairn(&[
            "run",
            source.to_str().unwrap(),
            "--engine",
            engine,
            "--trace",
            trace.to_str().unwrap(),
        ]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(stdout(&out), "ran\n3\n");
        let text = std::fs::read_to_string(&trace).unwrap();
        assert!(text.starts_with("{\"seq\":0,\"op\":\"malloc\""), "{text}");
        assert!(!text.contains("old content"), "the old file was truncated");
    }
}

#[test]
fn heap_graph_output_may_not_be_the_source_file() {
    let source = write_program("graph_is_source", PROGRAM);
    for alias in aliases_of(&source, "graph") {
        for format in ["dot", "json"] {
            let out = cairn(&[
                "heap",
                "graph",
                source.to_str().unwrap(),
                "--format",
                format,
                "-o",
                alias.to_str().unwrap(),
            ]);
            assert_refused(&out, &source, &format!("graph -o {}", alias.display()));
        }
    }
}

#[test]
fn a_source_that_cannot_be_read_leaves_an_existing_output_untouched() {
    let output = scratch_dir().join("untouched.jsonl");
    std::fs::write(&output, "keep me\n").unwrap();
    let missing = scratch_dir().join("no-such-program.cairn");
    for args in [
        vec![
            "run",
            missing.to_str().unwrap(),
            "--trace",
            output.to_str().unwrap(),
        ],
        vec![
            "heap",
            "graph",
            missing.to_str().unwrap(),
            "-o",
            output.to_str().unwrap(),
        ],
    ] {
        let out = cairn(&args);
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(stderr(&out).contains("cannot read"), "{}", stderr(&out));
        assert_eq!(std::fs::read_to_string(&output).unwrap(), "keep me\n");
    }
}
