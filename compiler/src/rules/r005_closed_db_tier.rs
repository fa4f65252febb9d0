//! R005 closed-db-tier: a tier that holds a database has no route out, and no database flows
//! to the internet.

use super::{Finding, Findings};
use crate::diagnostics::codes::CLOSED_DB_TIER;
use crate::ir::{EnvIr, Ir, TierEgress};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    for tier in &env.tiers {
        let databases: Vec<String> = env
            .databases
            .iter()
            .filter(|d| d.tier == tier.name)
            .map(|d| format!("`{}`", d.name))
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
        if env.databases.iter().any(|d| flow.from == d.name) {
            out.push(
                Finding::error(
                    CLOSED_DB_TIER,
                    &flow.origin,
                    format!("database `{}` must not reach the internet", flow.from),
                )
                .help(
                    "remove the flow; a database that needs an AWS service reaches it through a VPC endpoint",
                ),
            );
        }
    }
}
