//! Name resolution: the function table (with the E0102/E0103/E0104 checks), the local scope
//! stack with shadowing, and what a called name refers to (a function, a builtin, or
//! `concat`). Lowering consults these while it walks the AST and reports E0101/E0105 with the
//! use site's span.

use std::collections::{BTreeMap, BTreeSet};

use crate::ast::{FunctionDef, Name, Program};
use crate::diagnostic::{self, Diagnostic, DiagnosticList};
use crate::ir::{Builtin, FuncId, HostSignature, Span, Var};

/// What a name in call position refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Callee {
    Function(FuncId),
    Builtin(Builtin),
    /// `concat(a, b)`, lowered to `BinaryOp::Concat`.
    Concat,
    /// A host function registered by the embedder (index into `FunctionTable::hosts`).
    Host(u32),
}

#[derive(Clone, Debug)]
pub struct FunctionEntry {
    pub name: String,
    pub arity: usize,
    /// The module it belongs to (0: the root file; see [`crate::modules::ModuleGraph`]).
    pub module: u32,
    /// Declared `pub fn`: other modules may call it.
    pub public: bool,
}

/// What a name in call (or value) position of a module's function resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// `key` is the target's name in the program (`geometry::area`, `len`, a host's name).
    Found { key: String, callee: Callee },
    /// Not a function: the diagnostic's code and message.
    Missing { code: &'static str, message: String },
    /// A qualified name through an import already reported as E0106.
    AlreadyReported,
}

#[derive(Clone, Debug)]
pub struct FunctionTable {
    pub functions: Vec<FunctionEntry>,
    by_name: BTreeMap<String, FuncId>,
    pub main: FuncId,
    /// The embedder's host functions, callable by name like script functions.
    pub hosts: Vec<HostSignature>,
    /// Names with a function definition that is E0102 (defined twice, or a builtin's or a
    /// host function's name): lowering still resolves them (to the first definition, the
    /// builtin or the host function) but does not report arity mismatches against them,
    /// which would only repeat the E0102.
    contested: BTreeSet<String>,
    /// The program's modules (one, the root file, for a single-file program).
    pub modules: Vec<crate::modules::ModuleScope>,
}

/// Whether `name` is a builtin's (docs/LANGUAGE.md, "Standard library"): a host function of
/// that name could never be called, the builtin would win.
pub fn is_builtin_name(name: &str) -> bool {
    Builtin::from_name(name).is_some() || name == "concat"
}

/// Builds the function table; reports duplicate functions/params, a missing `main`, and a
/// `main` with params. Functions are numbered in source order.
pub fn build_function_table(program: &Program) -> Result<FunctionTable, Vec<Diagnostic>> {
    build_function_table_with_hosts(program, &[])
}

/// [`build_function_table`] with the embedder's host functions in scope. A script function
/// with a host function's name is E0102.
pub fn build_function_table_with_hosts(
    program: &Program,
    hosts: &[HostSignature],
) -> Result<FunctionTable, Vec<Diagnostic>> {
    let (table, errors) = function_table(program, hosts);
    if errors.is_empty() {
        Ok(table)
    } else {
        Err(errors.into_sorted())
    }
}

/// [`build_function_table_with_hosts`], its diagnostics still open for merging. The table
/// is built even when there are diagnostics (the first definition of a name wins; without a
/// `main` the entry is function 0), so lowering can still report every function's unknown
/// names and arity mismatches in the same compilation (docs/LANGUAGE.md, "Diagnostics").
pub(crate) fn function_table(
    program: &Program,
    hosts: &[HostSignature],
) -> (FunctionTable, DiagnosticList) {
    let graph = crate::modules::ModuleGraph::single_file(program.functions.len());
    function_table_of_modules(program, hosts, &graph)
}

