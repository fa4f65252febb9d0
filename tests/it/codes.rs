//! The code registry is complete: every code has an explanation headed with its own id and
//! name, every explanation file is registered, and every source code (E0xxx, E1xxx) is
//! produced by at least one fixture under `tests/cases/`.

use std::collections::BTreeSet;

use archc::diagnostics::codes;

use crate::fixture;

#[test]
fn every_code_has_an_explanation_headed_with_its_code() {
    for code in codes::ALL {
        let heading = format!("# {}: {}\n", code.id, code.name);
        assert!(
            code.explanation.starts_with(&heading),
            "{}.md must start with `{}`",
            code.id,
            heading.trim_end()
        );
        assert!(
            code.explanation.contains("```arch"),
            "{}.md must show an example",
            code.id
        );
    }
}

#[test]
fn every_explanation_file_is_registered() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../compiler/src/diagnostics/codes");
    for entry in std::fs::read_dir(dir).expect("the codes directory exists") {
        let name = entry
            .expect("readable entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let id = name.trim_end_matches(".md");
        assert!(codes::lookup(id).is_some(), "{name} has no entry in codes.rs");
    }
}

#[test]
fn codes_and_names_are_unique() {
    let ids: BTreeSet<&str> = codes::ALL.iter().map(|c| c.id).collect();
    let names: BTreeSet<&str> = codes::ALL.iter().map(|c| c.name).collect();
    assert_eq!(ids.len(), codes::ALL.len());
    assert_eq!(names.len(), codes::ALL.len());
}

#[test]
fn every_source_code_has_a_fixture_that_produces_it() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/cases");
    let mut produced = BTreeSet::new();
    let mut stack = vec![std::path::PathBuf::from(root)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable fixture directory") {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "arch") {
                let text = std::fs::read_to_string(&path).expect("UTF-8 fixture");
                produced.extend(fixture::codes(fixture::files(&text)));
            }
        }
    }
    let missing: Vec<&str> = codes::ALL
        .iter()
        .map(|c| c.id)
        // Host errors come from the command line; an internal error from no source at all (a
        // unit test in `lower.rs` produces it).
        .filter(|id| !id.starts_with("E9") && *id != codes::INTERNAL_ERROR.id && !produced.contains(id))
        .collect();
    assert!(missing.is_empty(), "no fixture produces {missing:?}");
}

#[test]
fn the_readme_code_table_covers_exactly_the_registry() {
    let readme = include_str!("../../README.md");
    let table = readme
        .split("## Diagnostic codes")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the README has a Diagnostic codes section");
    let ids: Vec<&str> = codes::ALL.iter().map(|c| c.id).collect();
    let mut covered: BTreeSet<&str> = BTreeSet::new();
    for row in table.lines().filter(|l| l.starts_with("| `")) {
        // `E1001`–`E1037` (a range), then `E2999`-style single codes after commas.
        let first_cell = row.split('|').nth(1).unwrap_or_default();
        let listed: Vec<&str> = first_cell
            .split('`')
            .filter(|s| s.len() >= 4 && s.chars().all(|c| c.is_ascii_alphanumeric()))
            .collect();
        let ranges: Vec<(&str, &str)> = if first_cell.contains('–') {
            vec![(listed[0], listed[1])]
                .into_iter()
                .chain(listed.iter().skip(2).map(|id| (*id, *id)))
                .collect()
        } else {
            listed.iter().map(|id| (*id, *id)).collect()
        };
        for (from, to) in ranges {
            let start = ids.iter().position(|id| *id == from);
            let end = ids.iter().position(|id| *id == to);
            let (Some(start), Some(end)) = (start, end) else {
                panic!("the README lists {from}–{to}, which the registry does not have");
            };
            covered.extend(ids[start..=end].iter().copied());
        }
    }
    let missing: Vec<&&str> = ids.iter().filter(|id| !covered.contains(*id)).collect();
    assert!(
        missing.is_empty(),
        "the README's code table leaves out {missing:?}"
    );
}
