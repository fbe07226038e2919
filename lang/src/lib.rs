//! Cairn's language front end and the shared RC IR: lexer, parser, resolver, lowering, the
//! RC insertion pass, the IR verifier and printer. It knows nothing of the heap's layout or
//! of Cranelift.
//!
//! Pipeline ([`compile`]): parse -> resolve -> lower -> pipeline fusion -> borrow inference ->
//! RC insertion -> verify. The result is the post-RC IR both engines execute.

pub mod analysis;
pub mod ast;
pub mod borrow;
pub mod cfg_builder;
pub mod cfg_order;
pub mod cleanup_table;
pub mod concat_ownership;
pub mod diagnostic;
pub mod display_text;
pub mod dominators;
pub mod excerpt;
pub mod free_names;
pub mod fuse_pipelines;
pub mod ir;
pub mod lexer;
pub mod limits;
pub mod liveness;
pub mod lower;
mod lower_closures;
mod lower_generate;
mod lower_literals;
pub mod modules;
pub mod operands;
pub mod parser;
mod parser_compound;
mod parser_operators;
pub mod print;
pub mod rc;
pub mod resolve;
pub mod source;
pub mod token;
pub mod var_set;
pub mod verify;
pub mod verify_rc;

pub use diagnostic::Diagnostic;
pub use print::print_module;
pub use source::{SourceFile, SourceMap};

/// Stack for the compiler thread: the parser and lowering recurse once per nesting level
/// (bounded by [`parser::MAX_NESTING`]), and unoptimised builds use a lot of stack per level.
pub const COMPILE_STACK_BYTES: usize = 64 << 20;

/// Compiles a source file to verified post-RC IR, or returns its diagnostics. The work runs
/// on a scoped thread with [`COMPILE_STACK_BYTES`] of stack so deeply nested (but legal)
/// programs compile on any caller's thread.
pub fn compile(file: &SourceFile) -> Result<ir::Module, Vec<Diagnostic>> {
    compile_with_host_functions(file, &[])
}

/// [`compile`] with the embedder's host functions in scope: scripts call them by name (an
/// unknown name is still E0101, a wrong argument count E0105) and `Module::host_functions`
/// lists them in this order.
pub fn compile_with_host_functions(
    file: &SourceFile,
    hosts: &[ir::HostSignature],
) -> Result<ir::Module, Vec<Diagnostic>> {
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("cairn-compile".into())
            .stack_size(COMPILE_STACK_BYTES)
            .spawn_scoped(scope, || compile_on_current_thread_with_hosts(file, hosts));
        match worker {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|payload| std::panic::resume_unwind(payload)),
            // No thread available: compile here (same result, only less stack headroom).
            Err(_) => compile_on_current_thread_with_hosts(file, hosts),
        }
    })
}

/// [`compile`] without the dedicated thread (the caller must provide enough stack).
pub fn compile_on_current_thread(file: &SourceFile) -> Result<ir::Module, Vec<Diagnostic>> {
    compile_on_current_thread_with_hosts(file, &[])
}

/// Compiles a program of modules (docs/LANGUAGE.md, "Modules"): `root` and every module its
/// `import`s name, found by `loader`, into one IR module whose spans point into the
/// returned [`SourceMap`] (also returned with the diagnostics, which point into it too).
/// `hosts` are the embedder's host functions, a native module's named `module::function`.
/// Runs on a thread with [`COMPILE_STACK_BYTES`] of stack, as [`compile`].
pub fn compile_with_modules(
    root: SourceFile,
    hosts: &[ir::HostSignature],
    loader: &mut (dyn modules::ModuleLoader + Send),
) -> (Result<ir::Module, Vec<Diagnostic>>, SourceMap) {
    // The work is handed over through a slot so that, when no thread can be started, this
    // thread still has it (a closure passed to a failed spawn is gone).
    let work = std::sync::Mutex::new(Some((root, loader)));
    let run = || {
        let taken = work.lock().map(|mut slot| slot.take()).ok().flatten();
        let (root, loader) = taken.expect("the work is taken once");
        compile_modules_on_current_thread(root, hosts, loader)
    };
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("cairn-compile".into())
            .stack_size(COMPILE_STACK_BYTES)
            .spawn_scoped(scope, run);
        match worker {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|payload| std::panic::resume_unwind(payload)),
            // No thread available: compile here (same result, only less stack headroom).
            Err(_) => run(),
        }
    })
}

