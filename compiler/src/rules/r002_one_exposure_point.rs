//! R002 one-exposure-point: only the edge faces the internet. Load balancers are internal
//! (reached through CloudFront's VPC origin), and nothing but the edge takes flows from
//! `internet`.

use super::{Finding, Findings};
use crate::diagnostics::codes::ONE_EXPOSURE_POINT;
use crate::ir::{EnvIr, Ir};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    for lb in env.load_balancers.iter().filter(|lb| !lb.internal.value) {
        out.push(
            Finding::error(
                ONE_EXPOSURE_POINT,
                &lb.internal.origin,
                format!(
                    "load balancer `{}` is internet-facing: a second exposure point beside the edge",
                    lb.name
                ),
            )
            .help(
                "set `internal = true`; CloudFront reaches it through its VPC origin, and nothing else can",
            ),
        );
    }
    let edge = env.edge.as_ref().map(|e| e.name.as_str());
    for flow in env
        .flows
        .iter()
        .filter(|f| f.from.is_internet() && f.to.component() != edge)
    {
        out.push(
            Finding::error(
                ONE_EXPOSURE_POINT,
                &flow.origin,
                format!(
                    "`{}` takes traffic from the internet: only the edge may face the internet",
                    flow.to
                ),
            )
            .help(match edge {
                Some(edge) => format!(
                    "route requests through the edge: `route \"…\" -> …` on `{edge}` and a load balancer"
                ),
                None => {
                    "declare an edge (`edge cdn : cloudfront { … }`) and route requests through it".to_owned()
                }
            }),
        );
    }
}
