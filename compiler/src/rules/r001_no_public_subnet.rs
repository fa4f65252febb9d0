//! R001 no-public-subnet: every subnet is private. The NAT strategy is the only thing that may
//! need public subnets: a NAT instance (one) and zonal NAT gateways with private connectivity
//! (one per zone) are trade-offs the seed accepts, reported as warnings that state them; zonal
//! NAT without private connectivity has public subnets for nothing, an error.

use super::{Finding, Findings};
use crate::diagnostics::codes::NO_PUBLIC_SUBNET;
use crate::ir::{EgressMode, EnvIr, Ir, Nat};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    let names: Vec<String> = env
        .public_subnets
        .iter()
        .map(|s| format!("`{}` ({})", s.name, s.cidr))
        .collect();
    if names.is_empty() {
        return;
    }
    let subnets = names.join(", ");
    match &env.nat {
        Nat::Instance { instance_type, origin, .. } => {
            // The managed alternative: a Regional NAT Gateway, or with private connectivity
            // (which rules it out, R006) a zonal gateway per zone; both cost the same per zone.
            let (gateway_kind, alternative) = if env.connections.is_empty() {
                ("a Regional NAT Gateway", "regional")
            } else {
                ("zonal NAT gateways", "zonal")
            };
            // The trade-off in this environment's own region, when archc has its prices.
            let cost = match crate::cost::nat_instance_versus_gateway(env, instance_type) {
                Some((instance, gateway)) => format!(
                    "about ${instance:.0} a month instead of about ${gateway:.0} for {gateway_kind} in {}",
                    env.region
                ),
                None => format!("cheaper than {gateway_kind}"),
            };
            out.push(
                Finding::warning(
                    NO_PUBLIC_SUBNET,
                    origin,
                    format!("the NAT instance ({instance_type}) needs a public subnet: {subnets}"),
                )
                .help(format!(
                    "the trade-off: {cost}, but single-AZ and self-managed (patching, failover); \
                     accepted outside production, use `nat = {alternative}` where availability matters"
                )),
            )
        }
        Nat::Zonal { origin, .. } if let Some(connection) = env.connections.iter().next() => out.push(
            Finding::warning(
                NO_PUBLIC_SUBNET,
                origin,
                format!("zonal NAT gateways need a public subnet in each zone: {subnets}"),
            )
            .label(&connection.origin, "private connectivity requires zonal NAT gateways")
            .help("the trade-off: private connectivity rules out the Regional NAT Gateway, so the VPC has public subnets for the gateways"),
        ),
        // `egress = private` with no connection is R006's to report.
        Nat::Zonal { .. } if env.vpc.egress.value == EgressMode::Private => {}
        Nat::Zonal { origin, .. } => out.push(
            Finding::error(
                NO_PUBLIC_SUBNET,
                origin,
                format!("zonal NAT gateways put public subnets in the VPC: {subnets}"),
            )
            .help("with internet-only egress, use `nat = regional`: the Regional NAT Gateway needs no public subnet"),
        ),
        Nat::Regional { .. } | Nat::None { .. } => {}
    }
}
