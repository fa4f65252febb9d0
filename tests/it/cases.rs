//! Every fixture under `tests/cases/` is checked and its diagnostics snapshotted exactly as the
//! user sees them, below the source. What each fixture must show is also asserted, so a
//! fixture cannot silently stop testing what its name says:
//! - under `ok/`, and any `pass*` fixture under `waivers/`: no diagnostics at all;
//! - under `rules/rNNN_*/` and `aws/aNNN_*/`: `fail*` fixtures report `RNNN` (`ANNN`), `pass*`
//!   fixtures report neither it nor any error;
//! - everywhere else: at least one diagnostic.

use std::path::Path;

use crate::fixture;

#[test]
fn fixtures() {
    insta::glob!("..", "cases/**/*.arch", |path| {
        let text = std::fs::read_to_string(path).expect("fixtures are readable UTF-8");
        let files = fixture::files(&text);
        let rendered = fixture::render_check(files.clone());
        let codes = fixture::codes(files);
        expectations(path, &codes);
        insta::assert_snapshot!(format!("----- SOURCE\n{text}----- DIAGNOSTICS\n{rendered}"));
    });
}

fn expectations(path: &Path, codes: &[&str]) {
    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let parent = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let grandparent = path
        .parent()
        .and_then(Path::parent)
        .and_then(|p| p.file_name())
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let shown = path.display();
    if parent == "ok" || (parent == "waivers" && name.starts_with("pass")) {
        assert!(codes.is_empty(), "{shown} must check clean, got {codes:?}");
    } else if grandparent == "rules" || grandparent == "aws" {
        let rule = parent.get(..4).unwrap_or_default().to_ascii_uppercase();
        if name.starts_with("pass") {
            assert!(
                !codes.contains(&rule.as_str()),
                "{shown} must not report {rule}: {codes:?}"
            );
            assert!(
                codes.iter().all(|c| c.starts_with('R')),
                "{shown} must have no errors: {codes:?}"
            );
        } else {
            assert!(
                codes.contains(&rule.as_str()),
                "{shown} must report {rule}: {codes:?}"
            );
        }
    } else {
        assert!(!codes.is_empty(), "{shown} must produce diagnostics");
    }
}
