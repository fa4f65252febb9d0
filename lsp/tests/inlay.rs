//! Inlay hints on the reference design, rendered into the text as `⟨label⟩` and snapshotted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;

use archc::date::Date;
use archc_lsp::state::State;

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 27,
};

fn rendered(state: &State, name: &str) -> String {
    let (_, file) = state.files().find(|(path, _)| path.ends_with(name)).unwrap();
    let mut text = file.text(&state.db).to_owned();
    let hints = archc_lsp::inlay::hints(&state.db, state.workspace, file);
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
