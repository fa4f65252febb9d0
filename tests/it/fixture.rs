//! Fixtures: one `.arch` file that may hold several files, each started by a `//- /path.arch`
//! line (as rust-analyzer's fixtures do), and the rendering of their diagnostics.

use archc::date::Date;
use archc::diagnostics::render;
use archc::{RootDatabase, Workspace};

/// The date every test checks as of, so waiver expiry does not depend on the clock.
pub const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 27,
};

/// Splits a fixture into `(path, text)` files. Without markers it is one file, `main.arch`.
pub fn files(fixture: &str) -> Vec<(String, String)> {
    if !fixture.starts_with("//- /") {
        return vec![("main.arch".to_owned(), fixture.to_owned())];
    }
    let mut files: Vec<(String, String)> = Vec::new();
    for line in fixture.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix("//- /") {
            files.push((path.trim().to_owned(), String::new()));
        } else if let Some((_, text)) = files.last_mut() {
            text.push_str(line);
        }
    }
    files
}

/// Checks the files and renders every diagnostic as `archc check --color never` would.
pub fn render_check(files: Vec<(String, String)>) -> String {
    let db = RootDatabase::default();
    let workspace = Workspace::from_sources(&db, files, TODAY);
    let diagnostics = archc::diagnostics(&db, workspace);
    if diagnostics.is_empty() {
        return "(no diagnostics)\n".to_owned();
    }
    let mut out = Vec::new();
    for diagnostic in &diagnostics {
        render::human(&db, diagnostic, false, &mut out).expect("rendering to memory cannot fail");
    }
    String::from_utf8(out).expect("ariadne writes UTF-8")
}

/// The codes of the diagnostics of a workspace, in order.
pub fn codes(files: Vec<(String, String)>) -> Vec<&'static str> {
    let db = RootDatabase::default();
    let workspace = Workspace::from_sources(&db, files, TODAY);
    archc::diagnostics(&db, workspace)
        .iter()
        .map(|d| d.code.id)
        .collect()
}
