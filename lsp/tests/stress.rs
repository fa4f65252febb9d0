//! A few thousand random edits through the server's state, diagnostics computed along the way:
//! nothing panics, and at the end the incremental state's diagnostics equal those of a fresh
//! check of the final text (what `archc check` would say).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;

use archc::date::Date;
use archc_lsp::server::diagnostics_by_file;
use archc_lsp::state::{Edit, State};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 27,
};

/// Text fragments an editor session types: names, keywords, punctuation, partial lines.
const FRAGMENTS: &[&str] = &[
    "a",
    " ",
    "\n",
    "{",
    "}",
    "=",
    "->",
    ":",
    "\"",
    "//",
    "flow api -> main : postgres\n",
    "service x : fargate in container {",
    "port = 80",
    "😀",
    "é",
    "\t",
    "tier",
    "cidr = 10.0.0.0/16",
    "allow R001 reason \"x\" until 2027-01-01\n",
];

fn edit_strategy() -> impl Strategy<Value = (u32, u32, u32, u32, usize, bool)> {
    (
        0u32..40,
        0u32..60,
        0u32..3,
        0u32..20,
        0..FRAGMENTS.len(),
        any::<bool>(),
    )
}

#[test]
fn random_edits_keep_the_server_alive_and_exact() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/webapp");
    let mut state = State::new(Some(&example), TODAY);
    let paths: Vec<String> = state.files().map(|(path, _)| path.to_owned()).collect();
    assert!(paths.len() >= 6);

    let mut runner = TestRunner::new(Config {
        rng_seed: proptest::test_runner::RngSeed::Fixed(7),
        ..Config::default()
    });
    let edits = proptest::collection::vec((0..paths.len(), edit_strategy()), 3000)
        .new_tree(&mut runner)
        .unwrap()
        .current();
    for (n, (file, (line, column, lines, columns, fragment, delete))) in edits.into_iter().enumerate() {
        let path = &paths[file];
        let text = if delete {
            String::new()
        } else {
            FRAGMENTS[fragment].to_owned()
        };
        let range = Some(((line, column), (line + lines, column + columns)));
        assert!(state.change(path, vec![Edit { range, text }]));
        if n % 25 == 0 {
            diagnostics_by_file(&state);
        }
    }

    let incremental = diagnostics_by_file(&state);
    let final_texts: Vec<(String, String)> = state
        .files()
        .map(|(path, file)| (path.to_owned(), file.text(&state.db).to_owned()))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let mut fresh = State::new(Some(dir.path()), TODAY);
    for (path, text) in final_texts {
        fresh.open(&path, text);
    }
    assert_eq!(diagnostics_by_file(&fresh), incremental);
    assert!(
        incremental.values().any(|d| !d.is_empty()),
        "the edits should have broken something"
    );
}
