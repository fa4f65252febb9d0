//! R022 edge-waf: in production, a web ACL filters requests before they reach the origins
//! (`waf { … }` on the edge: AWS managed rule groups, a rate limit per client address). The
//! edge is the system's one exposure point, so it is where requests are filtered. A warning:
//! a site may rely on other protection; waive it with the reason.

use super::{Finding, Findings};
use crate::diagnostics::codes::EDGE_WAF;
use crate::ir::{EnvIr, Ir, Stage};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    if env.stage.value != Stage::Production {
        return;
    }
    let Some(edge) = env.edge.as_ref().filter(|e| e.waf.is_none()) else {
        return;
    };
    out.push(
        Finding::warning(
            EDGE_WAF,
            &edge.origin,
            format!(
                "`{}` faces the internet in production with no web ACL: every request reaches the origins unfiltered",
                edge.name
            ),
        )
        .label(&env.stage.origin, "production")
        .help("add `waf { }` to the edge (AWS's common, known-bad-inputs and IP reputation rule groups and a rate limit of 2,000 requests per 5 minutes per address, about $9 a month), or waive it with the reason: `allow R022 reason \"…\"`"),
    );
}
