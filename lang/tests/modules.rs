//! Modules in the front end (docs/LANGUAGE.md, "Modules"): the import graph through a
//! loader, qualified names, export rules, and diagnostics pointing into the right file.

use std::collections::BTreeMap;

use cairn_lang::modules::{LoadedModule, ModuleContent, ModuleLoader};
use cairn_lang::{Diagnostic, SourceFile, SourceMap};

struct Memory(BTreeMap<&'static str, &'static str>);

impl ModuleLoader for Memory {
    fn load(&mut self, _importer: Option<&str>, path: &str) -> Result<LoadedModule, String> {
        let text = self.0.get(path).ok_or("no such module")?;
        Ok(LoadedModule {
            key: path.to_string(),
            name: path.to_string(),
            content: ModuleContent::Source(SourceFile::new(format!("{path}.cairn"), *text)),
        })
    }
}

fn compile(
    root: &str,
    modules: &[(&'static str, &'static str)],
) -> (Result<cairn_lang::ir::Module, Vec<Diagnostic>>, SourceMap) {
    let mut loader = Memory(modules.iter().copied().collect());
    cairn_lang::compile_with_modules(SourceFile::new("main.cairn", root), &[], &mut loader)
}

/// Each diagnostic as `code file:line:col message`.
fn errors(root: &str, modules: &[(&'static str, &'static str)]) -> Vec<String> {
    let (result, map) = compile(root, modules);
    result
        .unwrap_err()
        .iter()
        .map(|d| {
            let (file, at) = map.line_column(d.span.start);
            format!(
                "{} {}:{}:{} {}",
                d.code, file.name, at.line, at.column, d.message
            )
        })
        .collect()
}

#[test]
fn qualified_calls_reach_exported_functions_compiled_once() {
    let (result, _) = compile(
        "import geometry\nimport util\nfn main() = geometry::area(2) + util::twice(1)",
        &[
            (
                "geometry",
                "import util\npub fn area(x) = util::twice(sq(x))\nfn sq(x) = x * x",
            ),
            ("util", "pub fn twice(x) = x * 2"),
        ],
    );
    let module = result.unwrap();
    let names: Vec<&str> = module.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["main", "geometry::area", "geometry::sq", "util::twice"]
    );
}

#[test]
fn a_private_helper_is_not_visible_outside_its_module() {
    assert_eq!(
        errors(
            "import m\nfn main() = m::helper(1)",
            &[("m", "fn helper(x) = x\npub fn f() = helper(2)")]
        ),
        [
            "E0109 main.cairn:2:13 function `helper` of module `m` is private: declare it `pub fn` to export it"
        ]
    );
}

#[test]
fn missing_names_modules_and_imports_point_into_their_files() {
    assert_eq!(
        errors(
            "import m\nimport nowhere\nfn main() = m::g() + nowhere::f() + other::h()",
            &[("m", "pub fn f() = root_fn()")]
        ),
        [
            "E0106 main.cairn:2:8 cannot find module `nowhere`: no such module",
            "E0108 main.cairn:3:13 module `m` has no function `g`",
            "E0110 main.cairn:3:37 module `other` is not imported: add `import other` at the top of this file",
            "E0101 m.cairn:1:14 unknown name `root_fn`",
        ]
    );
}

#[test]
fn an_import_cycle_is_reported_at_the_import_closing_it() {
    assert_eq!(
        errors(
            "import a\nfn main() = a::f()",
            &[
                ("a", "import b\npub fn f() = 1"),
                ("b", "import a\npub fn g() = 2")
            ]
        ),
        ["E0107 b.cairn:1:8 import cycle: a -> b -> a"]
    );
}

#[test]
fn syntax_errors_in_a_module_and_qualified_bindings() {
    assert_eq!(
        errors("import m\nfn main() = 1", &[("m", "pub fn f( = 1")]),
        ["E0001 m.cairn:1:11 expected a parameter name, found `=`"]
    );
    assert_eq!(
        errors("fn main() = {\n  m::x = 1\n  2\n}", &[]),
        ["E0001 main.cairn:2:3 the left side of `=` must be a name or a tuple of names"]
    );
    assert_eq!(
        errors("import m\nfn main() = m::if(1)", &[("m", "")]),
        ["E0001 main.cairn:2:13 a part of the qualified name `m::if` is a keyword"]
    );
    assert_eq!(
        errors("fn main() = 1\nimport m", &[]),
        ["E0001 main.cairn:2:1 an `import` must come before the first function of the file"]
    );
}

#[test]
fn without_a_loader_an_import_is_e0106() {
    let file = SourceFile::new("solo.cairn", "import util\nfn main() = 1");
    let errors = cairn_lang::compile(&file).unwrap_err();
    assert_eq!(errors[0].code, "E0106");
    assert_eq!(
        errors[0].message,
        "cannot find module `util`: no module resolver is installed"
    );
}
