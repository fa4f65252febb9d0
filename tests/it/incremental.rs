//! Incrementality, asserted with salsa's event log (which queries executed), not guessed.

use archc::{RootDatabase, Workspace};
use salsa::Setter as _;

fn workspace(db: &RootDatabase) -> Workspace {
    Workspace::from_sources(db, archc::synthetic::workspace(4, 10), crate::fixture::TODAY)
}

/// The names of the executed queries, e.g. `parse`, with their keys dropped.
fn executed(db: &RootDatabase) -> Vec<String> {
    let mut names: Vec<String> = db
        .take_executed()
        .iter()
        .map(|key| key.split('(').next().unwrap_or_default().to_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn editing_a_value_in_one_file_reparses_and_rechecks_only_that_file() {
    let mut db = RootDatabase::default();
    let workspace = workspace(&db);
    let before = archc::diagnostics(&db, workspace);
    assert!(before.is_empty(), "{before:?}");

    let file = workspace.files(&db)[2];
    let text = file.text(&db).replace("cpu    = 512", "cpu    = 1024");
    db.start_logging();
    file.set_text(&mut db).to(text);
    let after = archc::diagnostics(&db, workspace);
    assert!(after.is_empty());
    // One parse, one symbol summary (equal to the old one, so backdated), one check, one
    // file's part of the model and its per-file lowering in each environment: the other
    // files' parses, checks, model parts and lowered parts, the catalogue and the symbol table
    // are all reused. The firewalls (each environment's overrides, which load balancer fronts
    // what) re-run and come out equal. The whole-system steps (merging the model, the flows
    // and their rules, the design rules) run again.
    assert_eq!(
        executed(&db),
        [
            "check_file",
            "env_overrides",
            "env_overrides",
            "file_model",
            "file_symbols",
            "fronted",
            "lower",
            "lower_file",
            "lower_file",
            "model",
            "parse",
            "run_rules"
        ]
    );
}

#[test]
fn introducing_an_error_in_one_file_rechecks_only_that_file() {
    let mut db = RootDatabase::default();
    let workspace = workspace(&db);
    let _ = archc::diagnostics(&db, workspace);

    let file = workspace.files(&db)[3];
    let text = file.text(&db).replace("purpose = data", "purpose = dta");
    db.start_logging();
    file.set_text(&mut db).to(text);
    let after = archc::diagnostics(&db, workspace);
    assert_eq!(after.iter().map(|d| d.code.id).collect::<Vec<_>>(), ["E1016"; 2]);
    // With a type error the design rules do not run, so neither does lowering.
    assert_eq!(executed(&db), ["check_file", "file_symbols", "parse"]);
}

#[test]
fn renaming_a_component_rechecks_every_file_because_names_changed() {
    let mut db = RootDatabase::default();
    let workspace = workspace(&db);
    let _ = archc::diagnostics(&db, workspace);
    let files = workspace.files(&db).len();

    let main = workspace.files(&db)[0];
    let text = main.text(&db).replace("database main", "database primary");
    db.start_logging();
    main.set_text(&mut db).to(text);
    let after = archc::diagnostics(&db, workspace);
    // Every flow to `main` is now unknown: the symbol table changed, so every check re-ran.
    assert!(after.iter().all(|d| d.code.id == "E1007"), "{after:?}");
    let log = executed(&db);
    assert_eq!(log.iter().filter(|q| *q == "check_file").count(), files);
    assert_eq!(log.iter().filter(|q| *q == "parse").count(), 1);
}
