//! Subnet allocation and routing: each tier's aligned block and subnets (explicit CIDRs
//! honoured), the public subnets a NAT instance or zonal gateways need, the spare space, and the
//! route tables.

use super::*;

impl EnvLowerer<'_> {
    pub(super) fn allocate_tiers(
        &mut self,
        tiers: &[Resolved<'_>],
        zones: &[String],
        allocator: &mut Allocator,
    ) -> Lowering<Vec<Tier>> {
        // Explicit CIDRs first, so automatic allocation steps around them.
        for tier in tiers {
            if let Some(Val::List(cidrs)) = tier.fields.get("cidrs").map(|s| &s.value) {
                for cidr in cidrs {
                    if let Val::Cidr(net) = cidr {
                        allocator.reserve(*net);
                    }
                }
            }
        }
        let mut out = Vec::new();
        for tier in tiers {
            let get = Get::new(&tier.fields, &tier.origin);
            let egress = egress_of(&get)?;
            let explicit = get.cidrs("cidrs")?;
            let (block, subnets, cidrs_origin) = if explicit.is_empty() {
                let prefix = get.require("subnet", "prefix length", |v| match v {
                    Val::Prefix(p) => Some(*p),
                    _ => None,
                })?;
                let slots = zones.len().max(4).next_power_of_two();
                let block = allocator.allocate(prefix, slots, Direction::FromBottom);
                if block.is_none() {
                    self.diagnostics.push(
                        Diagnostic::error(
                            codes::SUBNETS_DO_NOT_FIT,
                            get.origin("subnet").file,
                            get.origin("subnet").span,
                            format!(
                                "tier `{}` needs {} subnets of /{prefix}, and they do not fit in the VPC {} beside the tiers before it",
                                tier.name,
                                zones.len(),
                                allocator.vpc
                            ),
                        )
                        .with_help("use a larger VPC CIDR, smaller subnets, or fewer tiers or zones"),
                    );
                }
                let subnets = block
                    .map(|b| subnets_of(b, prefix, zones, &tier.name))
                    .unwrap_or_default();
                (block, subnets, get.origin("subnet"))
            } else {
                let subnets = zones
                    .iter()
                    .zip(&explicit)
                    .map(|(zone, cidr)| Subnet {
                        name: subnet_name(&tier.name, zone),
                        zone: zone.clone(),
                        cidr: *cidr,
                    })
                    .collect();
                (None, subnets, get.origin("cidrs"))
            };
            out.push(Tier {
                name: tier.name.clone(),
                egress,
                block,
                subnets,
                explicit: !explicit.is_empty(),
                origin: tier.origin.clone(),
                cidrs_origin,
            });
        }
        Ok(out)
    }

    pub(super) fn allocate_public(
        &mut self,
        zones: &[String],
        count: usize,
        allocator: &mut Allocator,
        origin: &Origin,
    ) -> Vec<Subnet> {
        let Some(block) = allocator.allocate(
            PUBLIC_SUBNET_PREFIX,
            zones.len().max(4).next_power_of_two(),
            Direction::FromTop,
        ) else {
            self.diagnostics.push(
                Diagnostic::error(
                    codes::SUBNETS_DO_NOT_FIT,
                    origin.file,
                    origin.span.clone(),
                    format!(
                        "no room is left in the VPC {} for the public subnet this NAT needs",
                        allocator.vpc
                    ),
                )
                .with_help("use a larger VPC CIDR, or smaller tier subnets"),
            );
            return Vec::new();
        };
        let zones: Vec<String> = zones.iter().take(count).cloned().collect();
        subnets_of(block, PUBLIC_SUBNET_PREFIX, &zones, "public")
    }
}

