//! How `cairn run`/`check` read FILE: the source size limit (E0004, checked while reading,
//! so `/dev/zero` stops at once), invalid UTF-8 (E0005 with its byte offset and line) and a
//! leading byte order mark (skipped).

mod support;

use std::path::Path;

use support::{cairn_on, code, scratch_dir, stderr, stdout};

fn write_bytes(stem: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = scratch_dir().join(format!("{stem}.cairn"));
    std::fs::write(&path, bytes).expect("write program");
    path
}

#[test]
fn an_endless_source_stops_at_the_size_limit_with_e0004() {
    let dev_zero = Path::new("/dev/zero");
    if !dev_zero.exists() {
        return;
    }
    for command in ["run", "check"] {
        let out = cairn_on(command, dev_zero, &[]);
        assert_eq!(code(&out), 1, "{command}");
        let err = stderr(&out);
        assert!(
            err.starts_with(
                "error[E0004]: source too large: it exceeds the limit of 67108864 bytes (64 MiB)\n"
            ),
            "{command}: {err}"
        );
        assert_eq!(stdout(&out), "", "{command}");
    }
}

#[test]
fn invalid_utf8_is_e0005_at_its_byte_and_line() {
    let path = write_bytes("invalid-utf8", b"fn main() =\n  1 + \xc3\x28\n");
    for command in ["run", "check"] {
        let out = cairn_on(command, &path, &[]);
        assert_eq!(code(&out), 1, "{command}");
        let err = stderr(&out);
        assert!(
            err.starts_with("error[E0005]: invalid UTF-8 at byte 18 (line 2)\n"),
            "{command}: {err}"
        );
        assert!(err.contains(":2:7\n"), "{command}: {err}");
    }
}

#[test]
fn a_leading_byte_order_mark_is_skipped_on_both_engines() {
    let path = write_bytes("bom", b"\xef\xbb\xbffn main() = 40 + 2\n");
    for engine in ["jit", "interp"] {
        let out = cairn_on("run", &path, &["--engine", engine]);
        assert_eq!(code(&out), 0, "{engine}: {}", stderr(&out));
        assert_eq!(stdout(&out), "42\n", "{engine}");
    }
}
