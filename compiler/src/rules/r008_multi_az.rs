//! R008 multi-az: production spreads its tiers over at least two availability zones, and its
//! egress does not hang on a single-AZ NAT instance.

use super::{Finding, Findings};
use crate::diagnostics::codes::MULTI_AZ;
use crate::ir::{EnvIr, Ir, Nat, Stage};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    if env.stage.value != Stage::Production {
        return;
    }
    let zones = &env.vpc.zones;
    if zones.value.len() < 2 {
        out.push(
            Finding::error(
                MULTI_AZ,
                &zones.origin,
                format!("production uses only {} availability zone", zones.value.len()),
            )
            .help("list at least two zones, e.g. `zones = [\"a\", \"c\", \"d\"]`"),
        );
    }
    if let Nat::Instance { origin, .. } = &env.nat {
        out.push(
            Finding::error(
                MULTI_AZ,
                origin,
                "production sends all egress through a single-AZ NAT instance",
            )
            .help("use `nat = regional` in production: it spans the zones and fails over by itself"),
        );
    }
}
