//! `cargo bench -p archc-lsp`: what the editor waits for.
//!
//! - `keystroke_then_diagnostics`: one character typed (and deleted) in one file of a generated
//!   workspace of 1,000 to 100,000 components, through the server's incremental edit path,
//!   then every file's LSP diagnostics (what the server computes before it publishes);
//! - `keystroke_in_an_override_then_diagnostics`: the same in an environment's override of a
//!   component;
//! - `rename_a_declaration_then_diagnostics`: a declaration renamed, which changes the symbol
//!   table and so re-checks every file;
//! - `completion_large`, `hover_large`: the requests in workspaces of 10,000 and 100,000
//!   components;
//! - `formatting` and `outline`: one file of the example, as the requests answer them.

use archc_lsp::server::diagnostics_by_file;
use archc_lsp::state::{Edit, State};

use archc::synthetic::TODAY;

/// The allocator the binaries ship with, so the figures are theirs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// (files, components per file)
const SIZES: &[(usize, usize)] = &[(10, 100), (100, 100), (1000, 100)];

#[divan::bench(args = SIZES, sample_count = 30)]
fn keystroke_then_diagnostics(bencher: divan::Bencher, (files, per_file): (usize, usize)) {
    let mut state = State::from_sources(archc::synthetic::workspace(files, per_file), TODAY);
    assert!(diagnostics_by_file(&state.snapshot()).values().all(Vec::is_empty));
    let Some(path) = state.files().nth(files / 2).map(|(path, _)| path.to_owned()) else {
        return;
    };
    // A character typed into the image name on line 3 (`image  = ecr("c50_0")`), then
    // deleted: the workspace stays valid either way.
    let mut typed = false;
    bencher.bench_local(|| {
        typed = !typed;
        let edit = if typed {
            Edit::replace(((2, 18), (2, 18)), "x")
        } else {
            Edit::replace(((2, 18), (2, 19)), "")
        };
        state.change(&path, vec![edit]);
        diagnostics_by_file(&state.snapshot()).len()
    });
}

/// A character changed in an environment's override of a component (stg's
/// `c0_0.scale { min = 1 … }` ↔ `min = 2`): the environment's overrides change, and the file
/// of the component they name is lowered again.
#[divan::bench(sample_count = 10)]
fn keystroke_in_an_override_then_diagnostics(bencher: divan::Bencher) {
    let (mut state, path, file) = clean_large(100, "main.arch");
    let text = file.text(&state.db);
    let Some(at) = text
        .find("c0_0.scale { min = ")
        .map(|at| at + "c0_0.scale { min = ".len())
    else {
        return;
    };
    let (line, column) = archc::line_index::LineIndex::new(text).utf16_position(at);
    let mut typed = false;
    bencher.bench_local(|| {
        typed = !typed;
        let edit = Edit::replace(
            ((line, column), (line, column + 1)),
            if typed { "2" } else { "1" },
        );
        state.change(&path, vec![edit]);
        let diagnostics = diagnostics_by_file(&state.snapshot());
        assert!(diagnostics.values().all(Vec::is_empty));
        diagnostics.len()
    });
}

/// A declaration renamed (a job nothing refers to, `c50_1` ↔ `xc50_1`), as a whole-document
/// change: the symbol table changes, so every file is checked again.
#[divan::bench(sample_count = 10)]
fn rename_a_declaration_then_diagnostics(bencher: divan::Bencher) {
    let (mut state, path, file) = clean_large(100, "part_0050.arch");
    let original = file.text(&state.db).to_owned();
    let renamed = original.replacen("  job c50_1 ", "  job xc50_1 ", 1);
    assert_ne!(original, renamed);
    let mut typed = false;
    bencher.bench_local(|| {
        typed = !typed;
        let text = if typed { &renamed } else { &original };
        state.change(
            &path,
            vec![Edit {
                range: None,
                text: text.clone(),
            }],
        );
        let diagnostics = diagnostics_by_file(&state.snapshot());
        assert!(diagnostics.values().all(Vec::is_empty));
        diagnostics.len()
    });
}

/// A workspace of `files` files of 100 components with its diagnostics computed (all empty,
/// as after the server's first publish), and the path and file of the one named `name`.
fn clean_large(files: usize, name: &str) -> (State, String, archc::db::SourceFile) {
    let state = State::from_sources(archc::synthetic::workspace(files, 100), TODAY);
    assert!(diagnostics_by_file(&state.snapshot()).values().all(Vec::is_empty));
    let Some((path, file)) = state
        .files()
        .find(|(path, _)| path.ends_with(name))
        .map(|(path, file)| (path.to_owned(), file))
    else {
        panic!("the synthetic workspace has `{name}`");
    };
    (state, path, file)
}

fn example() -> (State, String) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/webapp");
    let state = State::new(Some(std::path::Path::new(dir)), TODAY);
    let path = state
        .files()
        .find(|(path, _)| path.ends_with("edge.arch"))
        .map(|(path, _)| path.to_owned())
        .unwrap_or_default();
    (state, path)
}

#[divan::bench]
fn formatting(bencher: divan::Bencher) {
    let (state, path) = example();
    let Some(file) = state.file(&path) else { return };
    bencher.bench_local(|| archc_lsp::convert::formatting(&state.db, file, false).len());
}

#[divan::bench]
fn outline(bencher: divan::Bencher) {
    let (state, path) = example();
    let Some(file) = state.file(&path) else { return };
    bencher.bench_local(|| archc_lsp::convert::outline(&state.db, file).len());
}

/// A workspace of `files` files of 100 components, checked once (as it is after the server's
/// first publish), one file's text, and the offset just after `needle` in it.
fn large(files: usize, needle: &str) -> (State, archc::db::SourceFile, usize) {
    let (state, _, file) = clean_large(files, "part_0050.arch");
    let offset = file
        .text(&state.db)
        .find(needle)
        .map_or(0, |at| at + needle.len());
    (state, file, offset)
}

/// Completion after a flow's `-> ` (every component of the workspace is a candidate).
/// Workspace sizes of the request benchmarks, in files of 100 components.
const FILES: &[usize] = &[100, 1000];

#[divan::bench(args = FILES, sample_count = 30)]
fn completion_large(bencher: divan::Bencher, files: usize) {
    let (state, file, offset) = large(files, " -> ");
    assert!(!archc::ide::complete::complete(&state.db, state.workspace, file, offset).is_empty());
    bencher.bench_local(|| archc::ide::complete::complete(&state.db, state.workspace, file, offset).len());
}

/// Hover on a component name in a flow (its declaration and docs).
#[divan::bench(args = FILES, sample_count = 30)]
fn hover_large(bencher: divan::Bencher, files: usize) {
    let (state, file, offset) = large(files, "flow c");
    assert!(archc::ide::hover::hover(&state.db, state.workspace, file, offset).is_some());
    bencher.bench_local(|| archc::ide::hover::hover(&state.db, state.workspace, file, offset).is_some());
}
