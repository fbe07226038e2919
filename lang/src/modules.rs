//! Modules (docs/LANGUAGE.md, "Modules"): a program's import graph loaded through a
//! [`ModuleLoader`] into one merged syntax tree — the root file's functions first, under
//! their own names, then every imported module's functions under qualified names
//! (`geometry::area`) — with the scope of each module (what it imports, which of its
//! functions are `pub`) and one [`SourceMap`] of every file, so the rest of the pipeline
//! compiles one program and every span names its file. Missing modules (E0106), import
//! cycles (E0107) and repeated imports (E0102) are reported at the `import` line.

use std::collections::{BTreeMap, BTreeSet};

use crate::ast::{FunctionDef, Import, Program};
use crate::diagnostic::{self, Diagnostic, DiagnosticList};
use crate::limits::FrontEndLimits;
use crate::parser;
use crate::source::{SourceFile, SourceMap};

/// What an `import` resolves to.
#[derive(Clone, Debug)]
pub enum ModuleContent {
    /// A file of functions, compiled into the program.
    Source(SourceFile),
    /// A native module: the embedder's host functions whose names are `NAME::function`
    /// (passed to the compiler with the other host functions).
    Native,
}

/// A module a [`ModuleLoader`] found.
#[derive(Clone, Debug)]
pub struct LoadedModule {
    /// Identifies the module: two imports of one key are one module, compiled once (a file
    /// resolver uses the file's canonical path). Passed back as the importer of its imports.
    pub key: String,
    /// The module's qualified name: the prefix of its functions' names in the program and
    /// in call stacks (`shapes::circle` gives `shapes::circle::area`).
    pub name: String,
    pub content: ModuleContent,
}

/// Finds the module an `import` names. `importer` is the key of the importing module
/// (`None` for the root file), so a loader can resolve paths relative to it.
pub trait ModuleLoader {
    fn load(&mut self, importer: Option<&str>, path: &str) -> Result<LoadedModule, String>;
}

/// The loader of a compilation with no resolver: every `import` is E0106.
pub struct NoModules;

impl ModuleLoader for NoModules {
    fn load(&mut self, _importer: Option<&str>, _path: &str) -> Result<LoadedModule, String> {
        Err("no module resolver is installed".into())
    }
}

/// One module's scope: its name and what its files' qualified names may refer to.
#[derive(Clone, Debug, Default)]
pub struct ModuleScope {
    /// The qualified name (`""` for the root file, whose functions keep their own names).
    pub name: String,
    /// The loader's key (`None` for the root file).
    pub key: Option<String>,
    /// A native module (its functions are host functions named `name::f`).
    pub native: bool,
    /// Each import of the file, as written, to the module it resolved to.
    pub imports: BTreeMap<String, u32>,
    /// Imports already reported (E0106): qualified names through them are not reported again.
    pub failed_imports: BTreeSet<String>,
}

/// The modules of a program (module 0 is the root file) and the module of each function of
/// the merged program, in order.
#[derive(Clone, Debug)]
pub struct ModuleGraph {
    pub modules: Vec<ModuleScope>,
    pub function_modules: Vec<u32>,
}

impl ModuleGraph {
    /// The graph of a single-file program of `functions` functions.
    pub fn single_file(functions: usize) -> ModuleGraph {
        ModuleGraph {
            modules: vec![ModuleScope::default()],
            function_modules: vec![0; functions],
        }
    }
}

/// A loaded program: the merged tree (`None` when some file had a syntax error), its
/// module graph, every file, and the diagnostics found so far.
pub(crate) struct LoadedProgram {
    pub program: Option<Program>,
    pub graph: ModuleGraph,
    pub sources: SourceMap,
    pub errors: DiagnosticList,
}

/// Parses `root` and every module it imports, transitively, each module once.
pub(crate) fn load_program(
    root: SourceFile,
    loader: &mut dyn ModuleLoader,
    limits: FrontEndLimits,
) -> LoadedProgram {
    let (program, errors) = parser::parse_collecting_at(&root.text, 0, limits);
    let mut state = State {
        loader,
        limits,
        sources: SourceMap::new(root),
        modules: vec![ModuleScope::default()],
        by_key: BTreeMap::new(),
        stack: Vec::new(),
        functions: Vec::new(),
        function_modules: Vec::new(),
        errors,
        parse_failed: program.is_none(),
    };
    if let Some(program) = program {
        state.visit(0, program);
    }
    let program = (!state.parse_failed).then(|| Program {
        imports: Vec::new(),
        functions: state.functions,
    });
    LoadedProgram {
        program,
        graph: ModuleGraph {
            modules: state.modules,
            function_modules: state.function_modules,
        },
        sources: state.sources,
        errors: state.errors,
    }
}