pub(super) fn route_tables(tiers: &[Tier], public: &[Subnet], nat: &Nat) -> Vec<RouteTable> {
    let default_route = |target| RouteEntry {
        destination: ANYWHERE,
        target,
    };
    let mut tables = Vec::new();
    for tier in tiers {
        let names = |subnets: &[Subnet]| subnets.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
        match (tier.egress.value, nat) {
            (TierEgress::None, _) | (TierEgress::Nat, Nat::None { .. }) => tables.push(RouteTable {
                name: tier.name.clone(),
                subnets: names(&tier.subnets),
                routes: Vec::new(),
            }),
            (TierEgress::Nat, Nat::Regional { .. }) => tables.push(RouteTable {
                name: tier.name.clone(),
                subnets: names(&tier.subnets),
                routes: vec![default_route(RouteTarget::RegionalNatGateway)],
            }),
            (TierEgress::Nat, Nat::Instance { .. }) => tables.push(RouteTable {
                name: tier.name.clone(),
                subnets: names(&tier.subnets),
                routes: vec![default_route(RouteTarget::NatInstance)],
            }),
            (TierEgress::Nat, Nat::Zonal { .. }) => {
                // One table per zone: each zone's subnets leave through that zone's gateway.
                for subnet in &tier.subnets {
                    let gateway = public
                        .iter()
                        .find(|p| p.zone == subnet.zone)
                        .map_or_else(String::new, |p| p.name.clone());
                    tables.push(RouteTable {
                        name: subnet.name.clone(),
                        subnets: vec![subnet.name.clone()],
                        routes: vec![default_route(RouteTarget::ZonalNatGateway(gateway))],
                    });
                }
            }
        }
    }
    if !public.is_empty() {
        tables.push(RouteTable {
            name: "public".into(),
            subnets: public.iter().map(|s| s.name.clone()).collect(),
            routes: vec![default_route(RouteTarget::InternetGateway)],
        });
    }
    tables
}

pub(super) fn subnet_name(tier: &str, zone: &str) -> String {
    format!("{tier}-{}", zone.chars().last().unwrap_or('x'))
}

pub(super) fn subnets_of(block: Ipv4Net, prefix: u8, zones: &[String], tier: &str) -> Vec<Subnet> {
    let Ok(subnets) = block.subnets(prefix) else {
        return Vec::new();
    };
    zones
        .iter()
        .zip(subnets)
        .map(|(zone, cidr)| Subnet {
            name: subnet_name(tier, zone),
            zone: zone.clone(),
            cidr,
        })
        .collect()
}

#[derive(Clone, Copy)]
pub(super) enum Direction {
    FromBottom,
    FromTop,
}

/// Hands out aligned blocks of a VPC, avoiding what is already taken.
pub(super) struct Allocator {
    pub(super) vpc: Ipv4Net,
    pub(super) used: Vec<Ipv4Net>,
}

impl Allocator {
    pub(super) fn new(vpc: Ipv4Net) -> Self {
        Self {
            vpc,
            used: Vec::new(),
        }
    }

    /// Marks a block as taken (explicit CIDRs).
    pub(super) fn reserve(&mut self, net: Ipv4Net) {
        self.used.push(net);
    }

    pub(super) fn allocate(&mut self, prefix: u8, slots: usize, direction: Direction) -> Option<Ipv4Net> {
        let extra = u8::try_from(slots.trailing_zeros()).ok()?;
        let block_prefix = prefix.checked_sub(extra)?;
        if block_prefix < self.vpc.prefix_len() {
            return None;
        }
        let candidates = self.vpc.subnets(block_prefix).ok()?;
        let free = |net: &Ipv4Net| !self.used.iter().any(|u| u.contains(net) || net.contains(u));
        let found = match direction {
            Direction::FromBottom => candidates.into_iter().find(free),
            Direction::FromTop => candidates.into_iter().filter(free).last(),
        }?;
        self.used.push(found);
        Some(found)
    }

    /// What is left, as the fewest aligned blocks.
    pub(super) fn free_blocks(&self) -> Vec<Ipv4Net> {
        let mut free = vec![self.vpc];
        for used in &self.used {
            free = free
                .into_iter()
                .flat_map(|block| subtract(block, *used))
                .collect();
        }
        Ipv4Net::aggregate(&free)
    }
}

