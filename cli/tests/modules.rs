//! `cairn run` and `cairn check` on a program of modules (docs/LANGUAGE.md, "Modules"):
//! imports resolved relative to the importing file, and compile and runtime errors shown in
//! the file they are in.

mod support;

use support::{cairn_on, code, scratch_dir, stderr, stdout};

/// `main.cairn` imports `shapes::circle`, which imports `util` (`shapes/util.cairn`).
fn write_program_dir(name: &str, circle: &str) -> std::path::PathBuf {
    let dir = scratch_dir().join(name);
    std::fs::create_dir_all(dir.join("shapes")).unwrap();
    std::fs::write(
        dir.join("main.cairn"),
        "import shapes::circle\n\nfn main() = shapes::circle::area(2)\n",
    )
    .unwrap();
    std::fs::write(dir.join("shapes/circle.cairn"), circle).unwrap();
    std::fs::write(dir.join("shapes/util.cairn"), "pub fn k() = 3\n").unwrap();
    dir.join("main.cairn")
}

#[test]
fn run_resolves_imports_relative_to_the_importing_file() {
    let main = write_program_dir("ok", "import util\npub fn area(r) = util::k() * r * r\n");
    for engine in ["jit", "interp"] {
        let out = cairn_on("run", &main, &["--engine", engine]);
        assert_eq!(
            (code(&out), stdout(&out).as_str()),
            (0, "12\n"),
            "{}",
            stderr(&out)
        );
    }
    let out = cairn_on("check", &main, &["--ir"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("fn shapes::util::k("),
        "{}",
        stdout(&out)
    );
}

#[test]
fn errors_are_shown_in_the_module_file() {
    let main = write_program_dir("bad", "import util\npub fn area(r) = util::k() / (r - 2)\n");
    let circle = main.with_file_name("shapes").join("circle.cairn");
    for engine in ["jit", "interp"] {
        let out = cairn_on("run", &main, &["--engine", engine]);
        assert_eq!(code(&out), 1, "{engine}");
        let err = stderr(&out);
        assert!(
            err.starts_with("error[RT0302]: division by zero\n"),
            "{err}"
        );
        assert!(
            err.contains(&format!("--> {}:2:18", circle.display())),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "= in shapes::circle::area at {}:2:18",
                circle.display()
            )),
            "{err}"
        );
    }
    let main = write_program_dir("private", "fn area(r) = r\n");
    let out = cairn_on("check", &main, &[]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.starts_with(
            "error[E0109]: function `area` of module `shapes::circle` is private: declare it `pub fn` to export it\n"
        ),
        "{err}"
    );
    assert!(
        err.contains(&format!("--> {}:3:13", main.display())),
        "{err}"
    );
}
