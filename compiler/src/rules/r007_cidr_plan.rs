//! R007 cidr-plan: environment VPCs do not overlap (so they can be peered later); explicit
//! subnet CIDRs lie in the VPC, do not overlap, and give one subnet per zone; and a warning
//! when no block is left for another tier.

use super::{Finding, Findings};
use crate::diagnostics::codes::CIDR_PLAN;
use crate::ir::{EnvIr, Ir};

pub fn check(ir: &Ir, env: &EnvIr, out: &mut Findings) {
    if !env.network {
        return;
    }
    let vpc = env.vpc.cidr.value;
    // Each pair of environments once: this one against the ones declared after it.
    let later = ir
        .envs
        .iter()
        .skip_while(|e| e.name != env.name)
        .skip(1)
        .filter(|e| e.network);
    for other in later {
        let theirs = other.vpc.cidr.value;
        if vpc.contains(&theirs) || theirs.contains(&vpc) {
            out.push(
                Finding::error(
                    CIDR_PLAN,
                    &other.vpc.cidr.origin,
                    format!(
                        "the VPC of env `{}` ({theirs}) overlaps the VPC of env `{}` ({vpc})",
                        other.name, env.name
                    ),
                )
                .label(&env.vpc.cidr.origin, format!("env `{}` uses {vpc}", env.name))
                .help(format!(
                    "give env `{}` its own range, e.g. `cidr = {}`",
                    other.name,
                    next_free(ir, vpc)
                ))
                .across_envs(),
            );
        }
    }
    // Every subnet of the environment, named, to find what an explicit CIDR overlaps.
    let all_subnets: Vec<(&str, ipnet::Ipv4Net)> = env
        .tiers
        .iter()
        .flat_map(|t| t.subnets.iter().map(|s| (s.name.as_str(), s.cidr)))
        .chain(env.public_subnets.iter().map(|s| (s.name.as_str(), s.cidr)))
        .collect();
    for tier in env.tiers.iter().filter(|t| t.explicit) {
        let zones = env.vpc.zones.value.len();
        if tier.subnets.len() != zones {
            out.push(
                Finding::error(
                    CIDR_PLAN,
                    &tier.cidrs_origin,
                    format!(
                        "tier `{}` lists {} for {zones} zones",
                        tier.name,
                        match tier.subnets.len() {
                            1 => "1 CIDR".to_owned(),
                            n => format!("{n} CIDRs"),
                        }
                    ),
                )
                .help("give one subnet CIDR per zone, in zone order"),
            );
        }
        for subnet in &tier.subnets {
            if !vpc.contains(&subnet.cidr) {
                out.push(
                    Finding::error(
                        CIDR_PLAN,
                        &tier.cidrs_origin,
                        format!(
                            "subnet {} of tier `{}` lies outside the VPC {vpc}",
                            subnet.cidr, tier.name
                        ),
                    )
                    .label(&env.vpc.cidr.origin, "the VPC")
                    .help("use subnet CIDRs inside the VPC's range"),
                );
            }
            // Each overlapping pair once, at the later subnet.
            let position = all_subnets
                .iter()
                .position(|(name, _)| *name == subnet.name)
                .unwrap_or(0);
            let overlapping = all_subnets
                .iter()
                .take(position)
                .find(|(_, other)| other.contains(&subnet.cidr) || subnet.cidr.contains(other));
            if let Some((name, other)) = overlapping {
                out.push(
                    Finding::error(
                        CIDR_PLAN,
                        &tier.cidrs_origin,
                        format!(
                            "subnet `{}` ({}) overlaps subnet `{name}` ({other})",
                            subnet.name, subnet.cidr
                        ),
                    )
                    .help(
                        "subnets must not overlap; pick free ranges, or drop `cidrs` to let archc allocate",
                    ),
                );
            }
        }
    }
    let largest = env
        .tiers
        .iter()
        .filter_map(|t| t.block)
        .map(|b| b.prefix_len())
        .min();
    if let Some(largest) = largest
        && !env.spare.iter().any(|free| free.prefix_len() <= largest)
    {
        out.push(
            Finding::warning(
                CIDR_PLAN,
                &env.vpc.cidr.origin,
                format!("the VPC {vpc} has no room left for another tier of /{largest}"),
            )
            .help("leave spare space for growth: use a larger VPC CIDR or smaller subnets"),
        );
    }
}

/// A suggestion: the first /16-sized range after every environment's VPC.
fn next_free(ir: &Ir, vpc: ipnet::Ipv4Net) -> ipnet::Ipv4Net {
    let mut candidate = vpc;
    while ir
        .envs
        .iter()
        .filter(|e| e.network)
        .any(|e| e.vpc.cidr.value.contains(&candidate) || candidate.contains(&e.vpc.cidr.value))
    {
        let Some(next) = candidate.broadcast().checked_add_one() else {
            break;
        };
        candidate = ipnet::Ipv4Net::new(next, candidate.prefix_len()).map_or(candidate, |n| n.trunc());
    }
    candidate
}

trait NextAddress {
    fn checked_add_one(self) -> Option<std::net::Ipv4Addr>;
}

impl NextAddress for std::net::Ipv4Addr {
    fn checked_add_one(self) -> Option<std::net::Ipv4Addr> {
        u32::from(self).checked_add(1).map(std::net::Ipv4Addr::from)
    }
}
