//! Quick fixes: applying every fix offered for a failing fixture removes the diagnostics it
//! names, and the titles and edits are snapshotted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;

use archc::ide::actions::fixes;
use archc_lsp::state::State;

use archc::synthetic::TODAY;

/// Codes of the file's diagnostics, the fixes offered, and the codes after applying them all.
fn fix_all(text: &str) -> (Vec<String>, String, Vec<String>) {
    let mut state = State::from_sources(vec![("main.arch".into(), text.to_owned())], TODAY);
    let file = state.file("main.arch").unwrap();
    let codes = |state: &State| -> Vec<String> {
        archc::check::diagnostics(&state.db, state.workspace)
            .iter()
            .map(|d| d.code.id.to_owned())
            .collect()
    };
    let before = codes(&state);
    let found = fixes(&state.db, state.workspace, file, &(0..text.len()));
    let mut edits: Vec<_> = found.iter().flat_map(|f| f.edits.clone()).collect();
    edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
    let mut fixed = text.to_owned();
    for (span, new_text) in &edits {
        fixed.replace_range(span.clone(), new_text);
    }
    let listing = found
        .iter()
        .map(|f| format!("{} ({}): {:?}", f.title, f.diagnostic.code.id, f.edits))
        .collect::<Vec<_>>()
        .join("\n");
    state.open("main.arch", fixed);
    (before, listing, codes(&state))
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/cases/rules")
            .join(path),
    )
    .unwrap()
}

#[test]
fn an_internet_facing_load_balancer_is_made_internal() {
    let (before, listing, after) = fix_all(&fixture("r002_one_exposure_point/fail.arch"));
    assert!(before.contains(&"R002".to_owned()), "{before:?}");
    insta::assert_snapshot!(listing);
    assert!(!after.contains(&"R002".to_owned()), "{after:?}");
}

#[test]
fn production_data_is_protected() {
    let (before, listing, after) = fix_all(&fixture("r014_data_protection/fail.arch"));
    assert_eq!(before.iter().filter(|c| *c == "R014").count(), 3, "{before:?}");
    insta::assert_snapshot!(listing);
    assert!(!after.contains(&"R014".to_owned()), "{after:?}");
}

#[test]
fn a_task_public_ip_is_removed() {
    let (before, listing, after) = fix_all(&fixture("r015_no_task_public_ip/fail.arch"));
    assert!(before.contains(&"R015".to_owned()), "{before:?}");
    insta::assert_snapshot!(listing);
    assert!(!after.contains(&"R015".to_owned()), "{after:?}");
}

#[test]
fn missing_required_fields_are_added() {
    let text = fixture("r015_no_task_public_ip/pass.arch");
    let broken = text
        .replacen("    image = ecr(\"webapp-api\")\n", "", 1)
        .replacen(
            "bucket assets : s3 { purpose = static }",
            "bucket assets : s3 {}",
            1,
        );
    let (before, listing, after) = fix_all(&broken);
    assert_eq!(before.iter().filter(|c| *c == "E1003").count(), 2, "{before:?}");
    insta::assert_snapshot!(listing);
    // The example values are placeholders to edit (`image = ecr("webapp-api")` names an example
    // repository).
    assert!(!after.contains(&"E1003".to_owned()), "{after:?}");
}
