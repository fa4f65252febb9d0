//! The fuzz targets' bodies over their corpus (`fuzz/corpus/<target>/`, minimized with
//! `cargo fuzz cmin` and checked in), on stable: a short smoke run in the suite of what
//! `cargo +nightly fuzz run <target>` explores at length. Every crash the fuzzer finds goes into
//! the corpus with its fix, and the smoke run takes the crashes and an even sample of the rest.

use std::path::Path;

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    assert!(!entries.is_empty(), "{target} has a corpus");
    // Crashes found once always; of the rest, an even sample of about 60 inputs.
    let step = (entries.len() / 60).max(1);
    entries
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            i % step == 0
                || p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("crash-"))
        })
        .map(|(_, p)| std::fs::read(p).unwrap())
        .collect()
}

#[test]
fn check_over_its_corpus() {
    for input in corpus("check") {
        archc::fuzzing::check(&input);
    }
}

#[test]
fn format_over_its_corpus() {
    for input in corpus("format") {
        archc::fuzzing::format(&input);
    }
}

#[test]
fn structured_over_its_corpus() {
    for input in corpus("structured") {
        archc::fuzzing::structured(&input);
    }
}

#[test]
fn lsp_edits_over_its_corpus() {
    for input in corpus("lsp_edits") {
        archc_lsp::state::fuzz_edits(&input);
    }
}

#[test]
fn diff_over_its_corpus() {
    for input in corpus("diff") {
        archc::fuzzing::diff(&input);
    }
}
