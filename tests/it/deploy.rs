//! The ecspresso files and the deploy workflows of the reference design, checked by real
//! tools: the task and service definitions against the ECS API model botocore ships
//! (RegisterTaskDefinition and CreateService inputs: member names, types, enums), the workflows
//! with actionlint; and the hand-off through SSM: every parameter the deploy side reads or
//! writes is one that Terraform declares. (Every generated file is snapshotted in `terraform`.)

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::fixture::{example_files, write_all};
use crate::validators::{actionlint, ecs_check};

#[test]
fn definitions_match_the_ecs_api_model() {
    let files = example_files();
    assert!(
        files
            .iter()
            .any(|f| f.path == "prd/ecspresso/api/ecs-task-def-migrate.json")
    );
    assert!(
        files
            .iter()
            .any(|f| f.path == "stg/ecspresso/daily_report/ecs-task-def.json")
    );
    let out = write_all(&files);
    let crate::validators::Report { ok, text: report } = ecs_check(out.path());
    assert!(ok, "{report}");
    assert!(report.contains("checked 14 files: 0 problems"), "{report}");
}

#[test]
fn the_ecs_check_catches_what_the_api_does_not_take() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ecs-task-def.json"),
        r#"{"networkMode": "bridgee", "containerDefinitions": [{"name": "a", "portMapping": []}]}"#,
    )
    .unwrap();
    let crate::validators::Report { ok, text: report } = ecs_check(dir.path());
    assert!(!ok);
    assert!(report.contains("`bridgee` is not one of"), "{report}");
    assert!(
        report.contains("ContainerDefinition has no member `portMapping`"),
        "{report}"
    );
}

#[test]
fn workflows_pass_actionlint() {
    let out = write_all(&example_files());
    let workflows: Vec<PathBuf> = ["prd", "stg"]
        .iter()
        .map(|env| out.path().join(format!(".github/workflows/deploy-{env}.yml")))
        .collect();
    let crate::validators::Report { ok, text: report } = actionlint(&workflows);
    assert!(ok, "{report}");
    assert!(report.contains("linted 2 workflows: 0 problems"), "{report}");
}

#[test]
fn actionlint_catches_a_broken_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("w.yml");
    std::fs::write(
        &file,
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout\n",
    )
    .unwrap();
    let crate::validators::Report { ok, text: report } = actionlint(&[file]);
    assert!(!ok);
    assert!(report.contains("ref is missing"), "{report}");
}

/// The text between `open` and `close` after each `open` in `text`.
fn between<'a>(text: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    text.split(open)
        .skip(1)
        .filter_map(|rest| rest.split(close).next())
        .collect()
}

#[test]
fn every_parameter_the_deploy_side_uses_is_one_terraform_writes() {
    let files = example_files();
    let written: BTreeSet<&str> = files
        .iter()
        .filter(|f| f.path.ends_with("terraform/parameters.tf"))
        .flat_map(|f| f.contents.lines())
        .filter_map(|line| {
            line.trim()
                .strip_prefix("name")
                .map(|rest| rest.trim_start_matches([' ', '=']).trim_matches('"'))
        })
        .collect();
    let mut read: BTreeSet<&str> = BTreeSet::new();
    for file in files.iter().filter(|f| f.path.contains("/ecspresso/")) {
        read.extend(between(&file.contents, "{{ ssm `", "`"));
    }
    let mut published: BTreeSet<&str> = BTreeSet::new();
    for file in files.iter().filter(|f| f.path.starts_with(".github/")) {
        published.extend(between(&file.contents, "TAG_PARAMETER: ", "\n"));
    }
    assert!(read.len() > 10 && !published.is_empty(), "{read:?} {published:?}");
    let unwritten: Vec<&&str> = read
        .union(&published)
        .filter(|name| !written.contains(**name))
        .collect();
    assert!(
        unwritten.is_empty(),
        "read or published but never written by Terraform: {unwritten:?}"
    );
}