/// `block` minus `taken`, as aligned blocks.
pub(super) fn subtract(block: Ipv4Net, taken: Ipv4Net) -> Vec<Ipv4Net> {
    if taken.contains(&block) {
        return Vec::new();
    }
    if !block.contains(&taken) {
        return vec![block];
    }
    let Ok(halves) = block.subnets(block.prefix_len().saturating_add(1)) else {
        return vec![block];
    };
    halves.flat_map(|half| subtract(half, taken)).collect()
}

/// Routes to the address ranges of each private connection, in the route tables of every tier
/// where a component flows to or from it (`reached`: tier and connection names).
pub(super) fn connection_routes(
    tables: &mut [RouteTable],
    tiers: &[Tier],
    reached: &BTreeSet<(&str, &str)>,
    connections: &Pieces<PrivateConnection>,
) {
    for (tier_name, connection_name) in reached {
        let (Some(tier), Some(connection)) = (
            tiers.iter().find(|t| t.name == *tier_name),
            connections.iter().find(|c| c.name == *connection_name),
        ) else {
            continue;
        };
        let in_tier = |table: &RouteTable| {
            table
                .subnets
                .iter()
                .all(|name| tier.subnets.iter().any(|s| &s.name == name))
        };
        for table in tables.iter_mut().filter(|t| !t.subnets.is_empty() && in_tier(t)) {
            for cidr in &connection.cidrs.value {
                table.routes.push(RouteEntry {
                    destination: *cidr,
                    target: RouteTarget::Connection(connection.name.clone()),
                });
            }
        }
    }
}

/// The VPC Block Public Access exclusions the design needs. With BPA on in either mode,
/// CloudFront's VPC origins reach their load balancers only in subnets excluded both ways (the
/// connections arrive inbound); with bidirectional blocking, the NAT reaches the internet only
/// from subnets excluded for egress — the VPC itself for a Regional NAT Gateway, which has no
/// subnet. A NAT that no tier routes through needs nothing.
pub(super) fn bpa_exclusions(
    mode: BlockPublicAccess,
    tiers: &[Tier],
    nat: &Nat,
    edge: Option<&Edge>,
    load_balancers: &[LoadBalancer],
) -> Vec<BpaExclusion> {
    let mut exclusions = Vec::new();
    if mode == BlockPublicAccess::Off {
        return exclusions;
    }
    let vpc_origins = edge
        .into_iter()
        .flat_map(|edge| &edge.origins)
        .filter(|origin| origin.kind == EdgeOriginKind::VpcOrigin);
    for origin in vpc_origins {
        let Some(lb) = load_balancers.iter().find(|lb| lb.name == origin.name) else {
            continue;
        };
        let subnets = tiers
            .iter()
            .filter(|tier| tier.name == lb.tier)
            .flat_map(|tier| &tier.subnets);
        for subnet in subnets {
            exclusions.push(BpaExclusion {
                subnet: Some(subnet.name.clone()),
                mode: BpaExclusionMode::AllowBidirectional,
                reason: BpaExclusionReason::VpcOrigin {
                    load_balancer: lb.name.clone(),
                },
            });
        }
    }
    let nat_used = tiers.iter().any(|tier| tier.egress.value == TierEgress::Nat);
    if mode == BlockPublicAccess::Bidirectional && nat_used {
        let subnets: Vec<Option<String>> = match nat {
            Nat::None { .. } => Vec::new(),
            Nat::Regional { .. } => vec![None],
            Nat::Zonal { subnets, .. } => subnets.iter().cloned().map(Some).collect(),
            Nat::Instance { subnet, .. } => vec![Some(subnet.clone())],
        };
        exclusions.extend(subnets.into_iter().map(|subnet| BpaExclusion {
            subnet,
            mode: BpaExclusionMode::AllowEgress,
            reason: BpaExclusionReason::NatEgress,
        }));
    }
    exclusions
}
