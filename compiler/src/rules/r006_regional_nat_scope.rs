//! R006 regional-nat-scope: a Regional NAT Gateway is for internet-only egress. A network with
//! private connectivity (peering, Transit Gateway, Direct Connect, VPN, or `egress = private`)
//! needs zonal NAT gateways.

use super::{Finding, Findings};
use crate::diagnostics::codes::REGIONAL_NAT_SCOPE;
use crate::ir::{EgressMode, EnvIr, Ir, Nat};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    let Nat::Regional { origin } = &env.nat else {
        return;
    };
    let connections = &env.vpc.connections;
    let private = env.vpc.egress.value == EgressMode::Private;
    if connections.value.is_empty() && !private {
        return;
    }
    let (what, where_) = if connections.value.is_empty() {
        ("private egress".to_owned(), &env.vpc.egress.origin)
    } else {
        (
            connections
                .value
                .iter()
                .map(|c| c.as_str().replace('_', " "))
                .collect::<Vec<_>>()
                .join(", "),
            &connections.origin,
        )
    };
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
