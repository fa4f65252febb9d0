//! R008 multi-az: production spreads its tiers over at least two availability zones, its
//! egress does not hang on a single-AZ NAT instance, and a node-based cache has a replica in
//! another zone to fail over to.

use super::{Finding, Findings};
use crate::diagnostics::codes::MULTI_AZ;
use crate::ir::{CacheNodes, EnvIr, Ir, Nat, Stage};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    if env.stage.value != Stage::Production {
        return;
    }
    let zones = &env.vpc.zones;
    if env.network && zones.value.len() < 2 {
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
            .help(if env.connections.is_empty() {
                "use `nat = regional` in production: it spans the zones and fails over by itself"
            } else {
                // Private connectivity rules the Regional NAT Gateway out (R006).
                "use `nat = zonal` in production: a gateway in each zone, so no zone depends on another's"
            }),
        );
    }
    for cache in &env.caches {
        if let CacheNodes::Nodes { replicas, .. } = &cache.nodes
            && replicas.value < 1
        {
            out.push(
                Finding::error(
                    MULTI_AZ,
                    &replicas.origin,
                    format!("cache `{}` runs a single node in production: no failover to another zone", cache.name),
                )
                .help("give it a replica (`replicas = 1`): ElastiCache then fails over to it in another zone, or use `valkey_serverless`, which spans the zones by itself"),
            );
        }
    }
}
