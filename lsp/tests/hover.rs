//! Hover on the reference design: kinds, fields, components, tiers and flows, snapshotted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;

use archc_lsp::state::State;

use archc::synthetic::TODAY;

/// The hover where `needle` first appears in the example file `name` (`offset` chars into it).
fn hover(state: &State, name: &str, needle: &str, offset: usize) -> String {
    let (_, file) = state.files().find(|(path, _)| path.ends_with(name)).unwrap();
    let text = file.text(&state.db);
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in {name}"))
        + offset;
    let (markdown, span) = archc::ide::hover::hover(&state.db, state.workspace, file, at).expect("a hover");
    format!("[{}]\n{markdown}", &text[span])
}

#[test]
fn hovers_on_the_example() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/webapp");
    let state = State::new(Some(&example), TODAY);
    insta::assert_snapshot!("kind", hover(&state, "services.arch", ": fargate", 3));
    insta::assert_snapshot!("field", hover(&state, "services.arch", "port", 1));
    insta::assert_snapshot!(
        "component_reference",
        hover(&state, "services.arch", "flow api -> main", 13)
    );
    insta::assert_snapshot!("tier", hover(&state, "services.arch", "in container", 4));
    insta::assert_snapshot!("flow", hover(&state, "services.arch", "flow api -> main", 2));
}

#[test]
fn enum_values_functions_and_metrics_show_their_docs_and_punctuation_nothing() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/webapp");
    let state = State::new(Some(&example), TODAY);
    insta::assert_snapshot!("enum_value", hover(&state, "main.arch", "internet_only", 1));
    insta::assert_snapshot!("function", hover(&state, "services.arch", "ecr(", 1));
    insta::assert_snapshot!("metric", hover(&state, "monitoring.arch", "api.cpu", 5));
    insta::assert_snapshot!("block_field", hover(&state, "services.arch", "min = 2", 1));
    let (_, file) = state
        .files()
        .find(|(path, _)| path.ends_with("main.arch"))
        .unwrap();
    let text = file.text(&state.db);
    let at = text.find(" = internet_only").unwrap() + 1;
    assert_eq!(
        archc::ide::hover::hover(&state.db, state.workspace, file, at),
        None
    );
}

#[test]
fn a_flow_to_a_bucket_shows_its_iam_statements_and_one_to_a_cache_both() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/orders");
    let state = State::new(Some(&example), TODAY);
    insta::assert_snapshot!("grant", hover(&state, "services.arch", "flow api -> uploads", 2));
    insta::assert_snapshot!(
        "cache_flow",
        hover(&state, "services.arch", "flow api -> sessions", 2)
    );
    insta::assert_snapshot!("queue", hover(&state, "data.arch", "queue new_orders", 7));
}