/// [`function_table`] of a program merged from modules: function `i` belongs to module
/// `graph.function_modules[i]`; a module's function may not take a builtin's or a (global)
/// host function's name either.
pub(crate) fn function_table_of_modules(
    program: &Program,
    hosts: &[HostSignature],
    graph: &crate::modules::ModuleGraph,
) -> (FunctionTable, DiagnosticList) {
    let mut errors = DiagnosticList::default();
    let mut by_name = BTreeMap::new();
    let mut contested = BTreeSet::new();
    let mut functions = Vec::new();
    for (index, function) in program.functions.iter().enumerate() {
        let name = &function.name.text;
        let module = graph.function_modules.get(index).copied().unwrap_or(0);
        let local = local_name(name);
        let hosted = hosts.iter().any(|host| host.name == local);
        let name_display = local;
        let is_builtin = is_builtin_name(local);
        if by_name.contains_key(name) || is_builtin || hosted {
            contested.insert(name.clone());
        }
        if by_name.contains_key(name) {
            errors.push(Diagnostic::new(
                diagnostic::DUPLICATE_DEFINITION,
                format!("duplicate definition: function `{name}` is already defined"),
                function.name.span,
            ));
        } else if is_builtin {
            errors.push(Diagnostic::new(
                diagnostic::DUPLICATE_DEFINITION,
                format!("duplicate definition: `{name_display}` is a builtin"),
                function.name.span,
            ));
        } else if hosted {
            errors.push(Diagnostic::new(
                diagnostic::DUPLICATE_DEFINITION,
                format!("duplicate definition: `{name_display}` is a host function"),
                function.name.span,
            ));
        } else {
            by_name.insert(name.clone(), FuncId(index as u32));
        }
        check_duplicate_params(function, &mut errors);
        functions.push(FunctionEntry {
            name: name.clone(),
            arity: function.params.len(),
            module,
            public: function.public,
        });
    }
    let main = match by_name.get("main") {
        Some(&id) => {
            let definition = &program.functions[id.0 as usize];
            if !definition.params.is_empty() {
                errors.push(Diagnostic::new(
                    diagnostic::MAIN_TAKES_NO_PARAMS,
                    format!(
                        "`main` takes no parameters, but it declares {}",
                        definition.params.len()
                    ),
                    definition.name.span,
                ));
            }
            id
        }
        None => {
            errors.push(Diagnostic::new(
                diagnostic::NO_MAIN,
                "no `main` function: a program needs `fn main() = ...`",
                Span::default(),
            ));
            FuncId(0)
        }
    };
    let table = FunctionTable {
        functions,
        by_name,
        main,
        hosts: hosts.to_vec(),
        contested,
        modules: graph.modules.clone(),
    };
    (table, errors)
}

/// The last part of a qualified name (`area` of `geometry::area`), or the name itself.
pub fn local_name(name: &str) -> &str {
    name.rsplit("::").next().unwrap_or(name)
}

fn check_duplicate_params(function: &FunctionDef, errors: &mut DiagnosticList) {
    for param in repeated_names(&function.params) {
        errors.push(Diagnostic::new(
            diagnostic::DUPLICATE_DEFINITION,
            format!(
                "duplicate definition: parameter `{}` of `{}` is already defined",
                param.text, function.name.text
            ),
            param.span,
        ));
    }
}

/// Every name of `names` that repeats an earlier one, in order (linear: a hostile list of
/// parameters or a pattern may hold a million names).
pub(crate) fn repeated_names(names: &[Name]) -> Vec<&Name> {
    let mut seen = std::collections::HashSet::with_capacity(names.len());
    names
        .iter()
        .filter(|name| !seen.insert(name.text.as_str()))
        .collect()
}

/// E0102 for every name bound twice by one tuple pattern (`(a, a) = e`, `loop (a, a) = e`),
/// at the repeated name.
pub(crate) fn check_pattern_names(names: &[Name], errors: &mut DiagnosticList) {
    for name in repeated_names(names) {
        errors.push(Diagnostic::new(
            diagnostic::DUPLICATE_DEFINITION,
            format!(
                "duplicate definition: `{}` is bound twice in one pattern",
                name.text
            ),
            name.span,
        ));
    }
}

impl FunctionTable {
    pub fn function_id(&self, name: &str) -> Option<FuncId> {
        self.by_name.get(name).copied()
    }

    /// Whether `name` has a function definition that is E0102 (see `contested`).
    pub fn is_contested(&self, name: &str) -> bool {
        self.contested.contains(name)
    }

    pub fn entry(&self, id: FuncId) -> &FunctionEntry {
        &self.functions[id.0 as usize]
    }

