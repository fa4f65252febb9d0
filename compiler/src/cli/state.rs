//! What a build would destroy. archc knows the Terraform it wrote last time (its record), so
//! before writing it compares: a stateful resource (an Aurora cluster, a bucket) that the last
//! build declared and this one neither declares nor moves would be destroyed by the next
//! `terraform apply`, with its data. That is refused (E9013) unless `--allow-replace` says it is
//! meant; a rename says so with `was`.

use std::collections::BTreeSet;

use crate::backend::OutputFile;

/// Resource types whose replacement loses data.
const STATEFUL: &[&str] = &["aws_rds_cluster", "aws_s3_bucket"];

/// One resource the build would destroy: the environment's directory and the address.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Loss {
    pub env: String,
    pub address: String,
}

/// The stateful resources of `previous` that `next` neither declares nor moves away from.
pub fn losses(previous: &[OutputFile], next: &[OutputFile]) -> Vec<Loss> {
    let declared = |files: &[OutputFile]| -> BTreeSet<(String, String)> {
        files
            .iter()
            .filter(|f| f.path.ends_with(".tf"))
            .flat_map(|f| {
                let env = f.path.split('/').next().unwrap_or_default().to_owned();
                f.contents.lines().filter_map(move |line| {
                    let rest = line.strip_prefix("resource \"")?;
                    let (kind, rest) = rest.split_once("\" \"")?;
                    let (label, _) = rest.split_once('"')?;
                    STATEFUL
                        .contains(&kind)
                        .then(|| (env.clone(), format!("{kind}.{label}")))
                })
            })
            .collect()
    };
    let moved: BTreeSet<(String, String)> = next
        .iter()
        .filter(|f| f.path.ends_with("/moved.tf"))
        .flat_map(|f| {
            let env = f.path.split('/').next().unwrap_or_default().to_owned();
            f.contents.lines().filter_map(move |line| {
                let from = line
                    .trim()
                    .strip_prefix("from")?
                    .trim_start_matches([' ', '='])
                    .trim();
                Some((env.clone(), from.to_owned()))
            })
        })
        .collect();
    let now = declared(next);
    declared(previous)
        .into_iter()
        .filter(|key| !now.contains(key) && !moved.contains(key))
        .map(|(env, address)| Loss { env, address })
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
                address: "aws_s3_bucket.logs".into()
            }]
        );
        assert_eq!(losses(&previous, &previous), []);
    }
}
