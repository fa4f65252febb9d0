//! R005 closed-db-tier: a tier that holds a database or a cache has no route out, and no
//! database or cache flows to the internet.

use super::{Finding, Findings};
use crate::diagnostics::codes::CLOSED_DB_TIER;
use crate::ir::{EnvIr, Ir, TierEgress};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    for tier in &env.tiers {
        let databases: Vec<String> = (env.databases.iter().map(|d| (&d.name, &d.tier)))
            .chain(env.caches.iter().map(|c| (&c.name, &c.tier)))
            .filter(|(_, in_tier)| **in_tier == tier.name)
            .map(|(name, _)| format!("`{name}`"))
            .collect();
        if databases.is_empty() || tier.egress.value != TierEgress::Nat {
            continue;
        }
        out.push(
            Finding::error(
                CLOSED_DB_TIER,
                &tier.egress.origin,
                format!(
                    "tier `{}` holds {} but routes to the internet through the NAT",
                    tier.name,
                    databases.join(", ")
                ),
            )
            .help(format!(
                "set `egress = none` on tier `{}`: the db tier is fully closed",
                tier.name
            )),
        );
    }
    for flow in env.flows.iter().filter(|f| f.to.is_internet()) {
        let what = if env.databases.iter().any(|d| flow.from == d.name) {
            "database"
        } else if env.caches.iter().any(|c| flow.from == c.name) {
            "cache"
        } else {
            continue;
        };
        {
            out.push(
                Finding::error(
                    CLOSED_DB_TIER,
                    &flow.origin,
                    format!("{what} `{}` must not reach the internet", flow.from),
                )
                .help(format!(
                    "remove the flow; a {what} that needs an AWS service reaches it through a VPC endpoint"
                )),
            );
        }
    }
}