struct State<'l> {
    loader: &'l mut dyn ModuleLoader,
    limits: FrontEndLimits,
    sources: SourceMap,
    modules: Vec<ModuleScope>,
    by_key: BTreeMap<String, u32>,
    /// The modules being loaded, importer before imported (where a cycle is seen).
    stack: Vec<u32>,
    functions: Vec<FunctionDef>,
    function_modules: Vec<u32>,
    errors: DiagnosticList,
    parse_failed: bool,
}

impl State<'_> {
    /// Takes in module `id`'s functions (renamed into its namespace), then loads its imports.
    fn visit(&mut self, id: u32, program: Program) {
        let prefix = self.modules[id as usize].name.clone();
        for mut function in program.functions {
            if !prefix.is_empty() {
                function.name.text = format!("{prefix}::{}", function.name.text);
            }
            self.functions.push(function);
            self.function_modules.push(id);
        }
        self.stack.push(id);
        for import in program.imports {
            self.import(id, import);
        }
        self.stack.pop();
    }

    fn display(&self, id: u32) -> String {
        let module = &self.modules[id as usize];
        if id == 0 {
            self.sources.root().name.clone()
        } else {
            module.name.clone()
        }
    }

    fn error(&mut self, code: &str, message: String, import: &Import) {
        self.errors
            .push(Diagnostic::new(code, message, import.span));
    }

    fn import(&mut self, id: u32, import: Import) {
        let scope = &self.modules[id as usize];
        if scope.imports.contains_key(&import.path) || scope.failed_imports.contains(&import.path) {
            let message = format!(
                "duplicate definition: module `{}` is already imported",
                import.path
            );
            return self.error(diagnostic::DUPLICATE_DEFINITION, message, &import);
        }
        let importer = scope.key.clone();
        let loaded = match self.loader.load(importer.as_deref(), &import.path) {
            Ok(loaded) => loaded,
            Err(reason) => return self.fail(id, &import, reason),
        };
        if let Some(&existing) = self.by_key.get(&loaded.key) {
            if let Some(at) = self.stack.iter().position(|&m| m == existing) {
                let mut cycle: Vec<String> =
                    self.stack[at..].iter().map(|&m| self.display(m)).collect();
                cycle.push(self.display(existing));
                let message = format!("import cycle: {}", cycle.join(" -> "));
                self.error(diagnostic::IMPORT_CYCLE, message, &import);
            }
            self.modules[id as usize]
                .imports
                .insert(import.path, existing);
            return;
        }
        if self.modules.iter().any(|m| m.name == loaded.name) {
            let reason = format!("another module is already named `{}`", loaded.name);
            return self.fail(id, &import, reason);
        }
        let new_id = self.modules.len() as u32;
        let scope = ModuleScope {
            name: loaded.name,
            key: Some(loaded.key.clone()),
            native: matches!(loaded.content, ModuleContent::Native),
            ..ModuleScope::default()
        };
        let file = match loaded.content {
            ModuleContent::Native => None,
            ModuleContent::Source(file) => Some(file),
        };
        let parsed = match file {
            None => None,
            Some(file) => {
                if let Some(problem) = crate::source::size_problem(file.text.len()) {
                    return self.fail(id, &import, problem.message);
                }
                let Some(base) = self.sources.next_base(file.text.len()) else {
                    let reason = "the program's files together exceed 4 GiB".to_string();
                    return self.fail(id, &import, reason);
                };
                let (program, errors) = parser::parse_collecting_at(&file.text, base, self.limits);
                self.errors.append(errors);
                self.sources.add(file);
                if program.is_none() {
                    self.parse_failed = true;
                }
                program
            }
        };
        self.by_key.insert(loaded.key, new_id);
        self.modules.push(scope);
        self.modules[id as usize]
            .imports
            .insert(import.path, new_id);
        if let Some(program) = parsed {
            self.visit(new_id, program);
        }
    }

    /// E0106 for an import that could not be loaded.
    fn fail(&mut self, id: u32, import: &Import, reason: String) {
        let message = format!("cannot find module `{}`: {reason}", import.path);
        self.error(diagnostic::UNKNOWN_MODULE, message, import);
        self.modules[id as usize]
            .failed_imports
            .insert(import.path.clone());
    }
}
