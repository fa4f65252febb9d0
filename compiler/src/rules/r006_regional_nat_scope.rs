//! R006 regional-nat-scope: a Regional NAT Gateway is for internet-only egress. A network with
//! private connectivity (peering, Transit Gateway, Direct Connect, VPN, or `egress = private`)
//! needs zonal NAT gateways. The network's egress and its connections must agree: `egress =
//! private` names at least one connection, and connections need `egress = private` (otherwise
//! this rule and R001 would each recommend what the other refuses).

use super::{Finding, Findings};
use crate::diagnostics::codes::REGIONAL_NAT_SCOPE;
use crate::ir::{EgressMode, EnvIr, Ir, Nat};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    let connections = &env.vpc.connections;
    let private = env.vpc.egress.value == EgressMode::Private;
    match (private, connections.value.is_empty()) {
        (true, true) => {
            out.push(
                Finding::error(
                    REGIONAL_NAT_SCOPE,
                    &env.vpc.egress.origin,
                    "`egress = private` but the network lists no private connection",
                )
                .help("list them, e.g. `connections = [transit_gateway]` (then `nat = zonal`), or set `egress = internet_only` (then `nat = regional`)"),
            );
            return;
        }
        (false, false) => out.push(
            Finding::error(
                REGIONAL_NAT_SCOPE,
                &connections.origin,
                "the network lists private connections but its egress is `internet_only`",
            )
            .label(&env.vpc.egress.origin, "internet-only egress")
            .help("set `egress = private` (with `nat = zonal`), or remove the connections"),
        ),
        _ => {}
    }
    let Nat::Regional { origin } = &env.nat else {
        return;
    };
    if connections.value.is_empty() {
        return;
    }
    let (what, where_) = (
        connections
            .value
            .iter()
            .map(|c| c.as_str().replace('_', " "))
            .collect::<Vec<_>>()
            .join(", "),
        &connections.origin,
    );
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
