//! R003 sg-references-only: security-group rules reference security groups. archc derives
//! every rule from a flow, so rules are SG references by construction; the one CIDR-like
//! source is CloudFront's origin-facing prefix list, and it may only admit traffic to a load
//! balancer (anything else would let CloudFront bypass the ALB). Flows from `internet`, the
//! only other source of a CIDR rule, are R002's.

use super::{Finding, Findings};
use crate::diagnostics::codes::SG_REFERENCES_ONLY;
use crate::ir::{EnvIr, Ir, Peer};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    for rule in &env.ingress_rules {
        let Peer::PrefixList(list) = &rule.peer else {
            continue;
        };
        let is_load_balancer = env.load_balancers.iter().any(|lb| lb.name == rule.group);
        if !is_load_balancer {
            out.push(
                Finding::error(
                    SG_REFERENCES_ONLY,
                    &rule.origin,
                    format!(
                        "the security group of `{}` would admit port {} from the prefix list {list}: only a load balancer may",
                        rule.group, rule.port
                    ),
                )
                .help(format!("let the edge reach a load balancer, and the load balancer reach `{}`", rule.group)),
            );
        }
    }
}
