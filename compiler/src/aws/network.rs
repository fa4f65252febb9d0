//! What the network's edges need: VPC Block Public Access (when the account blocks public
//! access and forbids exclusions, CloudFront's VPC origins cannot reach their load balancers,
//! and under bidirectional blocking the NAT cannot reach the internet; an account holds at most
//! 50 exclusions per region), and the address ranges of private connections.

use ipnet::Ipv4Net;

use crate::diagnostics::codes::{BLOCK_PUBLIC_ACCESS, CONNECTION_RANGES};
use crate::ir::{BpaExclusionReason, EnvIr, Ir, PrivateConnection};
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

/// `A024`: the address ranges behind a private connection. A range that overlaps the VPC is
/// never routed out (the VPC's own `local` route is more specific or equal), one that overlaps
/// another connection's makes the routes ambiguous, and a connection no flow uses gets no
/// route at all (it is built, and billed, for nothing).
pub fn connection_ranges(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    let connections: Vec<&PrivateConnection> = env.connections.iter().collect();
    if !env.network {
        for connection in connections {
            out.push(
                Finding::error(
                    CONNECTION_RANGES,
                    &connection.origin,
                    format!("`{}` connects the VPC to a private network, and the system declares no network", connection.name),
                )
                .help("declare the network (`network { cidr = 10.0.0.0/16  egress = private  tier … }`) and the tiers whose components use the connection"),
            );
        }
        return;
    }
    let vpc = env.vpc.cidr.value;
    for (i, connection) in connections.iter().enumerate() {
        let cidrs = &connection.cidrs;
        if cidrs.value.is_empty() {
            out.push(
                Finding::error(
                    CONNECTION_RANGES,
                    &cidrs.origin,
                    format!(
                        "`{}` names no address range: nothing would be routed to it",
                        connection.name
                    ),
                )
                .help("list the ranges behind it, e.g. `cidrs = [172.16.0.0/16]`"),
            );
            continue;
        }
        for cidr in &cidrs.value {
            if overlaps(*cidr, vpc) {
                out.push(
                    Finding::error(
                        CONNECTION_RANGES,
                        &cidrs.origin,
                        format!(
                            "env `{}`: {cidr} behind `{}` overlaps the VPC's {vpc}: traffic to it never leaves the VPC",
                            env.name, connection.name
                        ),
                    )
                    .label(&env.vpc.cidr.origin, "the VPC's range")
                    .help("give the VPC (or this environment, `cidr = …`) a range that does not overlap the networks it connects to"),
                );
            }
            for other in connections.iter().skip(i + 1) {
                if let Some(theirs) = other.cidrs.value.iter().find(|o| overlaps(**o, *cidr)) {
                    out.push(
                        Finding::error(
                            CONNECTION_RANGES,
                            &other.cidrs.origin,
                            format!(
                                "{theirs} behind `{}` overlaps {cidr} behind `{}`: traffic in the overlap takes whichever route is more specific, not the connection its flows name",
                                other.name, connection.name
                            ),
                        )
                        .label(&cidrs.origin, format!("{cidr} is here"))
                        .help("each connection names the ranges only it reaches"),
                    );
                }
            }
        }
        if env.connection_tiers(&connection.name).is_empty() {
            out.push(
                Finding::warning(
                    CONNECTION_RANGES,
                    &connection.origin,
                    format!(
                        "no flow goes to or from `{}`: no tier routes to it, and it is built and billed for nothing",
                        connection.name
                    ),
                )
                .help(format!(
                    "add the flows that use it, e.g. `flow api -> {} : tcp(1521)`, or remove it",
                    connection.name
                )),
            );
        }
    }
}

fn overlaps(a: Ipv4Net, b: Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}
