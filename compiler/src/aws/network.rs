//! What VPC Block Public Access leaves of the design: when the account blocks public access
//! and forbids exclusions, CloudFront's VPC origins cannot reach their load balancers, and
//! under bidirectional blocking the NAT cannot reach the internet; and an account holds at
//! most 50 exclusions per region.

use crate::diagnostics::codes::BLOCK_PUBLIC_ACCESS;
use crate::ir::{BpaExclusionReason, EnvIr, Ir};
use crate::rules::{Finding, Findings};

/// VPC BPA exclusions per account and region (Amazon VPC quotas; adjustable on request).
const EXCLUSIONS_PER_REGION: usize = 50;

pub fn block_public_access(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    let bpa = &env.vpc.block_public_access;
    if bpa.exclusions.is_empty() {
        return;
    }
    let mode = bpa.mode.value.as_str();
    if !bpa.exclusions_allowed.value {
        // One finding per reason, not per subnet.
        let mut reasons: Vec<&BpaExclusionReason> = Vec::new();
        for exclusion in &bpa.exclusions {
            if !reasons.contains(&&exclusion.reason) {
                reasons.push(&exclusion.reason);
            }
        }
        for reason in reasons {
            let (consequence, help) = match reason {
                BpaExclusionReason::VpcOrigin { load_balancer } => (
                    format!("CloudFront's VPC origin cannot reach `{load_balancer}`: every request to its routes would fail"),
                    "ask for an exclusion of the load balancer's subnets (`bpa_exclusions = true` once the organization's policy allows it), or serve the routes from buckets only".to_owned(),
                ),
                BpaExclusionReason::NatEgress => (
                    "the NAT cannot reach the internet: tasks in tiers with `egress = nat` cannot pull images, send logs or call out".to_owned(),
                    "reach AWS through VPC endpoints instead (`endpoints = [ecr, s3, logs, …]` on the network, `egress = none` on the tiers), or ask for an egress exclusion of the NAT".to_owned(),
                ),
            };
            out.push(
                Finding::error(
                    BLOCK_PUBLIC_ACCESS,
                    &bpa.exclusions_allowed.origin,
                    format!(
                        "env `{}`: Block Public Access is `{mode}` and exclusions are forbidden, so {consequence}",
                        env.name
                    ),
                )
                .label(&bpa.mode.origin, format!("Block Public Access is `{mode}` here"))
                .help(help),
            );
        }
    }
    if bpa.exclusions.len() > EXCLUSIONS_PER_REGION {
        out.push(
            Finding::error(
                BLOCK_PUBLIC_ACCESS,
                &bpa.mode.origin,
                format!(
                    "env `{}` needs {} Block Public Access exclusions; an account has at most {EXCLUSIONS_PER_REGION} per region",
                    env.name,
                    bpa.exclusions.len()
                ),
            )
            .help("fewer zones or load-balancer subnets, a Regional NAT Gateway (one exclusion for the VPC), or a quota increase from AWS Support"),
        );
    }
}
