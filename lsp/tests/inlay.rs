//! Inlay hints on the reference design, rendered into the text as `⟨label⟩` and snapshotted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;

use archc_lsp::state::State;

use archc::synthetic::TODAY;

fn rendered(state: &State, name: &str) -> String {
    let (_, file) = state.files().find(|(path, _)| path.ends_with(name)).unwrap();
    let mut text = file.text(&state.db).to_owned();
    let hints = archc::ide::inlay::hints(&state.db, state.workspace, file);
    for hint in hints.iter().rev() {
        text.insert_str(hint.offset, &format!(" ⟨{}⟩", hint.label));
    }
    text
}

#[test]
fn subnets_next_to_tiers_and_env_values_next_to_overridden_fields() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/webapp");
    let state = State::new(Some(&example), TODAY);
    insta::assert_snapshot!("main", rendered(&state, "main.arch"));
    insta::assert_snapshot!("services", rendered(&state, "services.arch"));
    insta::assert_snapshot!("data", rendered(&state, "data.arch"));
}

#[test]
fn a_design_rule_error_leaves_the_hints_but_a_type_error_removes_them() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/webapp");
    let mut state = State::new(Some(&example), TODAY);
    let (edge, file) = state
        .files()
        .find(|(path, _)| path.ends_with("edge.arch"))
        .unwrap();
    let (edge, text) = (edge.to_owned(), file.text(&state.db).to_owned());
    let has_hints = |state: &State| rendered(state, "main.arch").contains("⟨prd: 10.0.0.0/24");

    // An internet-facing load balancer is an R002 error: the system is still well typed and
    // lowered, so the subnets are still shown.
    state.open(&edge, text.replace("internal     = true", "internal     = false"));
    let codes: Vec<&str> = archc::check::diagnostics(&state.db, state.workspace)
        .iter()
        .filter(|d| d.severity == archc::diagnostics::Severity::Error)
        .map(|d| d.code.id)
        .collect();
    assert_eq!(codes, ["R002"]);
    assert!(has_hints(&state));

    // A type error: nothing is lowered, nothing is shown.
    state.open(&edge, text.replace("internal     = true", "internal     = 3"));
    assert!(!has_hints(&state));
}