fn compile_modules_on_current_thread(
    root: SourceFile,
    hosts: &[ir::HostSignature],
    loader: &mut dyn modules::ModuleLoader,
) -> (Result<ir::Module, Vec<Diagnostic>>, SourceMap) {
    if let Some(too_large) = source::size_problem(root.text.len()) {
        return (Err(vec![too_large]), SourceMap::new(root));
    }
    let loaded = modules::load_program(root, loader, limits::FrontEndLimits::DEFAULT);
    let mut errors = loaded.errors;
    let sources = loaded.sources;
    let Some(program) = loaded.program else {
        return (Err(errors.into_sorted()), sources);
    };
    let (table, table_errors) = resolve::function_table_of_modules(&program, hosts, &loaded.graph);
    errors.append(table_errors);
    let result = lower_and_finish(program, &table, errors, lower::Sources::Map(&sources));
    (result, sources)
}

fn compile_on_current_thread_with_hosts(
    file: &SourceFile,
    hosts: &[ir::HostSignature],
) -> Result<ir::Module, Vec<Diagnostic>> {
    if let Some(too_large) = source::size_problem(file.text.len()) {
        return Err(vec![too_large]);
    }
    let (program, mut errors) =
        parser::parse_collecting(&file.text, limits::FrontEndLimits::DEFAULT);
    let Some(program) = program else {
        return Err(errors.into_sorted());
    };
    if !program.imports.is_empty() {
        // No resolver: every import is E0106 (the spans are the root file's own).
        drop(program);
        let mut loader = modules::NoModules;
        return compile_modules_on_current_thread(file.clone(), hosts, &mut loader).0;
    }
    // A table with diagnostics is still used for lowering, so one compilation reports the
    // duplicate definitions and every function's unknown names and arity mismatches.
    let (table, table_errors) = resolve::function_table(&program, hosts);
    errors.append(table_errors);
    lower_and_finish(program, &table, errors, lower::Sources::File(file))
}

/// Lowering, the RC pass and the checks after it, for every compilation.
fn lower_and_finish(
    program: ast::Program,
    table: &resolve::FunctionTable,
    mut errors: diagnostic::DiagnosticList,
    sources: lower::Sources<'_>,
) -> Result<ir::Module, Vec<Diagnostic>> {
    let lowered = lower::lower_collecting(&program, table, sources);
    // The syntax tree is not needed past lowering: free it before the RC pass (for a
    // million-element literal it is about a quarter of the compiler's memory).
    drop(program);
    let mut module = match lowered {
        Ok(module) if errors.is_empty() => module,
        Ok(_) => return Err(errors.into_sorted()),
        Err(more) => {
            errors.append(more);
            return Err(errors.into_sorted());
        }
    };
    if cfg!(debug_assertions) {
        verify::verify_structure(&module).map_err(internal_error)?;
    }
    fuse_pipelines::fuse_pipelines(&mut module);
    if cfg!(debug_assertions) {
        verify::verify_structure(&module).map_err(internal_error)?;
    }
    borrow::infer_param_modes(&mut module);
    rc::insert_reference_counting(&mut module);
    limits::check_module_limits(&module)?;
    // The verifier proves lang's own output well-formed and RC-balanced. Like Cranelift's,
    // it runs between passes in debug builds (so on every test) and in release builds only
    // when asked (`CAIRN_VERIFY_IR=1`): it is a sixth of compile time on a huge function.
    // IR a host builds is always verified (`verify`, `module_from_json`).
    if cfg!(debug_assertions) || std::env::var_os("CAIRN_VERIFY_IR").is_some() {
        verify::verify_module(&module).map_err(internal_error)?;
    }
    Ok(module)
}

fn internal_error(diagnostic: Diagnostic) -> Vec<Diagnostic> {
    vec![diagnostic.with_note("the compiler produced invalid IR; this is a bug in cairn-lang")]
}

/// Verifies any module (lang-built or host-built): structure, SSA, RC balance, RT0201.
pub fn verify(module: &ir::Module) -> Result<(), Diagnostic> {
    verify::verify_module(module)
}

/// Loads a module from JSON and verifies it.
pub fn module_from_json(text: &str) -> Result<ir::Module, Diagnostic> {
    let module: ir::Module = serde_json::from_str(text).map_err(|error| {
        Diagnostic::new(
            diagnostic::MALFORMED_IR_JSON,
            format!("malformed IR JSON: {error}"),
            ir::Span::default(),
        )
    })?;
    verify(&module)?;
    Ok(module)
}

/// Serialises a module to pretty JSON (the format [`module_from_json`] reads).
pub fn module_to_json(module: &ir::Module) -> String {
    serde_json::to_string_pretty(module).expect("IR serialisation cannot fail")
}
