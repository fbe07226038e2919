//! Deep nesting is refused with E0001 instead of overflowing the stack, and programs just
//! under the limit compile (`compile` runs on its own large-stack thread, so this holds on a 2 MiB test thread).

use cairn_lang::{SourceFile, compile};

fn compile_text(text: String) -> Result<(), Vec<cairn_lang::Diagnostic>> {
    compile(&SourceFile::new("deep.cairn", text)).map(|_| ())
}

#[test]
fn nesting_just_under_the_limit_compiles() {
    let depth = 250;
    let parens = format!("fn main() = {}1{}", "(".repeat(depth), ")".repeat(depth));
    compile_text(parens).unwrap();
    let blocks = format!("fn main() = {}1{}", "{ ".repeat(depth), " }".repeat(depth));
    compile_text(blocks).unwrap();
    let chain = format!("fn main() = 1{}", " + 1".repeat(250));
    compile_text(chain).unwrap();
    let else_ifs = format!("fn main() = {} 0", "if false then 1 else ".repeat(250));
    compile_text(else_ifs).unwrap();
}

#[test]
fn nesting_past_the_limit_is_a_syntax_error() {
    for text in [
        format!("fn main() = {}1{}", "(".repeat(5000), ")".repeat(5000)),
        format!("fn main() = 1{}", " + 1".repeat(5000)),
        format!("fn main() = {}1", "-".repeat(5000)),
        format!("fn main() = {}true", "not ".repeat(5000)),
        format!("fn main() = {}1{}", "[".repeat(5000), "]".repeat(5000)),
    ] {
        let errors = compile_text(text).unwrap_err();
        assert_eq!(errors[0].code, "E0001");
        assert!(
            errors[0].message.contains("nested more than"),
            "{}",
            errors[0].message
        );
    }
}
