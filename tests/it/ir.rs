//! The IR of the reference design, for both environments, snapshotted as JSON (sources'
//! spans left out), so every change to what archc would build shows up in review.

use archc::{RootDatabase, Workspace};

use crate::fixture::TODAY;

#[test]
fn the_reference_design_lowers_to_the_expected_ir() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/webapp");
    let files = archc::cli::load(std::path::Path::new(dir)).unwrap();
    let db = RootDatabase::default();
    let workspace = Workspace::from_sources(&db, files, TODAY);
    let ir = &archc::lower::lower(&db, workspace).ir;
    assert_eq!(ir.envs.len(), 2);
    for env in &ir.envs {
        insta::assert_snapshot!(
            format!("webapp_{}", env.name),
            serde_json::to_string_pretty(env).unwrap()
        );
    }
}
