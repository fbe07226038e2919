//! Checks that the repository stands on its own: no file cites a document the repository does
//! not contain, docs/ARCHITECTURE.md's code map names every source file of every workspace
//! crate, and every citation of a repository doc by heading names a heading that doc has.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace crates, by folder, as the code map's `### \`folder\`` headings name them.
const CRATES: [&str; 10] = [
    "runtime",
    "lang",
    "reference",
    "engine_support",
    "interp",
    "jit",
    "embed",
    "conformance",
    "benches",
    "cli",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("workspace root")
}

/// This file: it spells out the patterns it looks for, so it is not checked itself.
const THIS_FILE: &str = "engine_support/tests/repository_docs.rs";

/// Every file of the repository outside `target/`, relative to the root with `/`
/// separators: the files git tracks plus new ones it does not ignore, or, without git, every
/// file under the root outside hidden folders and `target*` folders.
fn repository_files() -> Vec<String> {
    let root = root();
    let listed = Command::new("git")
        .args([
            "ls-files",
            "--cached",
            "--others",
            "--exclude-standard",
            "-z",
        ])
        .current_dir(&root)
        .output()
        .ok()
        .filter(|output| output.status.success());
    let mut files: Vec<String> = match listed {
        Some(output) => String::from_utf8_lossy(&output.stdout)
            .split('\0')
            .filter(|name| !name.is_empty())
            .map(str::to_string)
            .collect(),
        None => {
            let mut found = Vec::new();
            walk(&root, &root, &mut found);
            found
        }
    };
    files.retain(|name| {
        !name.starts_with("target/") && name != THIS_FILE && root.join(name).is_file()
    });
    files.sort();
    files
}

