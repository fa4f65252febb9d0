//! The invariants `compiler/ARCHITECTURE.md` states about the code's layering, checked by
//! reading the compiler's sources: who may touch the disk, who may see pest, what the
//! backends and the design rules may read, and that the leaf modules stay leaves.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `compiler/src`, as (path relative to it, text).
fn sources() -> Vec<(String, String)> {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../compiler/src"));
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((relative, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The lines of `text` outside its `#[cfg(test)]` module (tests may use anything).
fn shipped(text: &str) -> &str {
    text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text)
}

fn offenders(allowed: impl Fn(&str) -> bool, needles: &[&str]) -> Vec<String> {
    sources()
        .into_iter()
        .filter(|(path, _)| !allowed(path))
        .filter_map(|(path, text)| {
            let found: Vec<&&str> = needles.iter().filter(|n| shipped(&text).contains(**n)).collect();
            (!found.is_empty()).then(|| format!("{path}: {found:?}"))
        })
        .collect()
}

#[test]
fn only_the_command_line_touches_the_disk_or_the_terminal() {
    let found = offenders(
        |path| path == "cli.rs" || path.starts_with("cli/") || path == "main.rs",
        &[
            "std::fs",
            "File::open",
            "println!",
            "eprintln!",
            "std::io::stdin",
            "std::process::exit",
        ],
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn only_the_parser_sees_pest() {
    let found = offenders(
        |path| path == "syntax.rs" || path.starts_with("syntax/"),
        &["pest::", "pest_derive"],
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn backends_read_only_the_ir() {
    let found = offenders(
        |path| !(path.starts_with("backend/") || path == "backend.rs"),
        &[
            "crate::model",
            "crate::types",
            "crate::syntax",
            "crate::catalogue",
        ],
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn design_rules_and_aws_constraints_read_only_the_ir() {
    let found = offenders(
        |path| !(path.starts_with("rules/") || path.starts_with("aws/") || path == "aws.rs"),
        &[
            "crate::model",
            "crate::types",
            "crate::syntax",
            "crate::catalogue",
            "crate::lower",
        ],
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_leaf_modules_import_nothing_above_them() {
    let leaves = [
        "span.rs",
        "date.rs",
        "formats.rs",
        "vocabulary.rs",
        "line_index.rs",
    ];
    let found = offenders(
        |path| !leaves.contains(&path),
        &[
            "crate::syntax",
            "crate::types",
            "crate::model",
            "crate::lower",
            "crate::ir",
            "crate::backend",
            "crate::rules",
        ],
    );
    assert!(found.is_empty(), "{found:#?}");
    let diagnostics = offenders(
        |path| !(path == "diagnostics.rs" || path.starts_with("diagnostics/")),
        &["crate::syntax", "crate::types", "crate::model", "crate::lower"],
    );
    assert!(
        diagnostics.is_empty(),
        "diagnostics must not import the phases: {diagnostics:#?}"
    );
}

#[test]
fn every_module_says_what_it_owns() {
    let missing: Vec<String> = sources()
        .into_iter()
        .filter(|(path, text)| path != "main.rs" && !text.starts_with("//! "))
        .map(|(path, _)| path)
        .collect();
    assert!(missing.is_empty(), "modules without a `//!` comment: {missing:?}");
    assert!(
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../compiler/ARCHITECTURE.md"
        ))
        .is_file()
    );
}

/// Lowering reads fields by their stdlib names through `Get`; a name the stdlib does not
/// declare would be an internal error at run time, so every name it reads is checked here
/// against the catalogue (kinds, blocks and the language's own blocks).
#[test]
fn every_field_lowering_reads_is_declared_in_the_stdlib() {
    use archc::{RootDatabase, Workspace};
    let db = RootDatabase::default();
    let workspace = Workspace::from_sources(&db, Vec::new(), crate::fixture::TODAY);
    let catalogue = archc::catalogue::catalogue(&db, workspace);
    let declared: std::collections::BTreeSet<&str> = catalogue
        .kinds
        .values()
        .flat_map(|k| k.schema.fields.iter())
        .chain(catalogue.blocks.values().flat_map(|b| b.fields.iter()))
        .map(|f| f.name.as_str())
        .collect();
    let readers = [
        "str",
        "optional_str",
        "int",
        "port",
        "bool",
        "duration",
        "optional_duration",
        "optional_percent",
        "strings",
        "cidrs",
        "block",
        "spanned_bool",
        "choice",
        "choices",
        "optional_call",
        "call_arg",
        "require",
        "optional",
    ];
    let mut read = Vec::new();
    for (path, text) in sources()
        .into_iter()
        .filter(|(p, _)| p == "lower.rs" || p.starts_with("lower/"))
    {
        // The `Get`s of lowering are named after what they read.
        let receivers = [
            "get",
            "settings",
            "network",
            "system",
            "scale",
            "route_get",
            "tier",
            "operators",
            "edge",
        ];
        for receiver in receivers {
            for reader in readers {
                let call = format!("{receiver}.{reader}(\"");
                let generic = format!("{receiver}.{reader}::<");
                for (at, pattern) in text.match_indices(&call).chain(text.match_indices(&generic)) {
                    let rest = &text[at + pattern.len()..];
                    let rest = if pattern.ends_with('<') {
                        rest.split_once("(\"").map_or("", |(_, after)| after)
                    } else {
                        rest
                    };
                    if let Some((name, _)) = rest.split_once('"') {
                        read.push((path.clone(), name.to_owned()));
                    }
                }
            }
        }
    }
    assert!(read.len() > 40, "the reader calls were not found: {read:?}");
    let unknown: Vec<&(String, String)> = read
        .iter()
        .filter(|(_, name)| !declared.contains(name.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "lowering reads fields the stdlib does not declare: {unknown:?}"
    );
}
