//! The reference design in `examples/webapp` checks without errors; its one diagnostic is the
//! documented trade-off of staging's NAT instance (R001, a warning).

use archc::diagnostics::Severity;
use archc::{RootDatabase, Workspace};

use crate::fixture::TODAY;

#[test]
fn the_reference_design_has_only_the_documented_nat_instance_warning() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/webapp");
    let files = archc::cli::load(std::path::Path::new(dir)).expect("the example is readable");
    assert!(files.len() > 1, "the example is a multi-file workspace");
    let db = RootDatabase::default();
    let workspace = Workspace::from_sources(&db, files, TODAY);
    let diagnostics = archc::diagnostics(&db, workspace);
    let found: Vec<(&str, Severity, &str)> = diagnostics
        .iter()
        .map(|d| (d.code.id, d.severity, d.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [(
            "R001",
            Severity::Warning,
            "env `stg`: the NAT instance (t3.micro) needs a public subnet: `public-a` (10.1.255.192/28)"
        )]
    );
}