fn walk(root: &Path, dir: &Path, found: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !name.starts_with('.') && !name.starts_with("target") {
                walk(root, &path, found);
            }
        } else if let Ok(relative) = path.strip_prefix(root) {
            found.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// The text of a repository file, or `None` for a file that is not UTF-8 text.
fn text_of(relative: &str) -> Option<String> {
    std::fs::read_to_string(root().join(relative)).ok()
}

/// Citations of documents that are not in the repository (the product contract the project
/// was built to and the two source designs): `<SPEC> §`, `<SPEC>.md`, `seed 00N`, and any
/// numbered section reference `§N`, case-insensitively.
fn foreign_citations(text: &str) -> Vec<(usize, String)> {
    let spec = ["SP", "EC"].concat().to_lowercase();
    let section = '\u{a7}';
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let lower = line.to_lowercase();
        let chars: Vec<char> = lower.chars().collect();
        let mut why = None;
        if lower.contains(&format!("{spec} {section}")) || lower.contains(&format!("{spec}.md")) {
            why = Some("cites the product contract");
        }
        let seed = ["se", "ed 00"].concat();
        for (at, _) in lower.match_indices(&seed) {
            if lower[at + seed.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
            {
                why = Some("cites a source design");
            }
        }
        for pair in chars.windows(2) {
            if pair[0] == section && pair[1].is_ascii_digit() {
                why = why.or(Some("cites a numbered section"));
            }
        }
        if let Some(why) = why {
            found.push((number + 1, format!("{why}: {}", line.trim())));
        }
    }
    found
}

#[test]
fn no_file_cites_a_document_the_repository_does_not_contain() {
    let mut problems = Vec::new();
    for file in repository_files() {
        let Some(text) = text_of(&file) else { continue };
        for (line, problem) in foreign_citations(&text) {
            problems.push(format!("{file}:{line}: {problem}"));
        }
    }
    assert!(
        problems.is_empty(),
        "cite the repository's docs (docs/LANGUAGE.md, ABI.md, MEMORY.md, EMBEDDING.md) \
         by heading instead:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_foreign_citation_check_fires() {
    let spec = ["SP", "EC"].concat();
    let seed = ["Se", "ed 004"].concat();
    let cases = [
        format!("// {spec} \u{a7}3: one heap"),
        format!("see {spec}.md"),
        format!("//! {seed} \u{a7}4.1.1 Deep Nesting"),
        "the \u{a7}4.5 parameters".to_string(),
    ];
    for case in &cases {
        assert_eq!(foreign_citations(case).len(), 1, "not caught: {case}");
    }
    for fine in [
        "a fuzz run's seed 12 and --seed S",
        "the seed of program I",
        "\u{a7} alone is a character",
        "spec of the test",
    ] {
        assert!(foreign_citations(fine).is_empty(), "caught: {fine}");
    }
}

/// docs/ARCHITECTURE.md's code map, one text per crate section (`### \`folder\` (...)`).
fn code_map_sections() -> BTreeMap<String, String> {
    let architecture = text_of("docs/ARCHITECTURE.md").expect("docs/ARCHITECTURE.md");
    let start = architecture
        .find("\n## Code map\n")
        .expect("a Code map section");
    let rest = &architecture[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |at| at + 3);
    let map = &rest[..end];
    let mut sections = BTreeMap::new();
    for part in map.split("\n### ").skip(1) {
        let name = part
            .strip_prefix('`')
            .and_then(|tail| tail.split('`').next())
            .expect("a code map heading names its crate folder in backticks");
        sections.insert(name.to_string(), part.to_string());
    }
    sections
}

/// Whether `section` mentions `token` not glued to a longer name (`seq.rs` is not
/// mentioned by `objects/seq_pull.rs`, but is by `objects/seq.rs` and `` `seq.rs` ``).
fn mentions(section: &str, token: &str) -> bool {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    section.match_indices(token).any(|(at, _)| {
        let before = section[..at].chars().next_back();
        let after = section[at + token.len()..].chars().next();
        !before.is_some_and(is_name) && !after.is_some_and(is_name)
    })
}

/// The `.rs` files under `crate_dir/src`, relative to that `src`.
fn source_files(crate_dir: &str) -> Vec<String> {
    let src = root().join(crate_dir).join("src");
    let mut found = Vec::new();
    walk(&src, &src, &mut found);
    found.retain(|name| name.ends_with(".rs"));
    found.sort();
    found
}

/// How a code map section must name `file` (relative to `src/`): a `mod.rs` by its folder
/// (`shims/` or `abi/shims/`); a file whose name no other file of the crate has by that name;
/// one whose name another file shares by its path from at least its own folder
/// (`shims/seq.rs`), except that a file directly in `src/` may go by its name alone.
fn is_named(section: &str, file: &str, shared_names: &BTreeSet<String>) -> bool {
    let parts: Vec<&str> = file.split('/').collect();
    let name = parts[parts.len() - 1];
    if name == "mod.rs" && parts.len() > 1 {
        return (0..parts.len() - 1).any(|from| {
            let folder = format!("{}/", parts[from..parts.len() - 1].join("/"));
            mentions(section, &folder)
        });
    }
    if !shared_names.contains(name) || parts.len() == 1 {
        return mentions(section, name) || mentions(section, file);
    }
    (0..parts.len() - 1).any(|from| mentions(section, &parts[from..].join("/")))
}

#[test]
fn the_code_map_names_every_source_file() {
    let sections = code_map_sections();
    let mut problems = Vec::new();
    for crate_dir in CRATES {
        let Some(section) = sections.get(crate_dir) else {
            problems.push(format!("no code map section `### \\`{crate_dir}\\``"));
            continue;
        };
        let files = source_files(crate_dir);
        let mut seen = BTreeSet::new();
        let mut shared_names = BTreeSet::new();
        for file in &files {
            let name = file.rsplit('/').next().expect("a file name").to_string();
            if !seen.insert(name.clone()) {
                shared_names.insert(name);
            }
        }
        for file in &files {
            if !is_named(section, file, &shared_names) {
                problems.push(format!("{crate_dir}/src/{file}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "docs/ARCHITECTURE.md's code map does not name these files (name each in its crate's \
         section):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_code_map_rule_tells_files_apart() {
    let section = "- `objects/seq.rs`, `seq_pull.rs`: cursors. `abi/shims/`: one file per kind \
                   (`list.rs`). `lib.rs`: the root.";
    let shared: BTreeSet<String> = ["seq.rs".to_string()].into();
    assert!(is_named(section, "objects/seq.rs", &shared));
    assert!(!is_named(section, "abi/shims/seq.rs", &shared));
    assert!(is_named(section, "objects/seq_pull.rs", &shared));
    assert!(is_named(section, "abi/shims/mod.rs", &shared));
    assert!(is_named(section, "abi/shims/list.rs", &shared));
    assert!(!is_named(section, "objects/seq_clone.rs", &shared));
    assert!(!is_named(section, "heap/mod.rs", &shared));
    assert!(is_named(section, "lib.rs", &shared));
}

/// The headings of a markdown document (outside code fences), as written after the `#`s,
/// and also without a leading section number (`6. The C API` is also `The C API`).
fn headings(markdown: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut in_fence = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || !line.starts_with('#') {
            continue;
        }
        let title = collapse(line.trim_start_matches('#'));
        if let Some((number, rest)) = title.split_once(". ")
            && !number.is_empty()
            && number.chars().all(|c| c.is_ascii_digit() || c == '.')
        {
            found.insert(rest.to_string());
        }
        found.insert(title);
    }
    found
}

/// `text` with every run of whitespace one space, trimmed.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The citations `docs/X.md, "Title"` (also `X.md, "Title"` and without the comma) in `text`:
/// `(line, document as written, title)`, the title's line breaks and comment markers (`//!`, `///`,
/// `//`, `*`, `#`) read as one space. A quote left open for 200 characters is reported with
/// an empty title.
fn doc_citations(text: &str) -> Vec<(usize, String, String)> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(offset) = text[at..].find(".md") {
        let end = at + offset + 3;
        at = end;
        let mut start = end - 3;
        while start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
            start -= 1;
        }
        let name = &text[start..end - 3];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
            continue;
        }
        let prefixed = text[..start].ends_with("docs/");
        if start > 0 && !prefixed && (bytes[start - 1] == b'/' || bytes[start - 1] == b'.') {
            continue;
        }
        let rest = &text[end..];
        let after_comma = rest.strip_prefix(',').unwrap_or(rest);
        let Some(quoted) = after_separator(after_comma).and_then(|r| r.strip_prefix('"')) else {
            continue;
        };
        let line = text[..end].matches('\n').count() + 1;
        let document = if prefixed {
            format!("docs/{name}.md")
        } else {
            format!("{name}.md")
        };
        match quoted.char_indices().take(200).find(|&(_, c)| c == '"') {
            Some((close, _)) => {
                let raw = &quoted[..close];
                let title = raw
                    .lines()
                    .map(|part| {
                        part.trim()
                            .trim_start_matches("//!")
                            .trim_start_matches("///")
                            .trim_start_matches("//")
                            .trim_start_matches('*')
                            .trim_start_matches('#')
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                found.push((line, document, collapse(&title)));
            }
            None => found.push((line, document, String::new())),
        }
    }
    found
}

/// `text` after the space (or the line break, comment marker and indentation) that separates
/// a document's name from the quoted title; `None` when there is none.
fn after_separator(text: &str) -> Option<&str> {
    if let Some(rest) = text.strip_prefix(' ') {
        return Some(rest);
    }
    let rest = text.strip_prefix('\n')?.trim_start();
    let rest = ["//!", "///", "//", "*", "#"]
        .iter()
        .find_map(|marker| rest.strip_prefix(marker))
        .unwrap_or(rest);
    Some(rest.trim_start_matches(' '))
}

#[test]
fn every_doc_citation_names_a_real_heading() {
    let docs: BTreeMap<String, BTreeSet<String>> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(entry.path()).ok()?;
            name.ends_with(".md").then(|| (name, headings(&text)))
        })
        .collect();
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in repository_files() {
        let Some(text) = text_of(&file) else { continue };
        for (line, document, title) in doc_citations(&text) {
            let bare = document.trim_start_matches("docs/");
            if bare == document && !docs.contains_key(bare) {
                continue;
            }
            checked += 1;
            match docs.get(bare) {
                None => problems.push(format!("{file}:{line}: {document} does not exist")),
                Some(_) if title.is_empty() => problems.push(format!(
                    "{file}:{line}: a quote after {document} never closes"
                )),
                Some(headings) if !headings.contains(&title) => problems.push(format!(
                    "{file}:{line}: {document} has no heading \"{title}\""
                )),
                Some(_) => {}
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} citations found: is the scan broken?"
    );
    assert!(
        problems.is_empty(),
        "citations that name no heading of their document:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_citation_reader_reads_wrapped_titles() {
    let text = "//! see docs/EMBEDDING.md, \"Soak\n//! test\" and MEMORY.md \"Overhead\"; \
                docs/X.md is not a doc, `a/B.md, \"x\"` neither, docs/ABI.md,\n  /// \"Handles\"";
    let found = doc_citations(text);
    assert_eq!(
        found,
        vec![
            (1, "docs/EMBEDDING.md".to_string(), "Soak test".to_string()),
            (2, "MEMORY.md".to_string(), "Overhead".to_string()),
            (2, "docs/ABI.md".to_string(), "Handles".to_string()),
        ]
    );
    let headings = headings("# Top\n## 6. The C API (`cairn.h`)\n```\n# not a heading\n```\n");
    assert!(headings.contains("The C API (`cairn.h`)"));
    assert!(headings.contains("6. The C API (`cairn.h`)"));
    assert!(!headings.contains("not a heading"));
}
