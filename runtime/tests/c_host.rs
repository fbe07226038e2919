//! The C host test: compiles `tests/c_host/host.c` against `include/aivi_value_abi.h` with
//! the system C compiler, links it with the runtime's static library, runs it and compares
//! its transcript (values, shims, bad handles, Ref cells through `aivi_ref_get`/`aivi_ref_set`
//! with the RT0403 rule, errors, effects, and the heap back to 0 blocks); plus checks that
//! the header declares every shim and every `aivi_*` export with the right parameter count,
//! return type and parameter types, so the header cannot drift from the code.
//!
//! Linking: `runtime` is built as `crate-type = ["rlib", "staticlib"]`, so building this
//! test also produces `libcairn_runtime-<hash>.a` in the target's `deps/` directory; the
//! test links the newest one with `cc` (or `$CC`) and the platform's system libraries.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use cairn_runtime::Shim;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

fn header_path() -> PathBuf {
    Path::new(MANIFEST_DIR).join("../include/aivi_value_abi.h")
}

// ----- header drift ------------------------------------------------------------------------

/// Counts the parameters of a comma-separated list (`void` and empty are zero).
fn count_parameters(list: &str) -> usize {
    let trimmed = list.trim();
    if trimmed.is_empty() || trimmed == "void" {
        return 0;
    }
    trimmed.split(',').filter(|p| !p.trim().is_empty()).count()
}

/// `text` without its `/* ... */` comments.
fn strip_block_comments(text: &str) -> String {
    let mut code = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        code.push_str(&rest[..start]);
        let end = rest[start..].find("*/").expect("closed comment");
        rest = &rest[start + end + 2..];
    }
    code.push_str(rest);
    code
}

/// Every function declared in the header: name -> parameter count.
fn header_declarations(header: &str) -> BTreeMap<String, usize> {
    let code: String = strip_block_comments(header)
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let mut declarations = BTreeMap::new();
    for statement in code.split(';') {
        let Some(open) = statement.find('(') else {
            continue;
        };
        let Some(close) = statement.rfind(')') else {
            continue;
        };
        let before = &statement[..open];
        if before.contains("typedef") {
            continue;
        }
        let name: String = before
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect::<String>()
            .chars()
            .rev()
            .collect();
        if name.starts_with("aivi_") || name.starts_with("rt_") {
            declarations.insert(name, count_parameters(&statement[open + 1..close]));
        }
    }
    declarations
}

