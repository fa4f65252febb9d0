//! Incrementality, asserted with salsa's event log (which queries executed), not guessed; and
//! its correctness: after random edits, the same answers as a fresh database.

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
    let mut db = RootDatabase::with_query_log();
    let workspace = workspace(&db);
    let before = archc::diagnostics(&db, workspace);
    assert!(before.is_empty(), "{before:?}");

    let file = workspace.files(&db)[2];
    let text = file.text(&db).replace("memory = 1024", "memory = 2048");
    db.start_logging();
    file.set_text(&mut db).to(text);
    let after = archc::diagnostics(&db, workspace);
    assert!(after.is_empty());
    // One parse, one symbol summary (equal to the old one, so backdated), one check, one
    // file's part of the model, and that file's components and flows lowered again in each
    // environment: the other files' parses, checks, model parts and lowered parts, the
    // catalogue and the symbol table are all reused. The firewalls (each environment's
    // overrides and the part of them that names this file's components, what physical names are
    // made of (system, environment, account), the ports of load
    // balancers and databases, the tiers' egress, which load balancer fronts what, the region
    // and VPC endpoints, which components already reach the internet over HTTPS) re-run and
    // come out equal. What spans the whole system runs again:
    // merging the model, each environment's assembly and design rules, the waivers.
    assert_eq!(
        executed(&db),
        [
            "check_file",
            "env_findings",
            "env_findings",
            "env_identity",
            "env_identity",
            "env_network",
            "env_network",
            "env_overrides",
            "env_overrides",
            "file_model",
            "file_overrides",
            "file_symbols",
            "fronted",
            "internet_https",
            "lower",
            "lower_env",
            "lower_env",
            "lower_file",
            "lower_file",
            "lower_flows",
            "lower_flows",
            "model",
            "parse",
            "run_rules",
            "target_ports",
            "target_ports",
            "tier_egress",
            "tier_egress"
        ]
    );
}

