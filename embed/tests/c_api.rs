//! The C API (`include/cairn.h`, `embed/src/capi/`): builds `examples/c/host.c` and
//! `tests/c_api/misuse.c` with the system C compiler against the `cairn` staticlib, runs each
//! once plainly and once under AddressSanitizer + UndefinedBehaviorSanitizer, and compares
//! their transcripts exactly; checks that the header declares exactly the `cairn_*` functions
//! the Rust sources export (names, return and parameter types), that the staticlib defines
//! each of them, and that `CairnLimits` and the engine-kind macros match; and drives the API
//! from Rust for what a transcript cannot show (identical refcount traces on both engines,
//! one module on four threads, the release of host-function user data).
//!
//! Linking: `embed/Cargo.toml` builds the crate as `["rlib", "staticlib"]`, so building this
//! test also writes `libcairn-<hash>.a` to the target's `deps/` directory; it contains the
//! runtime's `aivi_*`/`rt_*` symbols too.

use std::collections::BTreeMap;
use std::ffi::{c_char, c_void};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use cairn::capi::engine::{
    cairn_engine_compile, cairn_engine_free, cairn_engine_new, cairn_engine_register,
};
use cairn::capi::module::cairn_module_free;
use cairn::capi::runtime::{cairn_call, cairn_runtime_free, cairn_runtime_new};
use cairn::capi::values::{cairn_value_at, cairn_value_len, cairn_value_map};
use cairn::capi::{CAIRN_ENGINE_INTERPRETER, CAIRN_ENGINE_JIT, CairnModule};
use cairn_runtime::abi::handles::error::{aivi_error_code, aivi_error_message};
use cairn_runtime::abi::handles::runtime_lifecycle::{
    aivi_runtime_blocks_in_use, aivi_runtime_take_error,
};
use cairn_runtime::abi::handles::value::aivi_value_release;
use cairn_runtime::abi::handles::value_constructors::{
    aivi_value_int, aivi_value_list, aivi_value_text,
};
use cairn_runtime::abi::handles::value_inspection::{aivi_value_as_int, aivi_value_print};
use cairn_runtime::abi::handles::{AiviEffectHandle, AiviRuntime, AiviValueHandle};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

fn workspace() -> PathBuf {
    Path::new(MANIFEST_DIR).join("..")
}

// ----- header drift ------------------------------------------------------------------------

/// `text` without its `/* ... */` comments and preprocessor lines.
fn c_code(text: &str) -> String {
    let mut code = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        code.push_str(&rest[..start]);
        let end = rest[start..].find("*/").expect("closed comment");
        rest = &rest[start + end + 2..];
    }
    code.push_str(rest);
    code.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A C type in one spelling: tokens separated by single spaces, `*` its own token.
