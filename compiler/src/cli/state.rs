//! What a build would destroy. archc knows the Terraform it wrote last time (its record), so
//! before writing it compares: a stateful resource (an Aurora cluster, a bucket) that the last
//! build declared and this one neither declares nor moves would be destroyed by the next
//! `terraform apply`, with its data (unless a `removed` block with `destroy = false` hands it
//! over, as the state bucket is to the bootstrap); one whose replacement-forcing argument changes (an
//! identifier, encryption, the engine, a downgraded engine version; a VPC's CIDR, which takes
//! everything in it along) would be replaced. That is refused (E9013) unless `--allow-replace`
//! says it is meant; a rename says so with `was`.

use std::collections::BTreeMap;

use crate::backend::OutputFile;

/// Resource types whose replacement loses data.
const STATEFUL: &[&str] = &["aws_rds_cluster", "aws_s3_bucket"];

/// One resource the build would destroy: the environment's directory, the address, and when
/// it would be replaced rather than removed, the argument that forces it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Loss {
    pub env: String,
    pub address: String,
    pub because: Option<String>,
}

/// The arguments whose change makes Terraform replace a resource (the AWS provider's
/// `ForceNew`), for the resources whose replacement loses data.
const FORCE_NEW: &[(&str, &[&str])] = &[
    (
        "aws_rds_cluster",
        &[
            "cluster_identifier",
            "database_name",
            "master_username",
            "storage_encrypted",
            "engine",
        ],
    ),
    ("aws_s3_bucket", &["bucket"]),
    ("aws_vpc", &["cidr_block"]),
];

/// The stateful resources of `previous` that `next` neither declares nor moves away from, and
/// those it keeps (or moves) but replaces.
pub fn losses(previous: &[OutputFile], next: &[OutputFile]) -> Vec<Loss> {
    let (before, after) = (resources(previous), resources(next));
    let moved = moved_pairs(next);
    let kept = kept_in_place(next);
    let mut out = Vec::new();
    for ((env, address), old) in &before {
        if kept.contains(&(env.clone(), address.clone())) {
            continue;
        }
        let now_at = moved
            .iter()
            .find(|(e, from, _)| e == env && from == address)
            .map_or(address.as_str(), |(_, _, to)| to.as_str());
        let kind = address.split('.').next().unwrap_or_default();
        let Some(new) = after.get(&(env.clone(), now_at.to_owned())) else {
            if STATEFUL.contains(&kind) {
                out.push(Loss {
                    env: env.clone(),
                    address: address.clone(),
                    because: None,
                });
            }
            continue;
        };
        if let Some(because) = replaced_because(kind, old, new) {
            out.push(Loss {
                env: env.clone(),
                address: now_at.to_owned(),
                because: Some(because),
            });
        }
    }
    out.sort();
    out
}

/// `(env, address)` of every `removed` block that keeps what it removes (`destroy = false`):
/// Terraform forgets the resource and leaves it standing.
fn kept_in_place(files: &[OutputFile]) -> Vec<(String, String)> {
    let mut kept = Vec::new();
    for file in files.iter().filter(|f| f.path.ends_with(".tf")) {
        let env = file.path.split('/').next().unwrap_or_default();
        let mut lines = file.contents.lines();
        while let Some(line) = lines.next() {
            if line != "removed {" {
                continue;
            }
            let block: Vec<&str> = lines.by_ref().take_while(|l| *l != "}").collect();
            let from = block
                .iter()
                .find_map(|l| l.trim().strip_prefix("from"))
                .map(|v| v.trim_start_matches([' ', '=']).trim().to_owned());
            let keeps = block.iter().any(|l| l.trim().replace(' ', "") == "destroy=false");
            if let (Some(from), true) = (from, keeps) {
                kept.push((env.to_owned(), from));
            }
        }
    }
    kept
}

/// `(env, from, to)` of every `moved` block.
fn moved_pairs(files: &[OutputFile]) -> Vec<(String, String, String)> {
    files
        .iter()
        .filter(|f| f.path.ends_with("/moved.tf"))
        .flat_map(|f| {
            let env = f.path.split('/').next().unwrap_or_default().to_owned();
            f.contents.split("moved {").skip(1).filter_map(move |block| {
                let field = |key: &str| {
                    block
                        .lines()
                        .find_map(|l| l.trim().strip_prefix(key))
                        .map(|v| v.trim_start_matches([' ', '=']).trim().to_owned())
                };
                Some((env.clone(), field("from")?, field("to")?))
            })
        })
        .collect()
}

