//! Module resolvers (docs/EMBEDDING.md, "Modules"): the [`ModuleResolver`] trait an
//! embedder implements to serve the sources `import` names, the in-memory
//! [`MemoryResolver`], the filesystem [`FileResolver`] the `cairn` CLI uses (imports
//! relative to the importing file), and the adapter that puts native modules first.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use cairn_lang::SourceFile;
use cairn_lang::modules::{LoadedModule, ModuleContent, ModuleLoader};

/// The source of one module, as a [`ModuleResolver`] returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleSource {
    /// Identifies the module: imports that resolve to one key are one module, compiled once
    /// ([`FileResolver`]'s key holds the module's directory, name and canonical path). Given
    /// back to the resolver as the `importer` of the module's own imports.
    pub key: String,
    /// The module's qualified name, the prefix of its functions in call stacks and
    /// [`crate::Module::function_names`] (`shapes::circle` → `shapes::circle::area`).
    pub name: String,
    /// The file name diagnostics show (`--> shapes/circle.cairn:3:5`).
    pub file_name: String,
    /// The source text.
    pub text: String,
}

impl ModuleSource {
    /// A module whose key and name are `name`, shown in diagnostics as `name.cairn` with
    /// `::` as `/` (what [`MemoryResolver`] serves).
    pub fn new(name: &str, text: impl Into<String>) -> ModuleSource {
        ModuleSource {
            key: name.to_string(),
            name: name.to_string(),
            file_name: format!("{}.cairn", name.replace("::", "/")),
            text: text.into(),
        }
    }
}

/// Finds the source an `import` names. `path` is what the file wrote (`util`,
/// `shapes::circle`); `importer` is the [`ModuleSource::key`] of the importing module, `None`
/// for the file given to [`crate::Engine::compile`]. An `Err` is the reason shown in the
/// E0106 `cannot find module` diagnostic. Called once per distinct import of each module
/// during [`crate::Engine::compile`], on the compiler's thread.
///
/// ```
/// use cairn::{Engine, EngineKind, Limits, ModuleResolver, ModuleSource};
///
/// struct Generated;
/// impl ModuleResolver for Generated {
///     fn resolve(&self, _importer: Option<&str>, path: &str) -> Result<ModuleSource, String> {
///         match path {
///             "answers" => Ok(ModuleSource::new(path, "pub fn answer() = 42")),
///             _ => Err("only `answers` is generated".into()),
///         }
///     }
/// }
/// let mut engine = Engine::new(EngineKind::Interpreter);
/// engine.set_resolver(Generated);
/// let module = engine.compile("main.cairn", "import answers\nfn main() = answers::answer()").unwrap();
/// let mut rt = engine.runtime(Limits::default()).unwrap();
/// assert_eq!(rt.call::<i64>(&module, "main", ()).unwrap(), 42);
/// ```
pub trait ModuleResolver: Send + Sync {
    fn resolve(&self, importer: Option<&str>, path: &str) -> Result<ModuleSource, String>;
}

/// Serves modules from memory by the path an `import` writes (`add("shapes::circle", src)`
/// answers `import shapes::circle` from any file).
///
/// ```
/// use cairn::{Engine, EngineKind, Limits, MemoryResolver};
///
/// let mut engine = Engine::new(EngineKind::Jit);
/// engine.set_resolver(
///     MemoryResolver::new()
///         .add("geometry", "pub fn area(w, h) = w * h")
///         .add("shapes::square", "import geometry\npub fn area(s) = geometry::area(s, s)"),
/// );
/// let module = engine
///     .compile("main.cairn", "import shapes::square\nfn main() = shapes::square::area(3)")
///     .unwrap();
/// let mut rt = engine.runtime(Limits::default()).unwrap();
/// assert_eq!(rt.call::<i64>(&module, "main", ()).unwrap(), 9);
/// assert_eq!(module.function_names(), ["main", "shapes::square::area", "geometry::area"]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct MemoryResolver {
    modules: BTreeMap<String, String>,
}

impl MemoryResolver {
    pub fn new() -> MemoryResolver {
        MemoryResolver::default()
    }

