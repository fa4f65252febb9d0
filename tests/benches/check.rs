//! `cargo bench -p archc-tests --bench check`: how long checking takes, cold and after an edit.
//!
//! - `example_cold`: a fresh database checks `examples/webapp` (what `archc check` does:
//!   parse and type-check every file on all cores, lower every environment, run the design
//!   rules);
//! - `synthetic_cold`: the same for generated workspaces of 1,000, 10,000 and 100,000
//!   components (10, 100 and 1,000 files);
//! - `synthetic_recheck_after_one_edit`: one file of those workspaces changes (a value, back
//!   and forth) and the whole workspace's diagnostics are asked for again, as the language
//!   server will on every keystroke;
//! - `build_cold`: check and generate every environment's Terraform, in memory, for the
//!   example (`(0, 0)`), and the 10,000- and 100,000-component workspaces;
//! - `diff_one_change`: `archc diff` of the 10,000-component workspace against itself with one
//!   value changed (both versions checked, captured, compared, diagrams drawn).
//!
//! The process runs as `archc` does (mimalloc, heap off huge pages); the language server keeps
//! huge pages, so its own figure for an edit is `cargo bench -p archc-lsp`'s keystroke.

use archc::{RootDatabase, Workspace};
use salsa::Setter as _;

use archc::synthetic::TODAY;

/// The allocator the binaries ship with, so the figures are theirs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    archc::process::keep_heap_off_huge_pages();
    divan::main();
}

fn example_sources() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/webapp");
    archc::cli::load(std::path::Path::new(dir)).unwrap_or_default()
}

/// Checks a fresh workspace (parse, check, lower, rules); returns the number of errors.
fn check_cold(sources: &[(String, String)]) -> usize {
    let db = RootDatabase::default();
    let workspace = Workspace::from_sources(&db, sources.to_vec(), TODAY);
    archc::check::prime(&db, workspace);
    archc::diagnostics(&db, workspace)
        .iter()
        .filter(|d| d.severity == archc::diagnostics::Severity::Error)
        .count()
}

#[divan::bench]
fn example_cold(bencher: divan::Bencher) {
    let sources = example_sources();
    assert_eq!(check_cold(&sources), 0, "the example has no errors");
    bencher.bench(|| check_cold(&sources));
}

/// (files, components per file)
const SIZES: &[(usize, usize)] = &[(10, 100), (100, 100), (1000, 100)];

#[divan::bench(args = SIZES, sample_count = 10)]
fn synthetic_cold(bencher: divan::Bencher, (files, per_file): (usize, usize)) {
    let sources = archc::synthetic::workspace(files, per_file);
    assert_eq!(check_cold(&sources), 0, "the synthetic workspace checks clean");
    bencher.bench(|| check_cold(&sources));
}

#[divan::bench(args = SIZES, sample_count = 50)]
fn synthetic_recheck_after_one_edit(bencher: divan::Bencher, (files, per_file): (usize, usize)) {
    let mut db = RootDatabase::default();
    let workspace = Workspace::from_sources(&db, archc::synthetic::workspace(files, per_file), TODAY);
    assert!(archc::diagnostics(&db, workspace).is_empty());
    let Some(&file) = workspace.files(&db).get(files / 2) else {
        return;
    };
    let original = file.text(&db).to_owned();
    let edited = original.replacen("memory = 1024", "memory = 2048", 1);
    let mut flip = false;
    bencher.bench_local(|| {
        flip = !flip;
        let text = if flip { edited.clone() } else { original.clone() };
        file.set_text(&mut db).to(text);
        archc::diagnostics(&db, workspace).len()
    });
}

/// `archc build` without the disk: check, then generate every environment's Terraform.
#[divan::bench(args = [(0, 0), (100, 100), (1000, 100)], sample_count = 10)]
fn build_cold(bencher: divan::Bencher, (files, per_file): (usize, usize)) {
    let sources = if files == 0 {
        example_sources()
    } else {
        archc::synthetic::workspace(files, per_file)
    };
    bencher.bench(|| {
        let db = RootDatabase::default();
        let workspace = Workspace::from_sources(&db, sources.clone(), TODAY);
        archc::check::prime(&db, workspace);
        let _ = archc::diagnostics(&db, workspace);
        archc::backend::build(&db, workspace, None).len()
    });
}

/// `archc diff` without the disk: two versions of a workspace that differ in one value of one
/// file, checked in one database (the second for the price of what changed), each captured,
/// then compared with the diagrams drawn (what the pull-request comment needs).
#[divan::bench(args = [(100, 100)], sample_count = 10)]
fn diff_one_change(bencher: divan::Bencher, (files, per_file): (usize, usize)) {
    let before = archc::synthetic::workspace(files, per_file);
    let mut after = before.clone();
    if let Some((_, text)) = after.get_mut(files / 2) {
        *text = text.replacen("max = 6", "max = 9", 1);
    }
    bencher.bench(|| {
        let mut db = RootDatabase::default();
        let workspace = Workspace::from_sources(&db, before.clone(), TODAY);
        archc::check::prime(&db, workspace);
        let _ = archc::diagnostics(&db, workspace);
        let base = archc::diff::Side::of(&db, workspace);
        archc::db::replace_files(&mut db, workspace, after.clone());
        archc::check::prime(&db, workspace);
        let _ = archc::diagnostics(&db, workspace);
        let head = archc::diff::Side::of(&db, workspace);
        let diff = archc::diff::compare(&base, &head, None, true);
        assert_eq!(diff.summary.neutral, 2, "one change, in both environments");
        diff.envs.len()
    });
}
