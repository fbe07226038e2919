//! Checks that what is written about the builtins agrees with lang's one builtin table
//! (`lang/src/ir/builtin/table.rs`): docs/LANGUAGE.md's *Builtins* and *Standard library* tables document every
//! public builtin with its arity and argument modes and nothing else, and the C header
//! `include/aivi_value_abi.h` declares the shim every builtin lowers to with its arity; and
//! that pipeline fusion charges fuel per as many items as the runtime's loops.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cairn_engine_support::builtin_shim;
use cairn_lang::ir::{Builtin, ParamMode};

fn repository_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

/// `name/arity: modes`, modes as the docs write them (`o` owned, `b` borrowed).
fn entry(name: &str, arity: usize, modes: &str) -> String {
    format!("{name}/{arity}: {modes}")
}

fn table_modes(builtin: Builtin) -> String {
    let letters: Vec<&str> = builtin
        .param_modes()
        .iter()
        .map(|mode| match mode {
            ParamMode::Owned => "o",
            ParamMode::Borrowed => "b",
        })
        .collect();
    letters.join(" ")
}

/// `cell` split at ` / `, repeated to `count` entries when it gives one for all.
fn per_call(cell: &str, count: usize, what: &str, row: &str) -> Vec<String> {
    let parts: Vec<String> = cell.split(" / ").map(|p| p.trim().to_string()).collect();
    match parts.len() {
        1 => vec![parts[0].clone(); count],
        n if n == count => parts,
        _ => panic!(
            "{what} column of `{row}` has {} entries for {count} calls",
            parts.len()
        ),
    }
}

/// The entries of docs/LANGUAGE.md's *Builtins* and *Standard library* tables: rows like
/// `` | `insert(m, k, v)` / `remove(m, k)` | 3 / 2 | o o o / o b | ... | ``.
fn documented_builtins() -> BTreeSet<String> {
    let docs = std::fs::read_to_string(repository_file("docs/LANGUAGE.md")).expect("docs");
    let section = |title: &str| -> String {
        docs.split(&format!("\n## {title}\n"))
            .nth(1)
            .unwrap_or_else(|| panic!("a {title} section"))
            .split("\n## ")
            .next()
            .expect("section text")
            .to_string()
    };
    let sections = section("Builtins") + &section("Standard library");
    let mut entries = BTreeSet::new();
    for row in sections.lines().filter(|line| line.starts_with("| `")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let calls: Vec<&str> = cells[1].split(" / ").map(str::trim).collect();
        let arities = per_call(cells[2], calls.len(), "arity", row);
        let modes = per_call(cells[3], calls.len(), "modes", row);
        for ((call, arity), modes) in calls.iter().zip(arities).zip(modes) {
            let call = call.trim_matches('`');
            let (name, args) = call.split_once('(').expect("a call `name(args)`");
            let args = args.strip_suffix(')').expect("a closed call");
            let written_arity = args.split(',').filter(|a| !a.trim().is_empty()).count();
            let arity: usize = arity.parse().expect("a number in the arity column");
            assert_eq!(arity, written_arity, "arity column vs `{call}` in `{row}`");
            assert_eq!(
                modes.split(' ').filter(|m| !m.is_empty()).count(),
                arity,
                "modes `{modes}` of `{call}`"
            );
            entries.insert(entry(name, arity, &modes));
        }
    }
    entries
}

#[test]
fn language_docs_list_exactly_the_public_builtins() {
    let mut documented = documented_builtins();
    // `concat(a, b)` is `a ++ b` spelled as a call (lang's `resolve.rs` lowers it to
    // `BinaryOp::Concat`), documented among the builtins but not one of them.
    assert_eq!(Builtin::from_name("concat"), None);
    assert!(
        documented.remove(&entry("concat", 2, "b b")),
        "{documented:?}"
    );
    let table: BTreeSet<String> = Builtin::ALL
        .iter()
        .filter_map(|&b| b.name().map(|name| entry(name, b.arity(), &table_modes(b))))
        .collect();
    let undocumented: Vec<&String> = table.difference(&documented).collect();
    let extra: Vec<&String> = documented.difference(&table).collect();
    assert!(
        undocumented.is_empty() && extra.is_empty(),
        "docs/LANGUAGE.md's Builtins table vs the builtin table: missing {undocumented:?}, \
         not builtins {extra:?}"
    );
}

/// `header` without its `/* ... */` comments.
fn strip_block_comments(header: &str) -> String {
    let mut code = String::new();
    let mut rest = header;
    while let Some(start) = rest.find("/*") {
        code.push_str(&rest[..start]);
        let end = rest[start..].find("*/").expect("closed comment");
        rest = &rest[start + end + 2..];
    }
    code + rest
}

/// The parameter counts of every declaration of function `name` in `code`.
fn declared_parameter_counts(code: &str, name: &str) -> Vec<usize> {
    let call = format!("{name}(");
    code.match_indices(&call)
        .filter(|(at, _)| {
            let before = code[..*at].chars().next_back();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
        .map(|(at, _)| {
            let params = &code[at + call.len()..];
            let params = &params[..params.find(')').expect("closed parameter list")];
            params.split(',').filter(|p| !p.trim().is_empty()).count()
        })
        .collect()
}

#[test]
fn header_declares_every_builtin_shim_with_its_arity() {
    let header =
        std::fs::read_to_string(repository_file("include/aivi_value_abi.h")).expect("the C header");
    let code = strip_block_comments(&header);
    for &builtin in Builtin::ALL {
        let symbol = builtin_shim(builtin).symbol();
        assert_eq!(
            declared_parameter_counts(&code, symbol),
            vec![builtin.arity() + 1],
            "{builtin:?}: include/aivi_value_abi.h declares {symbol} once, with the context \
             and {} words",
            builtin.arity()
        );
    }
}

/// Pipeline fusion (`lang/src/fuse_pipelines.rs`) charges a fused `sum`/`count` one fuel unit
/// per as many items as the runtime's loops do.
#[test]
fn fused_loops_charge_fuel_as_the_runtime_loops_do() {
    assert_eq!(
        cairn_lang::fuse_pipelines::ITEMS_PER_FUEL,
        cairn_runtime::objects::seq_consume::RUNTIME_LOOP_ITEMS_PER_FUEL as i64
    );
}