fn rust_sources(directory: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(directory).expect("readable source directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// Every `extern "C" fn aivi_*` defined in the runtime's sources: name -> parameter count.
fn exported_aivi_functions() -> BTreeMap<String, usize> {
    let mut files = Vec::new();
    rust_sources(&Path::new(MANIFEST_DIR).join("src"), &mut files);
    let mut exports = BTreeMap::new();
    for file in files {
        let source = std::fs::read_to_string(&file).expect("readable source");
        let mut rest = source.as_str();
        while let Some(at) = rest.find("extern \"C\" fn aivi_") {
            let after = &rest[at + "extern \"C\" fn ".len()..];
            let open = after.find('(').expect("parameter list");
            let close = after.find(')').expect("end of parameter list");
            exports.insert(
                after[..open].to_string(),
                count_parameters(&after[open + 1..close]),
            );
            rest = &after[close..];
        }
    }
    exports
}

#[test]
fn header_declares_every_shim_with_its_arity() {
    let header = std::fs::read_to_string(header_path()).expect("header exists");
    let declarations = header_declarations(&header);
    for shim in Shim::ALL {
        assert_eq!(
            declarations.get(shim.symbol()),
            Some(&(shim.param_count() + 1)),
            "header declaration of {} (context + {} words)",
            shim.symbol(),
            shim.param_count()
        );
    }
    let shim_symbols: Vec<&str> = Shim::ALL.iter().map(|s| s.symbol()).collect();
    for name in declarations.keys().filter(|n| n.starts_with("rt_")) {
        assert!(
            shim_symbols.contains(&name.as_str()),
            "header declares {name}, which is not in Shim::ALL"
        );
    }
}

#[test]
fn header_declares_exactly_the_aivi_exports() {
    let header = std::fs::read_to_string(header_path()).expect("header exists");
    let declared: BTreeMap<String, usize> = header_declarations(&header)
        .into_iter()
        .filter(|(name, _)| name.starts_with("aivi_"))
        .collect();
    let exported = exported_aivi_functions();
    assert!(
        exported.len() >= 30,
        "the source scan found only {} exports",
        exported.len()
    );
    assert_eq!(
        declared, exported,
        "header vs. Rust exports (name -> parameter count)"
    );
}

/// A type in one canonical spelling: tokens separated by single spaces, `*` its own token
/// (`AiviRuntime *`, `const char *`, `uint32_t`).
fn canonical_c_type(text: &str) -> String {
    text.replace('*', " * ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The C spelling of a Rust FFI type (`*mut AiviRuntime` -> `AiviRuntime *`).
fn rust_type_in_c(text: &str) -> String {
    let text = text.trim();
    if let Some(pointee) = text.strip_prefix("*mut ") {
        return format!("{} *", rust_type_in_c(pointee));
    }
    if let Some(pointee) = text.strip_prefix("*const ") {
        return format!("const {} *", rust_type_in_c(pointee));
    }
    match text {
        "u32" => "uint32_t",
        "i32" => "int32_t",
        "u64" => "uint64_t",
        "i64" => "int64_t",
        "usize" => "size_t",
        "f64" => "double",
        "c_char" => "char",
        "" => "void",
        other => other,
    }
    .to_string()
}

/// Return type and parameter types of one function.
type Signature = (String, Vec<String>);

/// Every `aivi_*` function the header declares: name -> canonical signature.
fn header_aivi_signatures(header: &str) -> BTreeMap<String, Signature> {
    let code: String = strip_block_comments(header)
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let mut signatures = BTreeMap::new();
    for statement in code.split(';') {
        let (Some(open), Some(close)) = (statement.find('('), statement.rfind(')')) else {
            continue;
        };
        let before = statement[..open].trim_end();
        let name_start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let name = &before[name_start..];
        if !name.starts_with("aivi_") || before.contains("typedef") {
            continue;
        }
        let parameters = statement[open + 1..close]
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty() && *p != "void")
            .map(|p| {
                // Drop the parameter name: the trailing identifier.
                let end = p
                    .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .map_or(0, |i| i + 1);
                canonical_c_type(&p[..end])
            })
            .collect();
        let returns = canonical_c_type(&before[..name_start]);
        signatures.insert(name.to_string(), (returns, parameters));
    }
    signatures
}

/// Every `extern "C" fn aivi_*` in the runtime's sources: name -> signature in C spelling.
fn exported_aivi_signatures() -> BTreeMap<String, Signature> {
    let mut files = Vec::new();
    rust_sources(&Path::new(MANIFEST_DIR).join("src"), &mut files);
    let mut signatures = BTreeMap::new();
    for file in files {
        let source = std::fs::read_to_string(&file).expect("readable source");
        let mut rest = source.as_str();
        while let Some(at) = rest.find("extern \"C\" fn aivi_") {
            let after = &rest[at + "extern \"C\" fn ".len()..];
            let open = after.find('(').expect("parameter list");
            let close = after.find(')').expect("end of parameter list");
            let body = after.find('{').expect("function body");
            let parameters = after[open + 1..close]
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (_, ty) = p.split_once(':').expect("`name: type` parameter");
                    canonical_c_type(&rust_type_in_c(ty))
                })
                .collect();
            let returns = after[close + 1..body].trim();
            let returns = returns.strip_prefix("->").unwrap_or(returns);
            signatures.insert(
                after[..open].to_string(),
                (canonical_c_type(&rust_type_in_c(returns)), parameters),
            );
            rest = &after[close..];
        }
    }
    signatures
}

#[test]
fn header_aivi_types_match_the_rust_exports() {
    let header = std::fs::read_to_string(header_path()).expect("header exists");
    let declared = header_aivi_signatures(&header);
    let exported = exported_aivi_signatures();
    assert!(
        exported.len() >= 30,
        "the source scan found {}",
        exported.len()
    );
    assert_eq!(
        exported.get("aivi_ref_set"),
        Some(&(
            "uint32_t".to_string(),
            vec![
                "AiviRuntime *".to_string(),
                "AiviRefHandle".to_string(),
                "AiviValueHandle".to_string()
            ]
        )),
        "the scan reads Rust signatures"
    );
    for (name, signature) in &exported {
        assert_eq!(
            declared.get(name),
            Some(signature),
            "header signature of {name} (return type, parameter types)"
        );
    }
    assert_eq!(declared.len(), exported.len(), "no extra declarations");
}

#[test]
fn header_version_macros_match_the_runtime() {
    use cairn_runtime::abi::version::{
        AIVI_VALUE_ABI_MAJOR, AIVI_VALUE_ABI_MINOR, AIVI_VALUE_ABI_PATCH,
    };
    let header = std::fs::read_to_string(header_path()).expect("header exists");
    for (name, value) in [
        ("AIVI_VALUE_ABI_MAJOR", AIVI_VALUE_ABI_MAJOR),
        ("AIVI_VALUE_ABI_MINOR", AIVI_VALUE_ABI_MINOR),
        ("AIVI_VALUE_ABI_PATCH", AIVI_VALUE_ABI_PATCH),
    ] {
        assert!(
            header.contains(&format!("#define {name} {value}\n")),
            "header defines {name} as {value}"
        );
    }
}

// ----- the C host program ----------------------------------------------------------------

/// The newest `libcairn_runtime*.a` next to this test binary (`target/<profile>/deps`).
fn runtime_static_library() -> PathBuf {
    let test_binary = std::env::current_exe().expect("test binary path");
    let deps = test_binary.parent().expect("deps directory");
    let mut candidates: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(deps)
        .expect("readable deps directory")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libcairn_runtime") && n.ends_with(".a"))
        })
        .filter_map(|path| Some((path.metadata().ok()?.modified().ok()?, path)))
        .collect();
    candidates.sort();
    candidates
        .pop()
        .map(|(_, path)| path)
        .unwrap_or_else(|| panic!("no libcairn_runtime*.a in {}", deps.display()))
}

