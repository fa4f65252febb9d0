//! Every fixture under `tests/cases/` is checked and its diagnostics snapshotted exactly as the
//! user sees them, below the source. Fixtures in `cases/ok/` must have none; fixtures in
//! `cases/syntax/` and `cases/check/` must have at least one, so a fixture cannot silently stop
//! testing what its name says.

use crate::fixture;

#[test]
fn fixtures() {
    insta::glob!("..", "cases/**/*.arch", |path| {
        let text = std::fs::read_to_string(path).expect("fixtures are readable UTF-8");
        let rendered = fixture::render_check(fixture::files(&text));
        let expect_clean = path.components().any(|c| c.as_os_str() == "ok");
        if expect_clean {
            assert_eq!(
                rendered,
                "(no diagnostics)\n",
                "{} must check clean",
                path.display()
            );
        } else {
            assert_ne!(
                rendered,
                "(no diagnostics)\n",
                "{} must produce diagnostics",
                path.display()
            );
        }
        insta::assert_snapshot!(format!("----- SOURCE\n{text}----- DIAGNOSTICS\n{rendered}"));
    });
}