#[test]
fn introducing_an_error_in_one_file_rechecks_only_that_file() {
    let mut db = RootDatabase::with_query_log();
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
    let mut db = RootDatabase::with_query_log();
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

#[test]
fn editing_an_override_relowers_only_the_file_of_its_component() {
    let mut db = RootDatabase::with_query_log();
    let workspace = workspace(&db);
    let _ = archc::diagnostics(&db, workspace);

    // `main.arch`'s stg overrides `c0_0`, declared in the first part file.
    let main = workspace.files(&db)[0];
    let text = main.text(&db).replace("min = 1  max = 2", "min = 2  max = 2");
    db.start_logging();
    main.set_text(&mut db).to(text);
    assert!(archc::diagnostics(&db, workspace).is_empty());
    let log = executed(&db);
    // stg's overrides changed: each file's share of them is recomputed, but besides the
    // edited file itself (in both environments) only the file whose component they name is
    // lowered again, in stg (prd has no overrides to look at).
    assert_eq!(
        log.iter().filter(|q| *q == "file_overrides").count(),
        workspace.files(&db).len()
    );
    assert_eq!(
        log.iter().filter(|q| *q == "lower_file").count(),
        2 + 1,
        "{log:?}"
    );
}

/// Edits a user makes to the reference design: values, overrides, flows, tiers, a rename, and
/// text that only moves what follows. `(file, find, replace)`; an edit whose text is not there
/// (undone or overwritten by another) does nothing.
const EDITS: &[(&str, &str, &str)] = &[
    ("edge.arch", "internal     = true", "internal     = false"),
    ("edge.arch", "internal     = false", "internal     = true"),
    ("services.arch", "port   = 8080", "port   = 9090"),
    ("services.arch", "port   = 9090", "port   = 8080"),
    (
        "environments.arch",
        "api.scale { min = 1  max = 2 }",
        "api.scale { min = 2  max = 3 }",
    ),
    (
        "environments.arch",
        "cidr    = 10.1.0.0/16",
        "cidr    = 10.2.0.0/16",
    ),
    ("environments.arch", "nat     = regional", "nat     = zonal"),
    (
        "services.arch",
        "  flow api -> internet : https",
        "  // flow api -> internet : https",
    ),
    (
        "services.arch",
        "flow api -> main : postgres",
        "flow api -> main : postgres\n  flow daily_report -> internet : https",
    ),
    (
        "main.arch",
        "tier db { subnet = /24  egress = none }",
        "tier db { subnet = /25  egress = none }",
    ),
    (
        "main.arch",
        "tier container { subnet = /24  egress = nat }",
        "tier container { subnet = /24 }",
    ),
    (
        "data.arch",
        "deletion_protection = true",
        "deletion_protection = false",
    ),
    (
        "data.arch",
        "    version ",
        "    port                = 5433\n    version ",
    ),
    ("services.arch", "daily_report", "nightly_report"),
    (
        "services.arch",
        "system webapp {",
        "system webapp {\n\n  // moved",
    ),
    ("monitoring.arch", "system webapp {", "system webapp {\n"),
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 32,
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// After any sequence of edits, the incremental database answers exactly what a fresh one
    /// does on the same texts: every diagnostic (with its place) and the whole IR (with every
    /// origin), so no per-file memo or firewall can go stale unnoticed.
    #[test]
    fn incremental_results_equal_a_fresh_check(steps in proptest::collection::vec(0..EDITS.len(), 1..10)) {
        let mut sources = crate::fixture::example_sources();
        let mut db = RootDatabase::with_query_log();
        let workspace = Workspace::from_sources(&db, sources.clone(), crate::fixture::TODAY);
        let _ = archc::diagnostics(&db, workspace);
        for step in steps {
            let (name, find, replace) = EDITS[step];
            let Some(index) = sources.iter().position(|(path, _)| path.ends_with(name)) else {
                continue;
            };
            let text = sources[index].1.replacen(find, replace, 1);
            sources[index].1 = text.clone();
            let file = workspace
                .files(&db)
                .iter()
                .copied()
                .find(|f| f.path(&db).ends_with(name))
                .unwrap();
            file.set_text(&mut db).to(text);
            archc::check::prime(&db, workspace);
            let incremental = results(&db, workspace);

            let fresh_db = RootDatabase::with_query_log();
            let fresh = Workspace::from_sources(&fresh_db, sources.clone(), crate::fixture::TODAY);
            proptest::prop_assert_eq!(incremental, results(&fresh_db, fresh), "after {:?}", EDITS[step]);
        }
    }
}

/// Every diagnostic as JSON (file, position, message) and the IR with its origins, with each
/// file named by its path (the two databases number their files alike, but need not).
fn results(db: &RootDatabase, workspace: Workspace) -> (Vec<String>, String) {
    let diagnostics = archc::diagnostics(db, workspace)
        .iter()
        .map(|d| archc::diagnostics::render::json(db, d).to_string())
        .collect();
    let mut ir = format!("{:#?}", archc::lower::lower(db, workspace));
    for &file in workspace.files(db).iter().chain(workspace.stdlib(db)) {
        ir = ir.replace(&format!("{file:?}"), file.path(db));
    }
    (diagnostics, ir)
}

#[test]
fn a_diff_checks_the_second_version_for_the_price_of_what_changed() {
    // What `archc diff` does: one database, the version before, then the version after.
    let mut db = RootDatabase::with_query_log();
    let sources = archc::synthetic::workspace(4, 10);
    let workspace = Workspace::from_sources(&db, sources.clone(), crate::fixture::TODAY);
    assert!(archc::diagnostics(&db, workspace).is_empty());
    let before = archc::diff::Side::of(&db, workspace);
    let mut after = sources;
    after[2].1 = after[2].1.replacen("memory = 1024", "memory = 2048", 1);
    db.start_logging();
    archc::db::replace_files(&mut db, workspace, after);
    assert!(archc::diagnostics(&db, workspace).is_empty());
    let executed = executed(&db);
    // The changed file alone is parsed and checked again; the stdlib's catalogue is reused.
    assert_eq!(
        executed.iter().filter(|q| *q == "parse").count(),
        1,
        "{executed:?}"
    );
    assert_eq!(
        executed.iter().filter(|q| *q == "check_file").count(),
        1,
        "{executed:?}"
    );
    assert!(!executed.iter().any(|q| q == "catalogue"), "{executed:?}");
    let head = archc::diff::Side::of(&db, workspace);
    let diff = archc::diff::compare(&before, &head, None, false);
    assert_eq!(diff.summary.neutral, 2, "{diff:#?}");
}
