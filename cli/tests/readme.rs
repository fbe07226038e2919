//! The README's promises: exactly the two set-up commands, and every linked doc exists.

mod support;

fn readme() -> String {
    std::fs::read_to_string(support::repo_root().join("README.md")).expect("README.md")
}

#[test]
fn readme_gives_the_two_setup_commands() {
    let text = readme();
    let block_start = text.find("```sh\n").expect("a sh block") + "```sh\n".len();
    let block_end = block_start + text[block_start..].find("```").expect("block end");
    let commands: Vec<&str> = text[block_start..block_end].lines().collect();
    assert_eq!(
        commands,
        [
            "cargo run --release -- run examples/tour.cairn",
            "cargo test --workspace"
        ]
    );
    assert!(support::repo_root().join("examples/tour.cairn").is_file());
}

#[test]
fn every_linked_document_exists() {
    let text = readme();
    let mut links = 0;
    for piece in text.split("](").skip(1) {
        let target = &piece[..piece.find(')').expect("closing paren")];
        if target.starts_with("http") {
            continue;
        }
        links += 1;
        assert!(
            support::repo_root().join(target).is_file(),
            "README links to missing {target}"
        );
    }
    assert!(links >= 3, "README links to docs/");
}
