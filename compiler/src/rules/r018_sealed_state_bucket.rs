//! R018 sealed-state-bucket: no component is granted anything on the Terraform state bucket.
//! The state holds every resource's attributes, secrets among them; only the deploy role reads
//! it. This rule cannot be waived.

use super::{Finding, Findings};
use crate::diagnostics::codes::SEALED_STATE_BUCKET;
use crate::ir::{BucketPurpose, EnvIr, GrantTarget, Ir};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    if env.grants.is_empty() {
        return;
    }
    for grant in env.grants.iter().filter(|g| g.target == GrantTarget::Bucket) {
        let Some(bucket) = env
            .buckets
            .iter()
            .find(|b| b.name == grant.to && b.purpose == Some(BucketPurpose::TerraformState))
        else {
            continue;
        };
        let levels: Vec<&str> = grant.access.iter().map(|a| a.as_str()).collect();
        out.push(
            Finding::error(
                SEALED_STATE_BUCKET,
                &grant.origin,
                format!(
                    "`{}` is granted {} on `{}`, the Terraform state, which holds every resource's attributes and secrets",
                    grant.from,
                    levels.join(", "),
                    bucket.name
                ),
            )
            .label(&bucket.origin, "the Terraform state")
            .help("remove this flow: only the deploy role reads and writes the state; keep what the application needs in a bucket with `purpose = data`"),
        );
    }
}
