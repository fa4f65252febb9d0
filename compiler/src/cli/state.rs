//! What a build would destroy. archc knows the Terraform it wrote last time (its record), so
//! before writing it compares: a stateful resource (an Aurora cluster, a bucket) that the last
//! build declared and this one neither declares nor moves would be destroyed by the next
//! `terraform apply`, with its data (unless a `removed` block with `destroy = false` hands it
//! over, as the state bucket is to the bootstrap); one whose replacement-forcing argument changes (an
//! identifier, encryption, the engine, a downgraded engine version; a VPC's CIDR, which takes
//! everything in it along) would be replaced. That is refused (E9013) unless `--allow-replace`
//! says it is meant; a rename says so with `was`.

use std::collections::{BTreeMap, BTreeSet};

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

/// What the check needs of one `.tf` file: its resources of the types above with their
/// top-level arguments, its `moved` pairs, and what its `removed` blocks hand over. Small, so
/// a build keeps it for every file while the files themselves are written and dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    env: String,
    resources: Vec<(String, Arguments)>,
    moved: Vec<(String, String)>,
    kept: Vec<String>,
}

/// A resource's top-level arguments: name → value as written.
type Arguments = BTreeMap<String, String>;

/// The summary of a generated file, `None` unless it is Terraform (`<env>/…/x.tf`).
pub fn summarize(path: &str, contents: &str) -> Option<Summary> {
    if !path.ends_with(".tf") {
        return None;
    }
    let mut summary = Summary {
        env: path.split('/').next().unwrap_or_default().to_owned(),
        ..Summary::default()
    };
    let mut lines = contents.lines();
    while let Some(line) = lines.next() {
        if line == "moved {" || line == "removed {" {
            let block: Vec<&str> = lines.by_ref().take_while(|l| *l != "}").collect();
            let field = |key: &str| {
                block
                    .iter()
                    .find_map(|l| l.trim().strip_prefix(key))
                    .map(|v| v.trim_start_matches([' ', '=']).trim().to_owned())
            };
            if line == "moved {" {
                if let (Some(from), Some(to)) = (field("from"), field("to")) {
                    summary.moved.push((from, to));
                }
            } else if block.iter().any(|l| l.trim().replace(' ', "") == "destroy=false")
                && let Some(from) = field("from")
            {
                summary.kept.push(from);
            }
            continue;
        }
        let Some(rest) = line.strip_prefix("resource \"") else {
            continue;
        };
        let Some((kind, rest)) = rest.split_once("\" \"") else {
            continue;
        };
        let Some((label, _)) = rest.split_once('"') else {
            continue;
        };
        if !STATEFUL.contains(&kind) && !FORCE_NEW.iter().any(|(k, _)| *k == kind) {
            continue;
        }
        let arguments = lines
            .by_ref()
            .take_while(|l| *l != "}")
            .filter_map(|l| {
                let l = l.strip_prefix("  ")?;
                if l.starts_with(' ') {
                    return None;
                }
                let (key, value) = l.split_once(" = ").or_else(|| l.split_once("="))?;
                Some((key.trim().to_owned(), value.trim().to_owned()))
            })
            .collect();
        summary.resources.push((format!("{kind}.{label}"), arguments));
    }
    Some(summary)
}

/// The stateful resources of `previous` that `next` neither declares nor moves away from, and
/// those it keeps (or moves) but replaces.
pub fn losses(previous: &[Summary], next: &[Summary]) -> Vec<Loss> {
    let resources = |files: &[Summary]| -> BTreeMap<(String, String), Arguments> {
        files
            .iter()
            .flat_map(|f| {
                f.resources
                    .iter()
                    .map(|(address, a)| ((f.env.clone(), address.clone()), a.clone()))
            })
            .collect()
    };
    let (before, after) = (resources(previous), resources(next));
    let moved: BTreeMap<(&str, &str), &str> = next
        .iter()
        .flat_map(|f| {
            f.moved
                .iter()
                .map(|(from, to)| ((f.env.as_str(), from.as_str()), to.as_str()))
        })
        .collect();
    let kept: BTreeSet<(&str, &str)> = next
        .iter()
        .flat_map(|f| f.kept.iter().map(|from| (f.env.as_str(), from.as_str())))
        .collect();
    let mut out = Vec::new();
    for ((env, address), old) in &before {
        if kept.contains(&(env.as_str(), address.as_str())) {
            continue;
        }
        let now_at = moved
            .get(&(env.as_str(), address.as_str()))
            .copied()
            .unwrap_or(address.as_str());
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

/// Why a kept resource of `kind` would be replaced: a replacement-forcing argument changes, or
/// its engine version goes down.
fn replaced_because(kind: &str, old: &Arguments, new: &Arguments) -> Option<String> {
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

    fn file(path: &str, contents: &str) -> Summary {
        summarize(path, contents).unwrap_or_default()
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