fn system_libraries() -> &'static [&'static str] {
    if cfg!(target_os = "macos") {
        &["-lSystem", "-lc", "-lm"]
    } else {
        &[
            "-lgcc_s",
            "-lutil",
            "-lrt",
            "-lpthread",
            "-lm",
            "-ldl",
            "-lc",
        ]
    }
}

fn build_host_program() -> PathBuf {
    let source = Path::new(MANIFEST_DIR).join("tests/c_host/host.c");
    let output = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cairn_c_host");
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let result = Command::new(&compiler)
        .args(["-std=c11", "-Wall", "-Wextra", "-pedantic", "-Werror", "-g"])
        .arg("-I")
        .arg(Path::new(MANIFEST_DIR).join("../include"))
        .arg(&source)
        .arg(runtime_static_library())
        .args(system_libraries())
        .arg("-o")
        .arg(&output)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the C compiler {compiler:?}: {e}"));
    assert!(
        result.status.success(),
        "compiling host.c failed:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    output
}

const EXPECTED_TRANSCRIPT: &str = include_str!("c_host/expected.txt");

#[test]
fn c_host_program_exercises_the_value_abi() {
    let program = build_host_program();
    let run = Command::new(&program).output().expect("host program runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "host program failed ({}):\nstdout:\n{stdout}\nstderr:\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
    let expected: Vec<&str> = EXPECTED_TRANSCRIPT.lines().collect();
    let actual: Vec<&str> = stdout.lines().collect();
    for (line, (want, got)) in expected.iter().zip(&actual).enumerate() {
        assert_eq!(
            got,
            want,
            "transcript line {}\nfull output:\n{stdout}",
            line + 1
        );
    }
    assert_eq!(
        actual.len(),
        expected.len(),
        "transcript length\nfull output:\n{stdout}"
    );
}
