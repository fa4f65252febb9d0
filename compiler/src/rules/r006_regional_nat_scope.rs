//! R006 regional-nat-scope: a Regional NAT Gateway is for internet-only egress. A network with
//! private connectivity (a `connection`: Transit Gateway, VPC peering, site-to-site VPN; or
//! `egress = private`) needs zonal NAT gateways. The network's egress and its connections must
//! agree: `egress = private` has at least one connection, and connections need `egress =
//! private` (otherwise this rule and R001 would each recommend what the other refuses).

use super::{Finding, Findings};
use crate::diagnostics::codes::REGIONAL_NAT_SCOPE;
use crate::ir::{EgressMode, EnvIr, Ir, Nat};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    // Without a network there is no NAT; a connection there is A024's.
    if !env.network {
        return;
    }
    let private = env.vpc.egress.value == EgressMode::Private;
    let first = env.connections.iter().next();
    match (private, first) {
        (true, None) => {
            out.push(
                Finding::error(
                    REGIONAL_NAT_SCOPE,
                    &env.vpc.egress.origin,
                    "`egress = private` but the system declares no private connection",
                )
                .help("declare it, e.g. `connection onprem : transit_gateway { gateway = \"tgw-0123456789abcdef0\"  cidrs = [10.100.0.0/16] }` (then `nat = zonal`), or set `egress = internet_only` (then `nat = regional`)"),
            );
            return;
        }
        (false, Some(connection)) => out.push(
            Finding::error(
                REGIONAL_NAT_SCOPE,
                &connection.origin,
                format!(
                    "`{}` is a private connection but the network's egress is `internet_only`",
                    connection.name
                ),
            )
            .label(&env.vpc.egress.origin, "internet-only egress")
            .help("set `egress = private` on the network (with `nat = zonal`), or remove the connection"),
        ),
        _ => {}
    }
    let Nat::Regional { origin } = &env.nat else {
        return;
    };
    let Some(connection) = first else {
        return;
    };
    let what = env
        .connections
        .iter()
        .map(|c| format!("`{}` ({})", c.name, c.kind.describe()))
        .collect::<Vec<_>>()
        .join(", ");
    let where_ = &connection.origin;
    out.push(
        Finding::error(
            REGIONAL_NAT_SCOPE,
            origin,
            format!("a Regional NAT Gateway cannot serve a network with {what}"),
        )
        .label(where_, "private connectivity is declared here")
        .help(
            "set `nat = zonal` in this environment; the Regional NAT Gateway provides internet egress only",
        ),
    );
}