    /// What `name`, written in a function of module `module`, refers to (locals are
    /// checked by the caller first; docs/LANGUAGE.md, "Modules"). An unqualified name is
    /// one of the module's own functions, a builtin or a host function; `m::f` is function
    /// `f` of a module the file imports as `m`, which must be `pub` unless it is the
    /// module's own.
    pub fn resolve(&self, module: u32, name: &str) -> Resolution {
        let found = |key: String, callee| Resolution::Found { key, callee };
        let scope = &self.modules[module as usize];
        let Some((path, local)) = name.rsplit_once("::") else {
            let own = if scope.name.is_empty() {
                self.function_id(name)
            } else {
                self.function_id(&format!("{}::{name}", scope.name))
            };
            if let Some(id) = own {
                return found(self.entry(id).name.clone(), Callee::Function(id));
            }
            if let Some(callee) = self.global_callee(name) {
                return found(name.to_string(), callee);
            }
            return Resolution::Missing {
                code: diagnostic::UNKNOWN_NAME,
                message: format!("unknown name `{name}`"),
            };
        };
        let Some(&target) = scope.imports.get(path) else {
            if scope.failed_imports.contains(path) {
                return Resolution::AlreadyReported;
            }
            return Resolution::Missing {
                code: diagnostic::MODULE_NOT_IMPORTED,
                message: format!(
                    "module `{path}` is not imported: add `import {path}` at the top of this file"
                ),
            };
        };
        let target_scope = &self.modules[target as usize];
        let key = format!("{}::{local}", target_scope.name);
        if target_scope.native {
            if let Some(index) = self.hosts.iter().position(|host| host.name == key) {
                return found(key, Callee::Host(index as u32));
            }
        } else if let Some(id) = self.function_id(&key) {
            if !self.entry(id).public && target != module {
                return Resolution::Missing {
                    code: diagnostic::PRIVATE_FUNCTION,
                    message: format!(
                        "function `{local}` of module `{path}` is private: declare it `pub fn` to export it"
                    ),
                };
            }
            return found(key, Callee::Function(id));
        } else if self.contested.contains(&key) {
            // Defined, but E0102 (a builtin's name): already reported at the definition.
            return Resolution::AlreadyReported;
        }
        Resolution::Missing {
            code: diagnostic::NO_SUCH_MODULE_FUNCTION,
            message: format!("module `{path}` has no function `{local}`"),
        }
    }

    /// A builtin, `concat` or a host function of no module, by name.
    fn global_callee(&self, name: &str) -> Option<Callee> {
        if let Some(builtin) = Builtin::from_name(name) {
            return Some(Callee::Builtin(builtin));
        }
        if let Some(index) = self.hosts.iter().position(|host| host.name == name) {
            return Some(Callee::Host(index as u32));
        }
        match name {
            "concat" => Some(Callee::Concat),
            _ => None,
        }
    }

    /// What `name` refers to as a callee (locals are checked by the caller first).
    pub fn callee(&self, name: &str) -> Option<Callee> {
        if let Some(id) = self.function_id(name) {
            return Some(Callee::Function(id));
        }
        if let Some(builtin) = Builtin::from_name(name) {
            return Some(Callee::Builtin(builtin));
        }
        if let Some(index) = self.hosts.iter().position(|host| host.name == name) {
            return Some(Callee::Host(index as u32));
        }
        match name {
            "concat" => Some(Callee::Concat),
            _ => None,
        }
    }
}

/// Local bindings, innermost last; a later binding of the same name shadows earlier ones.
#[derive(Clone, Debug, Default)]
pub struct LocalScope {
    bindings: Vec<(String, Var)>,
}

impl LocalScope {
    pub fn bind(&mut self, name: &str, var: Var) {
        self.bindings.push((name.to_string(), var));
    }

    pub fn lookup(&self, name: &str) -> Option<Var> {
        self.bindings
            .iter()
            .rev()
            .find(|(bound, _)| bound == name)
            .map(|&(_, var)| var)
    }

    /// A mark to pass to [`LocalScope::restore`] when the current block ends.
    pub fn mark(&self) -> usize {
        self.bindings.len()
    }

    pub fn restore(&mut self, mark: usize) {
        self.bindings.truncate(mark);
    }
}