fn canonical_c_type(text: &str) -> String {
    text.replace('*', " * ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The C spelling of a Rust FFI type (`*const super::CairnModule` -> `const CairnModule *`).
fn rust_type_in_c(text: &str) -> String {
    let text = text.trim();
    if let Some(pointee) = text.strip_prefix("*mut ") {
        return format!("{} *", rust_type_in_c(pointee));
    }
    if let Some(pointee) = text.strip_prefix("*const ") {
        return format!("const {} *", rust_type_in_c(pointee));
    }
    let name = text.rsplit("::").next().unwrap_or(text);
    match name {
        "u32" => "uint32_t",
        "i32" => "int32_t",
        "u64" => "uint64_t",
        "i64" => "int64_t",
        "usize" => "size_t",
        "f64" => "double",
        "c_char" => "char",
        "c_void" => "void",
        "" => "void",
        other => other,
    }
    .to_string()
}

/// Return type and parameter types of one function.
type Signature = (String, Vec<String>);

/// Every `cairn_*` function declared in the header.
fn header_signatures(header: &str) -> BTreeMap<String, Signature> {
    let mut signatures = BTreeMap::new();
    for statement in c_code(header).split(';') {
        let (Some(open), Some(close)) = (statement.find('('), statement.rfind(')')) else {
            continue;
        };
        let before = statement[..open].trim_end();
        if before.contains("typedef") {
            continue;
        }
        let name_start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let name = &before[name_start..];
        if !name.starts_with("cairn_") {
            continue;
        }
        let parameters = statement[open + 1..close]
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty() && *p != "void")
            .map(|p| {
                let end = p
                    .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .map_or(0, |i| i + 1);
                canonical_c_type(&p[..end])
            })
            .collect();
        let returns = canonical_c_type(before[..name_start].trim());
        let previous = signatures.insert(name.to_string(), (returns, parameters));
        assert!(previous.is_none(), "{name} is declared twice");
    }
    signatures
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

/// Every `extern "C" fn cairn_*` in the crate's sources, in C spelling.
fn exported_signatures() -> BTreeMap<String, Signature> {
    let mut files = Vec::new();
    rust_sources(&Path::new(MANIFEST_DIR).join("src"), &mut files);
    let mut signatures = BTreeMap::new();
    for file in files {
        let source = std::fs::read_to_string(&file).expect("readable source");
        let mut rest = source.as_str();
        while let Some(at) = rest.find("extern \"C\" fn cairn_") {
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
            let previous = signatures.insert(
                after[..open].to_string(),
                (canonical_c_type(&rust_type_in_c(returns)), parameters),
            );
            assert!(previous.is_none(), "{} is exported twice", &after[..open]);
            rest = &after[close..];
        }
    }
    signatures
}

fn cairn_header() -> String {
    std::fs::read_to_string(workspace().join("include/cairn.h")).expect("include/cairn.h")
}

#[test]
fn header_declares_exactly_the_cairn_exports_with_their_types() {
    let declared = header_signatures(&cairn_header());
    let exported = exported_signatures();
    assert!(
        exported.len() >= 25,
        "the source scan found {}",
        exported.len()
    );
    assert_eq!(
        exported.get("cairn_call"),
        Some(&(
            "AiviValueHandle".to_string(),
            vec![
                "AiviRuntime *".to_string(),
                "const CairnModule *".to_string(),
                "const char *".to_string(),
                "const AiviValueHandle *".to_string(),
                "size_t".to_string(),
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
    for name in declared.keys() {
        assert!(
            exported.contains_key(name),
            "header declares {name}, which nothing exports"
        );
    }
}

#[test]
fn the_staticlib_defines_every_declared_function() {
    let library = cairn_static_library();
    let listing = match Command::new("nm")
        .args(["-g", "--defined-only"])
        .arg(&library)
        .output()
    {
        Ok(output) if output.status.success() => output,
        other => {
            eprintln!("note: `nm` is not usable here ({other:?}); symbol check skipped");
            return;
        }
    };
    let text = String::from_utf8_lossy(&listing.stdout);
    let defined: std::collections::BTreeSet<&str> = text
        .lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace().rev();
            let name = parts.next()?;
            let kind = parts.next()?;
            (kind == "T").then_some(name)
        })
        .collect();
    for name in header_signatures(&cairn_header()).keys() {
        assert!(
            defined.contains(name.as_str()),
            "{name} is declared but {} does not define it",
            library.display()
        );
    }
    for name in ["aivi_value_text", "aivi_error_line", "rt_add"] {
        assert!(
            defined.contains(name),
            "the staticlib also carries the Value ABI ({name})"
        );
    }
}

#[test]
fn limits_struct_and_engine_kinds_match_the_rust_definitions() {
    let header = cairn_header();
    let code = c_code(&header);
    let start = code
        .find("typedef struct CairnLimits {")
        .expect("CairnLimits");
    let end = start + code[start..].find('}').expect("end of CairnLimits");
    let c_fields: Vec<String> = code[start..end]
        .split(['{', ';'])
        .skip(1)
        .map(canonical_c_type)
        .filter(|field| !field.is_empty())
        .collect();
    let rust = std::fs::read_to_string(Path::new(MANIFEST_DIR).join("src/capi/runtime.rs"))
        .expect("capi/runtime.rs");
    let start = rust
        .find("pub struct CairnLimits {")
        .expect("Rust CairnLimits");
    let end = start + rust[start..].find('}').expect("end of struct");
    let rust_fields: Vec<String> = rust[start..end]
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub "))
        .filter_map(|field| field.trim_end_matches(',').split_once(':'))
        .map(|(name, ty)| canonical_c_type(&format!("{} {}", rust_type_in_c(ty), name.trim())))
        .collect();
    assert_eq!(
        c_fields, rust_fields,
        "CairnLimits fields (type name), in order"
    );
    assert_eq!(std::mem::size_of::<cairn::capi::CairnLimits>(), 40);
    for (name, value) in [
        ("CAIRN_ENGINE_INTERPRETER", CAIRN_ENGINE_INTERPRETER),
        ("CAIRN_ENGINE_JIT", CAIRN_ENGINE_JIT),
    ] {
        assert!(
            header.contains(&format!("#define {name} {value}\n")),
            "header defines {name} as {value}"
        );
    }
}

// ----- the C programs ----------------------------------------------------------------------

/// The newest `libcairn-*.a` next to this test binary (`target/<profile>/deps`).
fn cairn_static_library() -> PathBuf {
    let test_binary = std::env::current_exe().expect("test binary path");
    let deps = test_binary.parent().expect("deps directory");
    let mut candidates: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(deps)
        .expect("readable deps directory")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libcairn-") && n.ends_with(".a"))
        })
        .filter_map(|path| Some((path.metadata().ok()?.modified().ok()?, path)))
        .collect();
    candidates.sort();
    candidates
        .pop()
        .map(|(_, path)| path)
        .unwrap_or_else(|| panic!("no libcairn-*.a in {}", deps.display()))
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

fn compiler() -> String {
    std::env::var("CC").unwrap_or_else(|_| "cc".to_string())
}

const SANITIZERS: &[&str] = &[
    "-fsanitize=address,undefined",
    "-fno-sanitize-recover=all",
    "-fno-omit-frame-pointer",
];

/// Compiles `source` (with `extra` flags) against include/ and the staticlib.
fn build(source: &Path, output_name: &str, extra: &[&str]) -> Result<PathBuf, String> {
    let output = Path::new(env!("CARGO_TARGET_TMPDIR")).join(output_name);
    let result = Command::new(compiler())
        .args(["-std=c11", "-Wall", "-Wextra", "-pedantic", "-Werror", "-g"])
        .args(extra)
        .arg("-I")
        .arg(workspace().join("include"))
        .arg(source)
        .arg(cairn_static_library())
        .args(system_libraries())
        .arg("-o")
        .arg(&output)
        .output()
        .map_err(|e| format!("cannot run the C compiler {:?}: {e}", compiler()))?;
    if !result.status.success() {
        return Err(format!(
            "compiling {} failed:\n{}",
            source.display(),
            String::from_utf8_lossy(&result.stderr)
        ));
    }
    Ok(output)
}

/// Whether this toolchain builds and runs an ASan + UBSan program here (a sandbox may forbid
/// what LeakSanitizer needs, or the compiler may lack the runtime libraries).
fn sanitizers_available() -> bool {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let probe = dir.join("cairn_sanitizer_probe.c");
    std::fs::write(
        &probe,
        "#include <stdlib.h>\nint main(void) { char *p = malloc(8); p[0] = 1; int r = p[0] - 1; free(p); return r; }\n",
    )
    .expect("write the probe");
    let binary = dir.join("cairn_sanitizer_probe");
    let built = Command::new(compiler())
        .args(SANITIZERS)
        .arg(&probe)
        .arg("-o")
        .arg(&binary)
        .output();
    matches!(built, Ok(ref o) if o.status.success())
        && Command::new(&binary)
            .output()
            .is_ok_and(|run| run.status.success() && run.stderr.is_empty())
}

/// Runs `program` and returns its stdout; fails on a non-zero exit or (for sanitized builds)
/// anything on stderr — a sanitizer report.
fn run(program: &Path, sanitized: bool) -> String {
    let run = Command::new(program)
        .env(
            "ASAN_OPTIONS",
            "detect_leaks=1:abort_on_error=0:exitcode=86",
        )
        .env("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
        .output()
        .expect("the host program runs");
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success(),
        "{} failed ({}):\nstdout:\n{stdout}\nstderr:\n{stderr}",
        program.display(),
        run.status
    );
    if sanitized {
        assert!(
            stderr.is_empty(),
            "sanitizer output from {}:\n{stderr}",
            program.display()
        );
    }
    stdout
}

fn assert_transcript(actual: &str, expected: &str, what: &str) {
    for (line, (want, got)) in expected.lines().zip(actual.lines()).enumerate() {
        assert_eq!(
            got,
            want,
            "{what}, transcript line {}\nfull output:\n{actual}",
            line + 1
        );
    }
    assert_eq!(
        actual.lines().count(),
        expected.lines().count(),
        "{what}: transcript length\nfull output:\n{actual}"
    );
}

/// Builds and runs `source` plainly and (when available) under ASan + UBSan, comparing both
/// transcripts with `expected`.
fn check_program(source: &Path, name: &str, expected: &str) {
    let plain = build(source, name, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_transcript(&run(&plain, false), expected, name);
    if !sanitizers_available() {
        eprintln!(
            "note: {} cannot build and run -fsanitize=address,undefined programs here; only the \
             plain build of {name} was checked",
            compiler()
        );
        return;
    }
    let sanitized =
        build(source, &format!("{name}_sanitized"), SANITIZERS).unwrap_or_else(|e| panic!("{e}"));
    assert_transcript(
        &run(&sanitized, true),
        expected,
        &format!("{name} (ASan + UBSan)"),
    );
}

#[test]
fn the_c_host_example_prints_its_results_plainly_and_under_sanitizers() {
    let expected = std::fs::read_to_string(workspace().join("examples/c/expected.txt"))
        .expect("examples/c/expected.txt");
    check_program(
        &workspace().join("examples/c/host.c"),
        "cairn_c_example",
        &expected,
    );
}

#[test]
fn bad_handles_everywhere_are_errors_plainly_and_under_sanitizers() {
    let expected = include_str!("c_api/misuse.expected");
    check_program(
        &Path::new(MANIFEST_DIR).join("tests/c_api/misuse.c"),
        "cairn_c_misuse",
        expected,
    );
}

#[test]
fn a_c_resolver_and_a_native_module_work_plainly_and_under_sanitizers() {
    let expected = include_str!("c_api/modules.expected");
    check_program(
        &Path::new(MANIFEST_DIR).join("tests/c_api/modules.c"),
        "cairn_c_modules",
        expected,
    );
}

// ----- from Rust ---------------------------------------------------------------------------

/// A C-convention host function defined in Rust: `weigh(xs)` = `#{"n": len(xs), "sum": sum}`.
unsafe extern "C" fn weigh(
    user: *mut c_void,
    rt: *mut AiviRuntime,
    _effect: AiviEffectHandle,
    args: *const AiviValueHandle,
    _nargs: usize,
) -> AiviValueHandle {
    // SAFETY: the runtime passes one borrowed argument; `rt` is the calling runtime and
    // `user` the `Counters` registered with the function.
    unsafe {
        (*user.cast::<Counters>())
            .calls
            .fetch_add(1, Ordering::SeqCst);
        let list = *args;
        let n = cairn_value_len(rt, list);
        let mut sum = 0;
        for i in 0..n {
            let item = cairn_value_at(rt, list, i);
            let mut x = 0;
            aivi_value_as_int(rt, item, &mut x);
            aivi_value_release(rt, item);
            sum += x;
        }
        let keys = [
            aivi_value_text(rt, c"n".as_ptr(), 1),
            aivi_value_text(rt, c"sum".as_ptr(), 3),
        ];
        let values = [aivi_value_int(rt, n as i64), aivi_value_int(rt, sum)];
        let map = cairn_value_map(rt, keys.as_ptr(), values.as_ptr(), 2);
        for handle in keys.into_iter().chain(values) {
            aivi_value_release(rt, handle);
        }
        map
    }
}

/// A test's host-function user data: calls and releases.
struct Counters {
    calls: AtomicUsize,
    released: AtomicUsize,
}

impl Counters {
    const fn new() -> Counters {
        Counters {
            calls: AtomicUsize::new(0),
            released: AtomicUsize::new(0),
        }
    }
}

unsafe extern "C" fn count_release(user: *mut c_void) {
    // SAFETY: `user` is the `Counters` registered with the function (a static).
    unsafe {
        (*user.cast::<Counters>())
            .released
            .fetch_add(1, Ordering::SeqCst)
    };
}

const WEIGH_SCRIPT: &str = "fn report(xs) = {\n  w = weigh(xs);\n  [w, weigh([w[\"sum\"], len(xs)])[\"sum\"], str(w)]\n}\nfn main() = ()\n";

fn compile_weigh(kind: u32, counters: &'static Counters) -> *mut CairnModule {
    // SAFETY: every pointer passed is valid for its call; the engine is freed at the end (the
    // module keeps its host functions).
    unsafe {
        let engine = cairn_engine_new(kind);
        let registered = cairn_engine_register(
            engine,
            c"weigh".as_ptr(),
            1,
            Some(weigh),
            std::ptr::from_ref(counters).cast_mut().cast(),
            Some(count_release),
            std::ptr::null_mut(),
        );
        assert_eq!(registered, 1);
        let module = cairn_engine_compile(
            engine,
            c"weigh.cairn".as_ptr(),
            WEIGH_SCRIPT.as_ptr().cast::<c_char>(),
            WEIGH_SCRIPT.len(),
            std::ptr::null_mut(),
        );
        assert!(!module.is_null());
        assert_eq!(cairn_engine_free(engine), 1);
        module
    }
}

/// Calls `report` with `[1, ..., n]` in `rt` and returns the printed result.
///
/// # Safety
/// `rt` is a live cairn runtime used only by this thread; `module` is live.
unsafe fn report(rt: *mut AiviRuntime, module: *const CairnModule, n: i64) -> String {
    // SAFETY: forwarded from this function's contract; every handle is released once.
    unsafe {
        let items: Vec<AiviValueHandle> = (1..=n).map(|i| aivi_value_int(rt, i)).collect();
        let list = aivi_value_list(rt, items.as_ptr(), items.len());
        let result = cairn_call(rt, module, c"report".as_ptr(), &list, 1);
        if result.is_null() {
            let error = aivi_runtime_take_error(rt);
            panic!(
                "report failed: {:?} {:?}",
                std::ffi::CStr::from_ptr(aivi_error_code(error)),
                std::ffi::CStr::from_ptr(aivi_error_message(error))
            );
        }
        let mut buffer = [0 as c_char; 256];
        let length = aivi_value_print(rt, result, buffer.as_mut_ptr(), buffer.len());
        aivi_value_release(rt, result);
        aivi_value_release(rt, list);
        let printed = std::ffi::CStr::from_ptr(buffer.as_ptr())
            .to_string_lossy()
            .into_owned();
        assert_eq!(printed.len(), length);
        printed
    }
}

#[test]
fn c_host_functions_give_identical_results_and_traces_on_both_engines() {
    static COUNTERS: Counters = Counters::new();
    let mut outcomes = Vec::new();
    for kind in [CAIRN_ENGINE_INTERPRETER, CAIRN_ENGINE_JIT] {
        let module = compile_weigh(kind, &COUNTERS);
        // SAFETY: the runtime is created, used and freed on this thread; its context is the
        // `AiviRuntime *` (a `cairn_runtime::Context`), whose heap records the trace.
        unsafe {
            let rt = cairn_runtime_new(std::ptr::null(), std::ptr::null_mut());
            assert!(!rt.is_null());
            (*rt).heap.start_trace();
            let printed = report(rt, module, 5);
            let trace = (*rt).heap.take_trace();
            assert_eq!(aivi_runtime_blocks_in_use(rt), 0);
            assert_eq!(cairn_runtime_free(rt), 1);
            assert_eq!(cairn_module_free(module), 1);
            outcomes.push((printed, trace));
        }
    }
    assert_eq!(
        outcomes[0].0,
        "[#{\"n\": 5, \"sum\": 15}, 20, \"#{\\\"n\\\": 5, \\\"sum\\\": 15}\"]"
    );
    assert!(!outcomes[0].1.is_empty(), "the trace records the call");
    assert_eq!(
        COUNTERS.calls.load(Ordering::SeqCst),
        4,
        "two host calls per engine"
    );
    assert_eq!(
        COUNTERS.released.load(Ordering::SeqCst),
        2,
        "one release per module"
    );
    assert_eq!(
        outcomes[0], outcomes[1],
        "interpreter and JIT: result and refcount trace"
    );
}

#[test]
fn one_module_runs_in_four_runtimes_on_four_threads_and_user_data_is_released_once() {
    static COUNTERS: Counters = Counters::new();
    let module = compile_weigh(CAIRN_ENGINE_JIT, &COUNTERS) as usize;
    let threads: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                // SAFETY: each thread has its own runtime; the module is thread-safe and
                // outlives the threads (freed after they are joined).
                unsafe {
                    let rt = cairn_runtime_new(std::ptr::null(), std::ptr::null_mut());
                    let mut last = String::new();
                    for _ in 0..25 {
                        last = report(rt, module as *const CairnModule, 10 + t);
                    }
                    assert_eq!(aivi_runtime_blocks_in_use(rt), 0);
                    assert_eq!(cairn_runtime_free(rt), 1);
                    last
                }
            })
        })
        .collect();
    let results: Vec<String> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    for (t, result) in results.iter().enumerate() {
        let n = 10 + t as i64;
        let sum = n * (n + 1) / 2;
        assert!(
            result.starts_with(&format!("[#{{\"n\": {n}, \"sum\": {sum}}}, {}", sum + n)),
            "thread {t}: {result}"
        );
    }
    assert_eq!(COUNTERS.calls.load(Ordering::SeqCst), 4 * 25 * 2);
    assert_eq!(
        COUNTERS.released.load(Ordering::SeqCst),
        0,
        "the module still holds the user data (the engine was freed)"
    );
    // SAFETY: the module is live and no thread uses it any more.
    assert_eq!(unsafe { cairn_module_free(module as *mut CairnModule) }, 1);
    assert_eq!(
        COUNTERS.released.load(Ordering::SeqCst),
        1,
        "released once, with the module"
    );
}