    /// Adds (or replaces) module `path` with source `text`.
    pub fn add(mut self, path: &str, text: impl Into<String>) -> MemoryResolver {
        self.insert(path, text);
        self
    }

    /// [`MemoryResolver::add`] by reference.
    pub fn insert(&mut self, path: &str, text: impl Into<String>) {
        self.modules.insert(path.to_string(), text.into());
    }
}

impl ModuleResolver for MemoryResolver {
    fn resolve(&self, _importer: Option<&str>, path: &str) -> Result<ModuleSource, String> {
        match self.modules.get(path) {
            Some(text) => Ok(ModuleSource::new(path, text.clone())),
            None => Err("the resolver has no module of that name".into()),
        }
    }
}

/// Reads modules from files: `import util` in `dir/main.cairn` is `dir/util.cairn`, and
/// `import shapes::circle` is `dir/shapes/circle.cairn`, relative to the *importing* file's
/// directory (so `import util` in `dir/shapes/circle.cairn` is `dir/shapes/util.cairn`). A
/// module's qualified name is its path from the root file's directory (`shapes::util`).
/// Files are read as the CLI reads a program: at most 64 MiB (E0004's limit), UTF-8.
#[derive(Clone, Debug)]
pub struct FileResolver {
    root_dir: PathBuf,
}

impl FileResolver {
    /// Resolves the imports of the program whose root file is `root_file`.
    pub fn for_root_file(root_file: &Path) -> FileResolver {
        let root_dir = root_file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        FileResolver { root_dir }
    }
}

impl ModuleResolver for FileResolver {
    fn resolve(&self, importer: Option<&str>, path: &str) -> Result<ModuleSource, String> {
        let parts: Vec<&str> = path.split("::").collect();
        let (dir, prefix) = match importer {
            None => (self.root_dir.clone(), Vec::new()),
            Some(key) => {
                let mut fields = key.splitn(3, '\n');
                let dir = fields.next().unwrap_or("");
                let name = fields.next().unwrap_or("");
                let mut prefix: Vec<String> = name.split("::").map(str::to_string).collect();
                prefix.pop();
                (PathBuf::from(dir), prefix)
            }
        };
        let mut file = dir.clone();
        for part in &parts {
            file.push(part);
        }
        file.set_extension("cairn");
        let bytes = read_limited(&file)
            .map_err(|error| format!("cannot read `{}`: {error}", file.display()))?;
        let text =
            String::from_utf8(bytes).map_err(|_| format!("`{}` is not UTF-8", file.display()))?;
        let name: Vec<String> = prefix
            .into_iter()
            .chain(parts.iter().map(|p| p.to_string()))
            .collect();
        let name = name.join("::");
        let module_dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let identity = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
        Ok(ModuleSource {
            // The directory the module's own imports are relative to, then its name, then
            // the file's identity (one file is one module, however it is reached).
            key: format!("{}\n{name}\n{}", module_dir.display(), identity.display()),
            name,
            file_name: file.display().to_string(),
            text,
        })
    }
}

/// A file's bytes, refusing one over the source limit before reading it all.
fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    let limit = cairn_lang::source::MAX_SOURCE_BYTES as u64;
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::other(format!(
            "it exceeds the source limit of {limit} bytes"
        )));
    }
    Ok(bytes)
}

/// The compiler's loader for one compilation: native modules first, then the resolver.
pub(crate) struct Loader<'r> {
    pub natives: &'r BTreeSet<String>,
    pub resolver: Option<&'r dyn ModuleResolver>,
}

impl ModuleLoader for Loader<'_> {
    fn load(&mut self, importer: Option<&str>, path: &str) -> Result<LoadedModule, String> {
        if self.natives.contains(path) {
            return Ok(LoadedModule {
                key: format!("native module {path}"),
                name: path.to_string(),
                content: ModuleContent::Native,
            });
        }
        let Some(resolver) = self.resolver else {
            return Err("no module resolver is installed".into());
        };
        let source = resolver.resolve(importer, path)?;
        Ok(LoadedModule {
            key: source.key,
            name: source.name,
            content: ModuleContent::Source(SourceFile::new(source.file_name, source.text)),
        })
    }
}
