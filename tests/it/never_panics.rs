//! The front end never panics: arbitrary text, and the reference design with random edits
//! (deleted, duplicated and inserted pieces), are parsed and checked, and every diagnostic's
//! span stays inside its file on character boundaries so every renderer can show it.

use archc::diagnostics::render;
use archc::{RootDatabase, Workspace};
use proptest::prelude::*;

fn example_text() -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/webapp");
    let files = archc::cli::load(std::path::Path::new(dir)).unwrap();
    files
        .into_iter()
        .map(|(_, text)| text)
        .collect::<Vec<_>>()
        .join("\n")
}

fn check_everything(text: String) {
    let db = RootDatabase::default();
    let workspace = Workspace::from_sources(&db, vec![("fuzz.arch".to_owned(), text)], crate::fixture::TODAY);
    for diagnostic in archc::diagnostics(&db, workspace) {
        let file_text = diagnostic.file.text(&db);
        assert!(diagnostic.span.start <= diagnostic.span.end, "{diagnostic:?}");
        assert!(diagnostic.span.end <= file_text.len(), "{diagnostic:?}");
        assert!(
            file_text.is_char_boundary(diagnostic.span.start),
            "{diagnostic:?}"
        );
        assert!(file_text.is_char_boundary(diagnostic.span.end), "{diagnostic:?}");
        let mut sink = Vec::new();
        render::human(&db, &diagnostic, false, &mut sink).unwrap();
        let _ = render::json(&db, &diagnostic);
    }
}

/// Pieces of the language, so mutations produce near-valid input, not only noise.
const PIECES: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "=",
    "->",
    ":",
    ",",
    ".",
    "/24",
    "10.0.0.0/16",
    "60s",
    "60%",
    "in ",
    "service x : fargate in container { }",
    "flow a -> b : https\n",
    "env e { }",
    "\n",
    "//",
    "é",
    "system s {",
    "route \"/*\" -> alb",
    "api.scale.min = 1",
    "tier t { }",
    "network {",
];

fn mutation() -> impl Strategy<Value = (usize, usize, usize)> {
    (0usize..100_000, 0usize..40, 0usize..PIECES.len())
}

fn apply(text: &str, (at, len, piece): (usize, usize, usize)) -> String {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let mut end = (at + len).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let mut out = String::with_capacity(text.len() + 40);
    out.push_str(&text[..at]);
    out.push_str(PIECES[piece]);
    out.push_str(&text[end..]);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        check_everything(text);
    }

    #[test]
    fn mutated_reference_design_never_panics(mutations in proptest::collection::vec(mutation(), 1..8)) {
        let mut text = example_text();
        for m in mutations {
            text = apply(&text, m);
        }
        check_everything(text);
    }
}