/// The top-level arguments of each resource block whose loss or replacement matters (the
/// stateful types and those with replacement-forcing arguments), by `(env, address)`.
fn resources(files: &[OutputFile]) -> BTreeMap<(String, String), BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for file in files.iter().filter(|f| f.path.ends_with(".tf")) {
        let env = file.path.split('/').next().unwrap_or_default().to_owned();
        let mut lines = file.contents.lines();
        while let Some(line) = lines.next() {
            let Some(rest) = line.strip_prefix("resource \"") else {
                continue;
            };
            let Some((kind, rest)) = rest.split_once("\" \"") else {
                continue;
            };
            let Some((label, _)) = rest.split_once('"') else {
                continue;
            };
            let body = lines.by_ref().take_while(|l| *l != "}");
            if !STATEFUL.contains(&kind) && !FORCE_NEW.iter().any(|(k, _)| *k == kind) {
                continue;
            }
            let arguments = body
                .filter_map(|l| {
                    let l = l.strip_prefix("  ")?;
                    if l.starts_with(' ') {
                        return None;
                    }
                    let (key, value) = l.split_once(" = ").or_else(|| l.split_once("="))?;
                    Some((key.trim().to_owned(), value.trim().to_owned()))
                })
                .collect();
            out.insert((env.clone(), format!("{kind}.{label}")), arguments);
        }
    }
    out
}

/// Why a kept resource of `kind` would be replaced: a replacement-forcing argument changes, or
/// its engine version goes down.
fn replaced_because(
    kind: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Option<String> {
    let forced = FORCE_NEW
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(&[][..], |(_, keys)| keys);
    let changed = forced.iter().find_map(|key| {
        let (a, b) = (old.get(*key)?, new.get(*key)?);
        (a != b).then(|| format!("`{key}` changes from {a} to {b}"))
    });
    changed.or_else(|| match (old.get("engine_version"), new.get("engine_version")) {
        (Some(a), Some(b)) if version(b) < version(a) => {
            Some(format!("`engine_version` goes down from {a} to {b}"))
        }
        _ => None,
    })
}

/// `"16.4"` as numbers, for comparing versions.
fn version(text: &str) -> Vec<u64> {
    text.trim_matches('"')
        .split('.')
        .map(|p| p.parse().unwrap_or(0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            contents: contents.into(),
        }
    }

    #[test]
    fn a_stateful_resource_gone_without_a_move_is_a_loss() {
        let previous = [file(
            "prd/terraform/data.tf",
            "resource \"aws_rds_cluster\" \"main\" {\n}\nresource \"aws_s3_bucket\" \"logs\" {\n}\nresource \"aws_security_group\" \"api\" {\n}\n",
        )];
        let renamed = [
            file(
                "prd/terraform/data.tf",
                "resource \"aws_rds_cluster\" \"primary\" {\n}\n",
            ),
            file(
                "prd/terraform/moved.tf",
                "moved {\n  from = aws_rds_cluster.main\n  to   = aws_rds_cluster.primary\n}\n",
            ),
        ];
        assert_eq!(
            losses(&previous, &renamed),
            [Loss {
                env: "prd".into(),
                address: "aws_s3_bucket.logs".into(),
                because: None,
            }]
        );
        assert_eq!(losses(&previous, &previous), []);
    }

    #[test]
    fn a_resource_removed_with_destroy_false_is_handed_over_not_lost() {
        let previous = [file(
            "prd/terraform/data.tf",
            "resource \"aws_s3_bucket\" \"tfstate\" {\n}\n",
        )];
        let handed_over = [
            file(
                "prd/terraform/data.tf",
                "removed {\n  from = aws_s3_bucket.tfstate\n\n  lifecycle {\n    destroy = false\n  }\n}\n",
            ),
            file(
                "prd/bootstrap/state.tf",
                "resource \"aws_s3_bucket\" \"state\" {\n}\n",
            ),
        ];
        assert_eq!(losses(&previous, &handed_over), []);
        let destroyed = [file(
            "prd/terraform/data.tf",
            "removed {\n  from = aws_s3_bucket.tfstate\n\n  lifecycle {\n    destroy = true\n  }\n}\n",
        )];
        assert_eq!(losses(&previous, &destroyed).len(), 1);
    }

    #[test]
    fn a_kept_resource_whose_forcing_argument_changes_is_a_loss() {
        let before = [file(
            "prd/terraform/data.tf",
            "resource \"aws_rds_cluster\" \"main\" {\n  storage_encrypted = false\n  engine_version    = \"16.4\"\n}\n",
        )];
        let encrypted = [file(
            "prd/terraform/data.tf",
            "resource \"aws_rds_cluster\" \"main\" {\n  storage_encrypted = true\n  engine_version    = \"16.4\"\n}\n",
        )];
        let losses_now = losses(&before, &encrypted);
        assert_eq!(losses_now.len(), 1);
        assert_eq!(
            losses_now[0].because.as_deref(),
            Some("`storage_encrypted` changes from false to true")
        );
        let downgraded = [file(
            "prd/terraform/data.tf",
            "resource \"aws_rds_cluster\" \"main\" {\n  storage_encrypted = false\n  engine_version    = \"15.8\"\n}\n",
        )];
        assert!(
            losses(&before, &downgraded)[0]
                .because
                .as_deref()
                .is_some_and(|b| b.contains("goes down"))
        );
        let upgraded = [file(
            "prd/terraform/data.tf",
            "resource \"aws_rds_cluster\" \"main\" {\n  storage_encrypted = false\n  engine_version    = \"16.6\"\n}\n",
        )];
        assert_eq!(losses(&before, &upgraded), []);
    }
}
