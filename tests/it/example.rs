//! The reference design in `examples/webapp` checks clean: no errors, no warnings.

use crate::fixture;

#[test]
fn the_reference_design_checks_clean() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/webapp");
    let files = archc::cli::load(std::path::Path::new(dir)).expect("the example is readable");
    assert!(files.len() > 1, "the example is a multi-file workspace");
    assert_eq!(fixture::render_check(files), "(no diagnostics)\n");
}
