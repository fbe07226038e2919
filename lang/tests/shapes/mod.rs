//! Source programs of a size N whose failure paths once grew faster than N (shared by the
//! IR-size tests here; the JIT's tests include this file too). Each fails at its end, so
//! every cleanup is needed.

/// N heap locals live at once, then a chain of fallible ops reading them, then a failure.
pub fn live_locals(n: usize) -> String {
    let mut lines: Vec<String> = (0..n).map(|i| format!("  a{i} = [{i}];")).collect();
    lines.push("  t0 = len(a0);".into());
    lines.extend((1..n).map(|i| format!("  t{i} = t{} + len(a{i});", i - 1)));
    lines.push(format!("  t{} / 0", n - 1));
    format!("fn main() = {{\n{}\n}}\n", lines.join("\n"))
}

/// A value call of a lambda of N params with N heap arguments.
pub fn value_call(n: usize) -> String {
    let params: Vec<String> = (0..n).map(|i| format!("x{i}")).collect();
    let args: Vec<String> = (0..n).map(|i| format!("[{i}]")).collect();
    format!(
        "fn main() = {{\n  f = \\{} -> len(x0) / 0;\n  f({})\n}}\n",
        params.join(", "),
        args.join(", ")
    )
}

/// A lambda capturing N heap locals (and reading each).
pub fn captures(n: usize) -> String {
    let mut lines: Vec<String> = (0..n).map(|i| format!("  a{i} = [{i}];")).collect();
    let uses: Vec<String> = (0..n).map(|i| format!("u{i} = len(a{i})")).collect();
    lines.push(format!("  f = \\ -> {{ {}; u0 / 0 }};", uses.join("; ")));
    lines.push("  f()".into());
    format!("fn main() = {{\n{}\n}}\n", lines.join("\n"))
}

/// A generate block of N `x <- [i]; yield [x]` items, then a failing yield.
pub fn generate(n: usize) -> String {
    let mut items: Vec<String> = (0..n)
        .flat_map(|i| [format!("x{i} <- [{i}]"), format!("yield [x{i}]")])
        .collect();
    items.push("yield 1 / 0".into());
    format!(
        "fn main() = collect(generate {{\n  {}\n}})\n",
        items.join(";\n  ")
    )
}

/// As [`generate`], with a last yield of every bind: each piece captures all earlier binds.
pub fn generate_all(n: usize) -> String {
    let mut items: Vec<String> = (0..n)
        .flat_map(|i| [format!("x{i} <- [{i}]"), format!("yield x{i}")])
        .collect();
    let all: Vec<String> = (0..n).map(|i| format!("x{i}")).collect();
    items.push(format!("yield [{}]", all.join(", ")));
    items.push("yield 1 / 0".into());
    format!(
        "fn main() = collect(generate {{\n  {}\n}})\n",
        items.join(";\n  ")
    )
}

/// N Int binds (each a fallible `+`) live until one list literal of them all, whose last
/// element fails.
pub fn int_binds(n: usize) -> String {
    let mut lines: Vec<String> = (0..n).map(|i| format!("  x{i} = {i} + 0;")).collect();
    let all: Vec<String> = (0..n).map(|i| format!("x{i}")).collect();
    lines.push(format!("  [{}, \"t\" ++ 1]", all.join(", ")));
    format!("fn main() = {{\n{}\n}}\n", lines.join("\n"))
}
